//! What happened, in order, per organization: campaign moves, messages, unsubscribes.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "events")]
pub struct Model {
    /// Increasing in insertion order.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The writing transaction's id on PostgreSQL (0 on SQLite), set by the database:
    /// readers go by `(tx, id)`, which is the commit order (migration m0013).
    pub tx: i64,
    pub organization_id: Uuid,
    /// `CampaignStarted`, `MessageSent`, ...
    pub kind: String,
    pub occurred_at: DateTimeUtc,
    pub campaign_id: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    pub delivery_id: Option<Uuid>,
    pub channel: Option<String>,
    /// A JSON object.
    pub data: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
