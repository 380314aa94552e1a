use super::extract::{ApiJson, ApiQuery, AuthActor, IdPath};
use super::responses::{Conflict, Forbidden, Invalid, NotFound, Unauthorized};
use crate::{error::ApiError, state::AppState};
use app::{
    error::AppError,
    model::{CampaignDto, CampaignPatch, CampaignQuery, FieldErrors, NewCampaign, Page},
};
use axum::{
    body::Bytes,
    extract::State,
    http::StatusCode,
    routing::{get, post},
    Json, Router,
};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/campaigns", get(list).post(create))
        .route(
            "/api/campaigns/{id}",
            get(show).patch(update).delete(remove),
        )
        .route("/api/campaigns/{id}/schedule", post(schedule))
        .route("/api/campaigns/{id}/unschedule", post(unschedule))
        .route("/api/campaigns/{id}/cancel", post(cancel))
        .route("/api/campaigns/{id}/duplicate", post(duplicate))
}

#[utoipa::path(get, path = "/api/campaigns", tag = "campaigns", summary = "Campaigns, paged, filtered and sorted",
    params(super::params::PageParams, super::params::CampaignFilters),
    responses((status = 200, description = "a page", body = app::model::Page<app::model::CampaignDto>), Unauthorized, Forbidden, Invalid)
)]
pub async fn list(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    ApiQuery(query): ApiQuery<CampaignQuery>,
) -> Result<Json<Page<CampaignDto>>, ApiError> {
    Ok(Json(state.campaigns.list(&actor, query).await?))
}

#[utoipa::path(post, path = "/api/campaigns", tag = "campaigns", summary = "Create a draft campaign",
    request_body = app::model::NewCampaign,
    responses((status = 201, description = "a draft", body = app::model::CampaignDto), Unauthorized, Forbidden, Invalid)
)]
pub async fn create(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    ApiJson(input): ApiJson<NewCampaign>,
) -> Result<(StatusCode, Json<CampaignDto>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(state.campaigns.create(&actor, input).await?),
    ))
}

#[utoipa::path(get, path = "/api/campaigns/{id}", tag = "campaigns", summary = "One campaign",
    params(("id" = uuid::Uuid, Path, description = "the id")),
    responses((status = 200, description = "the campaign", body = app::model::CampaignDto), Unauthorized, Forbidden, NotFound)
)]
pub async fn show(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    IdPath(id): IdPath,
) -> Result<Json<CampaignDto>, ApiError> {
    Ok(Json(state.campaigns.get(&actor, id).await?))
}

#[utoipa::path(patch, path = "/api/campaigns/{id}", tag = "campaigns", summary = "Change a draft or scheduled campaign",
    params(("id" = uuid::Uuid, Path, description = "the id")),
    request_body = app::model::CampaignPatch,
    responses((status = 200, description = "changed", body = app::model::CampaignDto), Unauthorized, Forbidden, NotFound, Conflict, Invalid)
)]
pub async fn update(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    IdPath(id): IdPath,
    ApiJson(patch): ApiJson<CampaignPatch>,
) -> Result<Json<CampaignDto>, ApiError> {
    Ok(Json(state.campaigns.update(&actor, id, patch).await?))
}

#[utoipa::path(delete, path = "/api/campaigns/{id}", tag = "campaigns", summary = "Delete a draft or cancelled campaign",
    params(("id" = uuid::Uuid, Path, description = "the id")),
    responses((status = 204, description = "deleted"), Unauthorized, Forbidden, NotFound, Conflict)
)]
pub async fn remove(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    IdPath(id): IdPath,
) -> Result<StatusCode, ApiError> {
    state.campaigns.delete(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ScheduleBody {
    #[serde(default)]
    scheduled_at: Option<String>,
}

/// The body is optional: `{}` or none keeps the campaign's time (or sends now).
#[utoipa::path(post, path = "/api/campaigns/{id}/schedule", tag = "campaigns", summary = "Schedule: content complete, an audience, a time now or later",
    params(("id" = uuid::Uuid, Path, description = "the id")),
    request_body = Option<ScheduleBody>,
    responses((status = 200, description = "scheduled", body = app::model::CampaignDto), Unauthorized, Forbidden, NotFound, Conflict, Invalid)
)]
pub async fn schedule(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    IdPath(id): IdPath,
    body: Bytes,
) -> Result<Json<CampaignDto>, ApiError> {
    let at = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        serde_json::from_slice::<ScheduleBody>(&body)
            .map_err(|e| AppError::Validation {
                message: format!("malformed JSON: {e}"),
                fields: FieldErrors::new(),
            })?
            .scheduled_at
    };
    Ok(Json(state.campaigns.schedule(&actor, id, at).await?))
}

#[utoipa::path(post, path = "/api/campaigns/{id}/unschedule", tag = "campaigns", summary = "Back to draft",
    params(("id" = uuid::Uuid, Path, description = "the id")),
    responses((status = 200, description = "a draft again", body = app::model::CampaignDto), Unauthorized, Forbidden, NotFound, Conflict)
)]
pub async fn unschedule(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    IdPath(id): IdPath,
) -> Result<Json<CampaignDto>, ApiError> {
    Ok(Json(state.campaigns.unschedule(&actor, id).await?))
}

#[utoipa::path(post, path = "/api/campaigns/{id}/cancel", tag = "campaigns", summary = "Cancel a scheduled or running campaign",
    params(("id" = uuid::Uuid, Path, description = "the id")),
    responses((status = 200, description = "cancelled", body = app::model::CampaignDto), Unauthorized, Forbidden, NotFound, Conflict)
)]
pub async fn cancel(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    IdPath(id): IdPath,
) -> Result<Json<CampaignDto>, ApiError> {
    Ok(Json(state.campaigns.cancel(&actor, id).await?))
}

#[utoipa::path(post, path = "/api/campaigns/{id}/duplicate", tag = "campaigns", summary = "Copy into a new draft",
    params(("id" = uuid::Uuid, Path, description = "the id")),
    responses((status = 201, description = "the copy", body = app::model::CampaignDto), Unauthorized, Forbidden, NotFound)
)]
pub async fn duplicate(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    IdPath(id): IdPath,
) -> Result<(StatusCode, Json<CampaignDto>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(state.campaigns.duplicate(&actor, id).await?),
    ))
}
