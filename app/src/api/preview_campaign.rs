use crate::{
    error::AppError,
    model::{CampaignContent, CampaignPreview},
};
use leptos::{prelude::*, server_fn::codec::Json};

/// Called by the hydrated editor while typing; JSON because the content is nested.
#[server(prefix = "/api/fn", endpoint = "preview_campaign", input = Json)]
pub async fn preview_campaign(content: CampaignContent) -> Result<CampaignPreview, AppError> {
    let ports = crate::ports::ports()?;
    let actor = crate::ports::actor()?;
    ports.campaigns.preview(&actor, content).await
}
