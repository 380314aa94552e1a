//! Contacts: personal data encrypted at rest, found through blind indexes; consent per channel.

mod fields;
pub mod normalize;
pub mod reindex;
mod search;
mod service;
pub mod store;

pub use service::Contacts;
