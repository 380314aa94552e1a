use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What a one-time flash holds. Secrets are never put in a URL; after a plain-form
/// post they wait in the session for the page to read them once.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlashKind {
    /// The `id|secret` of a token just created.
    NewToken,
    /// The accept link of an invitation just created.
    InvitationLink,
}

impl FlashKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FlashKind::NewToken => "new_token",
            FlashKind::InvitationLink => "invitation_link",
        }
    }
}

/// Returns the flash of this kind and forgets it.
#[server(prefix = "/api/fn", endpoint = "take_flash")]
pub async fn take_flash(kind: FlashKind) -> Result<Option<String>, AppError> {
    // Only the signed-in user's own session can hold a flash; refuse anonymous reads.
    crate::ports::actor()?;
    super::support::take_flash(kind).await
}
