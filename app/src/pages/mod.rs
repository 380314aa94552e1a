//! One module per feature; each page wraps itself in a `SessionScope` (directly or
//! through its layout) so that it knows the user and the language.

pub mod auth;
pub mod campaigns;
pub mod invite;
pub mod layout;
pub mod not_found;
pub mod placeholders;
pub mod settings;
