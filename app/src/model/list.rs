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
}

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
