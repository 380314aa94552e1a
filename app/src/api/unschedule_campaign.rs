use crate::error::AppError;
use leptos::prelude::*;
use uuid::Uuid;

#[server(prefix = "/api/fn", endpoint = "unschedule_campaign")]
pub async fn unschedule_campaign(id: Uuid) -> Result<super::CampaignView, AppError> {
    let ports = crate::ports::ports()?;
    let actor = crate::ports::actor()?;
    Ok(super::CampaignView::new(
        ports.campaigns.unschedule(&actor, id).await?,
    ))
}
