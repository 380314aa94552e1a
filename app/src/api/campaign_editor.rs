use super::CampaignEditorData;
use crate::error::AppError;
use leptos::prelude::*;
use uuid::Uuid;

/// The data of the editor and the detail page in one call (campaign, lists, zone, preview of what is saved):
/// a page loader rather than a one-method shim, so that the page is one round trip
/// and the preview is already there without JavaScript.
#[server(prefix = "/api/fn", endpoint = "campaign_editor")]
pub async fn campaign_editor(id: Option<Uuid>) -> Result<CampaignEditorData, AppError> {
    use super::CampaignView;
    use crate::model::CampaignPreview;
    let ports = crate::ports::ports()?;
    let actor = crate::ports::actor()?;
    let lists = ports.campaigns.list_options(&actor).await?;
    let Some(id) = id else {
        let organization = ports.accounts.organization(&actor).await?;
        return Ok(CampaignEditorData {
            campaign: None,
            lists,
            time_zone: Some(organization.time_zone),
            preview: CampaignPreview::default(),
        });
    };
    let campaign = ports.campaigns.get(&actor, id).await?;
    let preview = ports
        .campaigns
        .preview(&actor, campaign.content.clone())
        .await?;
    Ok(CampaignEditorData {
        time_zone: Some(campaign.time_zone.clone()),
        campaign: Some(CampaignView::new(campaign)),
        lists,
        preview,
    })
}
