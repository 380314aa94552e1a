//! Recording hits in the caller's transaction, many at once: the deliveries' first opens
//! and clicks, the links' clicks, the campaigns' counters and the organizations' hours,
//! the events. A batch costs a few statements per campaign and link it touches, however
//! many hits it holds: the tracking endpoints' [`writer`](super::writer) and the
//! simulator both record through here.

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
    sea_query::{Expr, ExprTrait},
    ActiveValue::Set,
    ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, TryInsertResult,
};
use serde_json::json;
use std::{
    collections::{BTreeMap, BTreeSet, HashMap},
    time::Duration,
};
use uuid::Uuid;

/// What was hit: the open pixel, or one of the campaign's links (by id).
#[derive(Clone, Copy, Debug)]
pub enum What {
    Open,
    Click(Uuid),
}

/// One hit on one delivery (a click's link is of the delivery's campaign).
#[derive(Clone, Debug)]
pub struct Incoming {
    pub delivery: delivery::Model,
    pub what: What,
    pub hit: Hit,
}

/// What a batch moves for one campaign and channel.
#[derive(Default)]
struct Tally {
    opens: i64,
    unique_opens: i64,
    machine_opens: i64,
    clicks: i64,
    unique_clicks: i64,
    machine_clicks: i64,
}

/// Records `hits` in order; a hit sooner than `window` after its send is a machine's.
pub async fn record(
    txn: &DatabaseTransaction,
    hits: Vec<Incoming>,
    window: Duration,
) -> ServiceResult<()> {
    if hits.is_empty() {
        return Ok(());
    }
    let now = Utc::now();
    arrived(txn, &hits).await?;
    let verdicts: Vec<Option<&'static str>> = hits
        .iter()
        .map(|h| {
            let mut hit = h.hit.clone();
            hit.since_sent = hit.since_sent.or_else(|| since_sent(&h.delivery, now));
            machine::verdict(&hit, window)
        })
        .collect();
    let people = || {
        hits.iter()
            .zip(&verdicts)
            .filter(|(_, v)| v.is_none())
            .map(|(h, _)| h)
    };
    // A click is an open too (images are often blocked): the first one counts. A
    // delivery read as opened stays opened, so only those read unset are tried.
    let opened = firsts(
        txn,
        people()
            .filter(|h| h.delivery.opened_at.is_none())
            .map(|h| h.delivery.id)
            .collect(),
        delivery::Column::OpenedAt,
        now,
    )
    .await?;
    let clicked = firsts(
        txn,
        people()
            .filter(|h| matches!(h.what, What::Click(_)) && h.delivery.clicked_at.is_none())
            .map(|h| h.delivery.id)
            .collect(),
        delivery::Column::ClickedAt,
        now,
    )
    .await?;
    links(
        txn,
        people()
            .filter_map(|h| match &h.what {
                What::Click(link_id) => Some((h.delivery.id, *link_id)),
                What::Open => None,
            })
            .collect(),
        now,
    )
    .await?;

    // Sorted, so that concurrent batches lock counters and hours in the same order.
    let mut tallies: BTreeMap<(Uuid, &str), (Uuid, Tally)> = BTreeMap::new();
    for (h, verdict) in hits.iter().zip(&verdicts) {
        let t = tally(&mut tallies, &h.delivery);
        match (&h.what, verdict) {
            (What::Open, Some(_)) => t.machine_opens += 1,
            (What::Open, None) => t.opens += 1,
            (What::Click(_), Some(_)) => t.machine_clicks += 1,
            (What::Click(_), None) => t.clicks += 1,
        }
    }
    let by_id: HashMap<Uuid, &delivery::Model> =
        hits.iter().map(|h| (h.delivery.id, &h.delivery)).collect();
    for id in &opened {
        if let Some(d) = by_id.get(id) {
            tally(&mut tallies, d).unique_opens += 1;
        }
    }
    for id in &clicked {
        if let Some(d) = by_id.get(id) {
            tally(&mut tallies, d).unique_clicks += 1;
        }
    }
    let events = hits
        .iter()
        .zip(&verdicts)
        .map(|(h, verdict)| match &h.what {
            What::Open => event(
                &h.delivery,
                Kind::MessageOpened,
                json!({"machine": verdict}),
            ),
            What::Click(link_id) => event(
                &h.delivery,
                Kind::MessageClicked,
                json!({"link_id": link_id, "machine": verdict}),
            ),
        })
        .collect();
    events::record(txn, events).await?;
    // The rows every batch shares come last: they stay locked until the commit.
    for ((campaign_id, channel), (organization_id, t)) in &tallies {
        count(txn, *campaign_id, channel, t).await?;
        hour(txn, *organization_id, channel, t).await?;
    }
    Ok(())
}

/// The tally of the delivery's campaign and channel.
fn tally<'h, 'm>(
    tallies: &'m mut BTreeMap<(Uuid, &'h str), (Uuid, Tally)>,
    d: &'h delivery::Model,
) -> &'m mut Tally {
    &mut tallies
        .entry((d.campaign_id, d.channel.as_str()))
        .or_insert_with(|| (d.organization_id, Tally::default()))
        .1
}

