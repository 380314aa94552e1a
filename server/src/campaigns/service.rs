//! Campaigns as users see them: list, read, create, edit, delete.

use super::{
    fields::{validate, Fields},
    store::{self, Targets},
};
use crate::{
    auth::require,
    db::entities::campaign::{self, Channels, Content, Status},
    error::ServiceResult,
    listing::{self, Listing, Sorts},
};
use app::{
    error::AppError,
    model::{
        Action, Actor, CampaignDto, CampaignPatch, CampaignQuery, CampaignStatus, Channel,
        FieldErrors, NewCampaign, Page,
    },
};
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionTrait,
};
use uuid::Uuid;

pub struct Campaigns {
    pub(super) db: DatabaseConnection,
}

const SORTS: Sorts = Sorts {
    allowed: &[
        "title",
        "status",
        "scheduled_at",
        "created_at",
        "updated_at",
    ],
    default: ("created_at", true),
};

impl Campaigns {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    pub async fn list(&self, actor: &Actor, q: CampaignQuery) -> ServiceResult<Page<CampaignDto>> {
        require(actor, Action::CampaignsRead)?;
        let page = Listing::parse(
            q.page,
            q.per_page,
            q.sort.as_deref(),
            q.q.as_deref(),
            &SORTS,
        )?;
        let (status, channel) = filters(q.status.as_deref(), q.channel.as_deref())?;
        let mut query = campaign::Entity::find()
            .filter(campaign::Column::OrganizationId.eq(actor.organization_id));
        if let Some(status) = status {
            query = query.filter(campaign::Column::Status.eq(Status(status)));
        }
        if let Some(channel) = channel {
            query = query.filter(campaign::Column::Channels.like(Channels::like(channel)));
        }
        if let Some(q) = &page.q {
            query = query.filter(listing::contains(campaign::Column::Title, q));
        }
        let total = query.clone().count(&self.db).await?;
        let column = match page.sort.0 {
            "title" => campaign::Column::Title,
            "status" => campaign::Column::Status,
            "scheduled_at" => campaign::Column::ScheduledAt,
            "updated_at" => campaign::Column::UpdatedAt,
            _ => campaign::Column::CreatedAt,
        };
        let rows = query
            .order_by(column, page.order())
            .order_by(campaign::Column::Id, page.order())
            .offset(page.offset())
            .limit(page.per_page)
            .all(&self.db)
            .await?;
        let tz = store::time_zone(&self.db, actor.organization_id).await?;
        let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        let mut targets = store::targets(&self.db, &ids).await?;
        let items = rows
            .into_iter()
            .map(|row| {
                let t = targets.remove(&row.id).unwrap_or_default();
                store::to_dto(row, t, &tz)
            })
            .collect();
        Ok(Page {
            items,
            page: page.page,
            per_page: page.per_page,
            total,
        })
    }

    pub async fn get(&self, actor: &Actor, id: Uuid) -> ServiceResult<CampaignDto> {
        require(actor, Action::CampaignsRead)?;
        let row = store::find(&self.db, actor.organization_id, id).await?;
        store::dto(&self.db, row).await
    }

