use crate::error::AppError;
use leptos::prelude::*;
use uuid::Uuid;

#[server(prefix = "/api/fn", endpoint = "remove_member")]
pub async fn remove_member(member_id: Uuid) -> Result<(), AppError> {
    let ports = crate::ports::ports()?;
    let actor = crate::ports::actor()?;
    ports.members.remove(&actor, member_id).await
}