/// How long after a send a hit is a machine's (see [`machine::verdict`]).
fn since_sent(d: &delivery::Model, now: DateTime<Utc>) -> Option<Duration> {
    d.sent_at
        .map(|at| (now - at).to_std().unwrap_or(Duration::ZERO))
}

/// A hit proves the message arrived: a `sent` delivery (no provider confirmed it, as
/// with SMTP) becomes `delivered`, counters and event with it.
async fn arrived(txn: &DatabaseTransaction, hits: &[Incoming]) -> ServiceResult<()> {
    let mut seen = BTreeSet::new();
    let rows: Vec<(Reported, Report)> = hits
        .iter()
        .map(|h| &h.delivery)
        .filter(|d| d.status == DeliveryStatus::Sent && seen.insert(d.id))
        .filter_map(|d| {
            let channel = d.channel.parse::<Channel>().ok()?;
            let row = Reported {
                id: d.id,
                organization_id: d.organization_id,
                campaign_id: d.campaign_id,
                contact_id: d.contact_id,
                channel,
            };
            Some((row, Report::Delivered))
        })
        .collect();
    if rows.is_empty() {
        return Ok(());
    }
    // Nothing pending changes, so no campaign can complete by it.
    let (_, _touched) = record::reports(txn, rows).await?;
    Ok(())
}

/// Sets `column` of the deliveries `ids` to `now` where it is not set yet: those that
/// it was the first for (two concurrent batches cannot both set it).
async fn firsts(
    txn: &DatabaseTransaction,
    ids: BTreeSet<Uuid>,
    column: delivery::Column,
    now: DateTime<Utc>,
) -> ServiceResult<BTreeSet<Uuid>> {
    if ids.is_empty() {
        return Ok(BTreeSet::new());
    }
    let set = delivery::Entity::update_many()
        .col_expr(column, Expr::value(now))
        .filter(delivery::Column::Id.is_in(ids))
        .filter(column.is_null())
        .exec_with_returning(txn)
        .await?;
    Ok(set.into_iter().map(|d| d.id).collect())
}

/// People's clicks on links (`(delivery, link)`, repeats included): each link's clicks,
/// and its unique clicks for the pairs seen the first time.
async fn links(
    txn: &DatabaseTransaction,
    clicks: Vec<(Uuid, Uuid)>,
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    if clicks.is_empty() {
        return Ok(());
    }
    let pairs: BTreeSet<(Uuid, Uuid)> = clicks.iter().copied().collect();
    let inserted = link_click::Entity::insert_many(pairs.iter().map(|(delivery_id, link_id)| {
        link_click::ActiveModel {
            delivery_id: Set(*delivery_id),
            link_id: Set(*link_id),
            first_at: Set(now),
        }
    }))
    .on_conflict_do_nothing_on([link_click::Column::DeliveryId, link_click::Column::LinkId])
    .exec_with_returning_many(txn)
    .await?;
    let firsts = match inserted {
        TryInsertResult::Inserted(rows) => rows,
        TryInsertResult::Conflicted | TryInsertResult::Empty => Vec::new(),
    };
    let mut per_link: BTreeMap<Uuid, (i64, i64)> = BTreeMap::new();
    for (_, link) in &clicks {
        per_link.entry(*link).or_default().0 += 1;
    }
    for first in &firsts {
        per_link.entry(first.link_id).or_default().1 += 1;
    }
    for (link, (clicks, unique)) in per_link {
        use tracked_link::Column as L;
        tracked_link::Entity::update_many()
            .col_expr(L::Clicks, Expr::col(L::Clicks).add(clicks))
            .col_expr(L::UniqueClicks, Expr::col(L::UniqueClicks).add(unique))
            .filter(L::Id.eq(link))
            .exec(txn)
            .await?;
    }
    Ok(())
}

/// Adds the tally to the campaign's counters of the channel.
async fn count(
    txn: &DatabaseTransaction,
    campaign_id: Uuid,
    channel: &str,
    t: &Tally,
) -> ServiceResult<()> {
    use delivery_counter::Column as C;
    let mut update = delivery_counter::Entity::update_many();
    let mut moved = false;
    for (column, n) in [
        (C::Opens, t.opens),
        (C::UniqueOpens, t.unique_opens),
        (C::MachineOpens, t.machine_opens),
        (C::Clicks, t.clicks),
        (C::UniqueClicks, t.unique_clicks),
        (C::MachineClicks, t.machine_clicks),
    ] {
        if n != 0 {
            update = update.col_expr(column, Expr::col(column).add(n));
            moved = true;
        }
    }
    if !moved {
        return Ok(());
    }
    update
        .filter(C::CampaignId.eq(campaign_id))
        .filter(C::Channel.eq(channel))
        .exec(txn)
        .await?;
    Ok(())
}

/// The same moves in the organization's channel's hour (see `stats::hourly`).
async fn hour(
    txn: &DatabaseTransaction,
    organization_id: Uuid,
    channel: &str,
    t: &Tally,
) -> ServiceResult<()> {
    let Ok(channel) = channel.parse::<Channel>() else {
        return Ok(());
    };
    let flow = hourly::Flow {
        unique_opens: t.unique_opens,
        unique_clicks: t.unique_clicks,
        machine_opens: t.machine_opens,
        machine_clicks: t.machine_clicks,
        ..hourly::Flow::default()
    };
    hourly::add(txn, organization_id, channel, flow).await
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
