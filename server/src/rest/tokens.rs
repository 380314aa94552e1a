use super::extract::{ApiJson, AuthActor, IdPath};
use crate::{error::ApiError, startup::AppState};
use app::model::{CreatedToken, NewTokenInput, TokenDto};
use axum::{
    extract::{Query, State},
    http::StatusCode,
    Json,
};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct ListQuery {
    /// Admins: every member's tokens, not just their own.
    #[serde(default)]
    all: bool,
}

pub async fn list(State(state): State<AppState>, AuthActor(actor): AuthActor, Query(q): Query<ListQuery>) -> Result<Json<Vec<TokenDto>>, ApiError> {
    Ok(Json(state.tokens.list(&actor, q.all).await?))
}

pub async fn create(State(state): State<AppState>, AuthActor(actor): AuthActor, ApiJson(input): ApiJson<NewTokenInput>) -> Result<(StatusCode, Json<CreatedToken>), ApiError> {
    Ok((StatusCode::CREATED, Json(state.tokens.create(&actor, input).await?)))
}

pub async fn revoke(State(state): State<AppState>, AuthActor(actor): AuthActor, IdPath(id): IdPath) -> Result<StatusCode, ApiError> {
    state.tokens.revoke(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
