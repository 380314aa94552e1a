//! Reading and setting the policy, and the latest runs.

use crate::{
    audit::{self, Entry},
    auth::require,
    db::entities::{retention_policy, retention_run},
    error::ServiceResult,
};
use app::{
    error::AppError,
    model::{
        Action, Actor, FieldErrors, RetentionPolicy, RetentionRunDto, RetentionView,
        RETENTION_MAX_MONTHS,
    },
};
use chrono::Utc;
use sea_orm::{
    sea_query::OnConflict, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, TransactionTrait,
};

/// Runs shown with the policy.
const RUNS_SHOWN: u64 = 30;

pub struct Retention {
    pub(super) db: DatabaseConnection,
}

impl Retention {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// The background job that applies the policies.
    pub fn job(&self) -> super::RetentionJob {
        super::RetentionJob {
            db: self.db.clone(),
        }
    }

    pub async fn view(&self, actor: &Actor) -> ServiceResult<RetentionView> {
        require(actor, Action::SettingsRead)?;
        let policy = retention_policy::Entity::find_by_id(actor.organization_id)
            .one(&self.db)
            .await?
            .map(|p| RetentionPolicy {
                delivery_months: months(p.delivery_months),
                contact_months: months(p.contact_months),
            })
            .unwrap_or_default();
        let runs = retention_run::Entity::find()
            .filter(retention_run::Column::OrganizationId.eq(actor.organization_id))
            .order_by_desc(retention_run::Column::Day)
            .limit(RUNS_SHOWN)
            .all(&self.db)
            .await?
            .into_iter()
            .map(to_dto)
            .collect();
        Ok(RetentionView { policy, runs })
    }

    #[tracing::instrument(skip_all, fields(organization_id = %actor.organization_id))]
    pub async fn set(
        &self,
        actor: &Actor,
        policy: RetentionPolicy,
    ) -> ServiceResult<RetentionView> {
        require(actor, Action::SettingsManage)?;
        let mut errors = FieldErrors::new();
        for (field, value) in [
            ("delivery_months", policy.delivery_months),
            ("contact_months", policy.contact_months),
        ] {
            if value.is_some_and(|m| m == 0 || m > RETENTION_MAX_MONTHS) {
                errors.insert(
                    field.into(),
                    format!(
                        "from 1 to {RETENTION_MAX_MONTHS} months, or empty to keep without limit"
                    ),
                );
            }
        }
        if !errors.is_empty() {
            return Err(AppError::fields(errors).into());
        }
        let as_i32 = |m: Option<u32>| m.and_then(|m| i32::try_from(m).ok());
        let txn = self.db.begin().await?;
        retention_policy::Entity::insert(retention_policy::ActiveModel {
            organization_id: Set(actor.organization_id),
            delivery_months: Set(as_i32(policy.delivery_months)),
            contact_months: Set(as_i32(policy.contact_months)),
            updated_at: Set(Utc::now()),
        })
        .on_conflict(
            OnConflict::column(retention_policy::Column::OrganizationId)
                .update_columns([
                    retention_policy::Column::DeliveryMonths,
                    retention_policy::Column::ContactMonths,
                    retention_policy::Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
        audit::record(
            &txn,
            Entry::by(actor, "retention.updated", "organization", actor.organization_id).with(
                serde_json::json!({"delivery_months": policy.delivery_months, "contact_months": policy.contact_months}),
            ),
        )
        .await?;
        txn.commit().await?;
        tracing::info!(?policy, "retention policy set");
        self.view(actor).await
    }
}

fn months(m: Option<i32>) -> Option<u32> {
    m.and_then(|m| u32::try_from(m).ok())
}

fn to_dto(r: retention_run::Model) -> RetentionRunDto {
    let count = |n: i64| u64::try_from(n).unwrap_or(0);
    RetentionRunDto {
        id: r.id,
        day: r.day,
        status: r.status,
        delivery_months: months(r.delivery_months),
        contact_months: months(r.contact_months),
        deliveries_deleted: count(r.deliveries_deleted),
        events_deleted: count(r.events_deleted),
        contacts_deleted: count(r.contacts_deleted),
        error: r.error,
        started_at: r.started_at,
        finished_at: r.finished_at,
    }
}
