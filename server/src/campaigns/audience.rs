//! The lists a campaign targets, seen from the campaign: do they exist in the
//! organization, and how many distinct contacts do they reach after exclusions.
//! Queries the lists tables directly (read-only), in the caller's transaction.

use crate::error::ServiceResult;
use sea_orm::{
    sea_query::{Alias, Expr, ExprTrait, Func, Query},
    ConnectionTrait,
};
use uuid::Uuid;

fn lists() -> Alias {
    Alias::new("lists")
}

fn members() -> Alias {
    Alias::new("list_members")
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
    let query = Query::select()
        .column(Alias::new("id"))
        .from(lists())
        .and_where(Expr::col(Alias::new("organization_id")).eq(organization_id))
        .and_where(Expr::col(Alias::new("id")).is_in(ids.iter().copied()))
        .to_owned();
    let found: Vec<Uuid> = db
        .query_all(&query)
        .await?
        .iter()
        .map(|row| row.try_get::<Uuid>("", "id"))
        .collect::<Result<_, _>>()?;
    Ok(ids
        .iter()
        .copied()
        .filter(|id| !found.contains(id))
        .collect())
}

/// Distinct contacts in any of `include` and in none of `exclude`.
pub async fn size(
    db: &impl ConnectionTrait,
    include: &[Uuid],
    exclude: &[Uuid],
) -> ServiceResult<u64> {
    if include.is_empty() {
        return Ok(0);
    }
    let mut query = Query::select()
        .expr_as(
            Func::count_distinct(Expr::col(Alias::new("contact_id"))),
            Alias::new("n"),
        )
        .from(members())
        .and_where(Expr::col(Alias::new("list_id")).is_in(include.iter().copied()))
        .to_owned();
    if !exclude.is_empty() {
        query.and_where(
            Expr::col(Alias::new("contact_id")).not_in_subquery(
                Query::select()
                    .column(Alias::new("contact_id"))
                    .from(members())
                    .and_where(Expr::col(Alias::new("list_id")).is_in(exclude.iter().copied()))
                    .to_owned(),
            ),
        );
    }
    let n: i64 = match db.query_one(&query).await? {
        Some(row) => row.try_get("", "n")?,
        None => 0,
    };
    Ok(u64::try_from(n).unwrap_or(0))
}

/// Every list of the organization with its member count, by name.
pub async fn options(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
) -> ServiceResult<Vec<app::model::ListOption>> {
    let query = Query::select()
        .expr_as(Expr::col((lists(), Alias::new("id"))), Alias::new("id"))
        .expr_as(Expr::col((lists(), Alias::new("name"))), Alias::new("name"))
        .expr_as(
            Func::count(Expr::col((members(), Alias::new("contact_id")))),
            Alias::new("n"),
        )
        .from(lists())
        .left_join(
            members(),
            Expr::col((members(), Alias::new("list_id"))).equals((lists(), Alias::new("id"))),
        )
        .and_where(Expr::col((lists(), Alias::new("organization_id"))).eq(organization_id))
        .group_by_col((lists(), Alias::new("id")))
        .group_by_col((lists(), Alias::new("name")))
        .order_by(
            (lists(), Alias::new("name")),
            sea_orm::sea_query::Order::Asc,
        )
        .to_owned();
    db.query_all(&query)
        .await?
        .iter()
        .map(|row| {
            let n: i64 = row.try_get("", "n")?;
            Ok(app::model::ListOption {
                id: row.try_get("", "id")?,
                name: row.try_get("", "name")?,
                member_count: u64::try_from(n).unwrap_or(0),
            })
        })
        .collect()
}
