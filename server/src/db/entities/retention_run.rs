//! One day's application of an organization's retention policy.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "retention_runs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    /// `YYYY-MM-DD` (UTC).
    pub day: String,
    /// `running` or `done`.
    pub status: String,
    /// The policy it applied.
    pub delivery_months: Option<i32>,
    pub contact_months: Option<i32>,
    pub deliveries_deleted: i64,
    pub events_deleted: i64,
    pub contacts_deleted: i64,
    /// The last failure, when a try failed (the run is tried again).
    pub error: Option<String>,
    pub lease_until: Option<DateTimeUtc>,
    pub lease_owner: Option<Uuid>,
    pub started_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
