//! Campaign DTOs, the state machine, and the channel rules both the editor and the
//! server apply.

use super::Channel;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};
use uuid::Uuid;

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CampaignStatus {
    Draft,
    Scheduled,
    Running,
    Paused,
    Completed,
    Cancelled,
    Failed,
}

impl CampaignStatus {
    pub const ALL: [CampaignStatus; 7] = [
        CampaignStatus::Draft,
        CampaignStatus::Scheduled,
        CampaignStatus::Running,
        CampaignStatus::Paused,
        CampaignStatus::Completed,
        CampaignStatus::Cancelled,
        CampaignStatus::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CampaignStatus::Draft => "draft",
            CampaignStatus::Scheduled => "scheduled",
            CampaignStatus::Running => "running",
            CampaignStatus::Paused => "paused",
            CampaignStatus::Completed => "completed",
            CampaignStatus::Cancelled => "cancelled",
            CampaignStatus::Failed => "failed",
        }
    }

    /// Content, audience and schedule can change only before sending starts.
    pub fn is_editable(self) -> bool {
        matches!(self, CampaignStatus::Draft | CampaignStatus::Scheduled)
    }

    /// The legal moves. Everything else is refused with [`TransitionError`].
    pub fn can_become(self, next: CampaignStatus) -> bool {
        use CampaignStatus::*;
        matches!(
            (self, next),
            (Draft, Scheduled)
                | (Scheduled, Draft)
                | (Scheduled, Running)
                | (Scheduled, Cancelled)
                | (Running, Paused)
                | (Running, Completed)
                | (Running, Cancelled)
                | (Running, Failed)
                | (Paused, Running)
                | (Paused, Cancelled)
        )
    }

    pub fn transition(self, next: CampaignStatus) -> Result<CampaignStatus, TransitionError> {
        if self.can_become(next) {
            Ok(next)
        } else {
            Err(TransitionError {
                from: self,
                to: next,
            })
        }
    }
}

impl fmt::Display for CampaignStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CampaignStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CampaignStatus::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| format!("unknown status `{s}`"))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("a {from} campaign cannot become {to}")]
pub struct TransitionError {
    pub from: CampaignStatus,
    pub to: CampaignStatus,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EmailContent {
    pub subject: String,
    pub from_name: String,
    pub from_email: String,
    pub preheader: String,
    /// Sanitized on save.
    pub html: String,
    /// Generated from `html` when left empty.
    pub text: String,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SmsContent {
    pub text: String,
    pub sender_id: String,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PushContent {
    pub title: String,
    pub body: String,
    pub url: String,
    pub icon: String,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CampaignContent {
    pub email: Option<EmailContent>,
    pub sms: Option<SmsContent>,
    pub push: Option<PushContent>,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CampaignDto {
    pub id: Uuid,
    pub title: String,
    pub description: String,
    pub channels: Vec<Channel>,
    pub status: CampaignStatus,
    /// UTC.
    pub scheduled_at: Option<DateTime<Utc>>,
    /// The organization's time zone, in which the schedule is entered and shown.
    pub time_zone: String,
    pub list_ids: Vec<Uuid>,
    pub exclusion_list_ids: Vec<Uuid>,
    pub content: CampaignContent,
    /// When sending started.
    #[serde(default)]
    pub started_at: Option<DateTime<Utc>>,
    /// When every delivery became final, or the campaign was cancelled.
    #[serde(default)]
    pub completed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `POST /api/campaigns`. `scheduled_at` is RFC 3339, or a local time without offset
/// (`2026-02-25T09:00:00`) read in the organization's time zone.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NewCampaign {
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub channels: Vec<String>,
    #[serde(default)]
    pub scheduled_at: Option<String>,
    #[serde(default)]
    pub list_ids: Vec<Uuid>,
    #[serde(default)]
    pub exclusion_list_ids: Vec<Uuid>,
    #[serde(default)]
    pub content: CampaignContent,
}

/// `PATCH /api/campaigns/{id}`: only the fields present change. `scheduled_at: null`
/// clears the schedule.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CampaignPatch {
    pub title: Option<String>,
    pub description: Option<String>,
    pub channels: Option<Vec<String>>,
    #[serde(
        default,
        with = "super::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "ssr", schema(value_type = Option<String>))]
    pub scheduled_at: Option<Option<String>>,
    pub list_ids: Option<Vec<Uuid>>,
    pub exclusion_list_ids: Option<Vec<Uuid>>,
    pub content: Option<CampaignContent>,
}

/// `GET /api/campaigns` parameters, also used by the UI's list.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CampaignQuery {
    pub page: Option<u64>,
    pub per_page: Option<u64>,
    /// A field name, `-` first for descending: title, status, scheduled_at, created_at, updated_at.
    pub sort: Option<String>,
    pub q: Option<String>,
    pub status: Option<String>,
    pub channel: Option<String>,
}

/// A list the editor can target: id, name and how many contacts it holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ListOption {
    pub id: Uuid,
    pub name: String,
    pub member_count: u64,
}

/// The content rendered for a sample contact, per channel, as the editor previews it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CampaignPreview {
    pub email: Option<EmailContent>,
    pub sms: Option<SmsPreview>,
    pub push: Option<PushContent>,
    /// Template errors, keyed like validation errors (`content.email.html`, ...).
    pub errors: crate::model::FieldErrors,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SmsPreview {
    pub text: String,
    pub sender_id: String,
    pub length: super::SmsLength,
}

#[cfg(test)]
mod tests {
    use super::*;
    use CampaignStatus::*;

    #[test]
    fn transitions() {
        assert_eq!(Draft.transition(Scheduled), Ok(Scheduled));
        assert_eq!(Scheduled.transition(Draft), Ok(Draft));
        assert_eq!(Scheduled.transition(Cancelled), Ok(Cancelled));
        assert_eq!(Running.transition(Cancelled), Ok(Cancelled));
        for (from, to) in [
            (Draft, Running),
            (Draft, Cancelled),
            (Completed, Draft),
            (Cancelled, Scheduled),
            (Completed, Cancelled),
            (Running, Draft),
        ] {
            let e = from.transition(to).unwrap_err();
            assert_eq!(
                e.to_string(),
                format!("a {from} campaign cannot become {to}")
            );
        }
        assert!(Draft.is_editable() && Scheduled.is_editable());
        assert!(!Running.is_editable() && !Completed.is_editable());
    }
}
