use crate::{error::AppError, model::CreatedToken};
use leptos::prelude::*;

/// `abilities` come from checkboxes (absent when none is ticked) and `expires_on` from a
/// date input (`YYYY-MM-DD`, empty for no expiry).
#[server(prefix = "/api/fn", endpoint = "create_token")]
pub async fn create_token(
    name: String,
    #[server(default)] abilities: Vec<String>,
    #[server(default)] expires_on: String,
) -> Result<CreatedToken, AppError> {
    let ports = crate::ports::ports()?;
    let actor = crate::ports::actor()?;
    let expires_at = super::support::end_of_day(&expires_on, "expires_on")?;
    let created = ports
        .tokens
        .create(
            &actor,
            crate::model::NewTokenInput {
                name,
                abilities,
                expires_at,
            },
        )
        .await?;
    super::support::flash_if_plain_form(super::FlashKind::NewToken, &created.plain_text_token)
        .await?;
    Ok(created)
}
