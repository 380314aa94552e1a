use crate::{error::AppError, model::ListMembersChanged};
use leptos::prelude::*;
use uuid::Uuid;

/// One contact into one list: the contact page's membership form.
#[server(prefix = "/api/fn", endpoint = "add_to_list")]
pub async fn add_to_list(list_id: Uuid, contact_id: Uuid) -> Result<ListMembersChanged, AppError> {
    let ports = crate::ports::ports()?;
    let actor = crate::ports::actor()?;
    ports
        .lists
        .add_members(&actor, list_id, vec![contact_id])
        .await
}
