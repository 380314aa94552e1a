use crate::{error::AppError, model::CampaignProgressView};
use leptos::prelude::*;
use uuid::Uuid;

/// The campaign's progress, its first 20 failures and its results, for its page (one
/// request per refresh while it runs).
#[server(prefix = "/api/fn", endpoint = "campaign_progress")]
pub async fn campaign_progress(id: Uuid) -> Result<CampaignProgressView, AppError> {
    let ports = crate::ports::ports()?;
    let actor = crate::ports::actor()?;
    let progress = ports.sending.progress(&actor, id).await?;
    let failed = crate::model::DeliveryQuery {
        status: Some("failed".into()),
        per_page: Some(20),
        ..Default::default()
    };
    let failures = ports.sending.deliveries(&actor, id, failed).await?;
    let audience = progress.overall().total;
    let engagement = super::dashboard::engagement(&ports, &actor, id, audience).await?;
    Ok(CampaignProgressView {
        progress,
        failures: failures.items,
        failures_total: failures.total,
        engagement,
    })
}
