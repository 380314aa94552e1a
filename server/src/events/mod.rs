//! The events table: what happened, stored in the same transaction as the change it
//! describes, read in order per organization (`GET /api/events`). Webhooks and the
//! dashboard build on it.

use crate::{auth::require, db::entities::event, error::ServiceResult};
use app::model::{Action, Actor, Channel, EventDto, EventsPage};
use chrono::Utc;
use sea_orm::{
    sea_query::{Expr, ExprTrait},
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
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
    /// The open pixel was fetched (`machine`: why it was a machine's, or null).
    MessageOpened,
    /// A tracked link was followed (`link_id`, `machine`).
    MessageClicked,
}

impl Kind {
    pub const ALL: [Kind; 13] = [
        Kind::CampaignScheduled,
        Kind::CampaignStarted,
        Kind::CampaignPaused,
        Kind::CampaignResumed,
        Kind::CampaignSent,
        Kind::CampaignCancelled,
        Kind::CampaignFailed,
        Kind::MessageSent,
        Kind::MessageDelivered,
        Kind::MessageFailed,
        Kind::MessageOpened,
        Kind::MessageClicked,
        Kind::ContactUnsubscribed,
    ];

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
            Kind::MessageOpened => "MessageOpened",
            Kind::MessageClicked => "MessageClicked",
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

/// Where a reader stands: after event `id` of transaction `tx`. Written `{tx}_{id}`;
/// `0` (or nothing) is the start.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cursor {
    pub tx: i64,
    pub id: i64,
}

impl Cursor {
    fn parse(s: &str) -> Result<Self, app::error::AppError> {
        if s.is_empty() || s == "0" {
            return Ok(Cursor::default());
        }
        let invalid = || {
            app::error::AppError::field("after", "not a cursor: pass the `next` of a previous call")
        };
        let (tx, id) = s.split_once('_').ok_or_else(invalid)?;
        // Digits only, as written by `Display` (no sign, no leading zero).
        let number = |digits: &str| {
            digits
                .parse::<i64>()
                .ok()
                .filter(|n| *n >= 0 && n.to_string() == digits)
                .ok_or_else(invalid)
        };
        Ok(Cursor {
            tx: number(tx)?,
            id: number(id)?,
        })
    }
}

impl std::fmt::Display for Cursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}_{}", self.tx, self.id)
    }
}

pub struct Events {
    db: DatabaseConnection,
}

impl Events {
    pub fn new(db: DatabaseConnection) -> Self {
        Events { db }
    }

    /// The organization's events after the cursor `after` (none, or `0`: from the
    /// start), oldest first, at most `limit` (1 to [`MAX_LIMIT`]).
    ///
    /// In commit order: by the writing transaction's id, then the event's, and on
    /// PostgreSQL only events of transactions older than every one still running. A
    /// transaction still running may yet commit events, but never before those returned,
    /// so a reader that goes on from `next` misses none (at the cost of waiting for the
    /// oldest transaction running on the server, a long fan-out say, to end).
    #[tracing::instrument(skip_all, fields(organization_id = %actor.organization_id))]
    pub async fn list(
        &self,
        actor: &Actor,
        after: Option<&str>,
        limit: Option<u64>,
    ) -> ServiceResult<EventsPage> {
        require(actor, Action::CampaignsRead)?;
        let after = Cursor::parse(after.unwrap_or_default())?;
        let limit = limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(
                app::error::AppError::field("limit", format!("between 1 and {MAX_LIMIT}")).into(),
            );
        }
        let rows = after_cursor(&self.db, actor.organization_id, after, limit).await?;
        let next = rows
            .last()
            .map_or(after, |r| Cursor { tx: r.tx, id: r.id })
            .to_string();
        let items = rows.into_iter().map(dto).collect();
        Ok(EventsPage { items, next })
    }
}

/// The organization's events after `after`, in commit order, at most `limit`: see
/// [`Events::list`].
pub async fn after_cursor(
    db: &DatabaseConnection,
    organization_id: Uuid,
    after: Cursor,
    limit: u64,
) -> ServiceResult<Vec<event::Model>> {
    let col = |c: event::Column| Expr::col((event::Entity, c));
    let mut select = event::Entity::find()
        .filter(event::Column::OrganizationId.eq(organization_id))
        .filter(
            Expr::tuple([col(event::Column::Tx), col(event::Column::Id)])
                .gt(Expr::tuple([Expr::val(after.tx), Expr::val(after.id)])),
        )
        .order_by_asc(event::Column::Tx)
        .order_by_asc(event::Column::Id)
        .limit(limit);
    if db.get_database_backend() == DbBackend::Postgres {
        select = select.filter(Expr::cust(
            "\"events\".\"tx\" < pg_snapshot_xmin(pg_current_snapshot())::text::bigint",
        ));
    }
    Ok(select.all(db).await?)
}

/// Where the organization's events end now: a reader starting there sees only what
/// comes next.
pub async fn end(db: &DatabaseConnection, organization_id: Uuid) -> ServiceResult<Cursor> {
    let last = event::Entity::find()
        .filter(event::Column::OrganizationId.eq(organization_id))
        .order_by_desc(event::Column::Tx)
        .order_by_desc(event::Column::Id)
        .one(db)
        .await?;
    Ok(last.map_or(Cursor::default(), |e| Cursor { tx: e.tx, id: e.id }))
}

/// An event as the API shows it.
pub fn dto(r: event::Model) -> EventDto {
    EventDto {
        id: r.id,
        kind: r.kind,
        occurred_at: r.occurred_at,
        campaign_id: r.campaign_id,
        contact_id: r.contact_id,
        delivery_id: r.delivery_id,
        channel: r.channel.and_then(|c| c.parse().ok()),
        data: serde_json::from_str(&r.data).unwrap_or(Value::Null),
    }
}

#[cfg(test)]
mod tests {
    use super::Cursor;

    /// The names outbound webhooks offer are exactly the kinds recorded.
    #[test]
    fn webhook_event_types_are_the_kinds() {
        let names: Vec<&str> = super::Kind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(names, app::model::EVENT_TYPES);
    }

    #[test]
    fn cursors_read_back_and_refuse_anything_else() {
        let c = Cursor { tx: 7391, id: 42 };
        assert_eq!(Cursor::parse(&c.to_string()).unwrap(), c);
        assert_eq!(Cursor::parse("0").unwrap(), Cursor::default());
        assert_eq!(Cursor::parse("").unwrap(), Cursor::default());
        for bad in [
            "12", "1_", "_1", "-1_2", "1_-2", "a_b", "1_2_3", "+1_2", "01_2",
        ] {
            assert!(Cursor::parse(bad).is_err(), "{bad}");
        }
    }
}
