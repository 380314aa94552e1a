use crate::{error::AppError, i18n::Locale, model::Me};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What every page needs before rendering: who is signed in (if anyone) and in which
/// language to speak. One call, made during SSR and reused by hydration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub me: Option<Me>,
    pub locale: Locale,
}

#[server(prefix = "/api/fn", endpoint = "get_session_info")]
pub async fn get_session_info() -> Result<SessionInfo, AppError> {
    let locale = crate::i18n::request_locale();
    // Anonymous visitors need no service call at all.
    let me = match crate::ports::current_actor() {
        Some(actor) => Some(crate::ports::ports()?.accounts.me(&actor).await?),
        None => None,
    };
    Ok(SessionInfo { me, locale })
}
