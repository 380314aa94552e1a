use crate::error::AppError;
use leptos::prelude::*;
use uuid::Uuid;

#[server(prefix = "/api/fn", endpoint = "cancel_campaign")]
pub async fn cancel_campaign(id: Uuid) -> Result<super::CampaignView, AppError> {
    let ports = crate::ports::ports()?;
    let actor = crate::ports::actor()?;
    Ok(super::CampaignView::new(
        ports.campaigns.cancel(&actor, id).await?,
    ))
}
