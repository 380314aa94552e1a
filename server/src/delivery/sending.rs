//! The service behind sending: start now, pause, resume, cancel (each rings the
//! engine), a campaign's progress and deliveries, test sends, and unsubscribing.

use super::{
    completion, fanout::UNSUBSCRIBE_SOURCE, links::Unsubscribe, templates, withdraw, Engine,
};
use crate::{
    auth::require,
    campaigns::{render::sample_contact, store, Campaigns, System},
    channels::{Body, OutboundMessage},
    contacts::{normalize, store as contact_store},
    db::entities::{
        contact,
        delivery::{self, DeliveryStatus},
        delivery_counter,
    },
    error::{not_found, ServiceResult},
    listing::{Listing, Sorts},
};
use app::{
    error::AppError,
    model::{
        Action, Actor, CampaignDto, CampaignTestInput, CampaignTestResult, Channel,
        ChannelProgress, DeliveryDto, DeliveryQuery, Page, ProgressDto, SkipCounts,
    },
};
use sea_orm::{
    ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    TransactionTrait,
};
use serde_json::{json, Value};
use std::sync::Arc;
use uuid::Uuid;

pub struct Sending {
    engine: Arc<Engine>,
    campaigns: Arc<Campaigns>,
}

pub use super::withdraw::Unsubscribed;

impl Sending {
    pub fn new(engine: Arc<Engine>, campaigns: Arc<Campaigns>) -> Self {
        Sending { engine, campaigns }
    }

    pub async fn send(&self, actor: &Actor, id: Uuid) -> ServiceResult<CampaignDto> {
        let dto = self.campaigns.send_now(actor, id).await?;
        self.engine.scheduler_wake.ring();
        Ok(dto)
    }

    pub async fn pause(&self, actor: &Actor, id: Uuid) -> ServiceResult<CampaignDto> {
        self.campaigns.pause(actor, id).await
    }

    pub async fn resume(&self, actor: &Actor, id: Uuid) -> ServiceResult<CampaignDto> {
        let dto = self.campaigns.resume(actor, id).await?;
        // Its last deliveries may have settled while it was paused: then it is done.
        let completed = completion::complete_finished(
            &self.engine.db,
            System::Worker,
            [(actor.organization_id, id)],
        )
        .await;
        self.engine.worker_wake.ring();
        if completed > 0 {
            return self.campaigns.get(actor, id).await;
        }
        Ok(dto)
    }

    /// From the counters kept with the outcomes; never counts the deliveries.
    pub async fn progress(&self, actor: &Actor, id: Uuid) -> ServiceResult<ProgressDto> {
        require(actor, Action::CampaignsRead)?;
        let db = &self.engine.db;
        let campaign = store::find(db, actor.organization_id, id).await?;
        let counters = delivery_counter::Entity::find()
            .filter(delivery_counter::Column::CampaignId.eq(id))
            .all(db)
            .await?;
        let n = |v: i64| u64::try_from(v).unwrap_or(0);
        let mut skipped = SkipCounts::default();
        let channels = campaign
            .channels
            .0
            .iter()
            .map(|channel| {
                let c = counters.iter().find(|c| c.channel == channel.as_str());
                let Some(c) = c else {
                    return ChannelProgress::empty(*channel);
                };
                skipped.no_consent += n(c.skipped_no_consent);
                skipped.no_address += n(c.skipped_no_address);
                skipped.unsubscribed += n(c.skipped_unsubscribed);
                skipped.suppressed += n(c.skipped_suppressed);
                ChannelProgress {
                    channel: *channel,
                    total: n(c.total),
                    pending: n(c.pending),
                    sent: n(c.sent),
                    delivered: n(c.delivered),
                    failed: n(c.failed),
                    skipped: n(c.skipped),
                    cancelled: n(c.cancelled),
                }
            })
            .collect();
        Ok(ProgressDto {
            status: campaign.status.0,
            started_at: campaign.started_at,
            completed_at: campaign.completed_at,
            channels,
            skipped,
        })
    }

    /// A campaign's deliveries, paged, optionally of one channel and status.
    pub async fn deliveries(
        &self,
        actor: &Actor,
        id: Uuid,
        q: DeliveryQuery,
    ) -> ServiceResult<Page<DeliveryDto>> {
        require(actor, Action::CampaignsRead)?;
        let db = &self.engine.db;
        store::find(db, actor.organization_id, id).await?;
        // Deliveries have one order (by contact, then channel): no sort, no search.
        const ORDER: Sorts = Sorts {
            allowed: &[],
            default: ("contact_id", false),
        };
        let listing = Listing::parse(q.page, q.per_page, None, None, &ORDER)?;
        let mut select = delivery::Entity::find()
            .filter(delivery::Column::CampaignId.eq(id))
            .filter(delivery::Column::OrganizationId.eq(actor.organization_id));
        if let Some(channel) = q.channel.as_deref().filter(|c| !c.is_empty()) {
            let channel: Channel = channel
                .parse()
                .map_err(|e: String| AppError::field("channel", e))?;
            select = select.filter(delivery::Column::Channel.eq(channel.as_str()));
        }
        if let Some(status) = q.status.as_deref().filter(|s| !s.is_empty()) {
            let status: DeliveryStatus = status
                .parse()
                .map_err(|e: delivery::UnknownStatus| AppError::field("status", e.to_string()))?;
            select = select.filter(delivery::Column::Status.eq(status));
        }
        let total = select.clone().count(db).await?;
        let rows = select
            .order_by_asc(delivery::Column::ContactId)
            .order_by_asc(delivery::Column::Channel)
            .offset(listing.offset())
            .limit(listing.per_page)
            .all(db)
            .await?;
        let items = rows.into_iter().map(dto).collect();
        Ok(Page {
            items,
            page: listing.page,
            per_page: listing.per_page,
            total,
        })
    }

