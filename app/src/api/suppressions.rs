use crate::{
    error::AppError,
    model::{Channel, Page, SuppressionDto, SuppressionQuery},
};
use leptos::prelude::*;
use uuid::Uuid;

#[server(prefix = "/api/fn", endpoint = "list_suppressions")]
pub async fn list_suppressions(query: SuppressionQuery) -> Result<Page<SuppressionDto>, AppError> {
    let ports = crate::ports::ports()?;
    let actor = crate::ports::actor()?;
    ports.suppressions.list(&actor, query).await
}

/// From the Settings → Suppressions form (works without JavaScript too).
#[server(prefix = "/api/fn", endpoint = "add_suppression")]
pub async fn add_suppression(
    channel: Channel,
    address: String,
) -> Result<SuppressionDto, AppError> {
    let ports = crate::ports::ports()?;
    let actor = crate::ports::actor()?;
    let input = crate::model::SuppressionInput {
        channel,
        address,
        reason: None,
    };
    ports.suppressions.add(&actor, input).await
}

#[server(prefix = "/api/fn", endpoint = "remove_suppression")]
pub async fn remove_suppression(id: Uuid) -> Result<(), AppError> {
    let ports = crate::ports::ports()?;
    let actor = crate::ports::actor()?;
    ports.suppressions.remove(&actor, id).await
}
