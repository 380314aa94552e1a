//! A campaign's audience: the contacts in any of its target lists and in none of its
//! exclusion lists, each once, only through lists of the campaign's organization.
//! [`query`] is the one definition; the fan-out uses it as the source of an
//! `INSERT … SELECT`, [`page`] reads it in bounded pages, [`size`] counts it, and
//! [`is_empty`] tells whether it has anyone.

use crate::{
    db::entities::{campaign_list, list, list_member},
    error::ServiceResult,
};
use app::model::ListOption;
use sea_orm::{
    sea_query::{Alias, Expr, ExprTrait, Func, Query, SelectStatement, UnionType},
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, JoinType, Order, QueryFilter,
    QueryOrder, QuerySelect, RelationTrait,
};
use uuid::Uuid;

/// `SELECT … EXCEPT SELECT …`: the audience of `campaign_id`, as a query with one
/// column, `contact_id`, each contact once. A set difference rather than `NOT EXISTS`:
/// PostgreSQL then estimates the audience at its real size, which keeps the plan of the
/// fan-out (joined to contacts and consents) right at a million contacts.
pub fn query(organization_id: Uuid, campaign_id: Uuid) -> SelectStatement {
    included(organization_id, campaign_id)
        .union(UnionType::Except, excluded(campaign_id))
        .to_owned()
}

/// Whether the campaign reaches nobody. Stops at the first contact found.
pub async fn is_empty(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
    campaign_id: Uuid,
) -> ServiceResult<bool> {
    let mut not_excluded = excluded(campaign_id);
    not_excluded.and_where(
        Expr::col((
            Alias::new("excluded_member"),
            list_member::Column::ContactId,
        ))
        .equals((list_member::Entity, list_member::Column::ContactId)),
    );
    let first = included(organization_id, campaign_id)
        .and_where(Expr::exists(not_excluded).not())
        .limit(1)
        .to_owned();
    Ok(db.query_one(&first).await?.is_none())
}

/// Members of the campaign's target lists (of its organization), possibly repeated.
fn included(organization_id: Uuid, campaign_id: Uuid) -> SelectStatement {
    Query::select()
        .column((list_member::Entity, list_member::Column::ContactId))
        .from(list_member::Entity)
        .inner_join(
            campaign_list::Entity,
            Expr::col((campaign_list::Entity, campaign_list::Column::ListId))
                .equals((list_member::Entity, list_member::Column::ListId)),
        )
        .inner_join(
            list::Entity,
            Expr::col((list::Entity, list::Column::Id))
                .equals((list_member::Entity, list_member::Column::ListId)),
        )
        .and_where(
            Expr::col((campaign_list::Entity, campaign_list::Column::CampaignId)).eq(campaign_id),
        )
        .and_where(Expr::col((campaign_list::Entity, campaign_list::Column::Excluded)).eq(false))
        .and_where(Expr::col((list::Entity, list::Column::OrganizationId)).eq(organization_id))
        .to_owned()
}

/// Members of the campaign's exclusion lists. Exclusion lists are checked to be the
/// organization's when the campaign is saved, like its targets.
fn excluded(campaign_id: Uuid) -> SelectStatement {
    let member = Alias::new("excluded_member");
    let exclusion = Alias::new("exclusion");
    Query::select()
        .column((member.clone(), list_member::Column::ContactId))
        .from_as(list_member::Entity, member.clone())
        .join_as(
            JoinType::InnerJoin,
            campaign_list::Entity,
            exclusion.clone(),
            Expr::col((exclusion.clone(), campaign_list::Column::ListId))
                .equals((member, list_member::Column::ListId)),
        )
        .and_where(
            Expr::col((exclusion.clone(), campaign_list::Column::CampaignId)).eq(campaign_id),
        )
        .and_where(Expr::col((exclusion, campaign_list::Column::Excluded)).eq(true))
        .to_owned()
}

/// How many contacts the campaign reaches.
pub async fn size(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
    campaign_id: Uuid,
) -> ServiceResult<u64> {
    let count = Query::select()
        .expr_as(
            Func::count(Expr::col(Alias::new("contact_id"))),
            Alias::new("n"),
        )
        .from_subquery(query(organization_id, campaign_id), Alias::new("audience"))
        .to_owned();
    let n: i64 = match db.query_one(&count).await? {
        Some(row) => row.try_get("", "n")?,
        None => 0,
    };
    Ok(u64::try_from(n).unwrap_or(0))
}

/// Up to `limit` contact ids of the audience after `after`, in id order: read page by
/// page, the audience of any size is walked in bounded memory.
pub async fn page(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
    campaign_id: Uuid,
    after: Option<Uuid>,
    limit: u64,
) -> ServiceResult<Vec<Uuid>> {
    let mut select = Query::select()
        .column(Alias::new("contact_id"))
        .from_subquery(query(organization_id, campaign_id), Alias::new("audience"))
        .order_by(Alias::new("contact_id"), Order::Asc)
        .limit(limit)
        .to_owned();
    if let Some(after) = after {
        select.and_where(Expr::col(Alias::new("contact_id")).gt(after));
    }
    db.query_all(&select)
        .await?
        .iter()
        .map(|row| Ok(row.try_get::<Uuid>("", "contact_id")?))
        .collect()
}

/// The ids among `ids` that are not lists of `organization_id`.
pub async fn unknown_lists(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
    ids: &[Uuid],
) -> ServiceResult<Vec<Uuid>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let found: Vec<Uuid> = list::Entity::find()
        .select_only()
        .column(list::Column::Id)
        .filter(list::Column::OrganizationId.eq(organization_id))
        .filter(list::Column::Id.is_in(ids.iter().copied()))
        .into_tuple()
        .all(db)
        .await?;
    Ok(ids
        .iter()
        .copied()
        .filter(|id| !found.contains(id))
        .collect())
}

#[derive(FromQueryResult)]
struct OptionRow {
    id: Uuid,
    name: String,
    n: i64,
}

/// Every list of the organization with its member count, by name.
pub async fn options(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
) -> ServiceResult<Vec<ListOption>> {
    let rows = list::Entity::find()
        .select_only()
        .column(list::Column::Id)
        .column(list::Column::Name)
        .column_as(list_member::Column::ContactId.count(), "n")
        .join_rev(JoinType::LeftJoin, list_member::Relation::List.def())
        .filter(list::Column::OrganizationId.eq(organization_id))
        .group_by(list::Column::Id)
        .group_by(list::Column::Name)
        .order_by_asc(list::Column::Name)
        .into_model::<OptionRow>()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| ListOption {
            id: r.id,
            name: r.name,
            member_count: u64::try_from(r.n).unwrap_or(0),
        })
        .collect())
}
