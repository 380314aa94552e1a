use crate::error::AppError;
use leptos::prelude::*;
use uuid::Uuid;

#[server(prefix = "/api/fn", endpoint = "delete_list")]
pub async fn delete_list(id: Uuid) -> Result<(), AppError> {
    let ports = crate::ports::ports()?;
    let actor = crate::ports::actor()?;
    ports.lists.delete(&actor, id).await
}
