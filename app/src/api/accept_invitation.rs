use crate::{error::AppError, model::Me};
use leptos::prelude::*;

#[server(prefix = "/api/fn", endpoint = "accept_invitation")]
pub async fn accept_invitation(token: String, password: String) -> Result<Me, AppError> {
    let ports = crate::ports::ports()?;
    let session = crate::ports::session()?;
    let ctx = crate::ports::request_context()?;
    let input = crate::model::AcceptInvitationInput { token, password };
    let me = ports
        .members
        .accept_invitation(&session, &ctx, input)
        .await?;
    leptos_axum::redirect("/");
    Ok(me)
}
