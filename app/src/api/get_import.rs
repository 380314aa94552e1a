use crate::{error::AppError, model::ImportDto};
use leptos::prelude::*;
use uuid::Uuid;

#[server(prefix = "/api/fn", endpoint = "get_import")]
pub async fn get_import(id: Uuid) -> Result<ImportDto, AppError> {
    let ports = crate::ports::ports()?;
    let actor = crate::ports::actor()?;
    ports.imports.get(&actor, id).await
}
