use crate::{
    error::AppError,
    model::{CampaignEngagement, OrganizationStats},
};
use leptos::prelude::*;

/// The dashboard's figures: the last `days` days (7, 30 or 90), or `from`–`to` when
/// given (days; `to` counts whole).
#[server(prefix = "/api/fn", endpoint = "get_dashboard")]
pub async fn get_dashboard(
    days: Option<u32>,
    from: Option<String>,
    to: Option<String>,
) -> Result<OrganizationStats, AppError> {
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
    ports.stats.organization(&actor, from, to, None).await
}

/// A campaign's figures and its ten most clicked links, for its page.
#[server(prefix = "/api/fn", endpoint = "get_campaign_engagement")]
pub async fn get_campaign_engagement(id: uuid::Uuid) -> Result<CampaignEngagement, AppError> {
    let ports = crate::ports::ports()?;
    let actor = crate::ports::actor()?;
    let stats = ports.stats.campaign(&actor, id).await?;
    let mut links = ports.stats.links(&actor, id).await?;
    links.truncate(10);
    Ok(CampaignEngagement { stats, links })
}
