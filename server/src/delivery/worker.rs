//! The `deliveries` job: each loop claims a batch of due pending deliveries of running
//! campaigns under one lease, renews it while the batch is out, sends every message
//! through its channel's adapter (each channel within its limits), and records the
//! outcomes in one transaction. A worker that dies leaves its lease to expire; the batch
//! is then claimed again and only the messages that were in flight can go out twice,
//! with the same delivery id as their idempotency key.

use super::{
    completion,
    compose::{compose, Claimed, Composed},
    record::{self, Settled},
    Engine,
};
use crate::{
    campaigns::System,
    channels::{Resolved, SendOutcome},
    db::entities::{
        campaign::{self, Status},
        delivery::{self, DeliveryStatus},
    },
    jobs::{self, Job, Round, Stop, Wake},
};
use app::model::{CampaignStatus, Channel};
use async_trait::async_trait;
use chrono::Utc;
use futures_util::{stream::FuturesUnordered, StreamExt};
use sea_orm::{
    sea_query::{Expr, ExprTrait, Query},
    ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};
use std::{collections::HashMap, sync::Arc, time::Duration};
use tokio::time::Instant;
use uuid::Uuid;

/// The longest one send may take, whatever the adapter does; then it is retried.
const SEND_TIMEOUT: Duration = Duration::from_secs(120);
/// Tries to record outcomes: a deadlock or a dropped connection rolls them back whole.
const RECORD_ATTEMPTS: u32 = 3;
/// Outcomes wait at most this long, or until there are this many, to be recorded.
const RECORD_EVERY: Duration = Duration::from_millis(250);

/// A recording of outcomes under way.
type Recording<'a> =
    std::pin::Pin<Box<dyn std::future::Future<Output = anyhow::Result<()>> + Send + 'a>>;
const RECORD_AT: usize = 100;

impl jobs::Leased for delivery::Entity {
    const ID: delivery::Column = delivery::Column::Id;
    const LEASE_UNTIL: delivery::Column = delivery::Column::ClaimedUntil;
    const LEASE_OWNER: delivery::Column = delivery::Column::LeaseOwner;
}

pub struct Worker(pub(super) Arc<Engine>);

#[async_trait]
impl Job for Worker {
    fn name(&self) -> &'static str {
        "deliveries"
    }

    /// Retries fall due and leases expire without anyone ringing.
    fn every(&self) -> Duration {
        Duration::from_secs(2)
    }

    fn wake(&self) -> Option<Wake> {
        Some(self.0.worker_wake.clone())
    }

    fn loops(&self) -> usize {
        self.0.settings.workers
    }

    async fn round(&self, stop: &Stop) -> anyhow::Result<Round> {
        if stop.requested() {
            return Ok(Round::Idle);
        }
        let engine = &self.0;
        let Some((owner, batch)) = claim(engine).await? else {
            return Ok(Round::Idle);
        };
        // Another loop may find more while this one sends.
        engine.worker_wake.ring();
        // Stops with this round, also when it panics (the lease then expires).
        let ids = batch.iter().map(|d| d.id).collect();
        let _renewal = AbortOnDrop(tokio::spawn(renew(engine.clone(), owner, ids)));
        self.run(owner, &batch, stop).await?;
        Ok(Round::Worked)
    }
}

type Providers = HashMap<(Uuid, Channel), &'static str>;
type Outcomes = Vec<(Claimed, Settled)>;

