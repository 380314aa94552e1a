use crate::{error::AppError, model::Me};
use leptos::prelude::*;
use uuid::Uuid;

#[server(prefix = "/api/fn", endpoint = "switch_organization")]
pub async fn switch_organization(organization_id: Uuid) -> Result<Me, AppError> {
    let ports = crate::ports::ports()?;
    let actor = crate::ports::actor()?;
    let session = crate::ports::session()?;
    let me = ports
        .accounts
        .switch_organization(&session, &actor, organization_id)
        .await?;
    // The page the user was on may show another organization's data: start over.
    leptos_axum::redirect("/");
    Ok(me)
}
