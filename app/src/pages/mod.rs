//! One module per feature; each page wraps itself in a `SessionScope` (directly or
//! through its layout) so that it knows the user and the language.

pub mod auth;
pub mod campaigns;
pub mod contacts;
pub mod dashboard;
pub mod imports;
pub mod invite;
pub mod layout;
pub mod lists;
pub mod not_found;
pub mod routes;
pub mod settings;
