//! The events table: what happened, stored in the same transaction as the change it
//! describes, read in order per organization (`GET /api/events`). Webhooks and the
//! dashboard build on it.

use crate::{auth::require, db::entities::event, error::ServiceResult};
use app::model::{Action, Actor, Channel, EventDto, EventsPage};
use chrono::Utc;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde_json::Value;
use uuid::Uuid;

/// The most events one call returns (and the default).
pub const MAX_LIMIT: u64 = 1000;
const DEFAULT_LIMIT: u64 = 100;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    CampaignScheduled,
    CampaignStarted,
    CampaignPaused,
    CampaignResumed,
    /// Every delivery is final.
    CampaignSent,
    CampaignCancelled,
    CampaignFailed,
    MessageSent,
    MessageDelivered,
    MessageFailed,
    ContactUnsubscribed,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::CampaignScheduled => "CampaignScheduled",
            Kind::CampaignStarted => "CampaignStarted",
            Kind::CampaignPaused => "CampaignPaused",
            Kind::CampaignResumed => "CampaignResumed",
            Kind::CampaignSent => "CampaignSent",
            Kind::CampaignCancelled => "CampaignCancelled",
            Kind::CampaignFailed => "CampaignFailed",
            Kind::MessageSent => "MessageSent",
            Kind::MessageDelivered => "MessageDelivered",
            Kind::MessageFailed => "MessageFailed",
            Kind::ContactUnsubscribed => "ContactUnsubscribed",
        }
    }
}

/// An event to record.
#[derive(Clone, Debug)]
pub struct New {
    pub organization_id: Uuid,
    pub kind: Kind,
    pub campaign_id: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    pub delivery_id: Option<Uuid>,
    pub channel: Option<Channel>,
    pub data: Value,
}

impl New {
    pub fn campaign(organization_id: Uuid, campaign_id: Uuid, kind: Kind, data: Value) -> Self {
        New {
            organization_id,
            kind,
            campaign_id: Some(campaign_id),
            contact_id: None,
            delivery_id: None,
            channel: None,
            data,
        }
    }
}

/// Rows per insert statement: far below both backends' bound-parameter limits.
const PER_INSERT: usize = 500;

/// Stores `events` in the caller's transaction, in order.
pub async fn record(db: &impl ConnectionTrait, events: Vec<New>) -> ServiceResult<()> {
    let now = Utc::now();
    let mut rows = events.into_iter().map(|e| event::ActiveModel {
        organization_id: Set(e.organization_id),
        kind: Set(e.kind.as_str().to_owned()),
        occurred_at: Set(now),
        campaign_id: Set(e.campaign_id),
        contact_id: Set(e.contact_id),
        delivery_id: Set(e.delivery_id),
        channel: Set(e.channel.map(|c| c.as_str().to_owned())),
        data: Set(e.data.to_string()),
        ..Default::default()
    });
    loop {
        let chunk: Vec<_> = rows.by_ref().take(PER_INSERT).collect();
        if chunk.is_empty() {
            return Ok(());
        }
        event::Entity::insert_many(chunk).exec(db).await?;
    }
}

pub struct Events {
    db: DatabaseConnection,
}

impl Events {
    pub fn new(db: DatabaseConnection) -> Self {
        Events { db }
    }

    /// The organization's events after the cursor `after` (0, or none: from the start),
    /// oldest first, at most `limit` (1 to [`MAX_LIMIT`]).
    #[tracing::instrument(skip_all, fields(organization_id = %actor.organization_id))]
    pub async fn list(
        &self,
        actor: &Actor,
        after: Option<i64>,
        limit: Option<u64>,
    ) -> ServiceResult<EventsPage> {
        require(actor, Action::CampaignsRead)?;
        let after = after.unwrap_or(0);
        if after < 0 {
            return Err(app::error::AppError::field("after", "a cursor is 0 or more").into());
        }
        let limit = limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(
                app::error::AppError::field("limit", format!("between 1 and {MAX_LIMIT}")).into(),
            );
        }
        let rows = event::Entity::find()
            .filter(event::Column::OrganizationId.eq(actor.organization_id))
            .filter(event::Column::Id.gt(after))
            .order_by_asc(event::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?;
        let next = rows.last().map_or(after, |r| r.id);
        let items = rows
            .into_iter()
            .map(|r| EventDto {
                id: r.id,
                kind: r.kind,
                occurred_at: r.occurred_at,
                campaign_id: r.campaign_id,
                contact_id: r.contact_id,
                delivery_id: r.delivery_id,
                channel: r.channel.and_then(|c| c.parse().ok()),
                data: serde_json::from_str(&r.data).unwrap_or(Value::Null),
            })
            .collect();
        Ok(EventsPage { items, next })
    }
}
