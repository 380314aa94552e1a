//! `/campaigns`: the list, the detail page and the editor.

mod detail;
mod editor;
mod list;
mod parts;

pub use detail::CampaignDetailPage;
pub use editor::{EditCampaignPage, NewCampaignPage};
pub use list::CampaignsPage;
