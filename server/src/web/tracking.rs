//! The tracking URLs of messages, public and without login (mail clients and browsers
//! of anyone): `GET /t/o/{token}`, the open pixel, always a 1×1 GIF that is never
//! cached, whatever the token; `GET /t/c/{token}`, a click, a redirect to the link's
//! stored target, or a 404 page for a token we did not sign (never a redirect to
//! anything the request says).

use super::plain_page;
use crate::{state::AppState, tracking::machine::Hit};
use axum::{
    extract::{Request, State},
    http::{header, HeaderMap, HeaderValue, Method, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Router,
};

/// A transparent 1×1 GIF.
const PIXEL: &[u8] = &[
    0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00,
    0xff, 0xff, 0xff, 0x21, 0xf9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3b,
];

/// User agents are kept to this many bytes when judged.
const MAX_USER_AGENT: usize = 512;

pub fn router() -> Router<AppState> {
    // Catch-alls, so that any path below them (garbage, extra segments) gets the same
    // answer as a bad token.
    Router::new()
        .route("/t/o/", get(open))
        .route("/t/o/{*token}", get(open))
        .route("/t/c/", get(click))
        .route("/t/c/{*token}", get(click))
}

fn hit(method: &Method, headers: &HeaderMap) -> Hit {
    let user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|ua| {
            let mut end = ua.len().min(MAX_USER_AGENT);
            while !ua.is_char_boundary(end) {
                end -= 1;
            }
            ua[..end].to_owned()
        });
    Hit {
        user_agent,
        head: method == Method::HEAD,
        since_sent: None,
    }
}

/// The token: the path's last part (the raw text; tokens are URL-safe as they are).
fn token(request: &Request) -> String {
    let path = request.uri().path();
    path.splitn(4, '/').nth(3).unwrap_or("").to_owned()
}

async fn open(State(state): State<AppState>, request: Request) -> Response {
    let hit = hit(request.method(), request.headers());
    if let Err(e) = state.tracking.open(&token(&request), hit).await {
        // The pixel answers anyway: a mail client shows nothing of our troubles.
        let _ = app::error::AppError::from(e);
    }
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("image/gif")),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("no-store, max-age=0"),
            ),
        ],
        PIXEL,
    )
        .into_response()
}

async fn click(State(state): State<AppState>, request: Request) -> Response {
    let hit = hit(request.method(), request.headers());
    let french = plain_page::wants_french(request.headers());
    match state.tracking.click(&token(&request), hit).await {
        Ok(Some(target)) => match HeaderValue::from_str(&target) {
            Ok(location) => (
                StatusCode::FOUND,
                [
                    (header::LOCATION, location),
                    (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
                    (
                        header::REFERRER_POLICY,
                        HeaderValue::from_static("no-referrer"),
                    ),
                ],
            )
                .into_response(),
            Err(_) => not_found(french),
        },
        Ok(None) => not_found(french),
        Err(e) => {
            let _ = app::error::AppError::from(e);
            let (title, text) = if french {
                (
                    "Lien momentanément indisponible",
                    "Réessayez dans un instant.",
                )
            } else {
                ("Link unavailable for now", "Please try again in a moment.")
            };
            plain_page::render(
                StatusCode::SERVICE_UNAVAILABLE,
                if french { "fr" } else { "en" },
                title,
                &format!("<p>{text}</p>"),
            )
        }
    }
}

fn not_found(french: bool) -> Response {
    let (title, text) = if french {
        (
            "Lien inconnu",
            "Ce lien n'existe pas ou a été modifié. Vérifiez qu'il a été copié en entier.",
        )
    } else {
        (
            "Unknown link",
            "This link does not exist or was altered. Check that it was copied whole.",
        )
    };
    plain_page::render(
        StatusCode::NOT_FOUND,
        if french { "fr" } else { "en" },
        title,
        &format!("<p>{text}</p>"),
    )
}
