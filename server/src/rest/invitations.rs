use super::extract::{ApiJson, AuthActor, Ctx, IdPath};
use crate::{error::ApiError, startup::AppState};
use app::model::{AcceptInvitationInput, InvitationCreated, InvitationDto, InvitationInput, Me};
use axum::{extract::State, http::StatusCode, Json};
use tower_sessions::Session;

pub async fn create(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    Ctx(ctx): Ctx,
    ApiJson(input): ApiJson<InvitationInput>,
) -> Result<(StatusCode, Json<InvitationCreated>), ApiError> {
    Ok((StatusCode::CREATED, Json(state.members.invite(&actor, &ctx, input).await?)))
}

pub async fn pending(State(state): State<AppState>, AuthActor(actor): AuthActor) -> Result<Json<Vec<InvitationDto>>, ApiError> {
    Ok(Json(state.members.pending_invitations(&actor).await?))
}

pub async fn revoke(State(state): State<AppState>, AuthActor(actor): AuthActor, IdPath(id): IdPath) -> Result<StatusCode, ApiError> {
    state.members.revoke_invitation(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn accept(
    State(state): State<AppState>,
    session: Session,
    Ctx(ctx): Ctx,
    ApiJson(input): ApiJson<AcceptInvitationInput>,
) -> Result<Json<Me>, ApiError> {
    Ok(Json(state.members.accept_invitation(&session, &ctx, input).await?))
}
