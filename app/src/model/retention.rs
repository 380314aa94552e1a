//! Retention: how long an organization keeps delivery details, events and inactive
//! contacts, and the daily runs that apply it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The longest period a policy may name, in months (ten years).
pub const RETENTION_MAX_MONTHS: u32 = 120;

/// `GET/PUT /api/retention`'s policy. `None`: kept without limit.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionPolicy {
    /// Deliveries (with their details: status, provider, error) and tracking events older
    /// than this many months are deleted; campaign counters stay.
    #[serde(default)]
    pub delivery_months: Option<u32>,
    /// Contacts neither changed nor sent to for this many months are deleted (as an
    /// erasure, without suppressing their addresses).
    #[serde(default)]
    pub contact_months: Option<u32>,
}

/// One day's run of the policy.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetentionRunDto {
    pub id: Uuid,
    /// `YYYY-MM-DD`, UTC.
    pub day: String,
    /// `running` or `done`.
    pub status: String,
    pub delivery_months: Option<u32>,
    pub contact_months: Option<u32>,
    pub deliveries_deleted: u64,
    pub events_deleted: u64,
    pub contacts_deleted: u64,
    /// Why the last try failed, when one did (the run is tried again).
    pub error: Option<String>,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// The policy and the latest runs (newest first, at most 30).
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetentionView {
    pub policy: RetentionPolicy,
    pub runs: Vec<RetentionRunDto>,
}
