//! Who moved a campaign from one state to another, and when: a user, or the system.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "campaign_status_changes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub campaign_id: Uuid,
    pub organization_id: Uuid,
    pub from_status: super::campaign::Status,
    pub to_status: super::campaign::Status,
    /// The user who did it; `None` for the system.
    pub by_user_id: Option<Uuid>,
    /// The part of the system that did it (`scheduler`, `worker`, `webhook`); `None` for a user.
    pub by_system: Option<String>,
    pub at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
