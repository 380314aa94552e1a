use crate::{
    error::AppError,
    model::{InvitationCreated, Role},
};
use leptos::prelude::*;

#[server(prefix = "/api/fn", endpoint = "invite_member")]
pub async fn invite_member(email: String, role: Role) -> Result<InvitationCreated, AppError> {
    let ports = crate::ports::ports()?;
    let actor = crate::ports::actor()?;
    let ctx = crate::ports::request_context()?;
    let created = ports
        .members
        .invite(&actor, &ctx, crate::model::InvitationInput { email, role })
        .await?;
    super::support::flash_if_plain_form(super::FlashKind::InvitationLink, &created.accept_url)
        .await?;
    Ok(created)
}
