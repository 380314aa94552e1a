use crate::{error::AppError, model::ContactDto};
use leptos::prelude::*;
use uuid::Uuid;

#[server(prefix = "/api/fn", endpoint = "get_contact")]
pub async fn get_contact(id: Uuid) -> Result<ContactDto, AppError> {
    let ports = crate::ports::ports()?;
    let actor = crate::ports::actor()?;
    ports.contacts.get(&actor, id).await
}
