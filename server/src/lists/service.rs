use crate::{
    auth::require,
    db::entities::{campaign, campaign_list, contact, list, list_member, list_signup},
    error::{not_found, ServiceError, ServiceResult},
    listing::{self, Listing, Sorts},
};
use app::{
    error::AppError,
    model::{
        validate_name, Action, Actor, CampaignStatus, ListDto, ListInput, ListMembersChanged,
        ListPatch, Page, SearchQuery, SIGNUP_WORDING_MAX,
    },
};
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    FromQueryResult, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// Lists read best by name, in the UI and over the API alike.
const SORTS: Sorts = Sorts {
    allowed: &["name", "created_at", "updated_at"],
    default: ("name", false),
};
const DESCRIPTION_MAX: usize = 2000;
/// One request adds or removes at most this many contacts (and stays under SQL parameter limits).
const MEMBERS_MAX: usize = 1000;

pub struct Lists {
    db: DatabaseConnection,
    /// Where the sign-up forms are served (`{public URL}/f/{id}`).
    public_url: String,
}

#[derive(FromQueryResult)]
struct Count {
    list_id: Uuid,
    n: i64,
}

impl Lists {
    fn to_dto(&self, l: list::Model, member_count: u64) -> ListDto {
        ListDto {
            signup_url: l
                .signup_enabled
                .then(|| format!("{}/f/{}", self.public_url, l.id)),
            id: l.id,
            name: l.name,
            description: l.description,
            member_count,
            signup_enabled: l.signup_enabled,
            signup_wording: l.signup_wording,
            created_at: l.created_at,
            updated_at: l.updated_at,
        }
    }

    pub fn new(db: DatabaseConnection, public_url: String) -> Self {
        Self { db, public_url }
    }

    pub async fn list(&self, actor: &Actor, query: SearchQuery) -> ServiceResult<Page<ListDto>> {
        require(actor, Action::ListsRead)?;
        let f = Listing::parse(
            query.page,
            query.per_page,
            query.sort.as_deref(),
            query.q.as_deref(),
            &SORTS,
        )?;
        let mut query =
            list::Entity::find().filter(list::Column::OrganizationId.eq(actor.organization_id));
        if let Some(q) = &f.q {
            query = query.filter(listing::contains(list::Column::Name, q));
        }
        let total = query.clone().count(&self.db).await?;
        let order = f.order();
        let column = match f.sort.0 {
            "name" => list::Column::Name,
            "updated_at" => list::Column::UpdatedAt,
            _ => list::Column::CreatedAt,
        };
        let rows = query
            .order_by(column, order.clone())
            .order_by(list::Column::Id, order)
            .offset(f.offset())
            .limit(f.per_page)
            .all(&self.db)
            .await?;
        let counts =
            member_counts(&self.db, &rows.iter().map(|l| l.id).collect::<Vec<_>>()).await?;
        let items = rows
            .into_iter()
            .map(|l| {
                let n = counts.get(&l.id).copied().unwrap_or(0);
                self.to_dto(l, n)
            })
            .collect();
        Ok(Page {
            items,
            page: f.page,
            per_page: f.per_page,
            total,
        })
    }

    pub async fn get(&self, actor: &Actor, id: Uuid) -> ServiceResult<ListDto> {
        require(actor, Action::ListsRead)?;
        let l = find(&self.db, actor.organization_id, id).await?;
        let n = member_counts(&self.db, &[id])
            .await?
            .get(&id)
            .copied()
            .unwrap_or(0);
        Ok(self.to_dto(l, n))
    }

    #[tracing::instrument(skip_all, fields(organization_id = %actor.organization_id))]
    pub async fn create(&self, actor: &Actor, input: ListInput) -> ServiceResult<ListDto> {
        require(actor, Action::ListsWrite)?;
        let name =
            validate_name(&input.name, "list name").map_err(|e| AppError::field("name", e))?;
        let description = validate_description(&input.description)?;
        let now = Utc::now();
        let row = list::ActiveModel {
            id: Set(Uuid::now_v7()),
            organization_id: Set(actor.organization_id),
            name: Set(name),
            description: Set(description),
            signup_enabled: Set(false),
            signup_wording: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        };
        let txn = self.db.begin().await?;
        let saved = row.insert(&txn).await.map_err(name_taken)?;
        txn.commit().await?;
        tracing::info!(list_id = %saved.id, "list created");
        Ok(self.to_dto(saved, 0))
    }

