use crate::{
    error::AppError,
    model::{ListDto, Page, SearchQuery},
};
use leptos::prelude::*;

#[server(prefix = "/api/fn", endpoint = "list_lists")]
pub async fn list_lists(query: SearchQuery) -> Result<Page<ListDto>, AppError> {
    let ports = crate::ports::ports()?;
    let actor = crate::ports::actor()?;
    ports.lists.list(&actor, query).await
}
