use super::{
    extract::{ApiJson, AuthActor, IdPath},
    paging::PageQuery,
};
use crate::{campaigns::CampaignFilter, error::ApiError, startup::AppState};
use app::{
    error::AppError,
    model::{CampaignDto, CampaignPatch, FieldErrors, NewCampaign, Page},
};
use axum::{
    body::Bytes,
    extract::{Query, State},
    http::StatusCode,
    routing::{get, post},
    Json, Router,
};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/campaigns", get(list).post(create))
        .route("/api/campaigns/{id}", get(show).patch(update).delete(remove))
        .route("/api/campaigns/{id}/schedule", post(schedule))
        .route("/api/campaigns/{id}/unschedule", post(unschedule))
        .route("/api/campaigns/{id}/cancel", post(cancel))
        .route("/api/campaigns/{id}/duplicate", post(duplicate))
}

#[derive(Deserialize)]
struct Filters {
    status: Option<String>,
    channel: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    page: PageQuery,
    Query(filters): Query<Filters>,
) -> Result<Json<Page<CampaignDto>>, ApiError> {
    let filter = CampaignFilter::parse(filters.status, filters.channel)?;
    Ok(Json(state.campaigns.list(&actor, &page, &filter).await?))
}

async fn create(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    ApiJson(input): ApiJson<NewCampaign>,
) -> Result<(StatusCode, Json<CampaignDto>), ApiError> {
    Ok((StatusCode::CREATED, Json(state.campaigns.create(&actor, input).await?)))
}

async fn show(State(state): State<AppState>, AuthActor(actor): AuthActor, IdPath(id): IdPath) -> Result<Json<CampaignDto>, ApiError> {
    Ok(Json(state.campaigns.get(&actor, id).await?))
}

async fn update(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    IdPath(id): IdPath,
    ApiJson(patch): ApiJson<CampaignPatch>,
) -> Result<Json<CampaignDto>, ApiError> {
    Ok(Json(state.campaigns.update(&actor, id, patch).await?))
}

async fn remove(State(state): State<AppState>, AuthActor(actor): AuthActor, IdPath(id): IdPath) -> Result<StatusCode, ApiError> {
    state.campaigns.delete(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
struct ScheduleBody {
    #[serde(default)]
    scheduled_at: Option<String>,
}

/// The body is optional: `{}` or none keeps the campaign's time (or sends now).
async fn schedule(State(state): State<AppState>, AuthActor(actor): AuthActor, IdPath(id): IdPath, body: Bytes) -> Result<Json<CampaignDto>, ApiError> {
    let at = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        serde_json::from_slice::<ScheduleBody>(&body)
            .map_err(|e| AppError::Validation { message: format!("malformed JSON: {e}"), fields: FieldErrors::new() })?
            .scheduled_at
    };
    Ok(Json(state.campaigns.schedule(&actor, id, at).await?))
}

async fn unschedule(State(state): State<AppState>, AuthActor(actor): AuthActor, IdPath(id): IdPath) -> Result<Json<CampaignDto>, ApiError> {
    Ok(Json(state.campaigns.unschedule(&actor, id).await?))
}

async fn cancel(State(state): State<AppState>, AuthActor(actor): AuthActor, IdPath(id): IdPath) -> Result<Json<CampaignDto>, ApiError> {
    Ok(Json(state.campaigns.cancel(&actor, id).await?))
}

async fn duplicate(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    IdPath(id): IdPath,
) -> Result<(StatusCode, Json<CampaignDto>), ApiError> {
    Ok((StatusCode::CREATED, Json(state.campaigns.duplicate(&actor, id).await?)))
}
