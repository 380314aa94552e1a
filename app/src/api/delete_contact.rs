use crate::error::AppError;
use leptos::prelude::*;
use uuid::Uuid;

/// Erases the contact (crypto-shredding); `confirm` is the ticked box that says the user
/// knows it cannot be undone.
#[server(prefix = "/api/fn", endpoint = "delete_contact")]
pub async fn delete_contact(id: Uuid, confirm: Option<String>) -> Result<(), AppError> {
    let ports = crate::ports::ports()?;
    let actor = crate::ports::actor()?;
    if confirm.as_deref() != Some("yes") {
        return Err(AppError::field(
            "confirm",
            "tick the box to confirm: an erasure cannot be undone",
        ));
    }
    ports.privacy.erase(&actor, id).await?;
    leptos_axum::redirect("/contacts");
    Ok(())
}
