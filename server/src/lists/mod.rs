//! Static recipient lists and their members.

mod service;

pub use service::Lists;
