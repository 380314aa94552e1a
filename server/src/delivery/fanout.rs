//! Fan-out: when a campaign starts, one delivery per (contact, channel) of its audience
//! at that moment, written by one `INSERT … SELECT` per channel. A contact who may not
//! be sent to gets a `skipped` row with the reason, so every count adds up; the
//! counters are then written from the rows just inserted.

use crate::{
    campaigns::audience,
    db::entities::{
        campaign, contact, contact_consent, delivery, delivery_counter, push_subscription,
        suppression,
    },
    error::ServiceResult,
    stats::hourly,
    suppressions,
};
use app::model::{Channel, ConsentState};
use chrono::Utc;
use sea_orm::{
    sea_query::{Alias, Expr, ExprTrait, JoinType, OnConflict, Query},
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, FromQueryResult, QueryFilter,
    QuerySelect, Set,
};
use std::collections::BTreeMap;

/// Why a contact is skipped on a channel.
pub const NO_CONSENT: &str = "no_consent";
pub const NO_ADDRESS: &str = "no_address";
pub const UNSUBSCRIBED: &str = "unsubscribed";
/// The address is on the organization's suppression list for the channel.
pub const SUPPRESSED: &str = "suppressed";
/// The consent source an unsubscribe link records.
pub const UNSUBSCRIBE_SOURCE: &str = "unsubscribe";

/// Writes the deliveries and counters of `campaign`, in the caller's transaction.
/// Returns how many are pending (to send).
#[tracing::instrument(skip_all, fields(campaign_id = %campaign.id))]
pub async fn fan_out(db: &impl ConnectionTrait, campaign: &campaign::Model) -> ServiceResult<i64> {
    for channel in &campaign.channels.0 {
        insert_channel(db, campaign, *channel).await?;
    }
    let counters = count(db, campaign).await?;
    let pending = counters.iter().map(|c| c.pending).sum();
    for chunk in counters.chunks(100) {
        let rows = chunk
            .iter()
            .cloned()
            .map(|c| delivery_counter::ActiveModel {
                campaign_id: Set(c.campaign_id),
                channel: Set(c.channel),
                organization_id: Set(c.organization_id),
                total: Set(c.total),
                pending: Set(c.pending),
                sent: Set(0),
                delivered: Set(0),
                failed: Set(0),
                skipped: Set(c.skipped),
                cancelled: Set(0),
                skipped_no_consent: Set(c.skipped_no_consent),
                skipped_no_address: Set(c.skipped_no_address),
                skipped_unsubscribed: Set(c.skipped_unsubscribed),
                skipped_suppressed: Set(c.skipped_suppressed),
                opens: Set(0),
                unique_opens: Set(0),
                machine_opens: Set(0),
                clicks: Set(0),
                unique_clicks: Set(0),
                machine_clicks: Set(0),
                bounced: Set(0),
                complained: Set(0),
                unsubscribed: Set(0),
            });
        delivery_counter::Entity::insert_many(rows).exec(db).await?;
    }
    for c in &counters {
        if let Ok(channel) = c.channel.parse::<Channel>() {
            let flow = hourly::Flow {
                skipped: c.skipped,
                ..Default::default()
            };
            hourly::add(db, c.organization_id, channel, flow).await?;
        }
    }
    tracing::info!(pending, "campaign fanned out");
    Ok(pending)
}

