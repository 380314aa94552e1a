use crate::error::AppError;
use leptos::prelude::*;
use uuid::Uuid;

/// `at` from a `datetime-local` input, in the organization's zone; empty keeps the
/// campaign's time (or sends now when it has none).
#[server(prefix = "/api/fn", endpoint = "schedule_campaign")]
pub async fn schedule_campaign(
    id: Uuid,
    #[server(default)] at: String,
) -> Result<super::CampaignView, AppError> {
    let ports = crate::ports::ports()?;
    let actor = crate::ports::actor()?;
    let at = Some(at.trim().to_owned()).filter(|a| !a.is_empty());
    Ok(super::CampaignView::new(
        ports.campaigns.schedule(&actor, id, at).await?,
    ))
}
