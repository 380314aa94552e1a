use super::extract::{ApiJson, ApiQuery, AuthActor, IdPath};
use super::responses::{Forbidden, Invalid, NotFound, Unauthorized};
use crate::{error::ApiError, state::AppState};
use app::{
    error::AppError,
    model::{Page, SuppressionDto, SuppressionInput, SuppressionQuery},
};
use axum::{extract::State, http::StatusCode, routing::get, Json, Router};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/suppressions",
            get(list).post(create).delete(remove_address),
        )
        .route("/api/suppressions/{id}", axum::routing::delete(remove))
}

#[utoipa::path(get, path = "/api/suppressions", tag = "gdpr", summary = "The suppression list, newest first (admins); `address` finds one address's entries",
    params(SuppressionQuery),
    responses((status = 200, description = "a page", body = app::model::Page<app::model::SuppressionDto>), Unauthorized, Forbidden, Invalid)
)]
pub async fn list(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    ApiQuery(query): ApiQuery<SuppressionQuery>,
) -> Result<Json<Page<SuppressionDto>>, ApiError> {
    Ok(Json(state.suppressions.list(&actor, query).await?))
}

#[utoipa::path(post, path = "/api/suppressions", tag = "gdpr", summary = "Suppress an address on a channel (admins); the existing entry when already there",
    request_body = app::model::SuppressionInput,
    responses((status = 201, description = "suppressed", body = app::model::SuppressionDto), Unauthorized, Forbidden, Invalid)
)]
pub async fn create(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    ApiJson(input): ApiJson<SuppressionInput>,
) -> Result<(StatusCode, Json<SuppressionDto>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(state.suppressions.add(&actor, input).await?),
    ))
}

#[utoipa::path(delete, path = "/api/suppressions/{id}", tag = "gdpr", summary = "Lift one entry (admins); the contact's consent stays as it is",
    params(("id" = uuid::Uuid, Path, description = "the entry's id")),
    responses((status = 204, description = "lifted"), Unauthorized, Forbidden, NotFound)
)]
pub async fn remove(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    IdPath(id): IdPath,
) -> Result<StatusCode, ApiError> {
    state.suppressions.remove(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/api/suppressions", tag = "gdpr", summary = "Lift an address's entries (admins), on `channel` or on every channel",
    params(SuppressionQuery),
    responses((status = 204, description = "lifted"), Unauthorized, Forbidden, NotFound, Invalid)
)]
pub async fn remove_address(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    ApiQuery(query): ApiQuery<SuppressionQuery>,
) -> Result<StatusCode, ApiError> {
    let Some(address) = query.address.as_deref().filter(|a| !a.trim().is_empty()) else {
        return Err(AppError::field(
            "address",
            "name the address to lift, or use /api/suppressions/{id}",
        )
        .into());
    };
    state
        .suppressions
        .remove_address(&actor, query.channel, address)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
