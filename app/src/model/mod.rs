//! Types shared by the browser and the server: DTOs, roles, the authorization matrix
//! and the validation rules both sides run.

mod audit;
mod authz;
mod campaign;
mod channel;
mod consent;
mod contact;
mod double_option;
mod dto;
mod import_basis;
mod list;
mod provider_form;
mod retention;
mod role;
mod sending;
mod sms;
mod stats;
mod suppression;
mod validation;
mod webhooks;

pub use audit::*;
pub use authz::{authorize, Ability, Action, Actor, Via};
#[allow(unused_imports)]
pub use campaign::*;
pub use channel::Channel;
pub use consent::*;
#[allow(unused_imports)]
pub use contact::*;
pub use dto::*;
pub use import_basis::{BasisAnswer, DECLARABLE};
#[allow(unused_imports)]
pub use list::*;
pub use provider_form::{settings_from_form, ChannelsView, ProviderDto, SettingField, SettingKind};
pub use retention::*;
pub use role::Role;
pub use sending::*;
pub use sms::{sms_length, SmsEncoding, SmsLength};
pub use stats::*;
pub use suppression::*;
pub use validation::{
    normalize_email, validate_name, validate_password, FieldErrors, PASSWORD_MAX, PASSWORD_MIN,
};
pub use webhooks::*;
