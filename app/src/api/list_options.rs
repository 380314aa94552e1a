use crate::{error::AppError, model::ListOption};
use leptos::prelude::*;

/// Every list of the organization, by name, for a `<select>` (no paging: lists are few
/// next to contacts, and a select must offer them all).
#[server(prefix = "/api/fn", endpoint = "list_options")]
pub async fn list_options() -> Result<Vec<ListOption>, AppError> {
    let ports = crate::ports::ports()?;
    let actor = crate::ports::actor()?;
    ports.campaigns.list_options(&actor).await
}
