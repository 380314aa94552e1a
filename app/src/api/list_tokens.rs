use crate::{error::AppError, model::TokenDto};
use leptos::prelude::*;

/// The signed-in user's own tokens.
#[server(prefix = "/api/fn", endpoint = "list_tokens")]
pub async fn list_tokens() -> Result<Vec<TokenDto>, AppError> {
    let ports = crate::ports::ports()?;
    let actor = crate::ports::actor()?;
    ports.tokens.list(&actor, false).await
}
