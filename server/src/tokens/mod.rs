//! Personal API tokens, Sanctum-style: `<id>|<secret>` shown once, a SHA-256 of the
//! secret stored, abilities intersected with the owner's role.

mod service;

pub use service::Tokens;
