//! Recording a hit in the caller's transaction: the delivery's first open or click, the
//! link's clicks, the campaign's counters and the organization's hour, the event.

use crate::{
    db::entities::{
        delivery::{self, DeliveryStatus},
        delivery_counter, link_click, tracked_link,
    },
    delivery::record::{self, Report, Reported},
    error::ServiceResult,
    events::{self, Kind, New},
    stats::hourly,
    tracking::machine::{self, Hit},
};
use app::model::Channel;
use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::{Expr, ExprTrait, OnConflict},
    ActiveValue::Set,
    ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter,
};
use serde_json::json;
use std::time::Duration;
use uuid::Uuid;

/// How long after a send a hit is a machine's (see [`machine::verdict`]).
fn since_sent(d: &delivery::Model, now: DateTime<Utc>) -> Option<Duration> {
    d.sent_at
        .map(|at| (now - at).to_std().unwrap_or(Duration::ZERO))
}

/// Sets `column` of delivery `id` to `now` unless it is set: whether this was the first.
async fn first(
    txn: &DatabaseTransaction,
    id: Uuid,
    column: delivery::Column,
    now: DateTime<Utc>,
) -> ServiceResult<bool> {
    let set = delivery::Entity::update_many()
        .col_expr(column, Expr::value(now))
        .filter(delivery::Column::Id.eq(id))
        .filter(column.is_null())
        .exec(txn)
        .await?;
    Ok(set.rows_affected == 1)
}

/// The same moves in the organization's channel's hour (see `stats::hourly`).
async fn hour(
    txn: &DatabaseTransaction,
    d: &delivery::Model,
    columns: &[delivery_counter::Column],
) -> ServiceResult<()> {
    use delivery_counter::Column as C;
    let Ok(channel) = d.channel.parse::<Channel>() else {
        return Ok(());
    };
    let mut flow = hourly::Flow::default();
    for column in columns {
        match column {
            C::UniqueOpens => flow.unique_opens += 1,
            C::UniqueClicks => flow.unique_clicks += 1,
            C::MachineOpens => flow.machine_opens += 1,
            C::MachineClicks => flow.machine_clicks += 1,
            _ => {}
        }
    }
    hourly::add(txn, d.organization_id, channel, flow).await
}

/// Adds one to each of `columns` of the delivery's campaign counters.
async fn count(
    txn: &DatabaseTransaction,
    d: &delivery::Model,
    columns: &[delivery_counter::Column],
) -> ServiceResult<()> {
    if columns.is_empty() {
        return Ok(());
    }
    let mut update = delivery_counter::Entity::update_many();
    for column in columns {
        update = update.col_expr(*column, Expr::col(*column).add(1));
    }
    update
        .filter(delivery_counter::Column::CampaignId.eq(d.campaign_id))
        .filter(delivery_counter::Column::Channel.eq(d.channel.as_str()))
        .exec(txn)
        .await?;
    Ok(())
}

fn event(d: &delivery::Model, kind: Kind, data: serde_json::Value) -> New {
    New {
        organization_id: d.organization_id,
        kind,
        campaign_id: Some(d.campaign_id),
        contact_id: Some(d.contact_id),
        delivery_id: Some(d.id),
        channel: d.channel.parse::<Channel>().ok(),
        data,
    }
}

/// A hit proves the message arrived: a `sent` delivery (no provider confirmed it, as
/// with SMTP) becomes `delivered`, counters and event with it.
async fn arrived(txn: &DatabaseTransaction, d: &delivery::Model) -> ServiceResult<()> {
    let (Some(channel), DeliveryStatus::Sent) = (d.channel.parse::<Channel>().ok(), d.status)
    else {
        return Ok(());
    };
    let row = Reported {
        id: d.id,
        organization_id: d.organization_id,
        campaign_id: d.campaign_id,
        contact_id: d.contact_id,
        channel,
    };
    // Nothing pending changes, so no campaign can complete by it.
    let (_, _touched) = record::reports(txn, vec![(row, Report::Delivered)]).await?;
    Ok(())
}

/// When a hit on `d` happens and why it is a machine's, if it is; the message arrived.
async fn judge(
    txn: &DatabaseTransaction,
    d: &delivery::Model,
    mut hit: Hit,
    window: Duration,
) -> ServiceResult<(DateTime<Utc>, Option<&'static str>)> {
    let now = Utc::now();
    hit.since_sent = hit.since_sent.or_else(|| since_sent(d, now));
    arrived(txn, d).await?;
    Ok((now, machine::verdict(&hit, window)))
}

/// An open of delivery `d`.
pub async fn open(
    txn: &DatabaseTransaction,
    d: &delivery::Model,
    hit: Hit,
    window: Duration,
) -> ServiceResult<()> {
    use delivery_counter::Column as C;
    let (now, verdict) = judge(txn, d, hit, window).await?;
    let mut columns = Vec::new();
    if verdict.is_some() {
        columns.push(C::MachineOpens);
    } else {
        columns.push(C::Opens);
        if first(txn, d.id, delivery::Column::OpenedAt, now).await? {
            columns.push(C::UniqueOpens);
        }
    }
    count(txn, d, &columns).await?;
    hour(txn, d, &columns).await?;
    events::record(
        txn,
        vec![event(d, Kind::MessageOpened, json!({"machine": verdict}))],
    )
    .await
}

/// A click of delivery `d` on `link` (of its campaign).
pub async fn click(
    txn: &DatabaseTransaction,
    d: &delivery::Model,
    link: &tracked_link::Model,
    hit: Hit,
    window: Duration,
) -> ServiceResult<()> {
    use delivery_counter::Column as C;
    let (now, verdict) = judge(txn, d, hit, window).await?;
    let mut columns = Vec::new();
    if verdict.is_some() {
        columns.push(C::MachineClicks);
    } else {
        columns.push(C::Clicks);
        if first(txn, d.id, delivery::Column::ClickedAt, now).await? {
            columns.push(C::UniqueClicks);
        }
        // A click is an open too (images are often blocked): the first one counts.
        if first(txn, d.id, delivery::Column::OpenedAt, now).await? {
            columns.push(C::UniqueOpens);
        }
        let first_on_link = link_click::Entity::insert(link_click::ActiveModel {
            delivery_id: Set(d.id),
            link_id: Set(link.id),
            first_at: Set(now),
        })
        .on_conflict(
            OnConflict::columns([link_click::Column::DeliveryId, link_click::Column::LinkId])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(txn)
        .await?
            == 1;
        let mut update = tracked_link::Entity::update_many().col_expr(
            tracked_link::Column::Clicks,
            Expr::col(tracked_link::Column::Clicks).add(1),
        );
        if first_on_link {
            update = update.col_expr(
                tracked_link::Column::UniqueClicks,
                Expr::col(tracked_link::Column::UniqueClicks).add(1),
            );
        }
        update
            .filter(tracked_link::Column::Id.eq(link.id))
            .exec(txn)
            .await?;
    }
    count(txn, d, &columns).await?;
    hour(txn, d, &columns).await?;
    events::record(
        txn,
        vec![event(
            d,
            Kind::MessageClicked,
            json!({"link_id": link.id, "machine": verdict}),
        )],
    )
    .await
}
