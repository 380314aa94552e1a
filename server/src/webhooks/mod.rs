//! Status webhooks in (their routes: `web::hooks`): what SendGrid, Mailgun and Twilio say later about the messages
//! they took. Each provider module verifies its signature and reads its format into
//! [`Status`]es; [`Webhooks::apply`] matches them to deliveries — by our delivery id
//! when the provider echoes it, else by its message id — and records them through
//! `record::reports`, the path the simulator's reports take, so statuses only move
//! forward. A hard bounce or a complaint withdraws the contact's consent for the channel.
//!
//! Providers retry an answer other than 2xx, some for days: an unknown message is
//! answered 200 (and logged), a report about a message we have not finished recording
//! is answered 503 so that it comes back once we have.

pub mod mailgun;
pub mod sendgrid;
pub mod twilio;

use crate::{
    campaigns::System,
    channels::Channels,
    contacts::{normalize, store as contact_store},
    crypto::Cipher,
    db::entities::{
        contact,
        delivery::{self, DeliveryStatus},
    },
    delivery::{
        completion,
        record::{self, Report, Reported},
        withdraw,
    },
    error::ServiceResult,
};
use app::model::Channel;
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect, TransactionTrait,
};
use serde::Serialize;
use std::{collections::HashMap, sync::Arc, time::Duration};
use uuid::Uuid;

/// The largest webhook body read; a provider's batch of events is far smaller.
pub const MAX_BODY: usize = 1024 * 1024;

/// How old a signed timestamp may be (and how far ahead of our clock).
pub const FRESHNESS: Duration = Duration::from_secs(600);

/// What a provider says happened to one message.
#[derive(Clone, Debug, PartialEq)]
pub struct Status {
    /// Our delivery id, when the provider echoes it.
    pub delivery_id: Option<Uuid>,
    pub provider_message_id: Option<String>,
    pub outcome: Outcome,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    Delivered,
    Failed {
        reason: String,
        /// Why the contact's consent goes too (`bounce`, `complaint`, `stop`).
        withdraw: Option<&'static str>,
    },
    /// Not a final status (queued, deferred, opened...): nothing to record.
    Ignored,
}

/// What a webhook call did, as its answer says.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Applied {
    /// Statuses that moved a delivery.
    pub applied: usize,
    /// About a message we do not know (logged).
    pub unknown: usize,
    /// Not final, or repeated, or older than what we know.
    pub ignored: usize,
    /// About a message still being recorded: the provider should send them again.
    pub early: usize,
    /// Contacts whose consent was withdrawn.
    pub withdrawn: usize,
}

/// A delivery as a webhook finds it.
struct Found {
    reported: Reported,
    status: DeliveryStatus,
}

pub struct Webhooks {
    db: DatabaseConnection,
    cipher: Arc<Cipher>,
    pub(crate) channels: Arc<Channels>,
}

impl Webhooks {
    pub fn new(db: DatabaseConnection, cipher: Arc<Cipher>, channels: Arc<Channels>) -> Self {
        Webhooks {
            db,
            cipher,
            channels,
        }
    }

    /// Records `statuses` from `provider` for the organization's deliveries.
    #[tracing::instrument(skip_all, fields(%organization_id, provider, statuses = statuses.len()))]
    pub async fn apply(
        &self,
        organization_id: Uuid,
        provider: &'static str,
        statuses: Vec<Status>,
    ) -> ServiceResult<Applied> {
        let mut done = Applied::default();
        let statuses: Vec<Status> = statuses
            .into_iter()
            .filter(|s| {
                let ignored = s.outcome == Outcome::Ignored;
                done.ignored += usize::from(ignored);
                !ignored
            })
            .collect();
        if statuses.is_empty() {
            return Ok(done);
        }
        let txn = self.db.begin().await?;
        let found = find(&txn, organization_id, provider, &statuses).await?;
        let mut reports = Vec::new();
        let mut withdrawals = Vec::new();
        for status in statuses {
            let row = status
                .delivery_id
                .and_then(|id| found.by_id.get(&id))
                .or_else(|| {
                    status
                        .provider_message_id
                        .as_ref()
                        .and_then(|m| found.by_message.get(m))
                        .and_then(|id| found.by_id.get(id))
                });
            let Some(row) = row else {
                done.unknown += 1;
                tracing::info!(
                    delivery_id = ?status.delivery_id,
                    provider_message_id = ?status.provider_message_id,
                    "status about a message we do not know"
                );
                continue;
            };
            if row.status == DeliveryStatus::Pending {
                done.early += 1;
                continue;
            }
            let report = match status.outcome {
                Outcome::Delivered => Report::Delivered,
                Outcome::Failed { reason, withdraw } => {
                    if let Some(source) = withdraw {
                        withdrawals.push((row.reported.clone(), source));
                    }
                    Report::Failed(reason)
                }
                Outcome::Ignored => continue,
            };
            reports.push((row.reported.clone(), report));
        }
        let total = reports.len();
        let mut touched = Vec::new();
        if !reports.is_empty() {
            let (applied, t) = record::reports(&txn, reports).await?;
            done.applied = applied;
            done.ignored += total - applied;
            touched.extend(t.0);
        }
        for (row, source) in withdrawals {
            let (result, t) = withdraw::withdraw(
                &txn,
                organization_id,
                row.contact_id,
                row.channel,
                source,
                Some(row.campaign_id),
            )
            .await?;
            done.withdrawn += usize::from(result == withdraw::Unsubscribed::Now);
            touched.extend(t.0);
        }
        txn.commit().await?;
        completion::complete_finished(&self.db, System::Webhook, touched).await;
        if done.unknown > 0 || done.early > 0 {
            tracing::info!(?done, "webhook statuses not all applied");
        }
        Ok(done)
    }

