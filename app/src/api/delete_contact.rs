use crate::error::AppError;
use leptos::prelude::*;
use uuid::Uuid;

#[server(prefix = "/api/fn", endpoint = "delete_contact")]
pub async fn delete_contact(id: Uuid) -> Result<(), AppError> {
    let ports = crate::ports::ports()?;
    let actor = crate::ports::actor()?;
    ports.contacts.delete(&actor, id).await?;
    leptos_axum::redirect("/contacts");
    Ok(())
}
