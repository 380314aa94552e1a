use crate::error::AppError;
use leptos::prelude::*;
use uuid::Uuid;

#[server(prefix = "/api/fn", endpoint = "pause_campaign")]
pub async fn pause_campaign(id: Uuid) -> Result<super::CampaignView, AppError> {
    let ports = crate::ports::ports()?;
    let actor = crate::ports::actor()?;
    Ok(super::CampaignView::new(
        ports.sending.pause(&actor, id).await?,
    ))
}
