//! An endpoint's attempts, and replaying one.

use super::{message_id, OutboundWebhooks, PENDING, RETRY_FOR};
use crate::{
    audit::{self, Entry},
    auth::require,
    db::entities::{webhook_attempt, webhook_message},
    error::{not_found, ServiceResult},
    listing::{Listing, Sorts},
};
use app::{
    error::AppError,
    model::{Action, Actor, AttemptsQuery, Page, WebhookAttemptDto},
};
use chrono::Utc;
use sea_orm::{
    sea_query::Expr, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, TransactionTrait,
};
use serde_json::json;
use uuid::Uuid;

impl OutboundWebhooks {
    /// The endpoint's attempts, newest first.
    #[tracing::instrument(skip_all, fields(organization_id = %actor.organization_id))]
    pub async fn attempts(
        &self,
        actor: &Actor,
        id: Uuid,
        query: AttemptsQuery,
    ) -> ServiceResult<Page<WebhookAttemptDto>> {
        require(actor, Action::SettingsManage)?;
        self.find(actor, id).await?;
        const SORTS: Sorts = Sorts {
            allowed: &["attempted_at"],
            default: ("attempted_at", true),
        };
        let f = Listing::parse(query.page, query.per_page, None, None, &SORTS)?;
        let find = webhook_attempt::Entity::find()
            .filter(webhook_attempt::Column::OrganizationId.eq(actor.organization_id))
            .filter(webhook_attempt::Column::EndpointId.eq(id));
        let total = find.clone().count(&self.db).await?;
        let rows = find
            .order_by_desc(webhook_attempt::Column::AttemptedAt)
            .order_by_desc(webhook_attempt::Column::Id)
            .offset(f.offset())
            .limit(f.per_page)
            .all(&self.db)
            .await?;
        let ids: Vec<Uuid> = rows.iter().map(|a| a.message_id).collect();
        let messages = webhook_message::Entity::find()
            .filter(webhook_message::Column::Id.is_in(ids))
            .all(&self.db)
            .await?;
        let items = rows
            .into_iter()
            .map(|a| {
                let message = messages.iter().find(|m| m.id == a.message_id);
                WebhookAttemptDto {
                    id: a.id,
                    message_id: message_id(a.message_id),
                    event_type: message.map(|m| m.event_type.clone()).unwrap_or_default(),
                    attempted_at: a.attempted_at,
                    trigger: a.trigger,
                    status: if a.succeeded { "succeeded" } else { "failed" }.to_owned(),
                    response_code: a.response_code.and_then(|c| u16::try_from(c).ok()),
                    latency_ms: u32::try_from(a.latency_ms).unwrap_or(0),
                    error: a.error,
                    message_status: message.map(|m| m.status.clone()).unwrap_or_default(),
                }
            })
            .collect();
        Ok(Page {
            items,
            page: f.page,
            per_page: f.per_page,
            total,
        })
    }

    /// Sends the attempt's message again, with the same `webhook-id`, as soon as the
    /// sender gets to it (and retries it for another day if it fails).
    #[tracing::instrument(skip_all, fields(organization_id = %actor.organization_id))]
    pub async fn replay(&self, actor: &Actor, id: Uuid, attempt_id: Uuid) -> ServiceResult<()> {
        require(actor, Action::SettingsManage)?;
        let endpoint = self.find(actor, id).await?;
        let attempt = webhook_attempt::Entity::find_by_id(attempt_id)
            .filter(webhook_attempt::Column::OrganizationId.eq(actor.organization_id))
            .filter(webhook_attempt::Column::EndpointId.eq(id))
            .one(&self.db)
            .await?
            .ok_or_else(|| not_found("attempt"))?;
        if !endpoint.enabled {
            return Err(AppError::Conflict(
                "the endpoint is disabled: enable it first, then replay".into(),
            )
            .into());
        }
        let now = Utc::now();
        let txn = self.db.begin().await?;
        webhook_message::Entity::update_many()
            .col_expr(webhook_message::Column::Status, Expr::value(PENDING))
            .col_expr(webhook_message::Column::Trigger, Expr::value("replay"))
            .col_expr(
                webhook_message::Column::NextAttemptAt,
                Expr::value(Some(now)),
            )
            .col_expr(
                webhook_message::Column::GiveUpAt,
                Expr::value(now + RETRY_FOR),
            )
            .filter(webhook_message::Column::Id.eq(attempt.message_id))
            .exec(&txn)
            .await?;
        audit::record(
            &txn,
            Entry::by(actor, "webhook.replayed", "webhook", id)
                .with(json!({ "message_id": message_id(attempt.message_id) })),
        )
        .await?;
        txn.commit().await?;
        self.wake.ring();
        Ok(())
    }
}