    /// An SMS "STOP" (or a synonym) from `phone`: the contact with that number, if any,
    /// no longer gets SMS. Returns whether a contact was found.
    #[tracing::instrument(skip_all, fields(%organization_id))]
    pub async fn stop(&self, organization_id: Uuid, phone: &str) -> ServiceResult<bool> {
        let Ok(e164) = normalize::normalize_phone(phone, None) else {
            tracing::info!("STOP from a number that does not parse");
            return Ok(false);
        };
        let index = contact_store::phone_index(&self.cipher.index_key(organization_id), &e164);
        let txn = self.db.begin().await?;
        let found: Option<Uuid> = contact::Entity::find()
            .select_only()
            .column(contact::Column::Id)
            .filter(contact::Column::OrganizationId.eq(organization_id))
            .filter(contact::Column::PhoneIndex.eq(index))
            .into_tuple()
            .one(&txn)
            .await?;
        let Some(contact_id) = found else {
            tracing::info!("STOP from a number that is no contact's");
            return Ok(false);
        };
        let (_, touched) = withdraw::withdraw(
            &txn,
            organization_id,
            contact_id,
            Channel::Sms,
            twilio::STOP_SOURCE,
            None,
        )
        .await?;
        txn.commit().await?;
        completion::complete_finished(&self.db, System::Webhook, touched.0).await;
        Ok(true)
    }
}

struct Lookup {
    by_id: HashMap<Uuid, Found>,
    by_message: HashMap<String, Uuid>,
}

/// The organization's deliveries through `provider` that `statuses` name.
async fn find(
    db: &impl sea_orm::ConnectionTrait,
    organization_id: Uuid,
    provider: &'static str,
    statuses: &[Status],
) -> ServiceResult<Lookup> {
    type Row = (Uuid, Uuid, Uuid, String, DeliveryStatus, Option<String>);
    let select = || {
        delivery::Entity::find()
            .select_only()
            .column(delivery::Column::Id)
            .column(delivery::Column::CampaignId)
            .column(delivery::Column::ContactId)
            .column(delivery::Column::Channel)
            .column(delivery::Column::Status)
            .column(delivery::Column::ProviderMessageId)
            .filter(delivery::Column::OrganizationId.eq(organization_id))
            .filter(delivery::Column::Provider.eq(provider))
    };
    let ids: Vec<Uuid> = statuses.iter().filter_map(|s| s.delivery_id).collect();
    let messages: Vec<String> = statuses
        .iter()
        .filter(|s| s.delivery_id.is_none())
        .filter_map(|s| s.provider_message_id.clone())
        .collect();
    let mut rows: Vec<Row> = Vec::new();
    for chunk in ids.chunks(100) {
        rows.extend(
            select()
                .filter(delivery::Column::Id.is_in(chunk.iter().copied()))
                .into_tuple::<Row>()
                .all(db)
                .await?,
        );
    }
    for chunk in messages.chunks(100) {
        rows.extend(
            select()
                .filter(delivery::Column::ProviderMessageId.is_in(chunk.iter().cloned()))
                .into_tuple::<Row>()
                .all(db)
                .await?,
        );
    }
    let mut lookup = Lookup {
        by_id: HashMap::new(),
        by_message: HashMap::new(),
    };
    for (id, campaign_id, contact_id, channel, status, message) in rows {
        let Ok(channel) = channel.parse::<Channel>() else {
            continue;
        };
        if let Some(m) = &message {
            lookup.by_message.insert(m.clone(), id);
        }
        lookup.by_id.insert(
            id,
            Found {
                reported: Reported {
                    id,
                    organization_id,
                    campaign_id,
                    contact_id,
                    channel,
                },
                status,
            },
        );
    }
    Ok(lookup)
}

/// Whether a signed Unix timestamp is recent enough (and not from the future).
pub fn fresh(timestamp: i64, now: i64) -> bool {
    let window = FRESHNESS.as_secs() as i64;
    timestamp > now - window && timestamp < now + window
}
