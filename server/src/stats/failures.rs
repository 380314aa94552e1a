//! Why a campaign's deliveries failed: their last errors, grouped, the most frequent
//! first. Read from the campaign's failed deliveries only (one grouped query).

use super::{n, Stats};
use crate::{
    auth::require,
    campaigns::store,
    db::entities::delivery::{self, DeliveryStatus},
    error::ServiceResult,
};
use app::model::{Action, Actor, FailureReason};
use sea_orm::{
    sea_query::{Alias, Expr},
    ColumnTrait, EntityTrait, FromQueryResult, Order, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

/// Reasons listed per campaign.
pub const MAX_REASONS: u64 = 10;

#[derive(FromQueryResult)]
struct Row {
    error: Option<String>,
    n: i64,
}

impl Stats {
    /// The campaign's failures grouped by reason, the most frequent first (at most
    /// [`MAX_REASONS`]).
    #[tracing::instrument(skip_all, fields(organization_id = %actor.organization_id, %id))]
    pub async fn failures(&self, actor: &Actor, id: Uuid) -> ServiceResult<Vec<FailureReason>> {
        require(actor, Action::CampaignsRead)?;
        store::find(&self.db, actor.organization_id, id).await?;
        let rows = delivery::Entity::find()
            .select_only()
            .column(delivery::Column::Error)
            .column_as(delivery::Column::Id.count(), "n")
            .filter(delivery::Column::CampaignId.eq(id))
            .filter(delivery::Column::OrganizationId.eq(actor.organization_id))
            .filter(delivery::Column::Status.eq(DeliveryStatus::Failed))
            .group_by(delivery::Column::Error)
            .order_by(Expr::col(Alias::new("n")), Order::Desc)
            .order_by_asc(delivery::Column::Error)
            .limit(MAX_REASONS)
            .into_model::<Row>()
            .all(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| FailureReason {
                reason: r.error,
                count: n(r.n),
            })
            .collect())
    }
}
