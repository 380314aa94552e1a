//! An organization's retention policy (no row: keep everything).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "retention_policies")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub organization_id: Uuid,
    /// Deliveries and events older than this many months are deleted (`None`: kept).
    pub delivery_months: Option<i32>,
    /// Contacts inactive for this many months are deleted (`None`: kept).
    pub contact_months: Option<i32>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
