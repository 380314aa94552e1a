//! `/contacts/import` (the wizard) and `/contacts/imports/:id` (progress and report).

mod basis;
mod head;
mod mapping;
mod progress;
mod wizard;

pub use progress::ImportProgressPage;
pub use wizard::ImportPage;
