//! The audit log as admins read it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

/// Every action the log records, `<target kind>.<what happened>`.
pub const AUDIT_ACTIONS: &[&str] = &[
    "auth.sign_in",
    "auth.sign_in_failed",
    "member.role_changed",
    "member.removed",
    "invitation.created",
    "invitation.revoked",
    "invitation.accepted",
    "token.created",
    "token.revoked",
    "campaign.scheduled",
    "campaign.unscheduled",
    "campaign.paused",
    "campaign.resumed",
    "campaign.cancelled",
    "import.started",
    "contact.exported",
    "contact.erased",
    "organization.updated",
    "retention.updated",
    "channel.updated",
    "suppression.added",
    "suppression.removed",
];

/// The actions an `action` filter names: one action, or every action of a target kind
/// (`campaign`). `None` when it names none.
pub fn audit_actions_matching(filter: &str) -> Option<Vec<&'static str>> {
    let found: Vec<&'static str> = AUDIT_ACTIONS
        .iter()
        .copied()
        .filter(|a| {
            *a == filter
                || a.strip_prefix(filter)
                    .is_some_and(|rest| rest.starts_with('.'))
        })
        .collect();
    (!found.is_empty()).then_some(found)
}

/// One line of `GET /api/audit`.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditEntryDto {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    /// The member who acted (for a failed sign-in: the account tried, if it exists).
    pub actor_id: Option<Uuid>,
    /// Their email, while they have an account.
    pub actor_email: Option<String>,
    /// The API token used, if any.
    pub token_id: Option<Uuid>,
    pub ip: Option<String>,
    pub action: String,
    pub target_kind: String,
    pub target_id: Option<String>,
    /// What changed: names and non-personal values, never secrets.
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub details: Value,
}

/// `GET /api/audit` and `GET /api/audit.csv` filters.
#[cfg_attr(feature = "ssr", derive(utoipa::IntoParams))]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// From 1 (default 1; the CSV has no pages).
    pub page: Option<u64>,
    /// 1 to 100 (default 25).
    pub per_page: Option<u64>,
    /// One action (`campaign.scheduled`) or a kind of target (`campaign`).
    pub action: Option<String>,
    pub actor_id: Option<Uuid>,
    pub target_id: Option<String>,
    /// From this time (RFC 3339) or day (`2026-12-01`, from its start, UTC).
    pub from: Option<String>,
    /// Until this time, or to the end of this day (UTC).
    pub to: Option<String>,
}
