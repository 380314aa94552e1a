//! `/campaigns`: the list, the detail page and the editor.

mod actions;
mod detail;
mod editor;
mod engagement;
mod list;
mod parts;
mod progress;
mod test_send;

pub use detail::CampaignDetailPage;
pub use editor::{EditCampaignPage, NewCampaignPage};
pub use list::CampaignsPage;
pub use parts::StatusBadge;
pub use progress::is_live;
