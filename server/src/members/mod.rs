//! Members of an organization: listing, roles, removal, and invitations.

mod invitations;
mod service;

pub use service::Members;
