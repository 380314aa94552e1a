//! Outbound webhooks: an organization registers endpoints and the event types each
//! wants; every such event (from the events table) becomes one message per endpoint,
//! POSTed as JSON signed per Standard Webhooks, retried with exponential back-off for
//! [`RETRY_FOR`], each attempt logged, replayable by hand. An endpoint that has failed
//! every attempt for `disable_after` is disabled, and the audit log says so.
//!
//! The endpoint's URL and secret are sealed under the master key. Every call goes
//! through [`Egress`]: an endpoint cannot reach the servers beside Carillon.

mod fanout;
mod prune;
mod sender;
pub mod signature;

use crate::{
    audit::{self, Entry},
    auth::require,
    crypto::{Cipher, Field},
    db::entities::{webhook_attempt, webhook_endpoint, webhook_message},
    egress::{Egress, Unreachable},
    error::{not_found, ServiceResult},
    jobs::Wake,
    listing::{Listing, Sorts},
};
use anyhow::Context;
use app::{
    error::AppError,
    model::{
        Action, Actor, AttemptsQuery, CreatedWebhook, FieldErrors, Page, WebhookAttemptDto,
        WebhookDto, WebhookInput, WebhookPatch, EVENT_TYPES,
    },
};
use base64::{engine::general_purpose::STANDARD, Engine};
use chrono::Utc;
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};
use serde_json::json;
use std::{sync::Arc, time::Duration};
use uuid::Uuid;

pub use prune::Prune;
pub use sender::Sender;

pub const URL: Field<'static> = Field {
    table: "webhook_endpoints",
    column: "url",
};
pub const SECRET: Field<'static> = Field {
    table: "webhook_endpoints",
    column: "secret",
};

/// Endpoints per organization.
pub const MAX_ENDPOINTS: u64 = 20;
pub const MAX_URL: usize = 2048;
pub const MAX_DESCRIPTION: usize = 500;
/// A message is retried until this long after it was queued (or replayed).
pub const RETRY_FOR: chrono::Duration = chrono::Duration::hours(24);
/// Messages an endpoint may have waiting; past it, new events wait in the events table
/// until the endpoint catches up.
pub const MAX_PENDING: u64 = 100_000;
/// Delivered and given-up messages, and their attempts, are kept this long.
pub const KEEP_FOR: chrono::Duration = chrono::Duration::days(30);

pub const PENDING: &str = "pending";
pub const DELIVERED: &str = "delivered";
pub const FAILED: &str = "failed";

#[derive(Clone, Debug)]
pub struct Settings {
    /// The first retry's wait; it doubles with each failure, up to an hour.
    pub retry_base: Duration,
    /// An endpoint failing every attempt for this long is disabled.
    pub disable_after: Duration,
    /// How long one POST may take, connection included.
    pub timeout: Duration,
}

pub struct OutboundWebhooks {
    db: DatabaseConnection,
    cipher: Arc<Cipher>,
    egress: Egress,
    client: reqwest::Client,
    settings: Settings,
    wake: Wake,
}

impl OutboundWebhooks {
    pub fn new(
        db: DatabaseConnection,
        cipher: Arc<Cipher>,
        egress: Egress,
        settings: Settings,
    ) -> anyhow::Result<Self> {
        let client = egress
            .http_client(settings.timeout)
            .context("building the outbound webhooks' HTTP client")?;
        Ok(OutboundWebhooks {
            db,
            cipher,
            egress,
            client,
            settings,
            wake: Wake::default(),
        })
    }

    /// The background job that deletes settled messages and old attempts.
    pub fn prune_job(&self) -> Prune {
        Prune {
            db: self.db.clone(),
        }
    }

    /// The background job that fans events out and sends them.
    pub fn job(self: &Arc<Self>) -> Sender {
        Sender {
            hooks: self.clone(),
        }
    }

