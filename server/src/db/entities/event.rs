//! What happened, in order, per organization: campaign moves, messages, unsubscribes.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "events")]
pub struct Model {
    /// The cursor: increasing in insertion order.
    #[sea_orm(primary_key)]
    pub id: i64,
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
