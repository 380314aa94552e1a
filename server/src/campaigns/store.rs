//! Row access for campaigns, in the caller's connection or transaction: typed columns
//! (see `db::entities::campaign`), every query scoped by organization.

use super::schedule_time;
use crate::{
    db::entities::{campaign, campaign_list, organization},
    error::{not_found, ServiceResult},
};
use app::model::CampaignDto;
use chrono_tz::Tz;
use sea_orm::{
    sea_query::Expr, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait,
    QueryFilter, QuerySelect, Set,
};
use std::collections::HashMap;
use uuid::Uuid;

/// The lists a campaign sends to, and those whose members it leaves out.
#[derive(Clone, Debug, Default)]
pub struct Targets {
    pub include: Vec<Uuid>,
    pub exclude: Vec<Uuid>,
}

pub async fn find(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
    id: Uuid,
) -> ServiceResult<campaign::Model> {
    campaign::Entity::find_by_id(id)
        .filter(campaign::Column::OrganizationId.eq(organization_id))
        .one(db)
        .await?
        .ok_or_else(|| not_found("campaign"))
}

/// Like [`find`], and holds the row until the transaction ends, so two changes of one
/// campaign (a user's and the scheduler's, say) queue instead of both acting on the
/// state they read. PostgreSQL: `SELECT … FOR UPDATE`. SQLite: a no-op write first, which
/// takes the database's write lock (waiting for it, under the busy timeout); a read
/// first would fail with "busy snapshot" when another writer commits in between.
pub async fn lock(
    db: &DatabaseTransaction,
    organization_id: Uuid,
    id: Uuid,
) -> ServiceResult<campaign::Model> {
    let mut query = campaign::Entity::find_by_id(id)
        .filter(campaign::Column::OrganizationId.eq(organization_id));
    match db.get_database_backend() {
        DbBackend::Postgres => query = query.lock_exclusive(),
        _ => {
            campaign::Entity::update_many()
                .col_expr(
                    campaign::Column::UpdatedAt,
                    Expr::col(campaign::Column::UpdatedAt),
                )
                .filter(campaign::Column::Id.eq(id))
                .filter(campaign::Column::OrganizationId.eq(organization_id))
                .exec(db)
                .await?;
        }
    }
    query.one(db).await?.ok_or_else(|| not_found("campaign"))
}

/// The targets of each of `ids`, in one query.
pub async fn targets(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> ServiceResult<HashMap<Uuid, Targets>> {
    let mut out: HashMap<Uuid, Targets> = ids.iter().map(|id| (*id, Targets::default())).collect();
    if ids.is_empty() {
        return Ok(out);
    }
    let rows = campaign_list::Entity::find()
        .filter(campaign_list::Column::CampaignId.is_in(ids.iter().copied()))
        .all(db)
        .await?;
    for row in rows {
        let t = out.entry(row.campaign_id).or_default();
        if row.excluded {
            t.exclude.push(row.list_id);
        } else {
            t.include.push(row.list_id);
        }
    }
    Ok(out)
}

pub async fn replace_targets(
    db: &impl ConnectionTrait,
    campaign_id: Uuid,
    targets: &Targets,
) -> ServiceResult<()> {
    campaign_list::Entity::delete_many()
        .filter(campaign_list::Column::CampaignId.eq(campaign_id))
        .exec(db)
        .await?;
    let rows: Vec<_> = targets
        .include
        .iter()
        .map(|id| (id, false))
        .chain(targets.exclude.iter().map(|id| (id, true)))
        .map(|(list_id, excluded)| campaign_list::ActiveModel {
            campaign_id: Set(campaign_id),
            list_id: Set(*list_id),
            excluded: Set(excluded),
        })
        .collect();
    if !rows.is_empty() {
        campaign_list::Entity::insert_many(rows)
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// The organization's time zone, in which schedules are typed and shown.
pub async fn time_zone(db: &impl ConnectionTrait, organization_id: Uuid) -> ServiceResult<Tz> {
    let org = organization::Entity::find_by_id(organization_id)
        .one(db)
        .await?
        .ok_or_else(|| not_found("organization"))?;
    schedule_time::parse_time_zone(&org.time_zone)
        .map_err(|e| anyhow::anyhow!("organization {organization_id}: {e}").into())
}

pub fn to_dto(row: campaign::Model, targets: Targets, tz: &Tz) -> CampaignDto {
    CampaignDto {
        id: row.id,
        title: row.title,
        description: row.description,
        channels: row.channels.0,
        status: row.status.0,
        scheduled_at: row.scheduled_at,
        time_zone: tz.name().to_owned(),
        list_ids: targets.include,
        exclusion_list_ids: targets.exclude,
        content: row.content.0,
        started_at: row.started_at,
        completed_at: row.completed_at,
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

/// One campaign as the API shows it.
pub async fn dto(db: &impl ConnectionTrait, row: campaign::Model) -> ServiceResult<CampaignDto> {
    let tz = time_zone(db, row.organization_id).await?;
    let targets = targets(db, &[row.id])
        .await?
        .remove(&row.id)
        .unwrap_or_default();
    Ok(to_dto(row, targets, &tz))
}
