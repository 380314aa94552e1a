//! Contact, consent and CSV-import DTOs shared by the browser and the server.

use super::{Channel, LawfulBasis};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::{collections::BTreeMap, fmt, str::FromStr};
use uuid::Uuid;

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ConsentState {
    Granted,
    Withdrawn,
    Unknown,
}

impl ConsentState {
    pub fn as_str(self) -> &'static str {
        match self {
            ConsentState::Granted => "granted",
            ConsentState::Withdrawn => "withdrawn",
            ConsentState::Unknown => "unknown",
        }
    }

    /// Reads the spellings found in spreadsheets: yes/no, true/false, 1/0, granted/withdrawn.
    /// An empty cell is `None`: it says nothing, so it changes nothing.
    pub fn parse_cell(raw: &str) -> Result<Option<ConsentState>, String> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "" => Ok(None),
            "yes" | "y" | "true" | "1" | "granted" | "oui" => Ok(Some(ConsentState::Granted)),
            "no" | "n" | "false" | "0" | "withdrawn" | "non" => Ok(Some(ConsentState::Withdrawn)),
            "unknown" => Ok(Some(ConsentState::Unknown)),
            _ => Err(
                "consent values are yes/no, true/false, 1/0, granted/withdrawn or unknown".into(),
            ),
        }
    }
}

impl fmt::Display for ConsentState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ConsentState {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "granted" => Ok(ConsentState::Granted),
            "withdrawn" => Ok(ConsentState::Withdrawn),
            "unknown" => Ok(ConsentState::Unknown),
            _ => Err(format!("unknown consent state `{s}`")),
        }
    }
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConsentDto {
    pub channel: Channel,
    pub state: ConsentState,
    pub lawful_basis: LawfulBasis,
    /// Where the state came from: `api`, `import`, `unsubscribe`, ...
    pub source: String,
    pub updated_at: DateTime<Utc>,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ContactDto {
    pub id: Uuid,
    pub email: Option<String>,
    /// E.164, e.g. `+33612345678`.
    pub phone: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub locale: Option<String>,
    pub time_zone: Option<String>,
    pub attributes: Map<String, Value>,
    /// One entry per channel; channels never set are `unknown`.
    pub consents: Vec<ConsentDto>,
    /// The lists holding the contact, by name. Every endpoint returning contacts fills
    /// it, pages of contacts included (one query per page). Change it through
    /// `POST/DELETE /api/lists/{id}/members`.
    pub lists: Vec<super::ListRef>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `POST /api/contacts`. At least one of `email` and `phone`.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactInput {
    #[serde(default)]
    pub email: Option<String>,
    /// E.164 or national format (read with the organization's default region).
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub locale: Option<String>,
    #[serde(default)]
    pub time_zone: Option<String>,
    #[serde(default)]
    pub attributes: Option<Map<String, Value>>,
    #[serde(default)]
    pub consents: BTreeMap<Channel, ConsentState>,
    /// Why the `consents` given may be relied on; `consent` when absent.
    #[serde(default)]
    pub lawful_basis: Option<LawfulBasis>,
    /// The exact wording the person agreed to (10 KiB at most), kept in the ledger.
    #[serde(default)]
    pub consent_wording: Option<String>,
}

/// `PATCH /api/contacts/{id}`: absent fields are kept, `""` or `null` clears a field,
/// `attributes` are merged (a `null` value removes the key), `consents` set per channel.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactPatch {
    #[serde(
        default,
        with = "super::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "ssr", schema(value_type = Option<String>))]
    pub email: Option<Option<String>>,
    #[serde(
        default,
        with = "super::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "ssr", schema(value_type = Option<String>))]
    pub phone: Option<Option<String>>,
    #[serde(
        default,
        with = "super::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "ssr", schema(value_type = Option<String>))]
    pub first_name: Option<Option<String>>,
    #[serde(
        default,
        with = "super::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "ssr", schema(value_type = Option<String>))]
    pub last_name: Option<Option<String>>,
    #[serde(
        default,
        with = "super::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "ssr", schema(value_type = Option<String>))]
    pub locale: Option<Option<String>>,
    #[serde(
        default,
        with = "super::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "ssr", schema(value_type = Option<String>))]
    pub time_zone: Option<Option<String>>,
    #[serde(default)]
    pub attributes: Option<Map<String, Value>>,
    #[serde(default)]
    pub consents: BTreeMap<Channel, ConsentState>,
    /// Why the `consents` given may be relied on; `consent` when absent.
    #[serde(default)]
    pub lawful_basis: Option<LawfulBasis>,
    /// The exact wording the person agreed to (10 KiB at most), kept in the ledger.
    #[serde(default)]
    pub consent_wording: Option<String>,
}

/// Which CSV column (by header name) feeds which contact field.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportMapping {
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub locale: Option<String>,
    #[serde(default)]
    pub time_zone: Option<String>,
    /// Columns kept as custom attributes, under their header name.
    #[serde(default)]
    pub attributes: Vec<String>,
    /// Channel → the column holding its consent.
    #[serde(default)]
    pub consents: BTreeMap<Channel, String>,
    /// Channel → the words shown where the people of its consent column agreed, kept in
    /// the consent ledger with each consent the column grants.
    #[serde(default)]
    pub consent_wording: BTreeMap<Channel, String>,
    /// Channel → the lawful basis every row with an address for it comes in with, in place
    /// of a consent column (`email` and `sms`; push consent comes from the device).
    #[serde(default)]
    pub lawful_bases: BTreeMap<Channel, DeclaredBasis>,
}

/// A lawful basis an import declares for a whole channel, with the words behind it (the
/// terms of the contract, the notice of legitimate interest, the consent text).
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeclaredBasis {
    pub lawful_basis: LawfulBasis,
    /// Required, 10 KiB at most.
    pub wording: String,
}

/// `POST /api/contacts/import/preview`.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImportPreview {
    /// `,` or `;`.
    pub delimiter: String,
    pub header: Vec<String>,
    /// The first rows (at most 5), as read.
    pub rows: Vec<Vec<String>>,
    pub suggested_mapping: ImportMapping,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ImportStatus {
    Queued,
    Running,
    Completed,
    Failed,
}

impl ImportStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ImportStatus::Queued => "queued",
            ImportStatus::Running => "running",
            ImportStatus::Completed => "completed",
            ImportStatus::Failed => "failed",
        }
    }
}

impl FromStr for ImportStatus {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [
            ImportStatus::Queued,
            ImportStatus::Running,
            ImportStatus::Completed,
            ImportStatus::Failed,
        ]
        .into_iter()
        .find(|st| st.as_str() == s)
        .ok_or_else(|| format!("unknown import status `{s}`"))
    }
}

/// `GET /api/imports/{id}`: progress while running, the summary once done.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImportDto {
    pub id: Uuid,
    pub status: ImportStatus,
    pub file_name: String,
    /// Data rows in the file (counted at upload; exact once completed).
    pub rows_total: u64,
    pub rows_done: u64,
    pub created: u64,
    pub updated: u64,
    /// Rows that matched a contact and changed nothing (e.g. the same file imported again).
    pub unchanged: u64,
    pub skipped: u64,
    /// Per channel (`email`, `sms`): rows with an address for it that brought neither a
    /// consent nor a lawful basis. They are never sent to on that channel until one is
    /// recorded (a contact that had one keeps it).
    pub no_consent: BTreeMap<Channel, u64>,
    /// Why a failed import stopped.
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}
