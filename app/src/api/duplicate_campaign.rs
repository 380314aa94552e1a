use crate::error::AppError;
use leptos::prelude::*;
use uuid::Uuid;

/// Opens the copy in the editor: a duplicate is made to be changed.
#[server(prefix = "/api/fn", endpoint = "duplicate_campaign")]
pub async fn duplicate_campaign(id: Uuid) -> Result<super::CampaignView, AppError> {
    let ports = crate::ports::ports()?;
    let actor = crate::ports::actor()?;
    let copy = ports.campaigns.duplicate(&actor, id).await?;
    leptos_axum::redirect(&format!("/campaigns/{}/edit", copy.id));
    Ok(super::CampaignView::new(copy))
}
