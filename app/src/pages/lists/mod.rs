//! `/lists`: create, rename and delete lists; each links to its contacts.

mod page;

pub use page::ListsPage;
