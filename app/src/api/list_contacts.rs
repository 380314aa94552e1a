use crate::{
    error::AppError,
    model::{ContactDto, Page, SearchQuery},
};
use leptos::prelude::*;

#[server(prefix = "/api/fn", endpoint = "list_contacts")]
pub async fn list_contacts(query: SearchQuery) -> Result<Page<ContactDto>, AppError> {
    let ports = crate::ports::ports()?;
    let actor = crate::ports::actor()?;
    ports.contacts.list(&actor, query).await
}
