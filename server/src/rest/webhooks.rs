//! Outbound webhooks: endpoints, their attempts, replays (admins).

use super::extract::{ApiJson, ApiQuery, AuthActor, IdPath, IdsPath};
use super::responses::{Conflict, Forbidden, Invalid, NotFound, Unauthorized};
use crate::{error::ApiError, state::AppState};
use app::model::{
    AttemptsQuery, CreatedWebhook, Page, WebhookAttemptDto, WebhookDto, WebhookInput, WebhookPatch,
};
use axum::{
    extract::State,
    http::StatusCode,
    routing::{get, post},
    Json, Router,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/webhooks", get(list).post(create))
        .route("/api/webhooks/{id}", get(show).patch(update).delete(remove))
        .route("/api/webhooks/{id}/attempts", get(attempts))
        .route(
            "/api/webhooks/{id}/attempts/{attempt_id}/replay",
            post(replay),
        )
}

#[utoipa::path(get, path = "/api/webhooks", tag = "webhooks", summary = "The organization's outbound webhook endpoints (admins)",
    responses((status = 200, description = "the endpoints, without secrets", body = Vec<app::model::WebhookDto>), Unauthorized, Forbidden)
)]
pub async fn list(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
) -> Result<Json<Vec<WebhookDto>>, ApiError> {
    Ok(Json(state.outbound_webhooks.list(&actor).await?))
}

#[utoipa::path(post, path = "/api/webhooks", tag = "webhooks", summary = "Register an endpoint for the events named; its signing secret (`whsec_…`) is shown once",
    description = "Each event is POSTed as `{type, timestamp, data}` with the Standard Webhooks headers `webhook-id`, `webhook-timestamp` and `webhook-signature: v1,<base64 of HMAC-SHA256(secret, id.timestamp.body)>`. A failed POST is retried with exponential back-off for 24 hours; an endpoint failing every attempt for a day is disabled.",
    request_body = app::model::WebhookInput,
    responses((status = 201, description = "created", body = app::model::CreatedWebhook), Unauthorized, Forbidden, Invalid, Conflict)
)]
pub async fn create(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    ApiJson(input): ApiJson<WebhookInput>,
) -> Result<(StatusCode, Json<CreatedWebhook>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(state.outbound_webhooks.create(&actor, input).await?),
    ))
}

#[utoipa::path(get, path = "/api/webhooks/{id}", tag = "webhooks", summary = "One endpoint",
    params(("id" = uuid::Uuid, Path, description = "the endpoint")),
    responses((status = 200, description = "the endpoint", body = app::model::WebhookDto), Unauthorized, Forbidden, NotFound)
)]
pub async fn show(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    IdPath(id): IdPath,
) -> Result<Json<WebhookDto>, ApiError> {
    Ok(Json(state.outbound_webhooks.show(&actor, id).await?))
}

#[utoipa::path(patch, path = "/api/webhooks/{id}", tag = "webhooks", summary = "Change an endpoint's URL, events or description; disable it, or enable it again",
    params(("id" = uuid::Uuid, Path, description = "the endpoint")),
    request_body = app::model::WebhookPatch,
    responses((status = 200, description = "the endpoint", body = app::model::WebhookDto), Unauthorized, Forbidden, NotFound, Invalid)
)]
pub async fn update(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    IdPath(id): IdPath,
    ApiJson(patch): ApiJson<WebhookPatch>,
) -> Result<Json<WebhookDto>, ApiError> {
    Ok(Json(
        state.outbound_webhooks.update(&actor, id, patch).await?,
    ))
}

#[utoipa::path(delete, path = "/api/webhooks/{id}", tag = "webhooks", summary = "Delete an endpoint, its waiting messages and its attempts",
    params(("id" = uuid::Uuid, Path, description = "the endpoint")),
    responses((status = 204, description = "deleted"), Unauthorized, Forbidden, NotFound)
)]
pub async fn remove(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    IdPath(id): IdPath,
) -> Result<StatusCode, ApiError> {
    state.outbound_webhooks.delete(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/webhooks/{id}/attempts", tag = "webhooks", summary = "The endpoint's attempts, newest first: status, response code, latency, error",
    params(("id" = uuid::Uuid, Path, description = "the endpoint"), AttemptsQuery),
    responses((status = 200, description = "a page of attempts", body = app::model::Page<app::model::WebhookAttemptDto>), Unauthorized, Forbidden, NotFound, Invalid)
)]
pub async fn attempts(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    IdPath(id): IdPath,
    ApiQuery(query): ApiQuery<AttemptsQuery>,
) -> Result<Json<Page<WebhookAttemptDto>>, ApiError> {
    Ok(Json(
        state.outbound_webhooks.attempts(&actor, id, query).await?,
    ))
}

#[utoipa::path(post, path = "/api/webhooks/{id}/attempts/{attempt_id}/replay", tag = "webhooks", summary = "Send that attempt's message again, with the same `webhook-id`",
    params(("id" = uuid::Uuid, Path, description = "the endpoint"), ("attempt_id" = uuid::Uuid, Path, description = "the attempt")),
    responses((status = 202, description = "queued: it goes out within seconds"), Unauthorized, Forbidden, NotFound, Conflict)
)]
pub async fn replay(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    IdsPath(id, attempt_id): IdsPath,
) -> Result<StatusCode, ApiError> {
    state
        .outbound_webhooks
        .replay(&actor, id, attempt_id)
        .await?;
    Ok(StatusCode::ACCEPTED)
}
