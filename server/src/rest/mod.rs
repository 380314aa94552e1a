//! The JSON REST API under `/api`. Handlers are thin: extract, call one service
//! method, shape the response. Errors are `application/problem+json`.

mod audit;
mod auth;
mod campaigns;
mod channels;
mod contacts;
mod events;
pub mod extract;
mod imports;
mod invitations;
mod lists;
mod members;
mod openapi;
mod params;
mod responses;
mod retention;
mod sending;
mod stats;
mod suppressions;
mod tokens;
mod webhooks;

use crate::{error::ApiError, state::AppState};
use app::error::AppError;
use axum::{
    routing::{delete, get, patch, post},
    Router,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/openapi.json", get(openapi::document))
        .route("/api/auth/signup", post(auth::signup))
        .route("/api/auth/login", post(auth::login))
        .route("/api/auth/logout", post(auth::logout))
        .route("/api/me", get(auth::me))
        .route("/api/me/organization", post(auth::switch_organization))
        .route(
            "/api/organization",
            get(auth::organization).patch(auth::update_organization),
        )
        .route("/api/tokens", get(tokens::list).post(tokens::create))
        .route("/api/tokens/{id}", delete(tokens::revoke))
        .route("/api/members", get(members::list))
        .route(
            "/api/members/{id}",
            patch(members::change_role).delete(members::remove),
        )
        .route(
            "/api/invitations",
            get(invitations::pending).post(invitations::create),
        )
        .route("/api/invitations/accept", post(invitations::accept))
        .route("/api/invitations/{id}", delete(invitations::revoke))
        .merge(campaigns::router())
        .merge(contacts::router())
        .merge(lists::router())
        .merge(imports::router())
        .merge(sending::router())
        .merge(stats::router())
        .merge(channels::router())
        .merge(events::router())
        .merge(suppressions::router())
        .merge(audit::router())
        .merge(retention::router())
        .merge(webhooks::router())
}

/// Unknown paths under `/api` answer in the API's own format.
pub async fn not_found() -> ApiError {
    ApiError(AppError::NotFound("no such API endpoint".into()))
}
