use crate::{error::AppError, model::MemberDto};
use leptos::prelude::*;

#[server(prefix = "/api/fn", endpoint = "list_members")]
pub async fn list_members() -> Result<Vec<MemberDto>, AppError> {
    let ports = crate::ports::ports()?;
    let actor = crate::ports::actor()?;
    ports.members.list(&actor).await
}
