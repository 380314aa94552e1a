use crate::{
    error::AppError,
    model::{AuditEntryDto, AuditQuery, Page},
};
use leptos::prelude::*;

#[server(prefix = "/api/fn", endpoint = "list_audit")]
pub async fn list_audit(query: AuditQuery) -> Result<Page<AuditEntryDto>, AppError> {
    let ports = crate::ports::ports()?;
    let actor = crate::ports::actor()?;
    ports.audit.list(&actor, query).await
}
