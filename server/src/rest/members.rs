use super::extract::{ApiJson, AuthActor, IdPath};
use crate::{error::ApiError, startup::AppState};
use app::model::{MemberDto, RoleChange};
use axum::{extract::State, http::StatusCode, Json};

#[utoipa::path(get, path = "/api/members", tag = "members", summary = "Members of your organization",
    responses((status = 200, description = "members", body = Vec<app::model::MemberDto>), (status = 401, description = "not signed in, or an invalid token", body = crate::error::Problem, content_type = "application/problem+json"), (status = 403, description = "the role or the token's abilities do not allow it", body = crate::error::Problem, content_type = "application/problem+json"))
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
    responses((status = 200, description = "changed", body = app::model::MemberDto), (status = 401, description = "not signed in, or an invalid token", body = crate::error::Problem, content_type = "application/problem+json"), (status = 403, description = "the role or the token's abilities do not allow it", body = crate::error::Problem, content_type = "application/problem+json"), (status = 404, description = "not found in your organization", body = crate::error::Problem, content_type = "application/problem+json"), (status = 409, description = "not allowed in the current state", body = crate::error::Problem, content_type = "application/problem+json"), (status = 422, description = "invalid input; `errors` names each field", body = crate::error::Problem, content_type = "application/problem+json"))
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
    responses((status = 204, description = "removed"), (status = 401, description = "not signed in, or an invalid token", body = crate::error::Problem, content_type = "application/problem+json"), (status = 403, description = "the role or the token's abilities do not allow it", body = crate::error::Problem, content_type = "application/problem+json"), (status = 404, description = "not found in your organization", body = crate::error::Problem, content_type = "application/problem+json"), (status = 409, description = "not allowed in the current state", body = crate::error::Problem, content_type = "application/problem+json"))
)]
pub async fn remove(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    IdPath(id): IdPath,
) -> Result<StatusCode, ApiError> {
    state.members.remove(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
