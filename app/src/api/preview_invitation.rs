use crate::{error::AppError, model::InvitationPreview};
use leptos::prelude::*;

/// No actor needed: holding the link is what lets one look at it.
#[server(prefix = "/api/fn", endpoint = "preview_invitation")]
pub async fn preview_invitation(token: String) -> Result<InvitationPreview, AppError> {
    let ports = crate::ports::ports()?;
    ports.members.preview_invitation(&token).await
}
