use crate::error::AppError;
use leptos::prelude::*;
use uuid::Uuid;

#[server(prefix = "/api/fn", endpoint = "revoke_invitation")]
pub async fn revoke_invitation(invitation_id: Uuid) -> Result<(), AppError> {
    let ports = crate::ports::ports()?;
    let actor = crate::ports::actor()?;
    ports.members.revoke_invitation(&actor, invitation_id).await
}
