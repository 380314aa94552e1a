use crate::{error::AppError, model::InvitationDto};
use leptos::prelude::*;

#[server(prefix = "/api/fn", endpoint = "list_pending_invitations")]
pub async fn list_pending_invitations() -> Result<Vec<InvitationDto>, AppError> {
    let ports = crate::ports::ports()?;
    let actor = crate::ports::actor()?;
    ports.members.pending_invitations(&actor).await
}
