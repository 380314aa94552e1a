//! A hit, recorded: in one transaction, the delivery's first open or click, the link's
//! clicks, the campaign's counters and the event. A machine's hit moves only its own
//! counter (and the event says so), so the rates stay about people.

use super::machine::{self, Hit};
use crate::{
    db::entities::{delivery, delivery_counter, link_click, tracked_link},
    error::ServiceResult,
    events::{self, Kind, New},
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

/// An open of delivery `d`.
pub async fn open(
    txn: &DatabaseTransaction,
    d: &delivery::Model,
    mut hit: Hit,
    window: Duration,
) -> ServiceResult<()> {
    use delivery_counter::Column as C;
    let now = Utc::now();
    hit.since_sent = since_sent(d, now);
    let verdict = machine::verdict(&hit, window);
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
    mut hit: Hit,
    window: Duration,
) -> ServiceResult<()> {
    use delivery_counter::Column as C;
    let now = Utc::now();
    hit.since_sent = since_sent(d, now);
    let verdict = machine::verdict(&hit, window);
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
