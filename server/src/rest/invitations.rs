use super::extract::{ApiJson, AuthActor, Ctx, IdPath};
use super::responses::{BadToken, Forbidden, Invalid, NotFound, Unauthorized};
use crate::{error::ApiError, state::AppState};
use app::model::{AcceptInvitationInput, InvitationCreated, InvitationDto, InvitationInput, Me};
use axum::{extract::State, http::StatusCode, Json};
use tower_sessions::Session;

#[utoipa::path(post, path = "/api/invitations", tag = "members", summary = "Invite an address with a role (admins)",
    request_body = app::model::InvitationInput,
    responses((status = 201, description = "invited; `accept_url` is the link to hand over", body = app::model::InvitationCreated), Unauthorized, Forbidden, Invalid)
)]
pub async fn create(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    Ctx(ctx): Ctx,
    ApiJson(input): ApiJson<InvitationInput>,
) -> Result<(StatusCode, Json<InvitationCreated>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(state.members.invite(&actor, &ctx, input).await?),
    ))
}

#[utoipa::path(get, path = "/api/invitations", tag = "members", summary = "Pending invitations (admins)",
    responses((status = 200, description = "pending", body = Vec<app::model::InvitationDto>), Unauthorized, Forbidden)
)]
pub async fn pending(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
) -> Result<Json<Vec<InvitationDto>>, ApiError> {
    Ok(Json(state.members.pending_invitations(&actor).await?))
}

#[utoipa::path(delete, path = "/api/invitations/{id}", tag = "members", summary = "Revoke a pending invitation (admins)",
    params(("id" = uuid::Uuid, Path, description = "the id")),
    responses((status = 204, description = "revoked"), Unauthorized, Forbidden, NotFound)
)]
pub async fn revoke(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    IdPath(id): IdPath,
) -> Result<StatusCode, ApiError> {
    state.members.revoke_invitation(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/invitations/accept", tag = "members", summary = "Accept an invitation; creates the account if needed and signs in",
    request_body = app::model::AcceptInvitationInput,
    responses((status = 200, description = "joined and signed in", body = app::model::Me), BadToken, NotFound, Invalid, (status = 429, description = "too many failed attempts; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json"))
)]
pub async fn accept(
    State(state): State<AppState>,
    session: Session,
    Ctx(ctx): Ctx,
    ApiJson(input): ApiJson<AcceptInvitationInput>,
) -> Result<Json<Me>, ApiError> {
    Ok(Json(
        state
            .members
            .accept_invitation(&session, &ctx, input)
            .await?,
    ))
}
