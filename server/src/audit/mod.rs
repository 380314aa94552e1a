//! The audit log: who did what in an organization, when and from where. Services call
//! [`record`] in the transaction of the change they audit, so a change and its line
//! commit together; the client's address comes from the request being served
//! ([`context`]), encrypted. Admins read it through [`Audit`].

pub mod context;
mod log;
mod service;

pub use log::{record, Entry};
pub use service::{Audit, MAX_CSV_ROWS};
