pub(super) use super::fields::validate;
use super::{fields::Fields, schedule_time};
use crate::{
    auth::require,
    db::entities::{campaign, campaign_list, organization},
    error::{not_found, ServiceResult},
    rest::paging::PageQuery,
};
use app::{
    error::AppError,
    model::{
        Action, Actor, CampaignDto, CampaignPatch, CampaignStatus, Channel, FieldErrors,
        NewCampaign, Page,
    },
};
use chrono::Utc;
use chrono_tz::Tz;
use sea_orm::{
    sea_query::{Expr, ExprTrait, Func, LikeExpr},
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionTrait,
};
use uuid::Uuid;

pub struct Campaigns {
    pub(super) db: DatabaseConnection,
}

#[derive(Clone, Debug, Default)]
pub struct CampaignFilter {
    pub status: Option<CampaignStatus>,
    pub channel: Option<Channel>,
}

impl CampaignFilter {
    /// From the raw `status` and `channel` query values; unknown ones are field errors.
    pub fn parse(status: Option<String>, channel: Option<String>) -> Result<Self, AppError> {
        let mut errors = FieldErrors::new();
        let status = status
            .filter(|s| !s.is_empty())
            .map(|s| s.parse())
            .transpose()
            .map_err(|e| errors.insert("status".into(), e))
            .ok()
            .flatten();
        let channel = channel
            .filter(|c| !c.is_empty())
            .map(|c| c.parse())
            .transpose()
            .map_err(|e| errors.insert("channel".into(), e))
            .ok()
            .flatten();
        if errors.is_empty() {
            Ok(CampaignFilter { status, channel })
        } else {
            Err(AppError::fields(errors))
        }
    }
}

impl Campaigns {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    pub async fn list(
        &self,
        actor: &Actor,
        page: &PageQuery,
        filter: &CampaignFilter,
    ) -> ServiceResult<Page<CampaignDto>> {
        require(actor, Action::CampaignsRead)?;
        let (sort, desc) = page.sort_by(
            &[
                "title",
                "status",
                "scheduled_at",
                "created_at",
                "updated_at",
            ],
            ("created_at", true),
        )?;
        let mut query = campaign::Entity::find()
            .filter(campaign::Column::OrganizationId.eq(actor.organization_id));
        if let Some(status) = filter.status {
            query = query.filter(campaign::Column::Status.eq(status.as_str()));
        }
        if let Some(channel) = filter.channel {
            query = query
                .filter(campaign::Column::Channels.like(format!("%\"{}\"%", channel.as_str())));
        }
        if let Some(q) = &page.q {
            let pattern = format!("%{}%", escape_like(&q.to_lowercase()));
            query = query.filter(
                Expr::expr(Func::lower(Expr::col(campaign::Column::Title)))
                    .like(LikeExpr::new(pattern).escape('\\')),
            );
        }
        let total = query.clone().count(&self.db).await?;
        let column = match sort {
            "title" => campaign::Column::Title,
            "status" => campaign::Column::Status,
            "scheduled_at" => campaign::Column::ScheduledAt,
            "updated_at" => campaign::Column::UpdatedAt,
            _ => campaign::Column::CreatedAt,
        };
        let order = if desc {
            sea_orm::Order::Desc
        } else {
            sea_orm::Order::Asc
        };
        let rows = query
            .order_by(column, order.clone())
            .order_by(campaign::Column::Id, order)
            .offset(page.offset())
            .limit(page.per_page)
            .all(&self.db)
            .await?;
        let tz = self.time_zone(&self.db, actor.organization_id).await?;
        let mut items = Vec::with_capacity(rows.len());
        for row in rows {
            items.push(self.to_dto(&self.db, row, &tz).await?);
        }
        Ok(Page {
            items,
            page: page.page,
            per_page: page.per_page,
            total,
        })
    }

    pub async fn get(&self, actor: &Actor, id: Uuid) -> ServiceResult<CampaignDto> {
        require(actor, Action::CampaignsRead)?;
        let row = find(&self.db, actor.organization_id, id).await?;
        let tz = self.time_zone(&self.db, actor.organization_id).await?;
        self.to_dto(&self.db, row, &tz).await
    }

    #[tracing::instrument(skip_all, fields(organization_id = %actor.organization_id))]
    pub async fn create(&self, actor: &Actor, input: NewCampaign) -> ServiceResult<CampaignDto> {
        require(actor, Action::CampaignsWrite)?;
        let txn = self.db.begin().await?;
        let tz = self.time_zone(&txn, actor.organization_id).await?;
        let fields = validate(
            &txn,
            actor.organization_id,
            &tz,
            Fields {
                title: input.title,
                description: input.description,
                channels: vec![],
                scheduled_at: None,
                list_ids: input.list_ids,
                exclusion_list_ids: input.exclusion_list_ids,
                content: input.content,
            },
            Some(&input.channels),
            Some(input.scheduled_at.as_deref()),
        )
        .await?;
        let now = Utc::now();
        let id = Uuid::now_v7();
        let row = campaign::ActiveModel {
            id: Set(id),
            organization_id: Set(actor.organization_id),
            title: Set(fields.title),
            description: Set(fields.description),
            channels: Set(channels_json(&fields.channels)?),
            status: Set(CampaignStatus::Draft.as_str().to_owned()),
            scheduled_at: Set(fields.scheduled_at),
            content: Set(serde_json::to_string(&fields.content).map_err(anyhow::Error::new)?),
            created_by: Set(Some(actor.user_id)),
            created_at: Set(now),
            updated_at: Set(now),
        };
        let row = sea_orm::ActiveModelTrait::insert(row, &txn).await?;
        replace_lists(&txn, id, &fields.list_ids, &fields.exclusion_list_ids).await?;
        let dto = self.to_dto(&txn, row, &tz).await?;
        txn.commit().await?;
        tracing::info!(campaign_id = %id, "campaign created");
        Ok(dto)
    }

