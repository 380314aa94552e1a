//! `/contacts`: the list with its search, a contact's page and form, and its lists.
//! The list screen is in `pages/lists`, the CSV import in `pages/imports`.

mod detail;
mod form;
pub(crate) mod list;
mod memberships;
pub(crate) mod parts;

pub use detail::{ContactDetailPage, NewContactPage};
pub use list::ContactsPage;
