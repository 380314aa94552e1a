//! Types shared by the browser and the server: DTOs, roles, the authorization matrix
//! and the validation rules both sides run.

mod authz;
mod dto;
mod role;
mod validation;

pub use authz::{authorize, Ability, Action, Actor, Via};
pub use dto::*;
pub use role::Role;
pub use validation::{
    normalize_email, validate_name, validate_password, FieldErrors, PASSWORD_MAX, PASSWORD_MIN,
};
