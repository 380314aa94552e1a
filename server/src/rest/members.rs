use super::extract::{ApiJson, AuthActor, IdPath};
use crate::{error::ApiError, startup::AppState};
use app::model::{MemberDto, RoleChange};
use axum::{extract::State, http::StatusCode, Json};

pub async fn list(State(state): State<AppState>, AuthActor(actor): AuthActor) -> Result<Json<Vec<MemberDto>>, ApiError> {
    Ok(Json(state.members.list(&actor).await?))
}

pub async fn change_role(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    IdPath(id): IdPath,
    ApiJson(input): ApiJson<RoleChange>,
) -> Result<Json<MemberDto>, ApiError> {
    Ok(Json(state.members.change_role(&actor, id, input.role).await?))
}

pub async fn remove(State(state): State<AppState>, AuthActor(actor): AuthActor, IdPath(id): IdPath) -> Result<StatusCode, ApiError> {
    state.members.remove(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