    /// Renders the campaign for a sample contact with the given address(es) and sends it
    /// on each of its channels that has one, without touching the campaign.
    pub async fn test(
        &self,
        actor: &Actor,
        id: Uuid,
        input: CampaignTestInput,
    ) -> ServiceResult<Vec<CampaignTestResult>> {
        require(actor, Action::CampaignsWrite)?;
        let db = &self.engine.db;
        let campaign = store::find(db, actor.organization_id, id).await?;
        let email = input
            .email
            .as_deref()
            .filter(|e| !e.trim().is_empty())
            .map(normalize::normalize_email)
            .transpose()
            .map_err(|e| AppError::field("email", e))?;
        let region = contact_store::region(db, actor.organization_id).await?;
        let phone = input
            .phone
            .as_deref()
            .filter(|p| !p.trim().is_empty())
            .map(|p| normalize::normalize_phone(p, region))
            .transpose()
            .map_err(|e| AppError::field("phone", e))?;
        let mut vars = sample_contact();
        if let Value::Object(map) = &mut vars {
            map.insert("email".into(), json!(email));
            map.insert("phone".into(), json!(phone));
        }
        let content = campaign.content.0;
        let mut messages = Vec::new();
        for channel in &campaign.channels.0 {
            // Push goes to subscriptions, which come with the push providers.
            let to = match channel {
                Channel::Email => email.clone(),
                Channel::Sms => phone.clone(),
                Channel::Push => None,
            };
            let Some(to) = to else { continue };
            let mut body = templates::body(*channel, &content, &vars, None)
                .map_err(|reason| AppError::field("content", reason))?;
            if let Body::Email(e) = &mut body {
                e.subject = format!("[Test] {}", e.subject);
            }
            messages.push((*channel, to, body));
        }
        if messages.is_empty() {
            return Err(AppError::field(
                "email",
                "give an email address or a phone number for one of the campaign's channels",
            )
            .into());
        }
        let mut results = Vec::new();
        for (channel, to, body) in messages {
            let resolved = self
                .engine
                .channels
                .resolve(actor.organization_id, channel)
                .await?;
            let message = OutboundMessage {
                delivery_id: Uuid::now_v7(),
                organization_id: actor.organization_id,
                campaign_id: Some(id),
                to: to.clone(),
                body,
            };
            let outcome = resolved.adapter.send(&message).await;
            results.push(CampaignTestResult {
                channel,
                to,
                result: outcome.into(),
            });
        }
        Ok(results)
    }

    /// What an unsubscribe token names, if it is one of ours.
    pub fn unsubscribe_link(&self, token: &str) -> Option<Unsubscribe> {
        Unsubscribe::verify(token, &self.engine.unsubscribe_key)
    }

    /// Withdraws the contact's consent for the link's channel (source `unsubscribe`),
    /// records `ContactUnsubscribed`, and skips what was still to be sent to them on that
    /// channel, in one transaction. No login: the signed link is the proof.
    #[tracing::instrument(skip_all)]
    pub async fn unsubscribe(&self, token: &str) -> ServiceResult<Unsubscribed> {
        let link = self
            .unsubscribe_link(token)
            .ok_or_else(|| not_found("unsubscribe link"))?;
        let txn = self.engine.db.begin().await?;
        let exists = contact::Entity::find_by_id(link.contact_id)
            .filter(contact::Column::OrganizationId.eq(link.organization_id))
            .count(&txn)
            .await?
            > 0;
        if !exists {
            return Err(not_found("contact"));
        }
        let (done, touched) = withdraw::withdraw(
            &txn,
            link.organization_id,
            link.contact_id,
            link.channel,
            UNSUBSCRIBE_SOURCE,
            Some(link.campaign_id),
        )
        .await?;
        txn.commit().await?;
        completion::complete_finished(&self.engine.db, System::Webhook, touched.0).await;
        Ok(done)
    }
}

/// A delivery as the API shows it.
pub fn dto(d: delivery::Model) -> DeliveryDto {
    DeliveryDto {
        id: d.id,
        contact_id: d.contact_id,
        channel: d.channel.parse().unwrap_or(Channel::Email),
        status: d.status.as_str().to_owned(),
        skip_reason: d.skip_reason,
        attempts: u32::try_from(d.attempts).unwrap_or(0),
        provider: d.provider,
        provider_message_id: d.provider_message_id,
        error: d.error,
        sent_at: d.sent_at,
        updated_at: d.updated_at,
    }
}
