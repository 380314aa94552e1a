use super::extract::{ApiJson, AuthActor};
use super::responses::{Forbidden, Invalid, Unauthorized};
use crate::{error::ApiError, state::AppState};
use app::model::{RetentionPolicy, RetentionView};
use axum::{extract::State, routing::get, Json, Router};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/retention", get(show).put(update))
}

#[utoipa::path(get, path = "/api/retention", tag = "gdpr", summary = "The organization's retention policy and its latest daily runs, newest first, with what each deleted",
    responses((status = 200, description = "the policy and runs", body = app::model::RetentionView), Unauthorized, Forbidden)
)]
pub async fn show(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
) -> Result<Json<RetentionView>, ApiError> {
    Ok(Json(state.retention.view(&actor).await?))
}

#[utoipa::path(put, path = "/api/retention", tag = "gdpr", summary = "Set the retention policy (admins): delete deliveries and events older than `delivery_months`, contacts inactive for `contact_months` (1 to 120; null keeps without limit); applied daily",
    request_body = app::model::RetentionPolicy,
    responses((status = 200, description = "the policy and runs", body = app::model::RetentionView), Unauthorized, Forbidden, Invalid)
)]
pub async fn update(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    ApiJson(policy): ApiJson<RetentionPolicy>,
) -> Result<Json<RetentionView>, ApiError> {
    Ok(Json(state.retention.set(&actor, policy).await?))
}
