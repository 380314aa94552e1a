//! The `outbound_webhooks` job: each round fans new events out, then POSTs the messages
//! that are due, each under a lease, a few at a time. An attempt, its message's next
//! state and its endpoint's health are written in one transaction.

use super::{message_id, signature, OutboundWebhooks, DELIVERED, FAILED, PENDING, SECRET, URL};
use crate::{
    audit::{self, Entry},
    db::entities::{webhook_attempt, webhook_endpoint, webhook_message},
    egress::Egress,
    jobs::{self, Job, Lease, Round, Stop, Wake},
};
use async_trait::async_trait;
use base64::{engine::general_purpose::STANDARD, Engine};
use chrono::{DateTime, Utc};
use futures_util::{stream, StreamExt};
use sea_orm::{
    sea_query::{Expr, Query},
    ColumnTrait, Condition, EntityTrait, QueryFilter, Set, TransactionTrait, UpdateMany,
};
use serde_json::json;
use std::{sync::Arc, time::Duration, time::Instant};
use uuid::Uuid;

/// Messages claimed per round, and POSTed at once.
const BATCH: u64 = 32;
const CONCURRENCY: usize = 8;
const LEASE: chrono::Duration = chrono::Duration::seconds(120);
/// Attempts per message at most, whatever the back-off (24 hours of it with the default
/// base come to about 30).
pub const MAX_ATTEMPTS: i32 = 40;
/// The longest wait between two attempts.
const MAX_WAIT: Duration = Duration::from_secs(3600);
/// The most of an error kept in an attempt.
const MAX_ERROR: usize = 500;

impl jobs::Leased for webhook_message::Entity {
    const ID: webhook_message::Column = webhook_message::Column::Id;
    const LEASE_UNTIL: webhook_message::Column = webhook_message::Column::LeaseUntil;
    const LEASE_OWNER: webhook_message::Column = webhook_message::Column::LeaseOwner;
}

pub struct Sender {
    pub(super) hooks: Arc<OutboundWebhooks>,
}

#[async_trait]
impl Job for Sender {
    fn name(&self) -> &'static str {
        "outbound_webhooks"
    }

    fn every(&self) -> Duration {
        Duration::from_secs(2)
    }

    fn wake(&self) -> Option<Wake> {
        Some(self.hooks.wake.clone())
    }

    async fn round(&self, stop: &Stop) -> anyhow::Result<Round> {
        let read = self.hooks.fan_out().await?;
        let sent = self.hooks.send_due(stop).await?;
        Ok(if read + sent > 0 {
            Round::Worked
        } else {
            Round::Idle
        })
    }
}

/// How one POST went.
#[derive(Debug)]
struct Outcome {
    succeeded: bool,
    code: Option<u16>,
    latency_ms: i32,
    error: Option<String>,
}

/// An endpoint's address and key, opened once per round.
struct Target {
    url: String,
    secret: Vec<u8>,
}

/// The wait after the `attempts`-th failure: the base, doubled each time, at most an hour.
pub fn backoff(base: Duration, attempts: i32) -> Duration {
    let doublings = u32::try_from(attempts.saturating_sub(1))
        .unwrap_or(0)
        .min(20);
    base.saturating_mul(1 << doublings).min(MAX_WAIT)
}

impl OutboundWebhooks {
    /// POSTs the due messages of enabled endpoints; returns how many were tried.
    async fn send_due(&self, stop: &Stop) -> anyhow::Result<usize> {
        let now = Utc::now();
        let enabled = Query::select()
            .column(webhook_endpoint::Column::Id)
            .from(webhook_endpoint::Entity)
            .and_where(webhook_endpoint::Column::Enabled.eq(true))
            .to_owned();
        let claimed = jobs::claim::<webhook_message::Entity>(
            &self.db,
            Condition::all()
                .add(webhook_message::Column::Status.eq(PENDING))
                .add(webhook_message::Column::NextAttemptAt.lte(now))
                .add(webhook_message::Column::EndpointId.in_subquery(enabled)),
            webhook_message::Column::NextAttemptAt,
            BATCH,
            LEASE,
            |u| u,
        )
        .await?;
        let tried = claimed.len();
        if tried == 0 {
            return Ok(0);
        }
        let mut ids: Vec<Uuid> = claimed.iter().map(|(m, _)| m.endpoint_id).collect();
        ids.sort();
        ids.dedup();
        let endpoints = webhook_endpoint::Entity::find()
            .filter(webhook_endpoint::Column::Id.is_in(ids))
            .all(&self.db)
            .await?;
        let targets: Vec<(webhook_endpoint::Model, anyhow::Result<Target>)> = endpoints
            .into_iter()
            .map(|e| {
                let target = self.target(&e);
                (e, target)
            })
            .collect();
        let results: Vec<anyhow::Result<()>> = stream::iter(claimed)
            .map(|(message, lease)| {
                let found = targets.iter().find(|(e, _)| e.id == message.endpoint_id);
                async move {
                    let Some((endpoint, target)) = found else {
                        // Deleted meanwhile: its messages went with it.
                        return Ok(());
                    };
                    if stop.requested() {
                        lease.release(&self.db, Condition::all(), |u| u).await?;
                        return Ok(());
                    }
                    let outcome = match target {
                        Ok(target) => self.post(target, &message).await,
                        Err(e) => Outcome {
                            succeeded: false,
                            code: None,
                            latency_ms: 0,
                            error: Some(format!("the endpoint's settings cannot be read: {e}")),
                        },
                    };
                    self.settle(endpoint, &message, lease, outcome).await
                }
            })
            .buffer_unordered(CONCURRENCY)
            .collect()
            .await;
        for r in results {
            r?;
        }
        Ok(tried)
    }

