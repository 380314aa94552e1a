//! The `retention` job. Once a day per organization with a policy, a run is recorded
//! (one row per organization and UTC day, so several processes make one), then claimed
//! under a lease and worked through in batches, each batch one transaction that also
//! adds its counts to the run: a process that dies mid-run leaves the lease to expire,
//! and another resumes where the batches stopped.
//!
//! What goes, by the policy's cut-off (now minus its months):
//! - deliveries created before it (not those still pending), campaign by campaign
//!   through the queue index, and events that happened before it; campaign counters are
//!   kept apart and do not change;
//! - contacts neither created nor changed since, and not sent to by a campaign created
//!   since: deleted as an erasure deletes them (their data key with them), without
//!   suppressing their addresses, which may come back with a fresh consent.

use crate::{
    db::entities::{campaign, contact, delivery, event, retention_policy, retention_run},
    jobs::{self, Job, Lease, Round, Stop},
    privacy::erasure,
};
use async_trait::async_trait;
use chrono::{DateTime, Months, Utc};
use sea_orm::{
    sea_query::{Expr, ExprTrait, OnConflict, Query},
    ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    Set, TransactionTrait,
};
use std::{collections::HashSet, time::Duration};
use uuid::Uuid;

const RUNNING: &str = "running";
const DONE: &str = "done";
/// Rows deleted per transaction.
const BATCH: u64 = 1000;
/// Contacts looked at per transaction (each is a few deletes).
const CONTACT_BATCH: u64 = 200;
const LEASE: chrono::Duration = chrono::Duration::minutes(5);

impl jobs::Leased for retention_run::Entity {
    const ID: retention_run::Column = retention_run::Column::Id;
    const LEASE_UNTIL: retention_run::Column = retention_run::Column::LeaseUntil;
    const LEASE_OWNER: retention_run::Column = retention_run::Column::LeaseOwner;
}

pub struct RetentionJob {
    pub(super) db: DatabaseConnection,
}

#[async_trait]
impl Job for RetentionJob {
    fn name(&self) -> &'static str {
        "retention"
    }

    /// Each round records the day's runs that are missing: an hourly look is enough
    /// for a daily run.
    fn every(&self) -> Duration {
        Duration::from_secs(3600)
    }

    async fn round(&self, stop: &Stop) -> anyhow::Result<Round> {
        self.record_today().await?;
        let claimed = jobs::claim::<retention_run::Entity>(
            &self.db,
            Condition::all().add(retention_run::Column::Status.eq(RUNNING)),
            retention_run::Column::StartedAt,
            1,
            LEASE,
            |u| u,
        )
        .await?;
        let Some((run, lease)) = claimed.into_iter().next() else {
            return Ok(Round::Idle);
        };
        let applied = self.apply(&run, lease, stop).await;
        if let Err(e) = &applied {
            tracing::warn!(error = ?e, run_id = %run.id, "retention run failed; it will be tried again");
            retention_run::Entity::update_many()
                .col_expr(
                    retention_run::Column::Error,
                    Expr::value(Some(format!("{e:#}"))),
                )
                .filter(retention_run::Column::Id.eq(run.id))
                .exec(&self.db)
                .await?;
        }
        Ok(Round::Worked)
    }
}

