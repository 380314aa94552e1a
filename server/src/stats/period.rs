//! An organization's figures over a period (`GET /api/stats`), from its hours
//! (`channel_hours`) and the counters of the campaigns started in it.

use super::{counts, hourly, n, Stats};
use crate::{
    auth::require,
    db::entities::{campaign, channel_hour, delivery_counter},
    error::ServiceResult,
};
use app::{
    error::AppError,
    model::{
        Action, Actor, CampaignSummary, Channel, ChannelStats, Counts, OrganizationStats, Rates,
        SeriesPoint, HOURLY_SERIES_UP_TO_DAYS,
    },
};
use chrono::{DateTime, DurationRound, NaiveDate, TimeDelta, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::BTreeMap;
use uuid::Uuid;

/// The longest period `GET /api/stats` reads.
pub const MAX_DAYS: i64 = 400;
/// Campaigns in the period's summary.
pub const MAX_CAMPAIGNS: u64 = 100;

fn hour_counts(h: &channel_hour::Model) -> Counts {
    Counts {
        sent: n(h.sent),
        delivered: n(h.delivered),
        failed: n(h.failed),
        skipped: n(h.skipped),
        unique_opens: n(h.unique_opens),
        unique_clicks: n(h.unique_clicks),
        machine_opens: n(h.machine_opens),
        machine_clicks: n(h.machine_clicks),
        bounced: n(h.bounced),
        complained: n(h.complained),
        unsubscribed: n(h.unsubscribed),
    }
}

/// A bound of the period: RFC 3339, or a day (`2026-02-15`: its start for `from`, its
/// end for `to`).
fn bound(field: &str, raw: &str, end_of_day: bool) -> Result<DateTime<Utc>, AppError> {
    let raw = raw.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(raw) {
        return Ok(at.with_timezone(&Utc));
    }
    let day = NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .map_err(|_| AppError::field(field, "expected a date (2026-02-15) or an RFC 3339 time"))?;
    let day = if end_of_day {
        day.succ_opt().unwrap_or(day)
    } else {
        day
    };
    Ok(day.and_time(chrono::NaiveTime::MIN).and_utc())
}

impl Stats {
    /// The organization's figures over `[from, to)` (default: the last 7 days), for one
    /// channel or all: totals, rates, per channel, a series (hourly up to 3 days, else
    /// daily), and the campaigns started in the period.
    #[tracing::instrument(skip_all, fields(organization_id = %actor.organization_id))]
    pub async fn organization(
        &self,
        actor: &Actor,
        from: Option<&str>,
        to: Option<&str>,
        channel: Option<&str>,
    ) -> ServiceResult<OrganizationStats> {
        require(actor, Action::CampaignsRead)?;
        let now = Utc::now();
        let to = to.map(|t| bound("to", t, true)).transpose()?.unwrap_or(now);
        let from = from
            .map(|f| bound("from", f, false))
            .transpose()?
            .unwrap_or(to - TimeDelta::days(7));
        if from >= to {
            return Err(AppError::field("from", "must be before `to`").into());
        }
        if to - from > TimeDelta::days(MAX_DAYS) {
            return Err(
                AppError::field("to", format!("a period is at most {MAX_DAYS} days")).into(),
            );
        }
        let channel = channel
            .filter(|c| !c.is_empty())
            .map(|c| {
                c.parse::<Channel>()
                    .map_err(|_| AppError::field("channel", "expected email, sms or push"))
            })
            .transpose()?;
        let mut hours = channel_hour::Entity::find()
            .filter(channel_hour::Column::OrganizationId.eq(actor.organization_id))
            .filter(channel_hour::Column::Hour.gte(hourly::hour_of(from)))
            .filter(channel_hour::Column::Hour.lt(to));
        if let Some(c) = channel {
            hours = hours.filter(channel_hour::Column::Channel.eq(c.as_str()));
        }
        let hours = hours
            .order_by_asc(channel_hour::Column::Hour)
            .all(&self.db)
            .await?;
        let hourly = to - from <= TimeDelta::days(HOURLY_SERIES_UP_TO_DAYS);
        let bucket = |t: DateTime<Utc>| {
            let size = if hourly {
                TimeDelta::hours(1)
            } else {
                TimeDelta::days(1)
            };
            t.duration_trunc(size).unwrap_or(t)
        };
        let mut totals = Counts::default();
        let mut by_channel: BTreeMap<&str, Counts> = BTreeMap::new();
        let mut series: BTreeMap<(DateTime<Utc>, &str), Counts> = BTreeMap::new();
        for h in &hours {
            let c = hour_counts(h);
            totals += c;
            *by_channel.entry(h.channel.as_str()).or_default() += c;
            *series
                .entry((bucket(h.hour), h.channel.as_str()))
                .or_default() += c;
        }
        let by_channel = Channel::ALL
            .into_iter()
            .filter(|c| channel.is_none_or(|only| only == *c))
            .map(|c| ChannelStats {
                channel: c,
                counts: by_channel.get(c.as_str()).copied().unwrap_or_default(),
            })
            .collect();
        let series = series
            .into_iter()
            .filter_map(|((t, ch), c)| {
                Some(SeriesPoint {
                    t,
                    channel: ch.parse().ok()?,
                    sent: c.sent,
                    delivered: c.delivered,
                    failed: c.failed,
                    opens: c.unique_opens,
                    clicks: c.unique_clicks,
                })
            })
            .collect();
        Ok(OrganizationStats {
            from,
            to,
            rates: Rates::of(&totals),
            totals,
            by_channel,
            series,
            campaigns: self.campaigns(actor, from, to, channel).await?,
        })
    }

    /// The campaigns started in `[from, to)`, the latest first, with their figures.
    async fn campaigns(
        &self,
        actor: &Actor,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        channel: Option<Channel>,
    ) -> ServiceResult<Vec<CampaignSummary>> {
        let rows = campaign::Entity::find()
            .filter(campaign::Column::OrganizationId.eq(actor.organization_id))
            .filter(campaign::Column::StartedAt.gte(from))
            .filter(campaign::Column::StartedAt.lt(to))
            .order_by_desc(campaign::Column::StartedAt)
            .limit(MAX_CAMPAIGNS)
            .all(&self.db)
            .await?;
        let mut counters = delivery_counter::Entity::find()
            .filter(delivery_counter::Column::CampaignId.is_in(rows.iter().map(|c| c.id)));
        if let Some(c) = channel {
            counters = counters.filter(delivery_counter::Column::Channel.eq(c.as_str()));
        }
        let mut per_campaign: BTreeMap<Uuid, Counts> = BTreeMap::new();
        for c in counters.all(&self.db).await? {
            *per_campaign.entry(c.campaign_id).or_default() += counts(&c);
        }
        Ok(rows
            .into_iter()
            .filter(|c| channel.is_none_or(|only| c.channels.0.contains(&only)))
            .map(|c| {
                let figures = per_campaign.get(&c.id).copied().unwrap_or_default();
                let rates = Rates::of(&figures);
                CampaignSummary {
                    id: c.id,
                    title: c.title,
                    status: c.status.0,
                    started_at: c.started_at,
                    sent: figures.sent,
                    open_rate: rates.open,
                    failure_rate: rates.failure,
                }
            })
            .collect())
    }
}
