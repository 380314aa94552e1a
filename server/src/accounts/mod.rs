//! Sign-up, login, logout, the current user, and switching organizations.

mod organization;
mod service;

pub use service::Accounts;
pub(crate) use service::{insert_membership, lock_organization, parse_role};
