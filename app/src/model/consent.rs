//! Consent as proof and the data subject's copy: the lawful basis, the ledger's
//! entries, and the export of everything held about a contact.

use super::{Channel, ConsentState, ContactDto};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::str::FromStr;
use uuid::Uuid;

/// The ground a state rests on (GDPR art. 6): given consent, a contract with the person,
/// or the organization's legitimate interest.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LawfulBasis {
    #[default]
    Consent,
    Contract,
    LegitimateInterest,
}

impl LawfulBasis {
    pub const ALL: [LawfulBasis; 3] = [
        LawfulBasis::Consent,
        LawfulBasis::Contract,
        LawfulBasis::LegitimateInterest,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LawfulBasis::Consent => "consent",
            LawfulBasis::Contract => "contract",
            LawfulBasis::LegitimateInterest => "legitimate_interest",
        }
    }
}

impl FromStr for LawfulBasis {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        LawfulBasis::ALL
            .into_iter()
            .find(|b| b.as_str() == s)
            .ok_or_else(|| {
                format!("unknown lawful basis `{s}`: consent, contract or legitimate_interest")
            })
    }
}

/// One entry of a contact's consent history (`GET /api/contacts/{id}/consents`), oldest
/// first: the ledger is append-only, so this is the proof of every state they had.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConsentRecordDto {
    pub id: Uuid,
    pub channel: Channel,
    /// `marketing`, or `list:<id>`.
    pub purpose: String,
    pub state: ConsentState,
    pub lawful_basis: LawfulBasis,
    /// The wording shown, when one was recorded, and its SHA-256 (hex).
    pub wording: Option<String>,
    pub wording_hash: Option<String>,
    /// `api`, `import`, `unsubscribe`, `bounce`, `complaint`, `stop`, `push_optin`, ...
    pub source: String,
    /// What the source names: an import or campaign id, a form's URL.
    pub source_ref: Option<String>,
    /// The line of the import file.
    pub source_line: Option<i64>,
    /// The member who made the change.
    pub actor_id: Option<Uuid>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub confirmed_ip: Option<String>,
    pub recorded_at: DateTime<Utc>,
}

/// `GET /api/contacts/{id}/export`: everything held about one person (GDPR articles 15
/// and 20), as one JSON document.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ContactExport {
    pub exported_at: DateTime<Utc>,
    pub organization_id: Uuid,
    /// The profile, the current consent per channel and the lists.
    pub contact: ContactDto,
    pub consent_history: Vec<ConsentRecordDto>,
    /// The browsers (devices) that accepted push notifications.
    pub push_subscriptions: Vec<ExportedPushSubscription>,
    /// Newest first, each with its events (sent, delivered, failed, unsubscribed, ...).
    pub deliveries: Vec<ExportedDelivery>,
    /// More deliveries or events than an export holds (see the README's limits): the
    /// newest are here.
    pub truncated: bool,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExportedPushSubscription {
    pub id: Uuid,
    pub endpoint: String,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExportedDelivery {
    pub campaign_id: Uuid,
    pub campaign_title: Option<String>,
    pub delivery: super::DeliveryDto,
    pub events: Vec<super::EventDto>,
}
