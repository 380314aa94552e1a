use super::extract::{ApiJson, ApiQuery, AuthActor, IdPath};
use super::responses::{Forbidden, Invalid, NotFound, Unauthorized};
use crate::{error::ApiError, state::AppState};
use app::model::{CreatedToken, NewTokenInput, TokenDto};
use axum::{extract::State, http::StatusCode, Json};
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
    responses((status = 200, description = "the tokens, without secrets", body = Vec<app::model::TokenDto>), Unauthorized, Forbidden, Invalid)
)]
pub async fn list(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<Vec<TokenDto>>, ApiError> {
    Ok(Json(state.tokens.list(&actor, q.all).await?))
}

#[utoipa::path(post, path = "/api/tokens", tag = "tokens", summary = "Create an API token; the plain-text token is shown once",
    request_body = app::model::NewTokenInput,
    responses((status = 201, description = "created", body = app::model::CreatedToken), Unauthorized, Forbidden, Invalid)
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
    responses((status = 204, description = "revoked"), Unauthorized, NotFound)
)]
pub async fn revoke(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    IdPath(id): IdPath,
) -> Result<StatusCode, ApiError> {
    state.tokens.revoke(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
