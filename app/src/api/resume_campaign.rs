use crate::error::AppError;
use leptos::prelude::*;
use uuid::Uuid;

#[server(prefix = "/api/fn", endpoint = "resume_campaign")]
pub async fn resume_campaign(id: Uuid) -> Result<super::CampaignView, AppError> {
    let ports = crate::ports::ports()?;
    let actor = crate::ports::actor()?;
    Ok(super::CampaignView::new(
        ports.sending.resume(&actor, id).await?,
    ))
}
