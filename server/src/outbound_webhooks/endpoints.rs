//! Endpoints: listed, shown, registered, changed, deleted (admins).

use super::{signature, OutboundWebhooks, MAX_ENDPOINTS, PENDING, RETRY_FOR, SECRET, URL};
use crate::{
    audit::{self, Entry},
    auth::require,
    db::entities::{webhook_attempt, webhook_endpoint, webhook_message},
    error::{not_found, ServiceResult},
};
use anyhow::Context;
use app::{
    error::AppError,
    model::{Action, Actor, CreatedWebhook, WebhookDto, WebhookInput, WebhookPatch},
};
use base64::{engine::general_purpose::STANDARD, Engine};
use chrono::Utc;
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionTrait,
};
use serde_json::json;
use std::collections::HashMap;
use uuid::Uuid;

impl OutboundWebhooks {
    #[tracing::instrument(skip_all, fields(organization_id = %actor.organization_id))]
    pub async fn list(&self, actor: &Actor) -> ServiceResult<Vec<WebhookDto>> {
        require(actor, Action::SettingsManage)?;
        let rows = webhook_endpoint::Entity::find()
            .filter(webhook_endpoint::Column::OrganizationId.eq(actor.organization_id))
            .order_by_asc(webhook_endpoint::Column::CreatedAt)
            .order_by_asc(webhook_endpoint::Column::Id)
            .all(&self.db)
            .await?;
        let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        let pending = self.pending(&ids).await?;
        rows.into_iter()
            .map(|row| {
                let waiting = pending.get(&row.id).copied().unwrap_or(0);
                self.dto(row, waiting)
            })
            .collect()
    }

    #[tracing::instrument(skip_all, fields(organization_id = %actor.organization_id))]
    pub async fn show(&self, actor: &Actor, id: Uuid) -> ServiceResult<WebhookDto> {
        require(actor, Action::SettingsManage)?;
        let row = self.find(actor, id).await?;
        self.shown(row).await
    }

    /// Registers an endpoint; it receives the events recorded from now on.
    #[tracing::instrument(skip_all, fields(organization_id = %actor.organization_id))]
    pub async fn create(
        &self,
        actor: &Actor,
        input: WebhookInput,
    ) -> ServiceResult<CreatedWebhook> {
        require(actor, Action::SettingsManage)?;
        let checked = self
            .check(
                Some(&input.url),
                Some(&input.events),
                Some(input.description.as_deref().unwrap_or_default()),
            )
            .await?;
        let (Some(url), Some(events)) = (checked.url, checked.events) else {
            return Err(anyhow::anyhow!("a checked field went missing").into());
        };
        let description = checked.description.flatten();
        let count = webhook_endpoint::Entity::find()
            .filter(webhook_endpoint::Column::OrganizationId.eq(actor.organization_id))
            .count(&self.db)
            .await?;
        if count >= MAX_ENDPOINTS {
            return Err(AppError::Conflict(format!(
                "an organization has at most {MAX_ENDPOINTS} webhook endpoints: delete one first"
            ))
            .into());
        }
        let id = Uuid::now_v7();
        let secret = signature::new_secret()?;
        let now = Utc::now();
        let cursor = crate::events::end(&self.db, actor.organization_id).await?;
        let row_id = id.to_string();
        let row = webhook_endpoint::ActiveModel {
            id: Set(id),
            organization_id: Set(actor.organization_id),
            url: Set(self
                .cipher
                .encrypt(URL, &row_id, &url)
                .context("sealing a URL")?),
            description: Set(description),
            events: Set(serde_json::to_string(&events).context("events as JSON")?),
            secret: Set(self
                .cipher
                .encrypt(SECRET, &row_id, &STANDARD.encode(&secret))
                .context("sealing a secret")?),
            enabled: Set(true),
            disabled_at: Set(None),
            disabled_reason: Set(None),
            failing_since: Set(None),
            cursor_tx: Set(cursor.tx),
            cursor_id: Set(cursor.id),
            created_at: Set(now),
            updated_at: Set(now),
            lease_until: Set(None),
            lease_owner: Set(None),
        };
        let txn = self.db.begin().await?;
        let row = row.insert(&txn).await?;
        audit::record(
            &txn,
            Entry::by(actor, "webhook.created", "webhook", id).with(json!({ "events": events })),
        )
        .await?;
        txn.commit().await?;
        Ok(CreatedWebhook {
            webhook: self.shown(row).await?,
            secret: signature::shown(&secret),
        })
    }

