//! Sending: progress, deliveries, events, channel settings and test sends.

use super::{CampaignStatus, Channel};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

/// One channel of a campaign: every delivery is in exactly one of these states, so
/// `total` = pending + sent + delivered + failed + skipped + cancelled.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChannelProgress {
    pub channel: Channel,
    pub total: u64,
    pub pending: u64,
    pub sent: u64,
    pub delivered: u64,
    pub failed: u64,
    pub skipped: u64,
    pub cancelled: u64,
}

impl ChannelProgress {
    pub fn empty(channel: Channel) -> Self {
        ChannelProgress {
            channel,
            total: 0,
            pending: 0,
            sent: 0,
            delivered: 0,
            failed: 0,
            skipped: 0,
            cancelled: 0,
        }
    }
}

/// Why contacts were skipped, over all channels.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SkipCounts {
    pub no_consent: u64,
    pub no_address: u64,
    pub unsubscribed: u64,
    /// On the suppression list.
    pub suppressed: u64,
}

/// `GET /api/campaigns/{id}/progress`.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProgressDto {
    pub status: CampaignStatus,
    pub started_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub channels: Vec<ChannelProgress>,
    pub skipped: SkipCounts,
}

/// One message to one contact on one channel.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeliveryDto {
    pub id: Uuid,
    pub contact_id: Uuid,
    pub channel: Channel,
    /// `pending`, `sent`, `delivered`, `failed`, `skipped` or `cancelled`.
    pub status: String,
    /// `no_consent`, `no_address`, `unsubscribed` or `suppressed` when skipped.
    pub skip_reason: Option<String>,
    pub attempts: u32,
    pub provider: Option<String>,
    pub provider_message_id: Option<String>,
    /// Why it failed (or why the last attempt was retried).
    pub error: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

/// `GET /api/campaigns/{id}/deliveries` parameters.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DeliveryQuery {
    pub channel: Option<String>,
    pub status: Option<String>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

/// Something that happened, in order (`id` increases).
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventDto {
    pub id: i64,
    /// `CampaignStarted`, `MessageSent`, `ContactUnsubscribed`, ...
    #[serde(rename = "type")]
    pub kind: String,
    pub occurred_at: DateTime<Utc>,
    pub campaign_id: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    pub delivery_id: Option<Uuid>,
    pub channel: Option<Channel>,
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub data: Value,
}

/// `GET /api/events`: `next` is the cursor for the following call (`after=next`), an
/// opaque string.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventsPage {
    pub items: Vec<EventDto>,
    pub next: String,
}

/// A channel's provider and settings. Secret settings are never shown: each appears as
/// `{"set": true}` or `{"set": false}`.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChannelSettingsDto {
    pub channel: Channel,
    pub provider: String,
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub settings: Value,
    /// `None` until an admin saves the channel (a new organization uses the simulator).
    pub updated_at: Option<DateTime<Utc>>,
}

/// `PUT /api/channels/{channel}`. A secret left out (or `null`) keeps its stored value
/// when the provider does not change.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChannelSettingsInput {
    pub provider: String,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub settings: Value,
}

/// `POST /api/channels/{channel}/test`: an email address, or a phone number.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChannelTestInput {
    pub to: String,
}

/// What a provider said to one message.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SendResult {
    /// `accepted`, `retry` (a transient refusal) or `failed`.
    pub outcome: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider_message_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// `POST /api/campaigns/{id}/test`: where to send the test, per channel.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CampaignTestInput {
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// One channel of a campaign test.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CampaignTestResult {
    pub channel: Channel,
    pub to: String,
    #[serde(flatten)]
    pub result: SendResult,
}

/// What the campaign page shows of a run: its progress and its first failures.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CampaignProgressView {
    pub progress: ProgressDto,
    /// The first failed deliveries, with their reasons.
    pub failures: Vec<DeliveryDto>,
    /// How many failed in all.
    pub failures_total: u64,
    /// Its results (the same figures and charts as its report), read in the same request.
    pub engagement: super::CampaignEngagement,
}

impl ProgressDto {
    /// Every channel summed, as one line.
    pub fn overall(&self) -> ChannelProgress {
        let mut sum = ChannelProgress::empty(
            self.channels
                .first()
                .map(|c| c.channel)
                .unwrap_or(Channel::Email),
        );
        for c in &self.channels {
            sum.total += c.total;
            sum.pending += c.pending;
            sum.sent += c.sent;
            sum.delivered += c.delivered;
            sum.failed += c.failed;
            sum.skipped += c.skipped;
            sum.cancelled += c.cancelled;
        }
        sum
    }
}

impl ChannelProgress {
    /// Whole percent of deliveries no longer pending.
    pub fn percent_done(&self) -> u64 {
        if self.total == 0 {
            return 0;
        }
        (self.total.saturating_sub(self.pending)).saturating_mul(100) / self.total
    }
}