impl RetentionJob {
    /// A run for today for each organization with a policy that has none yet.
    async fn record_today(&self) -> anyhow::Result<()> {
        let now = Utc::now();
        let day = now.format("%Y-%m-%d").to_string();
        let policies = retention_policy::Entity::find()
            .filter(
                Condition::any()
                    .add(retention_policy::Column::DeliveryMonths.is_not_null())
                    .add(retention_policy::Column::ContactMonths.is_not_null()),
            )
            .all(&self.db)
            .await?;
        let done: HashSet<Uuid> = retention_run::Entity::find()
            .select_only()
            .column(retention_run::Column::OrganizationId)
            .filter(retention_run::Column::Day.eq(day.as_str()))
            .into_tuple()
            .all(&self.db)
            .await?
            .into_iter()
            .collect();
        for p in policies
            .into_iter()
            .filter(|p| !done.contains(&p.organization_id))
        {
            retention_run::Entity::insert(retention_run::ActiveModel {
                id: Set(Uuid::now_v7()),
                organization_id: Set(p.organization_id),
                day: Set(day.clone()),
                status: Set(RUNNING.into()),
                delivery_months: Set(p.delivery_months),
                contact_months: Set(p.contact_months),
                deliveries_deleted: Set(0),
                events_deleted: Set(0),
                contacts_deleted: Set(0),
                error: Set(None),
                lease_until: Set(None),
                lease_owner: Set(None),
                started_at: Set(now),
                finished_at: Set(None),
            })
            .on_conflict(
                OnConflict::columns([
                    retention_run::Column::OrganizationId,
                    retention_run::Column::Day,
                ])
                .do_nothing()
                .to_owned(),
            )
            .exec_without_returning(&self.db)
            .await?;
        }
        Ok(())
    }

    #[tracing::instrument(skip_all, fields(organization_id = %run.organization_id, run_id = %run.id))]
    async fn apply(
        &self,
        run: &retention_run::Model,
        mut lease: Lease<retention_run::Entity>,
        stop: &Stop,
    ) -> anyhow::Result<()> {
        let org = run.organization_id;
        let cutoff = |months: Option<i32>| {
            months
                .and_then(|m| u32::try_from(m).ok())
                .and_then(|m| run.started_at.checked_sub_months(Months::new(m)))
        };
        if let Some(before) = cutoff(run.delivery_months) {
            let campaigns: Vec<Uuid> = campaign::Entity::find()
                .select_only()
                .column(campaign::Column::Id)
                .filter(campaign::Column::OrganizationId.eq(org))
                .filter(campaign::Column::CreatedAt.lt(before))
                .into_tuple()
                .all(&self.db)
                .await?;
            for campaign_id in campaigns {
                loop {
                    if !self.hold(&mut lease, stop).await? {
                        return leave(lease, &self.db).await;
                    }
                    let n = self.delete_deliveries(run.id, campaign_id, before).await?;
                    if n < BATCH {
                        break;
                    }
                }
            }
            loop {
                if !self.hold(&mut lease, stop).await? {
                    return leave(lease, &self.db).await;
                }
                if self.delete_events(run.id, org, before).await? < BATCH {
                    break;
                }
            }
        }
        if let Some(before) = cutoff(run.contact_months) {
            let mut after = Uuid::nil();
            loop {
                if !self.hold(&mut lease, stop).await? {
                    return leave(lease, &self.db).await;
                }
                match self.delete_inactive(run.id, org, before, after).await? {
                    Some(last) => after = last,
                    None => break,
                }
            }
        }
        let finished = lease
            .release(&self.db, Condition::all(), |u| {
                u.col_expr(retention_run::Column::Status, Expr::value(DONE))
                    .col_expr(
                        retention_run::Column::Error,
                        Expr::value(Option::<String>::None),
                    )
                    .col_expr(
                        retention_run::Column::FinishedAt,
                        Expr::value(Some(Utc::now())),
                    )
            })
            .await?;
        tracing::info!(finished, "retention run done");
        Ok(())
    }

    /// Renews the lease; `false` when the run is no longer this process's to work on
    /// (lost, or stopping).
    async fn hold(
        &self,
        lease: &mut Lease<retention_run::Entity>,
        stop: &Stop,
    ) -> anyhow::Result<bool> {
        if stop.requested() {
            return Ok(false);
        }
        Ok(lease.renew(&self.db, Condition::all()).await?)
    }

    async fn delete_deliveries(
        &self,
        run_id: Uuid,
        campaign_id: Uuid,
        before: DateTime<Utc>,
    ) -> anyhow::Result<u64> {
        let pick = Query::select()
            .column(delivery::Column::Id)
            .from(delivery::Entity)
            .and_where(delivery::Column::CampaignId.eq(campaign_id))
            .and_where(delivery::Column::Status.ne("pending"))
            .and_where(delivery::Column::CreatedAt.lt(before))
            .limit(BATCH)
            .to_owned();
        let txn = self.db.begin().await?;
        let n = delivery::Entity::delete_many()
            .filter(delivery::Column::Id.in_subquery(pick))
            .exec(&txn)
            .await?
            .rows_affected;
        count(&txn, run_id, retention_run::Column::DeliveriesDeleted, n).await?;
        txn.commit().await?;
        Ok(n)
    }

