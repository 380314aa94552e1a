use crate::{
    error::AppError,
    model::{MemberDto, Role},
};
use leptos::prelude::*;
use uuid::Uuid;

#[server(prefix = "/api/fn", endpoint = "change_member_role")]
pub async fn change_member_role(member_id: Uuid, role: Role) -> Result<MemberDto, AppError> {
    let ports = crate::ports::ports()?;
    let actor = crate::ports::actor()?;
    ports.members.change_role(&actor, member_id, role).await
}
