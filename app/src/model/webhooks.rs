//! Outbound webhooks: endpoints an organization registers to receive its events.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The event types an endpoint may ask for (the `type` of `GET /api/events`).
pub const EVENT_TYPES: [&str; 13] = [
    "CampaignScheduled",
    "CampaignStarted",
    "CampaignPaused",
    "CampaignResumed",
    "CampaignSent",
    "CampaignCancelled",
    "CampaignFailed",
    "MessageSent",
    "MessageDelivered",
    "MessageFailed",
    "MessageOpened",
    "MessageClicked",
    "ContactUnsubscribed",
];

/// `POST /api/webhooks`.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookInput {
    /// `https://` (or `http://`) URL, at most 2048 characters.
    pub url: String,
    /// Event type names, at least one (see `GET /api/events`).
    pub events: Vec<String>,
    /// A note for people, at most 500 characters.
    #[serde(default)]
    pub description: Option<String>,
}

/// `PATCH /api/webhooks/{id}`: what is given changes. `enabled: true` brings back an
/// endpoint that was disabled after failing; its waiting messages then go out.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookPatch {
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub events: Option<Vec<String>>,
    /// An empty text removes it.
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub enabled: Option<bool>,
}

/// An endpoint, without its secret.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WebhookDto {
    pub id: Uuid,
    pub url: String,
    pub events: Vec<String>,
    pub description: Option<String>,
    /// False once disabled, by hand or after failing for too long (`disabled_reason`).
    pub enabled: bool,
    pub disabled_at: Option<DateTime<Utc>>,
    pub disabled_reason: Option<String>,
    /// Since when every attempt has failed (null: the last one succeeded).
    pub failing_since: Option<DateTime<Utc>>,
    /// Messages waiting to be sent or retried.
    pub pending: u64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The answer to `POST /api/webhooks`: the endpoint and its signing secret, shown this
/// once (`whsec_` and the key's bytes in base64, as Standard Webhooks writes it).
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CreatedWebhook {
    #[serde(flatten)]
    pub webhook: WebhookDto,
    pub secret: String,
}

/// One POST of one message to an endpoint.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WebhookAttemptDto {
    pub id: Uuid,
    /// The `webhook-id` header sent (the same on every attempt of a message).
    pub message_id: String,
    pub event_type: String,
    pub attempted_at: DateTime<Utc>,
    /// `scheduled` (the first send and its retries) or `replay` (asked by hand).
    pub trigger: String,
    /// `succeeded` or `failed`.
    pub status: String,
    /// The endpoint's HTTP status, when it answered.
    pub response_code: Option<u16>,
    pub latency_ms: u32,
    /// Why it failed: no answer, a refused address, a redirect, a status.
    pub error: Option<String>,
    /// Where the message stands now: `pending`, `delivered` or `failed` (given up).
    pub message_status: String,
}

/// `GET /api/webhooks/{id}/attempts`.
#[cfg_attr(feature = "ssr", derive(utoipa::IntoParams))]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttemptsQuery {
    /// From 1 (default 1).
    pub page: Option<u64>,
    /// 1 to 100 (default 25).
    pub per_page: Option<u64>,
}
