//! Recording what happened to deliveries: a batch's outcomes, a provider's later
//! report, an unsubscribe. Each is one transaction that holds the campaigns
//! (`completion::hold_campaigns`), then moves the rows, the counters and the events
//! together, and returns the campaigns it moved, for its caller to complete once it has
//! committed. Statuses only move forward: a report never takes a delivery back.

use super::{
    completion::{hold_campaigns, Touched},
    compose::Claimed,
    fanout::UNSUBSCRIBED,
    tally::Tally,
    updates::{self, Set, Updates},
};
use crate::{
    channels::SendOutcome,
    db::entities::{
        campaign,
        delivery::{self, DeliveryStatus},
    },
    error::ServiceResult,
    events::{self, Kind},
};
use app::model::{CampaignStatus, Channel};
use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::{Expr, Query},
    ColumnTrait, Condition, DatabaseTransaction, EntityTrait, QueryFilter, QuerySelect,
};
use serde_json::json;
use std::collections::HashMap;
use uuid::Uuid;

/// When a transient refusal is tried again.
#[derive(Clone, Copy, Debug)]
pub struct RetryPolicy {
    /// Sends per delivery, the first included.
    pub max_attempts: i32,
    /// The wait after the first refusal; it doubles with each one (up to an hour), ±20 %.
    pub base: std::time::Duration,
}

impl RetryPolicy {
    /// When attempt `attempts` + 1 may start: exponential back-off with jitter, and never
    /// before what the provider asked (`Retry-After`).
    pub fn next_at(
        &self,
        attempts: i32,
        after: Option<std::time::Duration>,
        jitter: f64,
    ) -> DateTime<Utc> {
        let exponent = Ord::min(u32::try_from(Ord::max(attempts, 1) - 1).unwrap_or(0), 16);
        let backoff = self
            .base
            .saturating_mul(2u32.saturating_pow(exponent))
            .min(std::time::Duration::from_secs(3600))
            .mul_f64(0.8 + 0.4 * jitter.clamp(0.0, 1.0));
        let wait = after.map_or(backoff, |a| a.max(backoff));
        Utc::now() + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::hours(1))
    }
}

