//! One organization's channel in one UTC hour: how its figures moved (see `stats::hourly`).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "channel_hours")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub organization_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub hour: DateTimeUtc,
    #[sea_orm(primary_key, auto_increment = false)]
    pub channel: String,
    /// Net moves of the campaign counters in the hour (a bounce after delivery takes
    /// one back from `sent` and `delivered`), so a period's sums equal the counters.
    pub sent: i64,
    pub delivered: i64,
    pub failed: i64,
    pub skipped: i64,
    pub unique_opens: i64,
    pub unique_clicks: i64,
    pub machine_opens: i64,
    pub machine_clicks: i64,
    pub bounced: i64,
    pub complained: i64,
    pub unsubscribed: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