async fn insert_channel(
    db: &impl ConnectionTrait,
    campaign: &campaign::Model,
    channel: Channel,
) -> ServiceResult<()> {
    let a = Alias::new("audience");
    let c = Alias::new("c");
    let cc = Alias::new("cc");
    let state = Expr::col((cc.clone(), contact_consent::Column::State));
    let granted = state.clone().eq(ConsentState::Granted.as_str());
    let unsubscribed = state
        .eq(ConsentState::Withdrawn.as_str())
        .and(Expr::col((cc.clone(), contact_consent::Column::Source)).eq(UNSUBSCRIBE_SOURCE));
    let has_address = match channel {
        Channel::Email => Expr::col((c.clone(), contact::Column::EmailCiphertext)).is_not_null(),
        Channel::Sms => Expr::col((c.clone(), contact::Column::PhoneCiphertext)).is_not_null(),
        // A push "address" is a subscription (a device) of the contact's.
        Channel::Push => Expr::exists(
            Query::select()
                .expr(Expr::val(1))
                .from(push_subscription::Entity)
                .and_where(
                    Expr::col((
                        push_subscription::Entity,
                        push_subscription::Column::ContactId,
                    ))
                    .equals((c.clone(), contact::Column::Id)),
                )
                .to_owned(),
        ),
    };
    let s = Alias::new("s");
    let suppressed = Expr::col((s.clone(), suppression::Column::Id)).is_not_null();
    let suppressed_by = suppressions::store::address_column(channel);
    let sendable = granted.clone().and(has_address);
    let status = Expr::case(unsubscribed.clone(), Expr::val("skipped"))
        .case(suppressed.clone(), Expr::val("skipped"))
        .case(sendable.clone(), Expr::val("pending"))
        .finally(Expr::val("skipped"));
    let reason = Expr::case(unsubscribed, Expr::val(UNSUBSCRIBED))
        .case(suppressed, Expr::val(SUPPRESSED))
        .case(sendable, Expr::val(Option::<String>::None))
        .case(granted, Expr::val(NO_ADDRESS))
        .finally(Expr::val(NO_CONSENT));
    // A fresh random id per row, made by the database (the rows never pass through here).
    let id = match db.get_database_backend() {
        DbBackend::Sqlite => Expr::cust("randomblob(16)"),
        _ => Expr::cust("gen_random_uuid()"),
    };
    let now = Utc::now();
    let select = Query::select()
        .expr(id)
        .expr(Expr::val(campaign.organization_id))
        .expr(Expr::val(campaign.id))
        .column((a.clone(), Alias::new("contact_id")))
        .expr(Expr::val(channel.as_str()))
        .expr(status)
        .expr(reason)
        .expr(Expr::val(0i32))
        .expr(Expr::val(now))
        .expr(Expr::val(now))
        .expr(Expr::val(now))
        .from_subquery(
            audience::query(campaign.organization_id, campaign.id),
            a.clone(),
        )
        .join_as(
            JoinType::InnerJoin,
            contact::Entity,
            c.clone(),
            Expr::col((c.clone(), contact::Column::Id))
                .equals((a.clone(), Alias::new("contact_id")))
                .and(
                    Expr::col((c.clone(), contact::Column::OrganizationId))
                        .eq(campaign.organization_id),
                ),
        )
        .join_as(
            JoinType::LeftJoin,
            contact_consent::Entity,
            cc.clone(),
            Expr::col((cc.clone(), contact_consent::Column::ContactId))
                .equals((a, Alias::new("contact_id")))
                .and(Expr::col((cc, contact_consent::Column::Channel)).eq(channel.as_str())),
        )
        .join_as(
            JoinType::LeftJoin,
            suppression::Entity,
            s.clone(),
            Expr::col((s.clone(), suppression::Column::OrganizationId))
                .eq(campaign.organization_id)
                .and(Expr::col((s.clone(), suppression::Column::Channel)).eq(channel.as_str()))
                .and(
                    Expr::col((s, suppression::Column::AddressIndex))
                        .equals((c.clone(), suppressed_by)),
                ),
        )
        .to_owned();
    let insert = Query::insert()
        .into_table(delivery::Entity)
        .columns([
            delivery::Column::Id,
            delivery::Column::OrganizationId,
            delivery::Column::CampaignId,
            delivery::Column::ContactId,
            delivery::Column::Channel,
            delivery::Column::Status,
            delivery::Column::SkipReason,
            delivery::Column::Attempts,
            delivery::Column::NextAttemptAt,
            delivery::Column::CreatedAt,
            delivery::Column::UpdatedAt,
        ])
        .select_from(select)
        .map_err(|e| anyhow::anyhow!("fan-out statement: {e}"))?
        .on_conflict(
            OnConflict::columns([
                delivery::Column::CampaignId,
                delivery::Column::ContactId,
                delivery::Column::Channel,
            ])
            .do_nothing()
            .to_owned(),
        )
        .to_owned();
    db.execute(&insert).await?;
    Ok(())
}

#[derive(FromQueryResult)]
struct Group {
    channel: String,
    status: String,
    skip_reason: Option<String>,
    n: i64,
}

/// The counters of a campaign just fanned out, one per channel (also when empty).
async fn count(
    db: &impl ConnectionTrait,
    campaign: &campaign::Model,
) -> ServiceResult<Vec<delivery_counter::Model>> {
    let groups = delivery::Entity::find()
        .select_only()
        .column(delivery::Column::Channel)
        .column(delivery::Column::Status)
        .column(delivery::Column::SkipReason)
        .column_as(delivery::Column::Id.count(), "n")
        .filter(delivery::Column::CampaignId.eq(campaign.id))
        .group_by(delivery::Column::Channel)
        .group_by(delivery::Column::Status)
        .group_by(delivery::Column::SkipReason)
        .into_model::<Group>()
        .all(db)
        .await?;
    let mut counters: BTreeMap<Channel, delivery_counter::Model> = campaign
        .channels
        .0
        .iter()
        .map(|channel| {
            (
                *channel,
                delivery_counter::Model {
                    campaign_id: campaign.id,
                    channel: channel.as_str().to_owned(),
                    organization_id: campaign.organization_id,
                    total: 0,
                    pending: 0,
                    sent: 0,
                    delivered: 0,
                    failed: 0,
                    skipped: 0,
                    cancelled: 0,
                    skipped_no_consent: 0,
                    skipped_no_address: 0,
                    skipped_unsubscribed: 0,
                    skipped_suppressed: 0,
                    opens: 0,
                    unique_opens: 0,
                    machine_opens: 0,
                    clicks: 0,
                    unique_clicks: 0,
                    machine_clicks: 0,
                    bounced: 0,
                    complained: 0,
                    unsubscribed: 0,
                },
            )
        })
        .collect();
    for g in groups {
        let Some(c) = g
            .channel
            .parse()
            .ok()
            .and_then(|ch: Channel| counters.get_mut(&ch))
        else {
            continue;
        };
        c.total += g.n;
        match (g.status.as_str(), g.skip_reason.as_deref()) {
            ("pending", _) => c.pending += g.n,
            ("skipped", reason) => {
                c.skipped += g.n;
                match reason {
                    Some(NO_ADDRESS) => c.skipped_no_address += g.n,
                    Some(UNSUBSCRIBED) => c.skipped_unsubscribed += g.n,
                    Some(SUPPRESSED) => c.skipped_suppressed += g.n,
                    _ => c.skipped_no_consent += g.n,
                }
            }
            _ => {}
        }
    }
    Ok(counters.into_values().collect())
}