    #[tracing::instrument(skip_all, fields(organization_id = %actor.organization_id, campaign_id = %id))]
    pub async fn update(
        &self,
        actor: &Actor,
        id: Uuid,
        patch: CampaignPatch,
    ) -> ServiceResult<CampaignDto> {
        require(actor, Action::CampaignsWrite)?;
        let txn = self.db.begin().await?;
        let row = find(&txn, actor.organization_id, id).await?;
        let status = parse_status(&row.status)?;
        if !status.is_editable() {
            return Err(AppError::Conflict(format!("a {status} campaign cannot be edited")).into());
        }
        let tz = self.time_zone(&txn, actor.organization_id).await?;
        let current = self.to_dto(&txn, row.clone(), &tz).await?;
        let fields = Fields {
            title: patch.title.unwrap_or(current.title),
            description: patch.description.unwrap_or(current.description),
            channels: current.channels,
            scheduled_at: current.scheduled_at,
            list_ids: patch.list_ids.unwrap_or(current.list_ids),
            exclusion_list_ids: patch
                .exclusion_list_ids
                .unwrap_or(current.exclusion_list_ids),
            content: patch.content.unwrap_or(current.content),
        };
        let fields = validate(
            &txn,
            actor.organization_id,
            &tz,
            fields,
            patch.channels.as_deref(),
            patch.scheduled_at.as_ref().map(|s| s.as_deref()),
        )
        .await?;
        if status == CampaignStatus::Scheduled {
            // A scheduled campaign must stay sendable.
            super::transitions::ensure_sendable(&txn, &fields).await?;
        }
        let mut active: campaign::ActiveModel = row.into();
        active.title = Set(fields.title);
        active.description = Set(fields.description);
        active.channels = Set(channels_json(&fields.channels)?);
        active.scheduled_at = Set(fields.scheduled_at);
        active.content = Set(serde_json::to_string(&fields.content).map_err(anyhow::Error::new)?);
        active.updated_at = Set(Utc::now());
        let row = sea_orm::ActiveModelTrait::update(active, &txn).await?;
        replace_lists(&txn, id, &fields.list_ids, &fields.exclusion_list_ids).await?;
        let dto = self.to_dto(&txn, row, &tz).await?;
        txn.commit().await?;
        Ok(dto)
    }

    #[tracing::instrument(skip_all, fields(organization_id = %actor.organization_id, campaign_id = %id))]
    pub async fn delete(&self, actor: &Actor, id: Uuid) -> ServiceResult<()> {
        require(actor, Action::CampaignsWrite)?;
        let txn = self.db.begin().await?;
        let row = find(&txn, actor.organization_id, id).await?;
        let status = parse_status(&row.status)?;
        if !matches!(status, CampaignStatus::Draft | CampaignStatus::Cancelled) {
            return Err(AppError::Conflict(format!(
                "a {status} campaign cannot be deleted; cancel it first"
            ))
            .into());
        }
        campaign::Entity::delete_by_id(id).exec(&txn).await?;
        txn.commit().await?;
        Ok(())
    }

    pub(super) async fn time_zone(
        &self,
        db: &impl ConnectionTrait,
        organization_id: Uuid,
    ) -> ServiceResult<Tz> {
        let org = organization::Entity::find_by_id(organization_id)
            .one(db)
            .await?
            .ok_or_else(|| not_found("organization"))?;
        schedule_time::parse_time_zone(&org.time_zone)
            .map_err(|e| anyhow::anyhow!("organization {organization_id}: {e}").into())
    }

    pub(super) async fn to_dto(
        &self,
        db: &impl ConnectionTrait,
        row: campaign::Model,
        tz: &Tz,
    ) -> ServiceResult<CampaignDto> {
        let lists = campaign_list::Entity::find()
            .filter(campaign_list::Column::CampaignId.eq(row.id))
            .all(db)
            .await?;
        let (excluded, included): (Vec<_>, Vec<_>) = lists.into_iter().partition(|l| l.excluded);
        Ok(CampaignDto {
            id: row.id,
            title: row.title,
            description: row.description,
            channels: serde_json::from_str(&row.channels)
                .map_err(|e| anyhow::anyhow!("stored channels are invalid: {e}"))?,
            status: parse_status(&row.status)?,
            scheduled_at: row.scheduled_at,
            time_zone: tz.name().to_owned(),
            list_ids: included.into_iter().map(|l| l.list_id).collect(),
            exclusion_list_ids: excluded.into_iter().map(|l| l.list_id).collect(),
            content: serde_json::from_str(&row.content)
                .map_err(|e| anyhow::anyhow!("stored content is invalid: {e}"))?,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

pub(super) async fn find(
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

pub(super) async fn replace_lists(
    db: &impl ConnectionTrait,
    campaign_id: Uuid,
    include: &[Uuid],
    exclude: &[Uuid],
) -> ServiceResult<()> {
    campaign_list::Entity::delete_many()
        .filter(campaign_list::Column::CampaignId.eq(campaign_id))
        .exec(db)
        .await?;
    let rows: Vec<_> = include
        .iter()
        .map(|id| (id, false))
        .chain(exclude.iter().map(|id| (id, true)))
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

pub(super) fn parse_status(raw: &str) -> ServiceResult<CampaignStatus> {
    raw.parse()
        .map_err(|e: String| anyhow::anyhow!("stored status is invalid: {e}").into())
}

pub(super) fn channels_json(channels: &[Channel]) -> ServiceResult<String> {
    Ok(serde_json::to_string(channels).map_err(anyhow::Error::new)?)
}

fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}