    fn target(&self, e: &webhook_endpoint::Model) -> anyhow::Result<Target> {
        let row = e.id.to_string();
        let url = self.cipher.decrypt(URL, &row, &e.url)?;
        let secret = STANDARD.decode(self.cipher.decrypt(SECRET, &row, &e.secret)?)?;
        Ok(Target { url, secret })
    }

    #[tracing::instrument(skip_all, fields(message_id = %message.id, endpoint_id = %message.endpoint_id))]
    async fn post(&self, target: &Target, message: &webhook_message::Model) -> Outcome {
        let failed = |error: String| Outcome {
            succeeded: false,
            code: None,
            latency_ms: 0,
            error: Some(error),
        };
        let url = match url::Url::parse(&target.url) {
            Ok(url) => url,
            Err(e) => return failed(format!("not a URL: {e}")),
        };
        // The resolver checks names; an address in the URL is checked here.
        if let Err(why) = self.egress.check_url(&url) {
            return failed(why.to_string());
        }
        let id = message_id(message.id);
        let timestamp = Utc::now().timestamp();
        let signature = signature::sign(&target.secret, &id, timestamp, &message.payload);
        let started = Instant::now();
        let sent = self
            .client
            .post(url)
            .header("content-type", "application/json")
            .header("webhook-id", &id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(message.payload.clone())
            .send()
            .await;
        let latency_ms = i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX);
        // The body is never read: only the status counts, so a huge answer costs nothing.
        let outcome = match sent {
            Ok(response) => {
                let status = response.status();
                let error = if status.is_success() {
                    None
                } else if status.is_redirection() {
                    let to = response
                        .headers()
                        .get("location")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("?");
                    Some(format!(
                        "answered {status} (to `{to}`): redirects are not followed, register the final URL"
                    ))
                } else {
                    Some(format!("answered {status}"))
                };
                Outcome {
                    succeeded: error.is_none(),
                    code: Some(status.as_u16()),
                    latency_ms,
                    error,
                }
            }
            Err(e) => {
                let why = if let Some(refused) = Egress::refusal(&e) {
                    refused
                } else if e.is_timeout() {
                    format!("no answer within {} s", self.settings.timeout.as_secs_f32())
                } else if e.is_connect() {
                    format!("could not connect: {}", chain(&e))
                } else {
                    chain(&e)
                };
                Outcome {
                    latency_ms,
                    ..failed(why)
                }
            }
        };
        tracing::info!(
            succeeded = outcome.succeeded,
            code = outcome.code,
            latency_ms = outcome.latency_ms,
            "webhook posted"
        );
        outcome
    }

