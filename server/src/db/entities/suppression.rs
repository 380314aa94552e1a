//! An address that must not be sent to on one channel, as a blind index (the address
//! itself is not kept, so an entry outlives an erased contact without keeping them).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "suppressions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    pub channel: String,
    pub address_index: String,
    /// `unsubscribe`, `bounce`, `complaint`, `stop`, `erasure` or `admin`.
    pub reason: String,
    pub contact_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