    #[tracing::instrument(skip_all, fields(organization_id = %actor.organization_id))]
    pub async fn create(&self, actor: &Actor, input: NewCampaign) -> ServiceResult<CampaignDto> {
        require(actor, Action::CampaignsWrite)?;
        let txn = self.db.begin().await?;
        let tz = store::time_zone(&txn, actor.organization_id).await?;
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
        let targets = fields.targets();
        let row = insert(&txn, actor, fields.into_row(), CampaignStatus::Draft).await?;
        store::replace_targets(&txn, row.id, &targets).await?;
        txn.commit().await?;
        tracing::info!(campaign_id = %row.id, "campaign created");
        Ok(store::to_dto(row, targets, &tz))
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
        let row = store::lock(&txn, actor.organization_id, id).await?;
        let status = row.status.0;
        if !status.is_editable() {
            return Err(AppError::Conflict(format!("a {status} campaign cannot be edited")).into());
        }
        let tz = store::time_zone(&txn, actor.organization_id).await?;
        let current = store::targets(&txn, &[id])
            .await?
            .remove(&id)
            .unwrap_or_default();
        let fields = Fields {
            title: patch.title.unwrap_or_else(|| row.title.clone()),
            description: patch.description.unwrap_or_else(|| row.description.clone()),
            channels: row.channels.0.clone(),
            scheduled_at: row.scheduled_at,
            list_ids: patch.list_ids.unwrap_or(current.include),
            exclusion_list_ids: patch.exclusion_list_ids.unwrap_or(current.exclude),
            content: patch.content.unwrap_or_else(|| row.content.0.clone()),
        };
        let scheduled_at = patch.scheduled_at.as_ref().map(|s| s.as_deref());
        let fields = validate(
            &txn,
            actor.organization_id,
            &tz,
            fields,
            patch.channels.as_deref(),
            scheduled_at,
        )
        .await?;
        let targets = fields.targets();
        store::replace_targets(&txn, id, &targets).await?;
        if status == CampaignStatus::Scheduled {
            // A scheduled campaign must stay sendable; refused, the transaction rolls back.
            super::transitions::ensure_sendable(&txn, actor.organization_id, id, &fields).await?;
        }
        let mut active: campaign::ActiveModel = row.into();
        active.title = Set(fields.title);
        active.description = Set(fields.description);
        active.channels = Set(Channels(fields.channels));
        active.scheduled_at = Set(fields.scheduled_at);
        active.content = Set(Content(fields.content));
        active.updated_at = Set(Utc::now());
        let row = active.update(&txn).await?;
        txn.commit().await?;
        Ok(store::to_dto(row, targets, &tz))
    }

    #[tracing::instrument(skip_all, fields(organization_id = %actor.organization_id, campaign_id = %id))]
    pub async fn delete(&self, actor: &Actor, id: Uuid) -> ServiceResult<()> {
        require(actor, Action::CampaignsWrite)?;
        let txn = self.db.begin().await?;
        let status = store::lock(&txn, actor.organization_id, id).await?.status.0;
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
}

/// The columns of a new campaign row, apart from its id, owner and status.
pub(super) struct NewRow {
    pub title: String,
    pub description: String,
    pub channels: Vec<Channel>,
    pub scheduled_at: Option<chrono::DateTime<Utc>>,
    pub content: app::model::CampaignContent,
}

pub(super) async fn insert(
    db: &impl sea_orm::ConnectionTrait,
    actor: &Actor,
    new: NewRow,
    status: CampaignStatus,
) -> ServiceResult<campaign::Model> {
    let now = Utc::now();
    let row = campaign::ActiveModel {
        id: Set(Uuid::now_v7()),
        organization_id: Set(actor.organization_id),
        title: Set(new.title),
        description: Set(new.description),
        channels: Set(Channels(new.channels)),
        status: Set(Status(status)),
        scheduled_at: Set(new.scheduled_at),
        content: Set(Content(new.content)),
        created_by: Set(Some(actor.user_id)),
        started_at: Set(None),
        completed_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    };
    Ok(row.insert(db).await?)
}

impl Fields {
    fn into_row(self) -> NewRow {
        NewRow {
            title: self.title,
            description: self.description,
            channels: self.channels,
            scheduled_at: self.scheduled_at,
            content: self.content,
        }
    }

    fn targets(&self) -> Targets {
        Targets {
            include: self.list_ids.clone(),
            exclude: self.exclusion_list_ids.clone(),
        }
    }
}

/// The `status` and `channel` filters of the campaign list; unknown ones are field errors.
fn filters(
    status: Option<&str>,
    channel: Option<&str>,
) -> Result<(Option<CampaignStatus>, Option<Channel>), AppError> {
    let mut errors = FieldErrors::new();
    let status = status.filter(|s| !s.is_empty()).and_then(|s| {
        s.parse()
            .map_err(|e| errors.insert("status".into(), e))
            .ok()
    });
    let channel = channel.filter(|c| !c.is_empty()).and_then(|c| {
        c.parse()
            .map_err(|e| errors.insert("channel".into(), e))
            .ok()
    });
    if errors.is_empty() {
        Ok((status, channel))
    } else {
        Err(AppError::fields(errors))
    }
}