    /// Records the attempt, moves the message on (delivered, due again, or given up) and
    /// keeps the endpoint's health, in one transaction.
    async fn settle(
        &self,
        endpoint: &webhook_endpoint::Model,
        message: &webhook_message::Model,
        lease: Lease<webhook_message::Entity>,
        outcome: Outcome,
    ) -> anyhow::Result<()> {
        let now = Utc::now();
        let attempts = message.attempts.saturating_add(1);
        let error = outcome.error.as_deref().map(clip);
        let txn = self.db.begin().await?;
        webhook_attempt::Entity::insert(webhook_attempt::ActiveModel {
            id: Set(Uuid::now_v7()),
            organization_id: Set(message.organization_id),
            endpoint_id: Set(message.endpoint_id),
            message_id: Set(message.id),
            attempted_at: Set(now),
            trigger: Set(message.trigger.clone()),
            succeeded: Set(outcome.succeeded),
            response_code: Set(outcome.code.map(i32::from)),
            latency_ms: Set(outcome.latency_ms),
            error: Set(error.clone()),
        })
        .exec_without_returning(&txn)
        .await?;
        let next = now + backoff(self.settings.retry_base, attempts);
        let give_up = next > message.give_up_at || attempts >= MAX_ATTEMPTS;
        let succeeded = outcome.succeeded;
        let moved = |u: UpdateMany<webhook_message::Entity>| {
            use webhook_message::Column as C;
            let none: Option<DateTime<Utc>> = None;
            let u = u
                .col_expr(C::Attempts, Expr::value(attempts))
                .col_expr(C::Trigger, Expr::value("scheduled"));
            if succeeded {
                u.col_expr(C::Status, Expr::value(DELIVERED))
                    .col_expr(C::DeliveredAt, Expr::value(Some(now)))
                    .col_expr(C::NextAttemptAt, Expr::value(none))
            } else if give_up {
                u.col_expr(C::Status, Expr::value(FAILED))
                    .col_expr(C::NextAttemptAt, Expr::value(none))
            } else {
                u.col_expr(C::NextAttemptAt, Expr::value(Some(next)))
            }
        };
        if !lease.release(&txn, Condition::all(), moved).await? {
            tracing::warn!("the message's lease ran out during the attempt; recorded all the same");
        }
        use webhook_endpoint::Column as E;
        if succeeded {
            webhook_endpoint::Entity::update_many()
                .col_expr(E::FailingSince, Expr::value(Option::<DateTime<Utc>>::None))
                .filter(E::Id.eq(endpoint.id))
                .filter(E::FailingSince.is_not_null())
                .exec(&txn)
                .await?;
        } else {
            webhook_endpoint::Entity::update_many()
                .col_expr(E::FailingSince, Expr::value(Some(now)))
                .filter(E::Id.eq(endpoint.id))
                .filter(E::FailingSince.is_null())
                .exec(&txn)
                .await?;
            let cutoff = now
                - chrono::Duration::from_std(self.settings.disable_after)
                    .unwrap_or(chrono::Duration::MAX);
            let reason = format!(
                "every attempt has failed for {} or more; the last: {}",
                humane(self.settings.disable_after),
                error.as_deref().unwrap_or("unknown")
            );
            let disabled = webhook_endpoint::Entity::update_many()
                .col_expr(E::Enabled, Expr::value(false))
                .col_expr(E::DisabledAt, Expr::value(Some(now)))
                .col_expr(E::DisabledReason, Expr::value(Some(reason.clone())))
                .col_expr(E::UpdatedAt, Expr::value(now))
                .filter(E::Id.eq(endpoint.id))
                .filter(E::Enabled.eq(true))
                .filter(E::FailingSince.lte(cutoff))
                .exec(&txn)
                .await?
                .rows_affected
                == 1;
            if disabled {
                tracing::warn!(endpoint_id = %endpoint.id, %reason, "webhook endpoint disabled");
                audit::record(
                    &txn,
                    Entry {
                        organization_id: endpoint.organization_id,
                        actor_id: None,
                        token_id: None,
                        action: "webhook.disabled",
                        target_kind: "webhook",
                        target_id: Some(endpoint.id.to_string()),
                        details: json!({ "reason": reason }),
                    },
                )
                .await?;
            }
        }
        txn.commit().await?;
        Ok(())
    }
}

/// An error and its causes, on one line (reqwest's own text names only the outermost).
fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

fn clip(s: &str) -> String {
    if s.len() <= MAX_ERROR {
        return s.to_owned();
    }
    let mut end = MAX_ERROR;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

fn humane(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0 => "any time".into(),
        s if s % 3600 == 0 => format!("{} h", s / 3600),
        s if s % 60 == 0 => format!("{} min", s / 60),
        s => format!("{s} s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        let base = Duration::from_secs(5);
        assert_eq!(backoff(base, 1), Duration::from_secs(5));
        assert_eq!(backoff(base, 2), Duration::from_secs(10));
        assert_eq!(backoff(base, 5), Duration::from_secs(80));
        assert_eq!(backoff(base, 12), MAX_WAIT);
        assert_eq!(backoff(base, i32::MAX), MAX_WAIT);
        assert_eq!(backoff(Duration::ZERO, 7), Duration::ZERO);
    }

    /// With the default base, retries stop on the day's limit well before the count's.
    #[test]
    fn a_day_of_default_retries_stays_under_the_attempt_limit() {
        let base = Duration::from_secs(5);
        let (mut waited, mut attempts) = (Duration::ZERO, 1);
        while waited < Duration::from_secs(24 * 3600) {
            waited += backoff(base, attempts);
            attempts += 1;
        }
        assert!(attempts < MAX_ATTEMPTS, "{attempts}");
    }

    #[test]
    fn clips_on_a_character_boundary() {
        let long = "é".repeat(400);
        let c = clip(&long);
        assert!(c.len() <= MAX_ERROR + '…'.len_utf8());
        assert!(c.ends_with('…'));
        assert_eq!(clip("short"), "short");
    }
}
