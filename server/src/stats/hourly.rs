//! The per-hour figures of each organization's channels (`channel_hours`), moved in the
//! transactions that move the campaign counters, by the same amounts.

use crate::{db::entities::channel_hour, error::ServiceResult};
use app::model::Channel;
use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use sea_orm::{
    sea_query::{Alias, Expr, ExprTrait, OnConflict},
    ActiveValue::Set,
    ConnectionTrait, EntityTrait,
};
use uuid::Uuid;

/// How the figures of one channel moved.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Flow {
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

impl Flow {
    fn is_empty(&self) -> bool {
        *self == Flow::default()
    }
}

/// The start of `at`'s UTC hour.
pub fn hour_of(at: DateTime<Utc>) -> DateTime<Utc> {
    at.duration_trunc(TimeDelta::hours(1)).unwrap_or(at)
}

/// Adds `flow` to the organization's channel in the current hour.
pub async fn add(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
    channel: Channel,
    flow: Flow,
) -> ServiceResult<()> {
    if flow.is_empty() {
        return Ok(());
    }
    use channel_hour::Column as C;
    let row = channel_hour::ActiveModel {
        organization_id: Set(organization_id),
        hour: Set(hour_of(Utc::now())),
        channel: Set(channel.as_str().to_owned()),
        sent: Set(flow.sent),
        delivered: Set(flow.delivered),
        failed: Set(flow.failed),
        skipped: Set(flow.skipped),
        unique_opens: Set(flow.unique_opens),
        unique_clicks: Set(flow.unique_clicks),
        machine_opens: Set(flow.machine_opens),
        machine_clicks: Set(flow.machine_clicks),
        bounced: Set(flow.bounced),
        complained: Set(flow.complained),
        unsubscribed: Set(flow.unsubscribed),
    };
    // Two writers in one hour: the second adds to the first's row.
    let sum = |c: C| {
        (
            c,
            Expr::col((channel_hour::Entity, c)).add(Expr::col((Alias::new("excluded"), c))),
        )
    };
    channel_hour::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([C::OrganizationId, C::Hour, C::Channel])
                .values([
                    sum(C::Sent),
                    sum(C::Delivered),
                    sum(C::Failed),
                    sum(C::Skipped),
                    sum(C::UniqueOpens),
                    sum(C::UniqueClicks),
                    sum(C::MachineOpens),
                    sum(C::MachineClicks),
                    sum(C::Bounced),
                    sum(C::Complained),
                    sum(C::Unsubscribed),
                ])
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}
