use crate::{error::AppError, model::ConsentRecordDto};
use leptos::prelude::*;
use uuid::Uuid;

#[server(prefix = "/api/fn", endpoint = "consent_history")]
pub async fn consent_history(id: Uuid) -> Result<Vec<ConsentRecordDto>, AppError> {
    let ports = crate::ports::ports()?;
    let actor = crate::ports::actor()?;
    ports.contacts.consent_history(&actor, id).await
}