    #[tracing::instrument(skip_all, fields(organization_id = %actor.organization_id, list_id = %id))]
    pub async fn update(
        &self,
        actor: &Actor,
        id: Uuid,
        patch: ListPatch,
    ) -> ServiceResult<ListDto> {
        require(actor, Action::ListsWrite)?;
        let name = patch
            .name
            .as_deref()
            .map(|n| validate_name(n, "list name").map_err(|e| AppError::field("name", e)))
            .transpose()?;
        let description = patch
            .description
            .as_deref()
            .map(validate_description)
            .transpose()?;
        let wording = patch
            .signup_wording
            .as_deref()
            .map(validate_wording)
            .transpose()?;
        let txn = self.db.begin().await?;
        let current = find(&txn, actor.organization_id, id).await?;
        let mut row: list::ActiveModel = current.into();
        if let Some(enabled) = patch.signup_enabled {
            row.signup_enabled = Set(enabled);
        }
        if let Some(wording) = wording {
            row.signup_wording = Set(wording);
        }
        if let Some(name) = name {
            row.name = Set(name);
        }
        if let Some(description) = description {
            row.description = Set(description);
        }
        row.updated_at = Set(Utc::now());
        let saved = row.update(&txn).await.map_err(name_taken)?;
        let n = member_counts(&txn, &[id])
            .await?
            .get(&id)
            .copied()
            .unwrap_or(0);
        txn.commit().await?;
        Ok(self.to_dto(saved, n))
    }

    #[tracing::instrument(skip_all, fields(organization_id = %actor.organization_id, list_id = %id))]
    pub async fn delete(&self, actor: &Actor, id: Uuid) -> ServiceResult<()> {
        require(actor, Action::ListsWrite)?;
        let txn = self.db.begin().await?;
        find(&txn, actor.organization_id, id).await?;
        // A campaign not yet sent keeps its lists: deleting one would change its audience
        // behind its back (and leave it pointing at nothing). Sent or cancelled campaigns
        // just lose the reference.
        let campaigns: Vec<Uuid> = campaign_list::Entity::find()
            .select_only()
            .column(campaign_list::Column::CampaignId)
            .filter(campaign_list::Column::ListId.eq(id))
            .into_tuple()
            .all(&txn)
            .await?;
        let unsent = [
            CampaignStatus::Draft,
            CampaignStatus::Scheduled,
            CampaignStatus::Running,
            CampaignStatus::Paused,
        ]
        .map(CampaignStatus::as_str);
        let pending = campaign::Entity::find()
            .filter(campaign::Column::Id.is_in(campaigns))
            .filter(campaign::Column::Status.is_in(unsent))
            .count(&txn)
            .await?;
        if pending > 0 {
            return Err(AppError::Conflict(format!(
                "{pending} campaign(s) not yet sent use this list; take it out of them first"
            ))
            .into());
        }
        campaign_list::Entity::delete_many()
            .filter(campaign_list::Column::ListId.eq(id))
            .exec(&txn)
            .await?;
        list_member::Entity::delete_many()
            .filter(list_member::Column::ListId.eq(id))
            .exec(&txn)
            .await?;
        list_signup::Entity::delete_many()
            .filter(list_signup::Column::ListId.eq(id))
            .exec(&txn)
            .await?;
        list::Entity::delete_by_id(id).exec(&txn).await?;
        txn.commit().await?;
        tracing::info!("list deleted");
        Ok(())
    }

