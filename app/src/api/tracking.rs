use crate::{error::AppError, model::OrganizationDto};
use leptos::prelude::*;

/// The organization's settings, for the tracking switch.
#[server(prefix = "/api/fn", endpoint = "get_organization")]
pub async fn get_organization() -> Result<OrganizationDto, AppError> {
    let ports = crate::ports::ports()?;
    let actor = crate::ports::actor()?;
    ports.accounts.organization(&actor).await
}

/// From Settings → Channels: the checkbox posts `tracking=on`, or nothing when unticked.
#[server(prefix = "/api/fn", endpoint = "set_tracking")]
pub async fn set_tracking(
    #[server(default)] tracking: Option<String>,
) -> Result<OrganizationDto, AppError> {
    let ports = crate::ports::ports()?;
    let actor = crate::ports::actor()?;
    let patch = crate::model::OrganizationPatch {
        tracking: Some(tracking.is_some()),
        ..Default::default()
    };
    ports.accounts.update_organization(&actor, patch).await
}
