//! A campaign's deliveries on one channel, counted by status as the outcomes are
//! recorded (in the same transactions), so progress never scans the deliveries.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "delivery_counters")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub campaign_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub channel: String,
    pub organization_id: Uuid,
    pub total: i64,
    pub pending: i64,
    pub sent: i64,
    pub delivered: i64,
    pub failed: i64,
    pub skipped: i64,
    pub cancelled: i64,
    pub skipped_no_consent: i64,
    pub skipped_no_address: i64,
    pub skipped_unsubscribed: i64,
    pub skipped_suppressed: i64,
    /// Opens by people, repeats included.
    pub opens: i64,
    /// Deliveries opened at least once by a person (machine opens not counted).
    pub unique_opens: i64,
    /// Opens flagged as a machine's (a privacy proxy, a scanner): kept out of the rates.
    pub machine_opens: i64,
    /// Clicks by people, repeats included (a click also counts as the first open).
    pub clicks: i64,
    pub unique_clicks: i64,
    /// Clicks flagged as a scanner's.
    pub machine_clicks: i64,
    /// Contacts whose consent for the channel this campaign's message ended: a hard
    /// bounce, a spam complaint, its unsubscribe link.
    pub bounced: i64,
    pub complained: i64,
    pub unsubscribed: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