    #[tracing::instrument(skip_all, fields(organization_id = %actor.organization_id, list_id = %id))]
    pub async fn add_members(
        &self,
        actor: &Actor,
        id: Uuid,
        contact_ids: Vec<Uuid>,
    ) -> ServiceResult<ListMembersChanged> {
        require(actor, Action::ListsWrite)?;
        let ids = distinct(contact_ids)?;
        let txn = self.db.begin().await?;
        find(&txn, actor.organization_id, id).await?;
        let known: HashSet<Uuid> = contact::Entity::find()
            .select_only()
            .column(contact::Column::Id)
            .filter(contact::Column::OrganizationId.eq(actor.organization_id))
            .filter(contact::Column::Id.is_in(ids.iter().copied()))
            .into_tuple::<Uuid>()
            .all(&txn)
            .await?
            .into_iter()
            .collect();
        let unknown = ids.iter().filter(|i| !known.contains(i)).count();
        if unknown > 0 {
            // Same message whether they exist in another organization or nowhere.
            return Err(AppError::field(
                "contact_ids",
                format!("{unknown} of these contacts do not exist"),
            )
            .into());
        }
        let now = Utc::now();
        let rows = ids.iter().map(|c| list_member::ActiveModel {
            list_id: Set(id),
            contact_id: Set(*c),
            created_at: Set(now),
        });
        let changed = list_member::Entity::insert_many(rows)
            .on_conflict_do_nothing_on([
                list_member::Column::ListId,
                list_member::Column::ContactId,
            ])
            .exec_without_returning(&txn)
            .await
            .map(|r| match r {
                sea_orm::TryInsertResult::Inserted(n) => n,
                _ => 0,
            })?;
        let n = member_counts(&txn, &[id])
            .await?
            .get(&id)
            .copied()
            .unwrap_or(0);
        txn.commit().await?;
        Ok(ListMembersChanged {
            changed,
            member_count: n,
        })
    }

    #[tracing::instrument(skip_all, fields(organization_id = %actor.organization_id, list_id = %id))]
    pub async fn remove_members(
        &self,
        actor: &Actor,
        id: Uuid,
        contact_ids: Vec<Uuid>,
    ) -> ServiceResult<ListMembersChanged> {
        require(actor, Action::ListsWrite)?;
        let ids = distinct(contact_ids)?;
        let txn = self.db.begin().await?;
        find(&txn, actor.organization_id, id).await?;
        let changed = list_member::Entity::delete_many()
            .filter(list_member::Column::ListId.eq(id))
            .filter(list_member::Column::ContactId.is_in(ids))
            .exec(&txn)
            .await?
            .rows_affected;
        let n = member_counts(&txn, &[id])
            .await?
            .get(&id)
            .copied()
            .unwrap_or(0);
        txn.commit().await?;
        Ok(ListMembersChanged {
            changed,
            member_count: n,
        })
    }
}

async fn find(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
    id: Uuid,
) -> ServiceResult<list::Model> {
    list::Entity::find_by_id(id)
        .filter(list::Column::OrganizationId.eq(organization_id))
        .one(db)
        .await?
        .ok_or_else(|| not_found("list"))
}

/// Member counts of `ids` with one grouped query.
async fn member_counts(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> ServiceResult<HashMap<Uuid, u64>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = list_member::Entity::find()
        .select_only()
        .column_as(list_member::Column::ListId, "list_id")
        .column_as(list_member::Column::ContactId.count(), "n")
        .filter(list_member::Column::ListId.is_in(ids.iter().copied()))
        .group_by(list_member::Column::ListId)
        .into_model::<Count>()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|c| (c.list_id, u64::try_from(c.n).unwrap_or(0)))
        .collect())
}

fn distinct(ids: Vec<Uuid>) -> ServiceResult<Vec<Uuid>> {
    let mut seen = HashSet::new();
    let ids: Vec<Uuid> = ids.into_iter().filter(|i| seen.insert(*i)).collect();
    if ids.is_empty() {
        return Err(AppError::field("contact_ids", "give at least one contact id").into());
    }
    if ids.len() > MEMBERS_MAX {
        return Err(AppError::field(
            "contact_ids",
            format!("at most {MEMBERS_MAX} contacts per request"),
        )
        .into());
    }
    Ok(ids)
}

fn validate_description(raw: &str) -> ServiceResult<String> {
    let d = raw.trim();
    if d.chars().count() > DESCRIPTION_MAX {
        return Err(AppError::field(
            "description",
            format!("at most {DESCRIPTION_MAX} characters"),
        )
        .into());
    }
    Ok(d.to_owned())
}

/// A sign-up form's consent wording: `None` (the default) when empty.
fn validate_wording(raw: &str) -> ServiceResult<Option<String>> {
    let wording = raw.trim();
    if wording.chars().count() > SIGNUP_WORDING_MAX {
        return Err(AppError::field(
            "signup_wording",
            format!("at most {SIGNUP_WORDING_MAX} characters"),
        )
        .into());
    }
    Ok((!wording.is_empty()).then(|| wording.to_owned()))
}

fn name_taken(e: sea_orm::DbErr) -> ServiceError {
    if matches!(
        e.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    ) {
        AppError::field("name", "another list already has this name").into()
    } else {
        e.into()
    }
}
