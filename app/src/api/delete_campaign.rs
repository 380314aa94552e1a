use crate::error::AppError;
use leptos::prelude::*;
use uuid::Uuid;

#[server(prefix = "/api/fn", endpoint = "delete_campaign")]
pub async fn delete_campaign(id: Uuid) -> Result<(), AppError> {
    let ports = crate::ports::ports()?;
    let actor = crate::ports::actor()?;
    ports.campaigns.delete(&actor, id).await?;
    leptos_axum::redirect("/campaigns");
    Ok(())
}
