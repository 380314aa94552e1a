//! `/lists`: create, rename and delete lists; each links to its page (`/lists/:id`,
//! with its public sign-up form) and its contacts.

mod detail;
mod page;

pub use detail::ListDetailPage;
pub use page::ListsPage;
