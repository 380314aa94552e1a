//! The small public pages rendered without Leptos (unsubscribe, preferences): one HTML
//! shell with our stylesheet, never cached, and the language the browser asks for.

use axum::{
    http::{header, HeaderMap, StatusCode},
    response::{Html, IntoResponse, Response},
};

/// Whether the browser prefers French (else English).
pub fn wants_french(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("fr"))
}

/// `body` is HTML the caller built (escaping what it inserts, see [`escape`]).
pub fn render(status: StatusCode, lang: &str, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title}</title><link rel=\"stylesheet\" href=\"/pkg/carillon.css\"></head><body><main class=\"narrow\"><h1>{title}</h1>{body}</main></body></html>"
    );
    let headers = [
        (header::CACHE_CONTROL, "no-store"),
        (
            header::CONTENT_SECURITY_POLICY,
            super::security_headers::PLAIN_PAGE_CSP,
        ),
    ];
    (status, headers, Html(html)).into_response()
}

pub use crate::html::escape;
