use crate::{error::AppError, model::ListDto};
use leptos::prelude::*;
use uuid::Uuid;

#[server(prefix = "/api/fn", endpoint = "rename_list")]
pub async fn rename_list(id: Uuid, name: String) -> Result<ListDto, AppError> {
    let ports = crate::ports::ports()?;
    let actor = crate::ports::actor()?;
    let patch = crate::model::ListPatch {
        name: Some(name),
        ..Default::default()
    };
    ports.lists.update(&actor, id, patch).await
}
