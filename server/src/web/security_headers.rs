//! Security headers on every response. HTML pages get a CSP with a per-response nonce
//! (set while rendering, see `page_csp`); everything else gets a locked-down default.

use axum::{
    extract::Request,
    http::{header, HeaderName, HeaderValue},
    middleware::Next,
    response::Response,
};

/// For responses that set no policy of their own (JSON, assets, errors).
const DEFAULT_CSP: &str =
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// For the small public pages rendered without Leptos (unsubscribe, preferences): our
/// stylesheet, forms to ourselves, nothing else.
pub const PLAIN_PAGE_CSP: &str = "default-src 'none'; style-src 'self'; form-action 'self'; \
     frame-ancestors 'none'; base-uri 'none'";

/// The policy of a rendered page: our own scripts only, plus the inline hydration
/// script that carries `nonce`; WASM compilation needs 'wasm-unsafe-eval'.
pub fn page_csp(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}

pub async fn add(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let mut set_default = |name: HeaderName, value: &'static str| {
        if !headers.contains_key(&name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    };
    set_default(header::CONTENT_SECURITY_POLICY, DEFAULT_CSP);
    set_default(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    // `same-origin` rather than `no-referrer`: forms without JavaScript are redirected
    // back to the page they came from, which needs the Referer on our own origin.
    set_default(header::REFERRER_POLICY, "same-origin");
    set_default(header::X_FRAME_OPTIONS, "DENY");
    set_default(
        HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    );
    set_default(
        HeaderName::from_static("permissions-policy"),
        "camera=(), microphone=(), geolocation=()",
    );
    response
}
