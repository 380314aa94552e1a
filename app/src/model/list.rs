//! List DTOs shared by the browser and the server.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ListDto {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    pub member_count: u64,
    /// Whether the public sign-up form (`/f/{id}`, double opt-in) takes sign-ups.
    pub signup_enabled: bool,
    /// The consent wording that form shows; `None`: [`DEFAULT_SIGNUP_WORDING`].
    pub signup_wording: Option<String>,
    /// The form's public address, while it is on.
    pub signup_url: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A list named by a contact: enough to show it and link to it.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListRef {
    pub id: Uuid,
    pub name: String,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListInput {
    pub name: String,
    #[serde(default)]
    pub description: String,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListPatch {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub signup_enabled: Option<bool>,
    /// An empty text goes back to the default wording.
    #[serde(default)]
    pub signup_wording: Option<String>,
}

/// What a list's sign-up form asks the visitor to agree to, unless the list says otherwise.
pub const DEFAULT_SIGNUP_WORDING: &str =
    "I agree to receive emails from this list, and know I can unsubscribe at any time.";

/// The longest consent wording a sign-up form may show (the ledger keeps it whole).
pub const SIGNUP_WORDING_MAX: usize = 2000;

/// `POST/DELETE /api/lists/{id}/members`.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListMembersInput {
    pub contact_ids: Vec<Uuid>,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ListMembersChanged {
    /// How many memberships were added or removed (already-present or absent ones don't count).
    pub changed: u64,
    pub member_count: u64,
}

/// Paging and search of the UI's contact and list screens (as the REST query string).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SearchQuery {
    pub page: Option<u64>,
    pub per_page: Option<u64>,
    /// A field name, `-` first for descending.
    pub sort: Option<String>,
    /// Contacts: an exact email or phone (blind index) or words of a name; lists: the name.
    pub q: Option<String>,
    /// Contacts only: the members of this list (its id; none or empty for everyone).
    pub list_id: Option<String>,
}
