use crate::{error::AppError, model::Dashboard};
use leptos::prelude::*;

/// The dashboard's figures and charts: the last `days` days (7, 30 or 90), or
/// `from`–`to` when given (days; `to` counts whole).
#[server(prefix = "/api/fn", endpoint = "get_dashboard")]
pub async fn get_dashboard(
    days: Option<u32>,
    from: Option<String>,
    to: Option<String>,
) -> Result<Dashboard, AppError> {
    let ports = crate::ports::ports()?;
    let actor = crate::ports::actor()?;
    let given = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
    let (from, to) = match (given(from), given(to)) {
        (None, None) => {
            let days = i64::from(days.filter(|d| matches!(d, 7 | 30 | 90)).unwrap_or(7));
            let from = chrono::Utc::now() - chrono::TimeDelta::days(days);
            (Some(from.to_rfc3339()), None)
        }
        (from, to) => (from, to),
    };
    let stats = ports.stats.organization(&actor, from, to, None).await?;
    let t = crate::i18n::request_locale().strings();
    let charts = vec![
        crate::charts::by_channel(t, "by-channel", &stats.by_channel),
        crate::charts::over_time(
            t,
            "over-time",
            &stats.series,
            (stats.from, stats.to),
            stats.hourly(),
        ),
        crate::charts::mix(t, "mix", &stats.by_channel),
    ];
    Ok(Dashboard { stats, charts })
}

/// A campaign's results for its page: its figures and charts, its ten most clicked
/// links and its most frequent failures. `audience`: its deliveries, from the progress
/// the caller has read.
#[cfg(feature = "ssr")]
pub(super) async fn engagement(
    ports: &crate::ports::Ports,
    actor: &crate::model::Actor,
    id: uuid::Uuid,
    audience: u64,
) -> Result<crate::model::CampaignEngagement, AppError> {
    let stats = ports.stats.campaign(actor, id).await?;
    let mut links = ports.stats.links(actor, id).await?;
    links.truncate(10);
    let failures = ports.stats.failures(actor, id).await?;
    let t = crate::i18n::request_locale().strings();
    let d = t.dashboard;
    let mut all = crate::model::Counts::default();
    for c in &stats.channels {
        all += c.counts;
    }
    let charts = vec![
        crate::charts::funnel(
            t,
            "funnel",
            &[
                (d.audience, audience),
                (d.sent, all.sent),
                (d.delivered, all.delivered),
                (d.opens, all.unique_opens),
                (d.clicks, all.unique_clicks),
            ],
        ),
        crate::charts::by_channel(t, "campaign-channels", &stats.channels),
    ];
    Ok(crate::model::CampaignEngagement {
        stats,
        audience,
        links,
        failures,
        charts,
    })
}
