//! Server-only helpers for the server functions: one-time flashes in the session, and
//! telling a plain HTML form post from a call made by the hydrated app.

use crate::error::AppError;
use leptos::prelude::use_context;

/// Session key prefix for values shown once after a plain-form redirect.
const FLASH_PREFIX: &str = "flash.";

/// Whether this request is a plain `<form>` post (no JavaScript). Leptos then redirects
/// back to the page, and the function's return value is lost on the way.
pub fn from_plain_form() -> bool {
    use_context::<http::request::Parts>()
        .and_then(|parts| {
            parts
                .headers
                .get(http::header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .map(|accept| accept.contains("text/html"))
        })
        .unwrap_or(false)
}

/// Keeps `value` in the session until the next [`take_flash`], but only for plain
/// forms: the hydrated app gets the value in the response and needs no copy.
pub async fn flash_if_plain_form(kind: super::FlashKind, value: &str) -> Result<(), AppError> {
    if !from_plain_form() {
        return Ok(());
    }
    let session = crate::ports::session()?;
    session.insert(&key(kind), value).await.map_err(|e| {
        tracing::error!(error = %e, "Failed to store a flash in the session");
        AppError::Internal
    })
}

/// Reads and removes the flash of this kind. SSR may build a page more than once per
/// request (each build creating its resources anew), so what was taken is kept in the
/// request's [`FlashCache`](super::FlashCache) and every build of the page sees it.
pub async fn take_flash(kind: super::FlashKind) -> Result<Option<String>, AppError> {
    let cache = use_context::<super::FlashCache>();
    if let Some(taken) = cache.as_ref().and_then(|c| c.get(kind)) {
        return Ok(taken);
    }
    let session = crate::ports::session()?;
    let value = session.remove::<String>(&key(kind)).await.map_err(|e| {
        tracing::error!(error = %e, "Failed to read a flash from the session");
        AppError::Internal
    })?;
    Ok(match cache {
        Some(cache) => cache.keep(kind, value),
        None => value,
    })
}

/// Where a server function adds headers (cookies) to its response.
pub fn response_options() -> Result<leptos_axum::ResponseOptions, AppError> {
    use_context::<leptos_axum::ResponseOptions>().ok_or_else(|| {
        tracing::error!("ResponseOptions missing from the Leptos context");
        AppError::Internal
    })
}

fn key(kind: super::FlashKind) -> String {
    format!("{FLASH_PREFIX}{}", kind.as_str())
}

/// A date from `<input type="date">` as the last second of that day (UTC), so a token
/// "expiring on" a date still works during it and is listed with that same date.
/// Empty means none.
pub fn end_of_day(
    raw: &str,
    field: &str,
) -> Result<Option<chrono::DateTime<chrono::Utc>>, AppError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let invalid = || AppError::field(field, "expected a date like 2030-12-31");
    let date = chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| invalid())?;
    let last_second = date.and_hms_opt(23, 59, 59).ok_or_else(invalid)?;
    Ok(Some(last_second.and_utc()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_dates() {
        assert_eq!(end_of_day("  ", "x"), Ok(None));
        let at = end_of_day("2030-12-31", "x").unwrap().unwrap();
        assert_eq!(at.to_rfc3339(), "2030-12-31T23:59:59+00:00");
        let err = end_of_day("31/12/2030", "expires_on").unwrap_err();
        assert!(err.field_error("expires_on").is_some());
    }
}
