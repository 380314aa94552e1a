//! Static recipient lists and their members.

mod service;

pub use service::{ListFilter, Lists, SORT_FIELDS};
