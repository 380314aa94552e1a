use crate::error::AppError;
use leptos::prelude::*;

/// Remembers the chosen language in a cookie. Posted by a plain form (also with
/// JavaScript), so the browser reloads the page in the new language.
#[server(prefix = "/api/fn", endpoint = "set_locale")]
pub async fn set_locale(locale: String) -> Result<(), AppError> {
    let locale = crate::i18n::Locale::parse(&locale)
        .ok_or_else(|| AppError::field("locale", "unsupported language"))?;
    let ctx = crate::ports::request_context()?;
    // `Secure` whenever the site is reached over HTTPS; plain HTTP only in development.
    let secure = if ctx.base_url.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{}={}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly{secure}",
        crate::i18n::LOCALE_COOKIE,
        locale.code()
    );
    let value = http::HeaderValue::from_str(&cookie).map_err(|_| AppError::Internal)?;
    let response = super::support::response_options()?;
    response.append_header(http::header::SET_COOKIE, value);
    Ok(())
}