    #[tracing::instrument(skip_all, fields(organization_id = %actor.organization_id))]
    pub async fn update(
        &self,
        actor: &Actor,
        id: Uuid,
        patch: WebhookPatch,
    ) -> ServiceResult<WebhookDto> {
        require(actor, Action::SettingsManage)?;
        let row = self.find(actor, id).await?;
        let checked = self
            .check(
                patch.url.as_deref(),
                patch.events.as_deref(),
                patch.description.as_deref(),
            )
            .await?;
        let (url, events, description) = (checked.url, checked.events, checked.description);
        let now = Utc::now();
        let enabling = patch.enabled == Some(true) && !row.enabled;
        let mut changed = Vec::new();
        let mut active: webhook_endpoint::ActiveModel = row.clone().into();
        if let Some(url) = url {
            active.url = Set(self
                .cipher
                .encrypt(URL, &id.to_string(), &url)
                .context("sealing a URL")?);
            changed.push("url");
        }
        if let Some(events) = events {
            active.events = Set(serde_json::to_string(&events).context("events as JSON")?);
            changed.push("events");
        }
        if let Some(description) = description {
            active.description = Set(description);
            changed.push("description");
        }
        match patch.enabled {
            Some(true) if !row.enabled => {
                active.enabled = Set(true);
                active.disabled_at = Set(None);
                active.disabled_reason = Set(None);
                active.failing_since = Set(None);
                changed.push("enabled");
            }
            Some(false) if row.enabled => {
                active.enabled = Set(false);
                active.disabled_at = Set(Some(now));
                active.disabled_reason = Set(Some("disabled by a member".into()));
                changed.push("enabled");
            }
            _ => {}
        }
        active.updated_at = Set(now);
        let txn = self.db.begin().await?;
        let row = active.update(&txn).await?;
        if enabling {
            // What waited while it was off gets a full day of retries from now.
            webhook_message::Entity::update_many()
                .col_expr(
                    webhook_message::Column::NextAttemptAt,
                    Expr::value(Some(now)),
                )
                .col_expr(
                    webhook_message::Column::GiveUpAt,
                    Expr::value(now + RETRY_FOR),
                )
                .filter(webhook_message::Column::EndpointId.eq(id))
                .filter(webhook_message::Column::Status.eq(PENDING))
                .exec(&txn)
                .await?;
        }
        audit::record(
            &txn,
            Entry::by(actor, "webhook.updated", "webhook", id).with(json!({
                "changed": changed,
                "enabled": row.enabled,
            })),
        )
        .await?;
        txn.commit().await?;
        if enabling {
            self.wake.ring();
        }
        self.shown(row).await
    }

    /// Deletes the endpoint, with its waiting messages and its attempts.
    #[tracing::instrument(skip_all, fields(organization_id = %actor.organization_id))]
    pub async fn delete(&self, actor: &Actor, id: Uuid) -> ServiceResult<()> {
        require(actor, Action::SettingsManage)?;
        self.find(actor, id).await?;
        let txn = self.db.begin().await?;
        webhook_attempt::Entity::delete_many()
            .filter(webhook_attempt::Column::EndpointId.eq(id))
            .exec(&txn)
            .await?;
        webhook_message::Entity::delete_many()
            .filter(webhook_message::Column::EndpointId.eq(id))
            .exec(&txn)
            .await?;
        webhook_endpoint::Entity::delete_by_id(id)
            .exec(&txn)
            .await?;
        audit::record(&txn, Entry::by(actor, "webhook.deleted", "webhook", id)).await?;
        txn.commit().await?;
        Ok(())
    }
    pub(super) async fn find(
        &self,
        actor: &Actor,
        id: Uuid,
    ) -> ServiceResult<webhook_endpoint::Model> {
        webhook_endpoint::Entity::find_by_id(id)
            .filter(webhook_endpoint::Column::OrganizationId.eq(actor.organization_id))
            .one(&self.db)
            .await?
            .ok_or_else(|| not_found("webhook endpoint"))
    }

    /// Messages waiting per endpoint, for `ids`, in one query.
    async fn pending(&self, ids: &[Uuid]) -> ServiceResult<HashMap<Uuid, u64>> {
        let counts: Vec<(Uuid, i64)> = webhook_message::Entity::find()
            .select_only()
            .column(webhook_message::Column::EndpointId)
            .column_as(webhook_message::Column::Id.count(), "n")
            .filter(webhook_message::Column::EndpointId.is_in(ids.iter().copied()))
            .filter(webhook_message::Column::Status.eq(PENDING))
            .group_by(webhook_message::Column::EndpointId)
            .into_tuple()
            .all(&self.db)
            .await?;
        Ok(counts
            .into_iter()
            .map(|(id, n)| (id, u64::try_from(n).unwrap_or(0)))
            .collect())
    }

    /// The endpoint as shown, with its waiting messages counted.
    async fn shown(&self, row: webhook_endpoint::Model) -> ServiceResult<WebhookDto> {
        let pending = self.pending(&[row.id]).await?;
        let waiting = pending.get(&row.id).copied().unwrap_or(0);
        self.dto(row, waiting)
    }

    fn dto(&self, row: webhook_endpoint::Model, pending: u64) -> ServiceResult<WebhookDto> {
        Ok(WebhookDto {
            id: row.id,
            url: self
                .cipher
                .decrypt(URL, &row.id.to_string(), &row.url)
                .context("opening a webhook URL")?,
            events: serde_json::from_str(&row.events).unwrap_or_default(),
            description: row.description,
            enabled: row.enabled,
            disabled_at: row.disabled_at,
            disabled_reason: row.disabled_reason,
            failing_since: row.failing_since,
            pending,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}
