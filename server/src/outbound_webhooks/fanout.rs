//! Events into messages. Each endpoint reads its organization's events after its cursor
//! (in commit order, see `events`), queues one message per event of a type it wants,
//! and moves its cursor, in one transaction under the endpoint's lease: a fan-out cut
//! short is done again from the same cursor, and the unique (endpoint, event) key keeps
//! it from queueing anything twice.

use super::{OutboundWebhooks, MAX_PENDING, PENDING, RETRY_FOR};
use crate::{
    db::entities::{webhook_endpoint, webhook_message},
    events::{self, Cursor},
    jobs::{self, Lease},
};
use chrono::Utc;
use sea_orm::{
    sea_query::{Expr, OnConflict},
    ColumnTrait, Condition, EntityTrait, QueryFilter, QuerySelect, Set, TransactionTrait,
};
use serde_json::json;
use uuid::Uuid;

/// Events read per endpoint per round.
const EVENTS_PER_ROUND: u64 = 500;
/// Endpoints fanned out per round.
const ENDPOINTS_PER_ROUND: u64 = 50;
const LEASE: chrono::Duration = chrono::Duration::seconds(60);

impl jobs::Leased for webhook_endpoint::Entity {
    const ID: webhook_endpoint::Column = webhook_endpoint::Column::Id;
    const LEASE_UNTIL: webhook_endpoint::Column = webhook_endpoint::Column::LeaseUntil;
    const LEASE_OWNER: webhook_endpoint::Column = webhook_endpoint::Column::LeaseOwner;
}

impl OutboundWebhooks {
    /// Fans out what the endpoints have not seen; returns how many events were read.
    pub(super) async fn fan_out(&self) -> anyhow::Result<usize> {
        let claimed = jobs::claim::<webhook_endpoint::Entity>(
            &self.db,
            Condition::all(),
            webhook_endpoint::Column::UpdatedAt,
            ENDPOINTS_PER_ROUND,
            LEASE,
            |u| u,
        )
        .await?;
        let mut read = 0;
        for (endpoint, lease) in claimed {
            read += self.fan_out_one(&endpoint, lease).await?;
        }
        Ok(read)
    }

    #[tracing::instrument(skip_all, fields(endpoint_id = %endpoint.id))]
    async fn fan_out_one(
        &self,
        endpoint: &webhook_endpoint::Model,
        lease: Lease<webhook_endpoint::Entity>,
    ) -> anyhow::Result<usize> {
        let cursor = Cursor {
            tx: endpoint.cursor_tx,
            id: endpoint.cursor_id,
        };
        let found =
            events::after_cursor(&self.db, endpoint.organization_id, cursor, EVENTS_PER_ROUND)
                .await?;
        // Counted only when there is something to queue: most rounds find nothing.
        let full = !found.is_empty()
            && webhook_message::Entity::find()
                .select_only()
                .column(webhook_message::Column::Id)
                .filter(webhook_message::Column::EndpointId.eq(endpoint.id))
                .filter(webhook_message::Column::Status.eq(PENDING))
                .offset(MAX_PENDING - 1)
                .limit(1)
                .into_tuple::<Uuid>()
                .one(&self.db)
                .await?
                .is_some();
        if full {
            tracing::warn!(max = MAX_PENDING, "endpoint has too many messages waiting");
            lease.release(&self.db, Condition::all(), |u| u).await?;
            return Ok(0);
        }
        let Some(last) = found.last() else {
            lease.release(&self.db, Condition::all(), |u| u).await?;
            return Ok(0);
        };
        let next = Cursor {
            tx: last.tx,
            id: last.id,
        };
        let wanted: Vec<String> = serde_json::from_str(&endpoint.events).unwrap_or_default();
        let now = Utc::now();
        let rows: Vec<webhook_message::ActiveModel> = found
            .iter()
            .filter(|e| wanted.contains(&e.kind))
            .map(|e| {
                let dto = events::dto(e.clone());
                let body = json!({
                    "type": e.kind,
                    "timestamp": e.occurred_at,
                    "data": dto,
                });
                webhook_message::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    organization_id: Set(endpoint.organization_id),
                    endpoint_id: Set(endpoint.id),
                    event_id: Set(e.id),
                    event_type: Set(e.kind.clone()),
                    payload: Set(body.to_string()),
                    status: Set(PENDING.to_owned()),
                    attempts: Set(0),
                    trigger: Set("scheduled".to_owned()),
                    next_attempt_at: Set(Some(now)),
                    give_up_at: Set(now + RETRY_FOR),
                    created_at: Set(now),
                    delivered_at: Set(None),
                    lease_until: Set(None),
                    lease_owner: Set(None),
                }
            })
            .collect();
        let queued = rows.len();
        let txn = self.db.begin().await?;
        if !rows.is_empty() {
            webhook_message::Entity::insert_many(rows)
                .on_conflict(
                    OnConflict::columns([
                        webhook_message::Column::EndpointId,
                        webhook_message::Column::EventId,
                    ])
                    .do_nothing()
                    .to_owned(),
                )
                .exec_without_returning(&txn)
                .await?;
        }
        let held = lease
            .release(&txn, Condition::all(), |u| {
                u.col_expr(webhook_endpoint::Column::CursorTx, Expr::value(next.tx))
                    .col_expr(webhook_endpoint::Column::CursorId, Expr::value(next.id))
            })
            .await?;
        if !held {
            // Another process took the endpoint over: it fans these out itself.
            txn.rollback().await?;
            return Ok(0);
        }
        txn.commit().await?;
        tracing::debug!(read = found.len(), queued, "events fanned out");
        Ok(found.len())
    }
}