    #[tracing::instrument(skip_all, fields(organization_id = %actor.organization_id))]
    pub async fn list(&self, actor: &Actor) -> ServiceResult<Vec<WebhookDto>> {
        require(actor, Action::SettingsManage)?;
        let rows = webhook_endpoint::Entity::find()
            .filter(webhook_endpoint::Column::OrganizationId.eq(actor.organization_id))
            .order_by_asc(webhook_endpoint::Column::CreatedAt)
            .order_by_asc(webhook_endpoint::Column::Id)
            .all(&self.db)
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            out.push(self.dto(row).await?);
        }
        Ok(out)
    }

    #[tracing::instrument(skip_all, fields(organization_id = %actor.organization_id))]
    pub async fn show(&self, actor: &Actor, id: Uuid) -> ServiceResult<WebhookDto> {
        require(actor, Action::SettingsManage)?;
        let row = self.find(actor, id).await?;
        self.dto(row).await
    }

    /// Registers an endpoint; it receives the events recorded from now on.
    #[tracing::instrument(skip_all, fields(organization_id = %actor.organization_id))]
    pub async fn create(
        &self,
        actor: &Actor,
        input: WebhookInput,
    ) -> ServiceResult<CreatedWebhook> {
        require(actor, Action::SettingsManage)?;
        let mut errors = FieldErrors::new();
        let url = self.check_url(&input.url).await;
        let events = check_events(&input.events);
        let description = check_description(input.description.as_deref());
        collect(&mut errors, "url", &url);
        collect(&mut errors, "events", &events);
        collect(&mut errors, "description", &description);
        let (Ok(url), Ok(events), Ok(description)) = (url, events, description) else {
            return Err(AppError::fields(errors).into());
        };
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
            webhook: self.dto(row).await?,
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
        let mut errors = FieldErrors::new();
        let url = match patch.url.as_deref() {
            Some(raw) => self.check_url(raw).await.map(Some),
            None => Ok(None),
        };
        let events = patch.events.as_deref().map(check_events).transpose();
        let description = patch
            .description
            .as_deref()
            .map(|d| check_description(Some(d)))
            .transpose();
        collect(&mut errors, "url", &url);
        collect(&mut errors, "events", &events);
        collect(&mut errors, "description", &description);
        let (Ok(url), Ok(events), Ok(description)) = (url, events, description) else {
            return Err(AppError::fields(errors).into());
        };
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
        self.dto(row).await
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

    async fn find(&self, actor: &Actor, id: Uuid) -> ServiceResult<webhook_endpoint::Model> {
        webhook_endpoint::Entity::find_by_id(id)
            .filter(webhook_endpoint::Column::OrganizationId.eq(actor.organization_id))
            .one(&self.db)
            .await?
            .ok_or_else(|| not_found("webhook endpoint"))
    }

    async fn dto(&self, row: webhook_endpoint::Model) -> ServiceResult<WebhookDto> {
        let pending = webhook_message::Entity::find()
            .filter(webhook_message::Column::EndpointId.eq(row.id))
            .filter(webhook_message::Column::Status.eq(PENDING))
            .count(&self.db)
            .await?;
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

    /// An http(s) URL with a host that is not private (per [`Egress`]).
    async fn check_url(&self, raw: &str) -> Result<String, String> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err("required".into());
        }
        if raw.len() > MAX_URL {
            return Err(format!("at most {MAX_URL} characters"));
        }
        let url = url::Url::parse(raw).map_err(|e| format!("not a URL: {e}"))?;
        if !matches!(url.scheme(), "https" | "http") {
            return Err("an http:// or https:// URL".into());
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err("no user name or password in the URL: check the signature instead".into());
        }
        self.egress.check_url(&url).map_err(|e| e.to_string())?;
        if let Some(url::Host::Domain(host)) = url.host() {
            let port = url.port_or_known_default().unwrap_or(443);
            if let Err(Unreachable::Refused(why)) = self.egress.resolve(host, port).await {
                return Err(why);
            }
        }
        Ok(url.to_string())
    }
}

/// The `webhook-id` of a message.
pub fn message_id(id: Uuid) -> String {
    format!("msg_{}", id.simple())
}

fn check_events(events: &[String]) -> Result<Vec<String>, String> {
    if events.is_empty() {
        return Err("name at least one event type".into());
    }
    let mut out: Vec<String> = Vec::new();
    for e in events {
        let e = e.trim();
        if !EVENT_TYPES.contains(&e) {
            return Err(format!(
                "`{}` is not an event type; use: {}",
                e.chars().take(64).collect::<String>(),
                EVENT_TYPES.join(", ")
            ));
        }
        if !out.iter().any(|o| o == e) {
            out.push(e.to_owned());
        }
    }
    Ok(out)
}

fn check_description(d: Option<&str>) -> Result<Option<String>, String> {
    match d.map(str::trim).filter(|d| !d.is_empty()) {
        None => Ok(None),
        Some(d) if d.chars().count() > MAX_DESCRIPTION => {
            Err(format!("at most {MAX_DESCRIPTION} characters"))
        }
        Some(d) => Ok(Some(d.to_owned())),
    }
}

fn collect<T>(errors: &mut FieldErrors, field: &str, result: &Result<T, String>) {
    if let Err(why) = result {
        errors.insert(field.to_owned(), why.clone());
    }
}
