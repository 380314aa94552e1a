//! A list's page: the list, and its public sign-up form's settings.

use crate::{error::AppError, model::ListDto};
use leptos::prelude::*;
use uuid::Uuid;

#[server(prefix = "/api/fn", endpoint = "get_list")]
pub async fn get_list(id: Uuid) -> Result<ListDto, AppError> {
    let ports = crate::ports::ports()?;
    let actor = crate::ports::actor()?;
    ports.lists.get(&actor, id).await
}

/// `enabled` is the ticked box (absent when unticked); an empty `wording` is the default.
#[server(prefix = "/api/fn", endpoint = "save_signup_form")]
pub async fn save_signup_form(
    id: Uuid,
    #[server(default)] enabled: Option<String>,
    #[server(default)] wording: String,
) -> Result<ListDto, AppError> {
    let ports = crate::ports::ports()?;
    let actor = crate::ports::actor()?;
    let patch = crate::model::ListPatch {
        signup_enabled: Some(enabled.is_some()),
        signup_wording: Some(wording),
        ..Default::default()
    };
    ports.lists.update(&actor, id, patch).await
}
