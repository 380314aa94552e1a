//! The suppression list: addresses never to be sent to again on a channel.

use super::Channel;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Why an address is suppressed.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SuppressionReason {
    /// The person's unsubscribe link.
    Unsubscribe,
    /// A hard bounce reported by the provider.
    Bounce,
    /// A spam complaint reported by the provider.
    Complaint,
    /// An SMS "STOP".
    Stop,
    /// The contact was erased.
    Erasure,
    /// Added by an admin.
    #[default]
    Admin,
}

impl SuppressionReason {
    pub const ALL: [SuppressionReason; 6] = [
        SuppressionReason::Unsubscribe,
        SuppressionReason::Bounce,
        SuppressionReason::Complaint,
        SuppressionReason::Stop,
        SuppressionReason::Erasure,
        SuppressionReason::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SuppressionReason::Unsubscribe => "unsubscribe",
            SuppressionReason::Bounce => "bounce",
            SuppressionReason::Complaint => "complaint",
            SuppressionReason::Stop => "stop",
            SuppressionReason::Erasure => "erasure",
            SuppressionReason::Admin => "admin",
        }
    }

    /// The reason of this name; as a consent withdrawal's source, one that suppresses.
    pub fn from_name(source: &str) -> Option<Self> {
        SuppressionReason::ALL
            .into_iter()
            .find(|r| r.as_str() == source)
    }
}

/// One entry. The address itself is not kept (only its blind index), so an entry does
/// not keep an erased person's address; `contact_id` names the contact while it exists.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SuppressionDto {
    pub id: Uuid,
    pub channel: Channel,
    pub reason: SuppressionReason,
    pub contact_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

/// `POST /api/suppressions`: an address (an email for `email` and `push`, a phone number
/// for `sms`) that must not be sent to on `channel`.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SuppressionInput {
    pub channel: Channel,
    pub address: String,
    /// `admin` when absent.
    #[serde(default)]
    pub reason: Option<SuppressionReason>,
}

/// `GET /api/suppressions` and `DELETE /api/suppressions`: `channel` and `address` find
/// one address's entries (exact match through the blind index).
#[cfg_attr(feature = "ssr", derive(utoipa::IntoParams))]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SuppressionQuery {
    /// From 1 (default 1).
    pub page: Option<u64>,
    /// 1 to 100 (default 25).
    pub per_page: Option<u64>,
    pub channel: Option<Channel>,
    /// An email or phone number.
    pub address: Option<String>,
}