impl Worker {
    /// Composes and sends a batch, recording outcomes as they come: at least every
    /// [`RECORD_EVERY`] or [`RECORD_AT`] outcomes, so progress shows while a batch is out
    /// and a crash can only repeat what was not yet recorded.
    async fn run(&self, owner: Uuid, batch: &[Claimed], stop: &Stop) -> anyhow::Result<()> {
        let engine = &self.0;
        let messages = compose(engine, batch).await?;
        let mut channels: HashMap<(Uuid, Channel), Result<Resolved, String>> = HashMap::new();
        for d in batch {
            if let std::collections::hash_map::Entry::Vacant(slot) =
                channels.entry((d.organization_id, d.channel))
            {
                let resolved = engine
                    .channels
                    .resolve(d.organization_id, d.channel)
                    .await
                    .map_err(|e| {
                        tracing::error!(error = ?e, organization_id = %d.organization_id, channel = %d.channel, "channel unusable");
                        format!("the {} channel's settings are unusable; check Settings → Channels", d.channel)
                    });
                slot.insert(resolved);
            }
        }
        let providers: Providers = channels
            .iter()
            .filter_map(|(k, v)| v.as_ref().ok().map(|r| (*k, r.provider)))
            .collect();
        let mut sends: FuturesUnordered<_> = batch
            .iter()
            .zip(messages)
            .map(|(d, message)| {
                let channel = channels.get(&(d.organization_id, d.channel)).cloned();
                send_one(engine, d, message, channel, stop)
            })
            .collect();
        // Outcomes are recorded while the other sends go on: a provider's answers are
        // read as they come, not after the recording's round trips to the database.
        // One recording at a time; what finishes meanwhile waits for the next.
        let mut done: Outcomes = Vec::new();
        let mut record_at = Instant::now() + RECORD_EVERY;
        let mut recording: Option<Recording<'_>> = None;
        let mut sending = true;
        loop {
            let due = done.len() >= RECORD_AT || Instant::now() >= record_at || !sending;
            if recording.is_none() && !done.is_empty() && due {
                let outcomes = std::mem::take(&mut done);
                recording = Some(Box::pin(self.record(owner, &providers, outcomes)));
            }
            if !sending && recording.is_none() {
                break;
            }
            tokio::select! {
                next = sends.next(), if sending => match next {
                    Some(outcome) => {
                        if done.is_empty() {
                            record_at = Instant::now() + RECORD_EVERY;
                        }
                        done.push(outcome);
                    }
                    None => sending = false,
                },
                recorded = async { recording.as_mut().expect("guarded").await }, if recording.is_some() => {
                    recording = None;
                    recorded?;
                }
                () = tokio::time::sleep_until(record_at), if recording.is_none() && !done.is_empty() => {}
            }
        }
        Ok(())
    }

    /// One transaction for these outcomes, tried again on a deadlock or a lost
    /// connection; if it still fails, the rows' lease expires and they are claimed again.
    async fn record(
        &self,
        owner: Uuid,
        providers: &Providers,
        outcomes: Outcomes,
    ) -> anyhow::Result<()> {
        let engine = &self.0;
        let mut tries = 0;
        loop {
            tries += 1;
            let recorded = async {
                let txn = engine.db.begin().await?;
                let touched = record::batch(
                    &txn,
                    owner,
                    providers,
                    outcomes.clone(),
                    engine.settings.retry,
                )
                .await?;
                txn.commit().await?;
                anyhow::Ok(touched)
            }
            .await;
            match recorded {
                Ok(touched) => {
                    completion::complete_finished(&engine.db, System::Worker, touched.0).await;
                    return Ok(());
                }
                Err(e) if tries < RECORD_ATTEMPTS => {
                    tracing::warn!(error = ?e, tries, "recording outcomes failed; trying again");
                    tokio::time::sleep(Duration::from_millis(50 * u64::from(tries))).await;
                }
                Err(e) => return Err(e.context(
                    "recording outcomes (their lease will expire and they will be claimed again)",
                )),
            }
        }
    }
}

/// One delivery through its channel's gate and adapter. Held back unsent when its
/// campaign was paused or cancelled while it waited its turn, or when the process is
/// stopping: what was handed to the provider finishes, the rest is released at once.
async fn send_one(
    engine: &Engine,
    d: &Claimed,
    message: Composed,
    channel: Option<Result<Resolved, String>>,
    stop: &Stop,
) -> (Claimed, Settled) {
    let outcome = match (message, channel) {
        (Composed::Skip(reason), _) => return (d.clone(), Settled::Skipped(reason)),
        (Composed::Fail(reason), _) => SendOutcome::Failed { reason },
        (Composed::Message(_), Some(Err(reason))) => SendOutcome::Retry {
            after: None,
            reason,
        },
        (Composed::Message(_), None) => SendOutcome::Retry {
            after: None,
            reason: "the channel could not be resolved".into(),
        },
        (Composed::Message(message), Some(Ok(resolved))) => {
            let gate = engine
                .gates
                .get(d.organization_id, d.channel, resolved.limits);
            let _slot = tokio::select! {
                slot = gate.enter() => slot,
                () = stop.wait() => return (d.clone(), Settled::HeldBack),
            };
            if stop.requested() || !engine.still_running(d.campaign_id).await {
                return (d.clone(), Settled::HeldBack);
            }
            match tokio::time::timeout(SEND_TIMEOUT, resolved.adapter.send(&message)).await {
                Ok(outcome) => outcome.without_address(&message.to),
                Err(_) => SendOutcome::Retry {
                    after: None,
                    reason: format!("no answer from the provider in {}s", SEND_TIMEOUT.as_secs()),
                },
            }
        }
    };
    (d.clone(), Settled::Answered(outcome))
}