    async fn delete_events(
        &self,
        run_id: Uuid,
        organization_id: Uuid,
        before: DateTime<Utc>,
    ) -> anyhow::Result<u64> {
        let pick = Query::select()
            .column(event::Column::Id)
            .from(event::Entity)
            .and_where(event::Column::OrganizationId.eq(organization_id))
            .and_where(event::Column::OccurredAt.lt(before))
            .order_by(event::Column::Id, sea_orm::Order::Asc)
            .limit(BATCH)
            .to_owned();
        let txn = self.db.begin().await?;
        let n = event::Entity::delete_many()
            .filter(event::Column::Id.in_subquery(pick))
            .exec(&txn)
            .await?
            .rows_affected;
        count(&txn, run_id, retention_run::Column::EventsDeleted, n).await?;
        txn.commit().await?;
        Ok(n)
    }

    /// One batch of contacts untouched since `before`, after id `after`: those not sent
    /// to by a campaign created since are deleted. The last id looked at, or `None` at
    /// the end.
    async fn delete_inactive(
        &self,
        run_id: Uuid,
        organization_id: Uuid,
        before: DateTime<Utc>,
        after: Uuid,
    ) -> anyhow::Result<Option<Uuid>> {
        let candidates: Vec<Uuid> = contact::Entity::find()
            .select_only()
            .column(contact::Column::Id)
            .filter(contact::Column::OrganizationId.eq(organization_id))
            .filter(contact::Column::UpdatedAt.lt(before))
            .filter(contact::Column::CreatedAt.lt(before))
            .filter(contact::Column::Id.gt(after))
            .order_by_asc(contact::Column::Id)
            .limit(CONTACT_BATCH)
            .into_tuple()
            .all(&self.db)
            .await?;
        let Some(last) = candidates.last().copied() else {
            return Ok(None);
        };
        let recent = Query::select()
            .column(campaign::Column::Id)
            .from(campaign::Entity)
            .and_where(campaign::Column::OrganizationId.eq(organization_id))
            .and_where(campaign::Column::CreatedAt.gte(before))
            .to_owned();
        let txn = self.db.begin().await?;
        let active: HashSet<Uuid> = delivery::Entity::find()
            .select_only()
            .column(delivery::Column::ContactId)
            .filter(delivery::Column::CampaignId.in_subquery(recent))
            .filter(delivery::Column::ContactId.is_in(candidates.iter().copied()))
            .into_tuple()
            .all(&txn)
            .await?
            .into_iter()
            .collect();
        let mut n = 0;
        for id in candidates.into_iter().filter(|id| !active.contains(id)) {
            erasure::remove(&txn, organization_id, id).await?;
            n += 1;
        }
        count(&txn, run_id, retention_run::Column::ContactsDeleted, n).await?;
        txn.commit().await?;
        Ok(Some(last))
    }
}

/// Leaves the run unfinished for a later round (or another process) to resume; a no-op
/// when the lease was lost already.
async fn leave(lease: Lease<retention_run::Entity>, db: &DatabaseConnection) -> anyhow::Result<()> {
    lease.release(db, Condition::all(), |u| u).await?;
    tracing::info!("retention run left for later");
    Ok(())
}

async fn count(
    db: &impl sea_orm::ConnectionTrait,
    run_id: Uuid,
    column: retention_run::Column,
    n: u64,
) -> anyhow::Result<()> {
    if n == 0 {
        return Ok(());
    }
    retention_run::Entity::update_many()
        .col_expr(
            column,
            Expr::col(column).add(i64::try_from(n).unwrap_or(i64::MAX)),
        )
        .filter(retention_run::Column::Id.eq(run_id))
        .exec(db)
        .await?;
    Ok(())
}
