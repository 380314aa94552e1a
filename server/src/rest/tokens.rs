use super::extract::{ApiJson, AuthActor, IdPath};
use crate::{error::ApiError, startup::AppState};
use app::model::{CreatedToken, NewTokenInput, TokenDto};
use axum::{
    extract::{Query, State},
    http::StatusCode,
    Json,
};
use serde::Deserialize;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Admins: every member's tokens, not just their own.
    #[serde(default)]
    all: bool,
}

#[utoipa::path(get, path = "/api/tokens", tag = "tokens", summary = "Your API tokens (admins: `all=true` for everyone's)",
    params(ListQuery),
    responses((status = 200, description = "the tokens, without secrets", body = Vec<app::model::TokenDto>), (status = 401, description = "not signed in, or an invalid token", body = crate::error::Problem, content_type = "application/problem+json"), (status = 403, description = "the role or the token's abilities do not allow it", body = crate::error::Problem, content_type = "application/problem+json"))
)]
pub async fn list(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    Query(q): Query<ListQuery>,
) -> Result<Json<Vec<TokenDto>>, ApiError> {
    Ok(Json(state.tokens.list(&actor, q.all).await?))
}

#[utoipa::path(post, path = "/api/tokens", tag = "tokens", summary = "Create an API token; the plain-text token is shown once",
    request_body = app::model::NewTokenInput,
    responses((status = 201, description = "created", body = app::model::CreatedToken), (status = 401, description = "not signed in, or an invalid token", body = crate::error::Problem, content_type = "application/problem+json"), (status = 403, description = "the role or the token's abilities do not allow it", body = crate::error::Problem, content_type = "application/problem+json"), (status = 422, description = "invalid input; `errors` names each field", body = crate::error::Problem, content_type = "application/problem+json"))
)]
pub async fn create(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    ApiJson(input): ApiJson<NewTokenInput>,
) -> Result<(StatusCode, Json<CreatedToken>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(state.tokens.create(&actor, input).await?),
    ))
}

#[utoipa::path(delete, path = "/api/tokens/{id}", tag = "tokens", summary = "Revoke an API token",
    params(("id" = uuid::Uuid, Path, description = "the id")),
    responses((status = 204, description = "revoked"), (status = 401, description = "not signed in, or an invalid token", body = crate::error::Problem, content_type = "application/problem+json"), (status = 404, description = "not found in your organization", body = crate::error::Problem, content_type = "application/problem+json"))
)]
pub async fn revoke(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    IdPath(id): IdPath,
) -> Result<StatusCode, ApiError> {
    state.tokens.revoke(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
