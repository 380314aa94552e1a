use super::extract::{ApiJson, AuthActor, IdPath};
use super::responses::{Conflict, Forbidden, Invalid, NotFound, Unauthorized};
use crate::{error::ApiError, state::AppState};
use app::model::{MemberDto, RoleChange};
use axum::{extract::State, http::StatusCode, Json};

#[utoipa::path(get, path = "/api/members", tag = "members", summary = "Members of your organization",
    responses((status = 200, description = "members", body = Vec<app::model::MemberDto>), Unauthorized, Forbidden)
)]
pub async fn list(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
) -> Result<Json<Vec<MemberDto>>, ApiError> {
    Ok(Json(state.members.list(&actor).await?))
}

#[utoipa::path(patch, path = "/api/members/{id}", tag = "members", summary = "Change a member's role (admins)",
    params(("id" = uuid::Uuid, Path, description = "the id")),
    request_body = app::model::RoleChange,
    responses((status = 200, description = "changed", body = app::model::MemberDto), Unauthorized, Forbidden, NotFound, Conflict, Invalid)
)]
pub async fn change_role(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    IdPath(id): IdPath,
    ApiJson(input): ApiJson<RoleChange>,
) -> Result<Json<MemberDto>, ApiError> {
    Ok(Json(
        state.members.change_role(&actor, id, input.role).await?,
    ))
}

#[utoipa::path(delete, path = "/api/members/{id}", tag = "members", summary = "Remove a member (admins; never the last admin)",
    params(("id" = uuid::Uuid, Path, description = "the id")),
    responses((status = 204, description = "removed"), Unauthorized, Forbidden, NotFound, Conflict)
)]
pub async fn remove(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    IdPath(id): IdPath,
) -> Result<StatusCode, ApiError> {
    state.members.remove(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