/// What became of a claimed delivery.
#[derive(Clone, Debug)]
pub enum Settled {
    /// Handed to the provider, which answered this.
    Answered(SendOutcome),
    /// Not sent, and never will be: the contact no longer consents, or has no address
    /// for the channel (a reason of `fanout`).
    Skipped(&'static str),
    /// Held back unsent (its campaign was paused meanwhile): released, its attempt not
    /// counted.
    HeldBack,
}

/// The status of each of `ids` that still meets `also`, with its row locked for this
/// transaction on PostgreSQL. A few ids per statement: for a long list, PostgreSQL
/// prefers to scan the whole table.
async fn locked_statuses(
    db: &DatabaseTransaction,
    ids: &[Uuid],
    also: Condition,
) -> ServiceResult<HashMap<Uuid, DeliveryStatus>> {
    let mut statuses = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(updates::PER_STATEMENT) {
        let rows: Vec<(Uuid, DeliveryStatus)> = delivery::Entity::find()
            .select_only()
            .column(delivery::Column::Id)
            .column(delivery::Column::Status)
            .filter(delivery::Column::Id.is_in(chunk.iter().copied()))
            .filter(also.clone())
            .lock_exclusive()
            .into_tuple()
            .all(db)
            .await?;
        statuses.extend(rows);
    }
    Ok(statuses)
}

/// Records a batch's outcomes in one transaction: statuses, counters, events, and the
/// campaigns that this settles. A row whose lease was lost is left to its new holder; a
/// row cancelled or skipped while in flight stays so, unless the provider took it.
///
/// Nearly every row is as it was claimed: still pending, still this owner's. Those are
/// moved without being read first, by statements that check exactly that and return the
/// rows they moved; only the few that changed meanwhile (unsubscribed, cancelled, their
/// lease lost) are then read, locked and moved as they now are.
pub async fn batch(
    db: &DatabaseTransaction,
    owner: Uuid,
    provider: &HashMap<(Uuid, Channel), &'static str>,
    outcomes: Vec<(Claimed, Settled)>,
    policy: RetryPolicy,
) -> ServiceResult<Touched> {
    hold_campaigns(
        db,
        outcomes
            .iter()
            .map(|(d, _)| (d.organization_id, d.campaign_id)),
    )
    .await?;
    let now = Utc::now();
    let mine = || Condition::all().add(delivery::Column::LeaseOwner.eq(owner));
    let mut tally = Tally::default();
    let mut events = Vec::new();
    let plan = |d: &Claimed, outcome: &Settled, from: DeliveryStatus| {
        let provider = provider.get(&(d.organization_id, d.channel)).copied();
        Plan::new(d, outcome, from, provider, policy, now)
    };
    let mut updates = Updates::default();
    let mut plans = HashMap::with_capacity(outcomes.len());
    for (d, outcome) in &outcomes {
        let mut planned = plan(d, outcome, DeliveryStatus::Pending);
        updates.push(d.id, std::mem::take(&mut planned.set));
        plans.insert(d.id, planned);
    }
    let moved = updates
        .write(
            db,
            mine().add(delivery::Column::Status.eq(DeliveryStatus::Pending)),
        )
        .await?;
    let mut changed = Vec::new();
    for (d, outcome) in outcomes {
        match plans.remove(&d.id) {
            Some(planned) if moved.contains(&d.id) => {
                planned.count(&d, DeliveryStatus::Pending, &mut tally, &mut events);
            }
            _ => changed.push((d, outcome)),
        }
    }
    if !changed.is_empty() {
        let ids: Vec<Uuid> = changed.iter().map(|(c, _)| c.id).collect();
        let current = locked_statuses(db, &ids, mine()).await?;
        let mut updates = Updates::default();
        for (d, outcome) in changed {
            let Some(&from) = current.get(&d.id) else {
                tracing::warn!(delivery_id = %d.id, "lease lost before recording; left to its new holder");
                continue;
            };
            let mut planned = plan(&d, &outcome, from);
            updates.push(d.id, std::mem::take(&mut planned.set));
            planned.count(&d, from, &mut tally, &mut events);
        }
        updates.write(db, mine()).await?;
    }
    events::record(db, events).await?;
    tally.apply(db).await
}

/// What recording one outcome does to its row, if the row is in status `from`.
struct Plan {
    set: Vec<(delivery::Column, Set)>,
    event: Option<(Kind, serde_json::Value)>,
    counted: Counted,
}

/// How a planned change moves the counters.
enum Counted {
    /// Released only (held back, or not sendable and no longer pending).
    Nothing,
    Skipped(&'static str),
    Moved(DeliveryStatus),
}

impl Plan {
    fn new(
        d: &Claimed,
        outcome: &Settled,
        from: DeliveryStatus,
        provider: Option<&'static str>,
        policy: RetryPolicy,
        now: DateTime<Utc>,
    ) -> Plan {
        use delivery::Column as C;
        // Every row is released; the rest depends on the outcome.
        let mut set = vec![
            (C::ClaimedUntil, Set::to(Option::<DateTime<Utc>>::None)),
            (C::LeaseOwner, Set::to(Option::<Uuid>::None)),
            (C::UpdatedAt, Set::to(now)),
        ];
        // Not sent: the attempt does not count (skipped if it is still pending).
        let outcome = match outcome {
            Settled::Answered(outcome) => outcome,
            Settled::HeldBack | Settled::Skipped(_) => {
                let mut counted = Counted::Nothing;
                if let (Settled::Skipped(reason), DeliveryStatus::Pending) = (outcome, from) {
                    set.push((C::Status, Set::to(DeliveryStatus::Skipped)));
                    set.push((C::SkipReason, Set::to(Some(*reason))));
                    counted = Counted::Skipped(reason);
                }
                set.push((C::Attempts, Set::Decrement));
                return Plan {
                    set,
                    event: None,
                    counted,
                };
            }
        };
        let mut event = None;
        let to = match outcome {
            SendOutcome::Accepted {
                provider_message_id,
            } => {
                set.extend([
                    (C::Status, Set::to(DeliveryStatus::Sent)),
                    (C::SkipReason, Set::to(Option::<String>::None)),
                    (C::SentAt, Set::to(now)),
                    (C::Provider, Set::to(provider)),
                    (C::ProviderMessageId, Set::to(provider_message_id.clone())),
                    (C::Error, Set::to(Option::<String>::None)),
                ]);
                event = Some((
                    Kind::MessageSent,
                    json!({"provider": provider, "provider_message_id": provider_message_id, "attempts": d.attempts}),
                ));
                DeliveryStatus::Sent
            }
            SendOutcome::Retry { after, reason }
                if from == DeliveryStatus::Pending && d.attempts < policy.max_attempts =>
            {
                let at = policy.next_at(d.attempts, *after, jitter(d.id, d.attempts));
                set.extend([
                    (C::NextAttemptAt, Set::to(at)),
                    (C::Provider, Set::to(provider)),
                    (C::Error, Set::to(Some(clip(reason)))),
                ]);
                tracing::info!(delivery_id = %d.id, attempts = d.attempts, %at, %reason, "send deferred");
                DeliveryStatus::Pending
            }
            SendOutcome::Retry { reason, .. } | SendOutcome::Failed { reason }
                if from == DeliveryStatus::Pending =>
            {
                let reason = if d.attempts >= policy.max_attempts && !reason.is_empty() {
                    format!("gave up after {} attempts: {reason}", d.attempts)
                } else {
                    reason.clone()
                };
                set.extend([
                    (C::Status, Set::to(DeliveryStatus::Failed)),
                    (C::Provider, Set::to(provider)),
                    (C::Error, Set::to(Some(clip(&reason)))),
                ]);
                event = Some((
                    Kind::MessageFailed,
                    json!({"provider": provider, "reason": clip(&reason)}),
                ));
                DeliveryStatus::Failed
            }
            // Cancelled or skipped while in flight, and not sent: it stays so.
            _ => from,
        };
        Plan {
            set,
            event,
            counted: Counted::Moved(to),
        }
    }

