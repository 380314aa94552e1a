use super::CampaignView;
use crate::{
    error::AppError,
    model::{CampaignQuery, Page},
};
use leptos::prelude::*;

#[server(prefix = "/api/fn", endpoint = "list_campaigns")]
pub async fn list_campaigns(query: CampaignQuery) -> Result<Page<CampaignView>, AppError> {
    let ports = crate::ports::ports()?;
    let actor = crate::ports::actor()?;
    let page = ports.campaigns.list(&actor, query).await?;
    Ok(Page {
        items: page.items.into_iter().map(CampaignView::new).collect(),
        page: page.page,
        per_page: page.per_page,
        total: page.total,
    })
}