/// Claims up to a batch of due pending deliveries of one running campaign, counting the
/// attempt now (so a crash mid-send counts too). One claim marks every row with one
/// owner token, returned with them. Campaigns take turns: each claim starts at the next
/// one that has work, so a large campaign does not hold back one started after it, and
/// concurrent loops mostly work on different campaigns.
async fn claim(engine: &Engine) -> anyhow::Result<Option<(Uuid, Vec<Claimed>)>> {
    // A read first: an idle loop must not take SQLite's write lock every few seconds
    // (a request that reads, then writes, would fail on the changed snapshot).
    let mut ready = ready_campaigns(engine).await?;
    if ready.is_empty() {
        return Ok(None);
    }
    let turn = engine
        .turn
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let first = turn % ready.len();
    ready.rotate_left(first);
    for campaign_id in ready {
        if let Some(claimed) = claim_from(engine, campaign_id).await? {
            return Ok(Some(claimed));
        }
    }
    Ok(None)
}

/// The running campaigns with deliveries due, by id (some may be held by other loops:
/// the claim then finds none; checking leases here would walk past every held row).
async fn ready_campaigns(engine: &Engine) -> anyhow::Result<Vec<Uuid>> {
    let due = Query::select()
        .expr(Expr::val(1))
        .from(delivery::Entity)
        .and_where(
            Expr::col((delivery::Entity, delivery::Column::CampaignId))
                .equals((campaign::Entity, campaign::Column::Id)),
        )
        .and_where(delivery::Column::Status.eq(DeliveryStatus::Pending))
        .and_where(delivery::Column::NextAttemptAt.lte(Utc::now()))
        .to_owned();
    Ok(campaign::Entity::find()
        .select_only()
        .column(campaign::Column::Id)
        .filter(campaign::Column::Status.eq(Status(CampaignStatus::Running)))
        .filter(Expr::exists(due))
        .order_by_asc(campaign::Column::Id)
        .into_tuple()
        .all(&engine.db)
        .await?)
}

/// Claims a batch of `campaign_id`'s due deliveries (none if it is no longer running,
/// or if other loops took them first).
async fn claim_from(
    engine: &Engine,
    campaign_id: Uuid,
) -> anyhow::Result<Option<(Uuid, Vec<Claimed>)>> {
    let running = Query::select()
        .column(campaign::Column::Id)
        .from(campaign::Entity)
        .and_where(campaign::Column::Id.eq(campaign_id))
        .and_where(campaign::Column::Status.eq(Status(CampaignStatus::Running)))
        .to_owned();
    let ready = Condition::all()
        .add(delivery::Column::CampaignId.eq(campaign_id))
        .add(delivery::Column::Status.eq(DeliveryStatus::Pending))
        .add(delivery::Column::NextAttemptAt.lte(Utc::now()))
        .add(delivery::Column::CampaignId.in_subquery(running));
    let ttl = chrono::Duration::from_std(engine.settings.lease)?;
    let rows = jobs::claim::<delivery::Entity>(
        &engine.db,
        ready,
        delivery::Column::NextAttemptAt,
        engine.settings.batch,
        ttl,
        |update| {
            update.col_expr(
                delivery::Column::Attempts,
                Expr::col(delivery::Column::Attempts).add(1),
            )
        },
    )
    .await?;
    let Some(owner) = rows.first().map(|(_, lease)| lease.owner) else {
        return Ok(None);
    };
    let batch = rows
        .into_iter()
        .filter_map(|(row, _lease)| {
            Some(Claimed {
                id: row.id,
                organization_id: row.organization_id,
                campaign_id: row.campaign_id,
                contact_id: row.contact_id,
                channel: row.channel.parse().ok()?,
                attempts: row.attempts,
            })
        })
        .collect();
    Ok(Some((owner, batch)))
}

/// Keeps the batch's lease while it is out, so a slow provider (or a low rate limit)
/// does not let another worker claim and send it again.
async fn renew(engine: Arc<Engine>, owner: Uuid, ids: Vec<Uuid>) {
    let every = engine.settings.lease / 3;
    loop {
        tokio::time::sleep(every).await;
        let until = Utc::now()
            + chrono::Duration::from_std(engine.settings.lease)
                .unwrap_or(chrono::Duration::minutes(2));
        let renewed = delivery::Entity::update_many()
            .col_expr(delivery::Column::ClaimedUntil, Expr::value(until))
            .filter(delivery::Column::Id.is_in(ids.iter().copied()))
            .filter(delivery::Column::LeaseOwner.eq(owner))
            .exec(&engine.db)
            .await;
        if let Err(e) = renewed {
            tracing::warn!(error = ?e, "renewing a batch's lease failed");
        }
    }
}

/// Aborts its task when dropped.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}
