//! Delivery and engagement figures: a campaign's (`GET /api/campaigns/{id}/stats`,
//! `GET /api/campaigns/{id}/links`) and an organization's over a period
//! (`GET /api/stats`).

use super::{CampaignStatus, Channel};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What was sent and what became of it.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Taken by the provider (delivered or not yet confirmed).
    pub sent: u64,
    pub delivered: u64,
    pub failed: u64,
    pub skipped: u64,
    /// Deliveries opened by a person (a click counts as an open).
    pub unique_opens: u64,
    pub unique_clicks: u64,
    /// Opens flagged as machines' (privacy proxies, scanners): not in the rates.
    pub machine_opens: u64,
    pub machine_clicks: u64,
    /// Contacts lost on the channel through a message: a hard bounce, a complaint, its
    /// unsubscribe link.
    pub bounced: u64,
    pub complained: u64,
    pub unsubscribed: u64,
}

impl std::ops::AddAssign for Counts {
    fn add_assign(&mut self, c: Counts) {
        self.sent += c.sent;
        self.delivered += c.delivered;
        self.failed += c.failed;
        self.skipped += c.skipped;
        self.unique_opens += c.unique_opens;
        self.unique_clicks += c.unique_clicks;
        self.machine_opens += c.machine_opens;
        self.machine_clicks += c.machine_clicks;
        self.bounced += c.bounced;
        self.complained += c.complained;
        self.unsubscribed += c.unsubscribed;
    }
}

/// One channel's figures.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChannelStats {
    pub channel: Channel,
    #[serde(flatten)]
    pub counts: Counts,
}

/// Fractions from 0 to 1; `null` where the denominator is 0 (nothing sent yet).
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Rates {
    /// delivered / sent.
    pub delivery: Option<f64>,
    /// unique opens / delivered.
    pub open: Option<f64>,
    /// unique clicks / delivered.
    pub click: Option<f64>,
    /// failed / (sent + failed).
    pub failure: Option<f64>,
}

impl Rates {
    /// The rates of these figures.
    pub fn of(s: &Counts) -> Self {
        let ratio = |n: u64, d: u64| (d > 0).then(|| n as f64 / d as f64);
        Rates {
            delivery: ratio(s.delivered, s.sent),
            open: ratio(s.unique_opens, s.delivered),
            click: ratio(s.unique_clicks, s.delivered),
            failure: ratio(s.failed, s.sent + s.failed),
        }
    }
}

/// `GET /api/campaigns/{id}/stats`.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CampaignStats {
    pub campaign_id: Uuid,
    pub channels: Vec<ChannelStats>,
    /// Over all the campaign's channels.
    pub rates: Rates,
}

/// One link of a campaign's messages and its clicks (`GET /api/campaigns/{id}/links`).
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinkStats {
    pub id: Uuid,
    pub url: String,
    /// Clicks by people, repeats included.
    pub clicks: u64,
    /// Deliveries that clicked it.
    pub unique_clicks: u64,
}

/// Why a campaign's deliveries failed, and how many for each reason.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FailureReason {
    /// The provider's (or the engine's) last error; `null` when none was given.
    pub reason: Option<String>,
    pub count: u64,
}

/// A chart: its title and its ECharts option (JSON), built on the server, so that the
/// WASM carries no chart code. Every chart is drawn beside a table with its figures.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChartSpec {
    /// Names the chart in the page (`data-testid="chart-{key}"`).
    pub key: String,
    pub title: String,
    pub option: String,
}

impl ChartSpec {
    /// The chart named `key` among `charts`; an empty one (drawn as nothing) when absent.
    pub fn find(charts: &[ChartSpec], key: &str) -> ChartSpec {
        charts
            .iter()
            .find(|c| c.key == key)
            .cloned()
            .unwrap_or_else(|| ChartSpec {
                key: key.to_owned(),
                title: String::new(),
                option: String::new(),
            })
    }
}

/// A campaign's results, for its page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CampaignEngagement {
    pub stats: CampaignStats,
    /// Deliveries planned, over every channel (the funnel's first step).
    pub audience: u64,
    /// The most clicked first, at most 10.
    pub links: Vec<LinkStats>,
    /// The most frequent first, at most 10.
    pub failures: Vec<FailureReason>,
    pub charts: Vec<ChartSpec>,
}

/// Periods up to this many days get an hourly series; longer ones, daily.
pub const HOURLY_SERIES_UP_TO_DAYS: i64 = 3;

/// One bucket of the period's series: an hour (periods up to 3 days) or a UTC day.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SeriesPoint {
    /// The bucket's start.
    pub t: DateTime<Utc>,
    pub channel: Channel,
    pub sent: u64,
    pub delivered: u64,
    pub failed: u64,
    /// Unique opens and clicks (people's).
    pub opens: u64,
    pub clicks: u64,
}

/// A campaign of the period, for the summary table.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CampaignSummary {
    pub id: Uuid,
    pub title: String,
    pub status: CampaignStatus,
    pub started_at: Option<DateTime<Utc>>,
    pub sent: u64,
    /// `null` before anything is delivered.
    pub open_rate: Option<f64>,
    /// `null` before anything is sent.
    pub failure_rate: Option<f64>,
}

/// `GET /api/stats`: an organization's figures over a period.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OrganizationStats {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub totals: Counts,
    pub rates: Rates,
    pub by_channel: Vec<ChannelStats>,
    pub series: Vec<SeriesPoint>,
    /// Campaigns started in the period, the latest first (at most 100).
    pub campaigns: Vec<CampaignSummary>,
}

impl OrganizationStats {
    /// Whether the series counts hours (else days).
    pub fn hourly(&self) -> bool {
        self.to - self.from <= chrono::TimeDelta::days(HOURLY_SERIES_UP_TO_DAYS)
    }
}

/// The dashboard: the period's figures and their charts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Dashboard {
    pub stats: OrganizationStats,
    pub charts: Vec<ChartSpec>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_follow_their_definitions_and_say_nothing_without_a_denominator() {
        let s = Counts {
            sent: 100,
            delivered: 80,
            failed: 25,
            unique_opens: 40,
            unique_clicks: 8,
            ..Counts::default()
        };
        let r = Rates::of(&s);
        assert_eq!(r.delivery, Some(0.8));
        assert_eq!(r.open, Some(0.5));
        assert_eq!(r.click, Some(0.1));
        assert_eq!(r.failure, Some(0.2));
        assert_eq!(Rates::of(&Counts::default()), Rates::default());
        let mut both = s;
        both += s;
        assert_eq!((both.sent, both.unique_opens), (200, 80));
        assert_eq!(Rates::of(&both), r);
    }
}
