//! Sending a campaign: now, pause, resume, a test, its progress and its deliveries.

use super::extract::{ApiJson, ApiQuery, AuthActor, IdPath};
use super::responses::{Conflict, Forbidden, Invalid, NotFound, Unauthorized};
use crate::{error::ApiError, state::AppState};
use app::model::{
    CampaignDto, CampaignTestInput, CampaignTestResult, DeliveryDto, DeliveryQuery, Page,
    ProgressDto,
};
use axum::{
    extract::State,
    routing::{get, post},
    Json, Router,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/campaigns/{id}/send", post(send))
        .route("/api/campaigns/{id}/pause", post(pause))
        .route("/api/campaigns/{id}/resume", post(resume))
        .route("/api/campaigns/{id}/test", post(test))
        .route("/api/campaigns/{id}/progress", get(progress))
        .route("/api/campaigns/{id}/deliveries", get(deliveries))
}

#[utoipa::path(post, path = "/api/campaigns/{id}/send", tag = "sending", summary = "Send now: scheduled for now, started within a second",
    params(("id" = uuid::Uuid, Path, description = "the id")),
    responses((status = 200, description = "scheduled for now", body = app::model::CampaignDto), Unauthorized, Forbidden, NotFound, Conflict, Invalid)
)]
pub async fn send(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    IdPath(id): IdPath,
) -> Result<Json<CampaignDto>, ApiError> {
    Ok(Json(state.sending.send(&actor, id).await?))
}

#[utoipa::path(post, path = "/api/campaigns/{id}/pause", tag = "sending", summary = "Pause a running campaign",
    params(("id" = uuid::Uuid, Path, description = "the id")),
    responses((status = 200, description = "paused", body = app::model::CampaignDto), Unauthorized, Forbidden, NotFound, Conflict)
)]
pub async fn pause(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    IdPath(id): IdPath,
) -> Result<Json<CampaignDto>, ApiError> {
    Ok(Json(state.sending.pause(&actor, id).await?))
}

#[utoipa::path(post, path = "/api/campaigns/{id}/resume", tag = "sending", summary = "Resume a paused campaign",
    params(("id" = uuid::Uuid, Path, description = "the id")),
    responses((status = 200, description = "running again", body = app::model::CampaignDto), Unauthorized, Forbidden, NotFound, Conflict)
)]
pub async fn resume(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    IdPath(id): IdPath,
) -> Result<Json<CampaignDto>, ApiError> {
    Ok(Json(state.sending.resume(&actor, id).await?))
}

#[utoipa::path(post, path = "/api/campaigns/{id}/test", tag = "sending", summary = "Send the campaign, rendered for a sample contact, to these addresses",
    params(("id" = uuid::Uuid, Path, description = "the id")),
    request_body = app::model::CampaignTestInput,
    responses((status = 200, description = "what each channel's provider said", body = Vec<app::model::CampaignTestResult>), Unauthorized, Forbidden, NotFound, Invalid)
)]
pub async fn test(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    IdPath(id): IdPath,
    ApiJson(input): ApiJson<CampaignTestInput>,
) -> Result<Json<Vec<CampaignTestResult>>, ApiError> {
    Ok(Json(state.sending.test(&actor, id, input).await?))
}

#[utoipa::path(get, path = "/api/campaigns/{id}/progress", tag = "sending", summary = "Counts per channel and skip reasons, kept as it sends",
    params(("id" = uuid::Uuid, Path, description = "the id")),
    responses((status = 200, description = "progress", body = app::model::ProgressDto), Unauthorized, Forbidden, NotFound)
)]
pub async fn progress(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    IdPath(id): IdPath,
) -> Result<Json<ProgressDto>, ApiError> {
    Ok(Json(state.sending.progress(&actor, id).await?))
}

#[utoipa::path(get, path = "/api/campaigns/{id}/deliveries", tag = "sending", summary = "The campaign's deliveries, paged",
    params(("id" = uuid::Uuid, Path, description = "the id"), super::params::DeliveryFilters),
    responses((status = 200, description = "a page", body = app::model::Page<app::model::DeliveryDto>), Unauthorized, Forbidden, NotFound, Invalid)
)]
pub async fn deliveries(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    IdPath(id): IdPath,
    ApiQuery(query): ApiQuery<DeliveryQuery>,
) -> Result<Json<Page<DeliveryDto>>, ApiError> {
    Ok(Json(state.sending.deliveries(&actor, id, query).await?))
}
