//! What crosses the wire, for both the REST API and server functions.

use super::{Ability, Role};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SignupInput {
    pub email: String,
    pub password: String,
    pub organization: String,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LoginInput {
    pub email: String,
    pub password: String,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UserDto {
    pub id: Uuid,
    pub email: String,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MembershipDto {
    pub organization_id: Uuid,
    pub organization_name: String,
    pub role: Role,
}

/// The signed-in user, the organization they act in, and every organization they belong to.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Me {
    pub user: UserDto,
    pub organization: MembershipDto,
    pub organizations: Vec<MembershipDto>,
    /// `session` or `token`.
    pub authenticated_via: String,
    /// Present when authenticated with an API token.
    #[cfg_attr(feature = "ssr", schema(value_type = Option<Vec<String>>))]
    pub abilities: Option<Vec<Ability>>,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MemberDto {
    /// The membership id, used by `PATCH/DELETE /api/members/{id}`.
    pub id: Uuid,
    pub user_id: Uuid,
    pub email: String,
    pub role: Role,
    pub joined_at: DateTime<Utc>,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RoleChange {
    pub role: Role,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InvitationInput {
    pub email: String,
    pub role: Role,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InvitationDto {
    pub id: Uuid,
    pub email: String,
    pub role: Role,
    pub expires_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

/// Returned once, to the admin who invited: the link to hand over (until the email
/// channel delivers it).
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InvitationCreated {
    pub invitation: InvitationDto,
    pub accept_url: String,
}

/// What the invitation page shows before accepting.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InvitationPreview {
    pub organization_name: String,
    pub email: String,
    pub role: Role,
    /// Whether the invited address already has an account (log in) or not (choose a password).
    pub account_exists: bool,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AcceptInvitationInput {
    pub token: String,
    pub password: String,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TokenDto {
    pub id: Uuid,
    pub user_id: Uuid,
    pub name: String,
    #[cfg_attr(feature = "ssr", schema(value_type = Vec<String>))]
    pub abilities: Vec<Ability>,
    pub expires_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewTokenInput {
    pub name: String,
    pub abilities: Vec<String>,
    /// When the token stops working; none means never.
    #[serde(default)]
    pub expires_at: Option<DateTime<Utc>>,
}

/// The plain-text token is in this response only; the server keeps just its hash.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CreatedToken {
    pub token: TokenDto,
    pub plain_text_token: String,
}

/// One page of a list endpoint: `GET /api/...?page=1&per_page=25&sort=-created_at&q=...`.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub page: u64,
    pub per_page: u64,
    pub total: u64,
}

/// The current organization's settings.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OrganizationDto {
    pub id: Uuid,
    pub name: String,
    /// IANA time zone in which campaign times are entered and shown, e.g. `Europe/Paris`.
    pub time_zone: String,
    /// ISO 3166 country code for phone numbers written without `+`, e.g. `FR`.
    pub default_region: String,
    /// Open and click tracking in its messages: links rewritten, an open pixel in HTML
    /// emails (on unless turned off).
    pub tracking: bool,
}

/// `PATCH /api/organization`: only the fields given change.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct OrganizationPatch {
    pub name: Option<String>,
    pub time_zone: Option<String>,
    pub default_region: Option<String>,
    pub tracking: Option<bool>,
}
