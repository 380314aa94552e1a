use crate::{error::AppError, model::ListMembersChanged};
use leptos::prelude::*;
use uuid::Uuid;

#[server(prefix = "/api/fn", endpoint = "remove_from_list")]
pub async fn remove_from_list(
    list_id: Uuid,
    contact_id: Uuid,
) -> Result<ListMembersChanged, AppError> {
    let ports = crate::ports::ports()?;
    let actor = crate::ports::actor()?;
    ports
        .lists
        .remove_members(&actor, list_id, vec![contact_id])
        .await
}
