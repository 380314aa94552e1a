//! Static assets (the WASM, scripts, styles, SVG) are gzipped on the way out: the WASM
//! is a quarter of its size compressed. Pages and API answers are not: a compressed
//! answer that reflects a visitor's input next to a secret leaks that secret, a byte at
//! a time, through its length (BREACH).

use axum::http::{header, StatusCode};
use tower_http::compression::{predicate::Predicate, CompressionLayer};

/// Answers smaller than this gain nothing worth the work.
const MIN_BYTES: u64 = 1024;

const ASSETS: [&str; 5] = [
    "application/wasm",
    "text/javascript",
    "application/javascript",
    "text/css",
    "image/svg+xml",
];

#[derive(Clone, Copy)]
pub struct StaticAssets;

impl Predicate for StaticAssets {
    fn should_compress<B>(&self, response: &axum::http::Response<B>) -> bool
    where
        B: http_body::Body,
    {
        let asset = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(is_asset);
        let big_enough = http_body::Body::size_hint(response.body())
            .exact()
            .is_none_or(|n| n >= MIN_BYTES);
        response.status() == StatusCode::OK && asset && big_enough
    }
}

fn is_asset(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or("").trim();
    ASSETS.iter().any(|a| essence.eq_ignore_ascii_case(a))
}

/// The layer, gzip only (what every browser accepts).
pub fn layer() -> CompressionLayer<StaticAssets> {
    CompressionLayer::new()
        .no_br()
        .no_deflate()
        .no_zstd()
        .compress_when(StaticAssets)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::{body::Body, http::Request, routing::get, Router};
    use tower::ServiceExt;

    async fn fetch(content_type: &'static str, size: usize) -> Option<String> {
        let body = "x".repeat(size);
        let app = Router::new()
            .route(
                "/",
                get(move || async move { ([(header::CONTENT_TYPE, content_type)], body) }),
            )
            .layer(layer());
        let request = Request::get("/")
            .header(header::ACCEPT_ENCODING, "gzip, br")
            .body(Body::empty())
            .expect("request");
        let response = app.oneshot(request).await.expect("response");
        response
            .headers()
            .get(header::CONTENT_ENCODING)
            .map(|v| v.to_str().expect("ascii").to_owned())
    }

    #[tokio::test]
    async fn the_wasm_goes_gzipped_and_pages_and_small_files_do_not() {
        assert_eq!(
            fetch("application/wasm", 4096).await.as_deref(),
            Some("gzip")
        );
        assert_eq!(
            fetch("text/javascript", 4096).await.as_deref(),
            Some("gzip")
        );
        assert_eq!(fetch("text/html; charset=utf-8", 4096).await, None);
        assert_eq!(fetch("application/json", 4096).await, None);
        assert_eq!(fetch("text/css", 100).await, None);
    }

    #[test]
    fn assets_are_compressed_and_pages_are_not() {
        assert!(is_asset("application/wasm"));
        assert!(is_asset("text/javascript; charset=utf-8"));
        assert!(is_asset("Text/CSS"));
        assert!(!is_asset("text/html; charset=utf-8"));
        assert!(!is_asset("application/json"));
        assert!(!is_asset("text/csv"));
    }
}
