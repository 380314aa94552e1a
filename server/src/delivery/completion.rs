//! When a campaign's deliveries are settled, and who may move them meanwhile. Every
//! transaction that moves deliveries first holds their campaigns (shared: recorders run
//! side by side); a change of the campaign itself takes it exclusively. A campaign is
//! completed after the commit that settled its last pending delivery, by that
//! transaction's caller, or else by the scheduler's sweep.

use crate::{
    campaigns::{store, transition, By, System},
    db::entities::{campaign, delivery_counter},
    error::{ServiceError, ServiceResult},
};
use app::{error::AppError, model::CampaignStatus};
use sea_orm::{
    sea_query::{Expr, ExprTrait, Query},
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};
use uuid::Uuid;

/// Holds the campaigns' rows, in id order, before any of their deliveries are moved.
/// On PostgreSQL the hold is shared: the transactions that record outcomes of one
/// campaign run side by side, while a change of the campaign itself (pause, cancel,
/// completion, all through `store::lock`, which is exclusive) waits for those under way
/// and holds back the next ones. Every transaction that moves deliveries takes their
/// campaigns first, in this order, so none wait on each other in a cycle. On SQLite,
/// where one transaction writes at a time, the hold is a write, so that a transaction
/// that starts with it never fails on a stale snapshot. A campaign deleted meanwhile
/// has nothing left to hold.
pub(super) async fn hold_campaigns(
    db: &DatabaseTransaction,
    campaigns: impl IntoIterator<Item = (Uuid, Uuid)>,
) -> ServiceResult<()> {
    let mut ids: Vec<Uuid> = campaigns.into_iter().map(|(_, c)| c).collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(());
    }
    if db.get_database_backend() == DbBackend::Postgres {
        let _: Vec<Uuid> = campaign::Entity::find()
            .select_only()
            .column(campaign::Column::Id)
            .filter(campaign::Column::Id.is_in(ids))
            .order_by_asc(campaign::Column::Id)
            .lock_shared()
            .into_tuple()
            .all(db)
            .await?;
    } else {
        campaign::Entity::update_many()
            .col_expr(
                campaign::Column::UpdatedAt,
                Expr::col(campaign::Column::UpdatedAt),
            )
            .filter(campaign::Column::Id.is_in(ids))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// A running campaign with nothing pending on any channel is complete. The caller holds
/// the campaign's row exclusively (`store::lock`, or the transition that gave it), so
/// `campaign` is current and every outcome recorded before is committed and counted.
pub async fn complete_if_done(
    db: &DatabaseTransaction,
    system: System,
    campaign: &campaign::Model,
) -> ServiceResult<bool> {
    if campaign.status.0 != CampaignStatus::Running || pending_left(db, campaign.id).await? {
        return Ok(false);
    }
    transition(
        db,
        By::System(system),
        campaign.organization_id,
        campaign.id,
        CampaignStatus::Completed,
    )
    .await?;
    Ok(true)
}

/// Completes those of `campaigns` (organization, campaign) that have nothing pending
/// left, once the outcomes that settled them are committed: transactions recording one
/// campaign's outcomes commit side by side and none sees the others' counters before
/// they commit, so each checks after its own commit, and the last to commit finds the
/// campaign done. A failure here loses nothing (the outcomes are committed): it is
/// logged, and the scheduler's sweep completes the campaign. Returns how many completed.
pub async fn complete_finished(
    db: &DatabaseConnection,
    system: System,
    campaigns: impl IntoIterator<Item = (Uuid, Uuid)>,
) -> usize {
    let mut completed = 0;
    for (organization_id, campaign_id) in campaigns {
        match complete_one(db, system, organization_id, campaign_id).await {
            Ok(true) => completed += 1,
            Ok(false) => {}
            Err(e) => {
                tracing::warn!(error = ?e, %campaign_id, "completing a campaign failed; the scheduler will");
            }
        }
    }
    completed
}

async fn complete_one(
    db: &DatabaseConnection,
    system: System,
    organization_id: Uuid,
    campaign_id: Uuid,
) -> ServiceResult<bool> {
    // Read first: the exclusive hold would stall the campaign's recorders.
    if pending_left(db, campaign_id).await? {
        return Ok(false);
    }
    let txn = db.begin().await?;
    let campaign = match store::lock(&txn, organization_id, campaign_id).await {
        Ok(campaign) => campaign,
        Err(ServiceError::App(AppError::NotFound(_))) => return Ok(false),
        Err(e) => return Err(e),
    };
    let completed = complete_if_done(&txn, system, &campaign).await?;
    txn.commit().await?;
    Ok(completed)
}

/// Running campaigns with nothing pending (organization, campaign).
pub async fn finished_campaigns(db: &DatabaseConnection) -> ServiceResult<Vec<(Uuid, Uuid)>> {
    let pending = Query::select()
        .expr(Expr::val(1))
        .from(delivery_counter::Entity)
        .and_where(
            Expr::col((
                delivery_counter::Entity,
                delivery_counter::Column::CampaignId,
            ))
            .equals((campaign::Entity, campaign::Column::Id)),
        )
        .and_where(delivery_counter::Column::Pending.gt(0))
        .to_owned();
    Ok(campaign::Entity::find()
        .select_only()
        .column(campaign::Column::OrganizationId)
        .column(campaign::Column::Id)
        .filter(campaign::Column::Status.eq(campaign::Status(CampaignStatus::Running)))
        .filter(Expr::exists(pending).not())
        .into_tuple()
        .all(db)
        .await?)
}

async fn pending_left(db: &impl ConnectionTrait, campaign_id: Uuid) -> ServiceResult<bool> {
    Ok(delivery_counter::Entity::find()
        .filter(delivery_counter::Column::CampaignId.eq(campaign_id))
        .filter(delivery_counter::Column::Pending.gt(0))
        .count(db)
        .await?
        > 0)
}

/// The campaigns (organization, campaign) whose deliveries a transaction moved: once it
/// has committed, [`complete_finished`] completes those with nothing pending left.
#[must_use]
#[derive(Debug, Default)]
pub struct Touched(pub Vec<(Uuid, Uuid)>);
