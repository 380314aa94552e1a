//! The `scheduler` job: claims one due campaign at a time, moves it to running and fans
//! it out, all in one transaction (a crash before the commit leaves it scheduled; after
//! it, running with all its deliveries). Several processes may run it: on PostgreSQL the
//! claim skips a campaign another process holds (`FOR UPDATE SKIP LOCKED`); on SQLite
//! the claim is a conditional `UPDATE … RETURNING`, the first write of the transaction.
//! Each round also completes running campaigns with nothing pending left whose last
//! recorder stopped before it could (see `completion::complete_finished`).

use super::{completion, fanout, Engine};
use crate::{
    campaigns::{transition, By, System},
    db::entities::campaign::{self, Status},
    jobs::{Job, Round, Stop, Wake},
};
use app::model::CampaignStatus;
use async_trait::async_trait;
use chrono::Utc;
use sea_orm::{
    sea_query::{Expr, LockBehavior, LockType, Query},
    ColumnTrait, EntityTrait, Order, QueryFilter, TransactionTrait,
};
use std::{sync::Arc, time::Duration};

pub struct Scheduler(pub(super) Arc<Engine>);

#[async_trait]
impl Job for Scheduler {
    fn name(&self) -> &'static str {
        "scheduler"
    }

    /// A campaign leaves within a second of its time.
    fn every(&self) -> Duration {
        Duration::from_secs(1)
    }

    fn wake(&self) -> Option<Wake> {
        Some(self.0.scheduler_wake.clone())
    }

    async fn round(&self, stop: &Stop) -> anyhow::Result<Round> {
        // Campaigns whose last outcomes were committed by a process that stopped before
        // it could complete them.
        let finished = completion::finished_campaigns(&self.0.db).await?;
        let completed =
            completion::complete_finished(&self.0.db, System::Scheduler, finished).await;
        let mut started = 0;
        while !stop.requested() && self.start_one().await? {
            started += 1;
        }
        if started > 0 {
            self.0.worker_wake.ring();
        }
        if started + completed > 0 {
            Ok(Round::Worked)
        } else {
            Ok(Round::Idle)
        }
    }
}

impl Scheduler {
    /// Starts the campaign due first, if any.
    async fn start_one(&self) -> anyhow::Result<bool> {
        let engine = &self.0;
        let now = Utc::now();
        // A read first: an idle scheduler must not take SQLite's write lock every second.
        let any_due = campaign::Entity::find()
            .filter(campaign::Column::Status.eq(Status(CampaignStatus::Scheduled)))
            .filter(campaign::Column::ScheduledAt.lte(now))
            .one(&engine.db)
            .await?;
        if any_due.is_none() {
            return Ok(false);
        }
        let txn = engine.db.begin().await?;
        let due = Query::select()
            .column(campaign::Column::Id)
            .from(campaign::Entity)
            .and_where(campaign::Column::Status.eq(Status(CampaignStatus::Scheduled)))
            .and_where(campaign::Column::ScheduledAt.lte(now))
            .order_by(campaign::Column::ScheduledAt, Order::Asc)
            .limit(1)
            .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
            .to_owned();
        let Some(claimed) = campaign::Entity::update_many()
            .col_expr(campaign::Column::UpdatedAt, Expr::value(now))
            .filter(campaign::Column::Id.in_subquery(due))
            .filter(campaign::Column::Status.eq(Status(CampaignStatus::Scheduled)))
            .exec_with_returning(&txn)
            .await?
            .pop()
        else {
            return Ok(false);
        };
        let running = transition(
            &txn,
            By::System(System::Scheduler),
            claimed.organization_id,
            claimed.id,
            CampaignStatus::Running,
        )
        .await?;
        let pending = fanout::fan_out(&txn, &running)
            .await
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        if pending == 0 {
            // Nobody to send to: everything is skipped, and the campaign is done.
            completion::complete_if_done(&txn, System::Scheduler, &running).await?;
        }
        txn.commit().await?;
        tracing::info!(campaign_id = %running.id, pending, "campaign started");
        Ok(true)
    }
}
