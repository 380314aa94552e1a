//! The organization's events, in order, from a cursor.

use super::extract::{ApiQuery, AuthActor};
use super::responses::{Forbidden, Invalid, Unauthorized};
use crate::{error::ApiError, state::AppState};
use app::model::EventsPage;
use axum::{extract::State, routing::get, Json, Router};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/events", get(list))
}

#[derive(Deserialize)]
pub struct Cursor {
    after: Option<String>,
    limit: Option<u64>,
}

#[utoipa::path(get, path = "/api/events", tag = "events", summary = "Events after a cursor, oldest first",
    params(super::params::EventCursor),
    responses((status = 200, description = "events and the next cursor", body = app::model::EventsPage), Unauthorized, Forbidden, Invalid)
)]
pub async fn list(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    ApiQuery(cursor): ApiQuery<Cursor>,
) -> Result<Json<EventsPage>, ApiError> {
    Ok(Json(
        state
            .events
            .list(&actor, cursor.after.as_deref(), cursor.limit)
            .await?,
    ))
}
