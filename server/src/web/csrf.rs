//! Refuses state-changing browser requests that come from another origin.
//! Requests with a Bearer token carry no ambient credentials and are not checked;
//! requests with neither Origin, Referer nor Sec-Fetch-Site are not from a browser.

use crate::error::problem_response;
use app::error::AppError;
use axum::{
    extract::Request,
    http::{header, HeaderMap, Method},
    middleware::Next,
    response::Response,
};

pub async fn same_origin_only(request: Request, next: Next) -> Response {
    if is_safe(request.method()) || request.headers().contains_key(header::AUTHORIZATION) {
        return next.run(request).await;
    }
    if is_cross_origin(request.headers()) {
        tracing::warn!("refused a cross-origin state-changing request");
        return problem_response(&AppError::Forbidden(
            "cross-origin requests are not allowed".into(),
        ));
    }
    next.run(request).await
}

fn is_safe(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    )
}

fn is_cross_origin(headers: &HeaderMap) -> bool {
    let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = get("sec-fetch-site") {
        return !matches!(site, "same-origin" | "none");
    }
    let Some(host) = get("host") else {
        return true;
    };
    let origin = get("origin").or_else(|| get("referer"));
    match origin {
        // Some privacy settings send `Origin: null`; treat it as foreign.
        Some(origin) => url::Url::parse(origin)
            .ok()
            .and_then(|u| {
                u.host_str().map(|h| match u.port() {
                    Some(p) => format!("{h}:{p}"),
                    None => h.to_owned(),
                })
            })
            .is_none_or(|origin_host| !origin_host.eq_ignore_ascii_case(host)),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn decides_by_fetch_metadata_then_origin_then_referer() {
        assert!(!is_cross_origin(&headers(&[
            ("host", "a.org"),
            ("sec-fetch-site", "same-origin")
        ])));
        assert!(is_cross_origin(&headers(&[
            ("host", "a.org"),
            ("sec-fetch-site", "cross-site")
        ])));
        assert!(!is_cross_origin(&headers(&[
            ("host", "a.org:3000"),
            ("origin", "http://a.org:3000")
        ])));
        assert!(is_cross_origin(&headers(&[
            ("host", "a.org:3000"),
            ("origin", "http://evil.org:3000")
        ])));
        assert!(is_cross_origin(&headers(&[
            ("host", "a.org"),
            ("origin", "null")
        ])));
        assert!(!is_cross_origin(&headers(&[
            ("host", "a.org"),
            ("referer", "https://a.org/x")
        ])));
        assert!(is_cross_origin(&headers(&[
            ("host", "a.org"),
            ("referer", "https://b.org/x")
        ])));
        // curl and other non-browser clients
        assert!(!is_cross_origin(&headers(&[("host", "a.org")])));
    }
}