    /// Adds this change, made to a row that was in status `from`, to the counters and
    /// events.
    fn count(
        self,
        d: &Claimed,
        from: DeliveryStatus,
        tally: &mut Tally,
        events: &mut Vec<events::New>,
    ) {
        let (org, campaign, channel) = (d.organization_id, d.campaign_id, d.channel);
        match self.counted {
            Counted::Nothing => {}
            Counted::Skipped(reason) => tally.skipped(org, campaign, channel, from, reason),
            // Claimed rows are skipped by others only through an unsubscribe.
            Counted::Moved(to) if from == DeliveryStatus::Skipped && to != from => {
                tally.unskipped(org, campaign, channel, UNSUBSCRIBED, to);
            }
            Counted::Moved(to) => tally.moved(org, campaign, channel, from, to),
        }
        if let Some((kind, data)) = self.event {
            events.push(events::New {
                organization_id: org,
                kind,
                campaign_id: Some(campaign),
                contact_id: Some(d.contact_id),
                delivery_id: Some(d.id),
                channel: Some(channel),
                data,
            });
        }
    }
}

/// What a provider (or the simulator) later says about a sent message.
#[derive(Clone, Debug)]
pub enum Report {
    Delivered,
    Failed(String),
}

/// The delivery a report is about, as the one reporting found it (these never change).
#[derive(Clone, Debug)]
pub struct Reported {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub campaign_id: Uuid,
    pub contact_id: Uuid,
    pub channel: Channel,
}

/// Applies reports to deliveries, moving each forward only (`sent` → `delivered` or
/// `failed`, `delivered` → `failed`); a repeated or late report changes nothing.
/// Returns how many applied. The rows are written in a few statements, whatever their
/// number.
pub async fn reports(
    db: &DatabaseTransaction,
    reports: Vec<(Reported, Report)>,
) -> ServiceResult<(usize, Touched)> {
    hold_campaigns(
        db,
        reports
            .iter()
            .map(|(r, _)| (r.organization_id, r.campaign_id)),
    )
    .await?;
    let ids: Vec<Uuid> = reports.iter().map(|(r, _)| r.id).collect();
    let statuses = locked_statuses(db, &ids, Condition::all()).await?;
    let now = Utc::now();
    let mut updates = Updates::default();
    let mut events = Vec::new();
    let mut tally = Tally::default();
    let mut applied = std::collections::HashSet::new();
    for (row, report) in reports {
        let id = row.id;
        let Some(&status) = statuses.get(&id) else {
            continue;
        };
        use delivery::Column as C;
        let (to, kind, data, error) = match &report {
            Report::Delivered if status == DeliveryStatus::Sent => (
                DeliveryStatus::Delivered,
                Kind::MessageDelivered,
                json!({}),
                None,
            ),
            Report::Failed(reason)
                if matches!(status, DeliveryStatus::Sent | DeliveryStatus::Delivered) =>
            {
                (
                    DeliveryStatus::Failed,
                    Kind::MessageFailed,
                    json!({"reason": clip(reason)}),
                    Some(clip(reason)),
                )
            }
            _ => continue,
        };
        // The same delivery twice in one call: the first report wins.
        if !applied.insert(id) {
            continue;
        }
        let mut set = vec![(C::Status, Set::to(to)), (C::UpdatedAt, Set::to(now))];
        if let Some(error) = error {
            set.push((C::Error, Set::to(Some(error))));
        }
        updates.push(id, set);
        events.push(events::New {
            organization_id: row.organization_id,
            kind,
            campaign_id: Some(row.campaign_id),
            contact_id: Some(row.contact_id),
            delivery_id: Some(row.id),
            channel: Some(row.channel),
            data,
        });
        tally.moved(
            row.organization_id,
            row.campaign_id,
            row.channel,
            status,
            to,
        );
    }
    // The rows are locked: the guard only restates what was read.
    updates
        .write(
            db,
            Condition::all().add(
                delivery::Column::Status.is_in([DeliveryStatus::Sent, DeliveryStatus::Delivered]),
            ),
        )
        .await?;
    events::record(db, events).await?;
    let touched = tally.apply(db).await?;
    Ok((applied.len(), touched))
}

/// An unsubscribed contact's pending deliveries on `channel` (of any running or paused
/// campaign of the organization) become skipped, at once.
pub async fn skip_unsubscribed(
    db: &DatabaseTransaction,
    organization_id: Uuid,
    contact_id: Uuid,
    channel: Channel,
) -> ServiceResult<(u64, Touched)> {
    // Campaign by campaign, through the (campaign, contact, channel) key: deliveries
    // have no index by contact, which every sent message would have to keep up.
    let sending = Query::select()
        .column(campaign::Column::Id)
        .from(campaign::Entity)
        .and_where(campaign::Column::OrganizationId.eq(organization_id))
        .and_where(campaign::Column::Status.is_in([
            campaign::Status(CampaignStatus::Running),
            campaign::Status(CampaignStatus::Paused),
        ]))
        .to_owned();
    let rows: Vec<(Uuid, Uuid)> = delivery::Entity::find()
        .select_only()
        .column(delivery::Column::Id)
        .column(delivery::Column::CampaignId)
        .filter(delivery::Column::CampaignId.in_subquery(sending))
        .filter(delivery::Column::ContactId.eq(contact_id))
        .filter(delivery::Column::Channel.eq(channel.as_str()))
        .filter(delivery::Column::Status.eq(DeliveryStatus::Pending))
        .into_tuple()
        .all(db)
        .await?;
    hold_campaigns(db, rows.iter().map(|(_, c)| (organization_id, *c))).await?;
    let mut tally = Tally::default();
    let mut skipped = 0;
    for (id, campaign_id) in &rows {
        // Only what is still pending once the campaign is held.
        let moved = delivery::Entity::update_many()
            .col_expr(
                delivery::Column::Status,
                Expr::value(DeliveryStatus::Skipped),
            )
            .col_expr(
                delivery::Column::SkipReason,
                Expr::value(Some(UNSUBSCRIBED)),
            )
            .col_expr(delivery::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(delivery::Column::Id.eq(*id))
            .filter(delivery::Column::Status.eq(DeliveryStatus::Pending))
            .exec(db)
            .await?
            .rows_affected;
        if moved == 0 {
            continue;
        }
        skipped += 1;
        tally.skipped(
            organization_id,
            *campaign_id,
            channel,
            DeliveryStatus::Pending,
            UNSUBSCRIBED,
        );
    }
    let touched = tally.apply(db).await?;
    Ok((skipped, touched))
}

/// A stable number in [0, 1) per delivery and attempt, so workers retrying together
/// spread out.
pub fn jitter(id: Uuid, attempts: i32) -> f64 {
    let mut x = id.as_u128() as u64 ^ (attempts as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    (x >> 11) as f64 / (1u64 << 53) as f64
}

/// Provider replies can be long; the reason kept is at most 1,000 characters.
fn clip(reason: &str) -> String {
    reason.chars().take(1000).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn back_off_doubles_and_honours_retry_after() {
        let policy = RetryPolicy {
            max_attempts: 5,
            base: Duration::from_secs(10),
        };
        let wait = |attempts, after| {
            (policy.next_at(attempts, after, 0.5) - Utc::now()).num_milliseconds() as f64 / 1000.0
        };
        assert!((wait(1, None) - 10.0).abs() < 0.5);
        assert!((wait(2, None) - 20.0).abs() < 0.5);
        assert!((wait(3, None) - 40.0).abs() < 0.5);
        assert!(wait(3, Some(Duration::from_secs(120))) >= 119.0);
        assert!(wait(40, None) <= 3600.0 * 1.2 + 1.0);
        assert!((0.0..1.0).contains(&jitter(Uuid::now_v7(), 3)));
    }
}
