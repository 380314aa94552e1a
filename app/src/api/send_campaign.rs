//! Starts the campaign now: a draft is scheduled for this minute, a scheduled one is
//! moved up.

use crate::error::AppError;
use leptos::prelude::*;
use uuid::Uuid;

#[server(prefix = "/api/fn", endpoint = "send_campaign")]
pub async fn send_campaign(id: Uuid) -> Result<super::CampaignView, AppError> {
    let ports = crate::ports::ports()?;
    let actor = crate::ports::actor()?;
    Ok(super::CampaignView::new(
        ports.sending.send(&actor, id).await?,
    ))
}
