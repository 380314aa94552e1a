//! Liveness and readiness probes.

use crate::{error::problem_response, state::AppState};
use app::error::AppError;
use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
};

/// The process is up.
pub async fn alive() -> &'static str {
    "ok"
}

/// The process can serve: the database answers.
pub async fn ready(State(state): State<AppState>) -> Response {
    match state.db.ping().await {
        Ok(()) => (StatusCode::OK, "ready").into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed: database unreachable");
            let mut r =
                problem_response(&AppError::Transport("the database is unreachable".into()));
            *r.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
            r
        }
    }
}
