//! An attempt recorded: the attempt row, the message's next state (delivered, due again
//! after the engine's back-off, or given up) and the endpoint's health (failing since
//! when; disabled, and audited, past `disable_after`), in one transaction.

use super::{post::Outcome, OutboundWebhooks, DELIVERED, FAILED};
use crate::{
    audit::{self, Entry},
    channels::http::clip,
    db::entities::{webhook_attempt, webhook_endpoint, webhook_message},
    delivery::record::{jitter, RetryPolicy},
    jobs::Lease,
};
use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::Expr, ColumnTrait, Condition, EntityTrait, QueryFilter, Set, TransactionTrait,
    UpdateMany,
};
use serde_json::json;
use std::time::Duration;
use uuid::Uuid;

/// Attempts per message at most, whatever the back-off (a day of it with the default
/// base comes to 34 at the middle jitter, 40 at the shortest).
pub const MAX_ATTEMPTS: i32 = 50;

impl OutboundWebhooks {
    /// Records the attempt, moves the message on (delivered, due again, or given up) and
    /// keeps the endpoint's health, in one transaction.
    pub(super) async fn settle(
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
        let retry = RetryPolicy {
            max_attempts: MAX_ATTEMPTS,
            base: self.settings.retry_base,
        };
        let next = retry.next_at(attempts, None, jitter(message.id, attempts));
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

fn humane(d: Duration) -> String {
    match d.as_secs() {
        0 => "any time".into(),
        s if s % 3600 == 0 => format!("{} h", s / 3600),
        s if s % 60 == 0 => format!("{} min", s / 60),
        s => format!("{s} s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// With the default base and the shortest jitter, retries stop on the day's limit
    /// before the count's.
    #[test]
    fn a_day_of_default_retries_stays_under_the_attempt_limit() {
        let retry = RetryPolicy {
            max_attempts: MAX_ATTEMPTS,
            base: Duration::from_secs(5),
        };
        let start = Utc::now();
        let (mut at, mut attempts) = (start, 1);
        while at < start + chrono::Duration::hours(24) {
            at += retry.next_at(attempts, None, 0.0) - Utc::now();
            attempts += 1;
        }
        assert!(attempts < MAX_ATTEMPTS, "{attempts}");
    }
}
