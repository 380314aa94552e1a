//! A link of a campaign's messages, as rendered: where a click on it goes.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tracked_links")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    pub campaign_id: Uuid,
    /// The URL's blind index (the organization's index key).
    pub url_hash: String,
    /// Sealed under the master key (`tracking::links::URL`, bound to the row's id).
    pub url: String,
    pub clicks: i64,
    /// Deliveries that clicked it at least once (machines' clicks not counted).
    pub unique_clicks: i64,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
