use super::extract::{ApiJson, AuthActor, Ctx};
use crate::{error::ApiError, startup::AppState};
use app::model::{LoginInput, Me, SignupInput};
use axum::{extract::State, http::StatusCode, Json};
use serde::Deserialize;
use tower_sessions::Session;
use uuid::Uuid;

pub async fn signup(State(state): State<AppState>, session: Session, ApiJson(input): ApiJson<SignupInput>) -> Result<(StatusCode, Json<Me>), ApiError> {
    Ok((StatusCode::CREATED, Json(state.accounts.signup(&session, input).await?)))
}

pub async fn login(State(state): State<AppState>, session: Session, Ctx(ctx): Ctx, ApiJson(input): ApiJson<LoginInput>) -> Result<Json<Me>, ApiError> {
    Ok(Json(state.accounts.login(&session, &ctx, input).await?))
}

pub async fn logout(State(state): State<AppState>, session: Session) -> Result<StatusCode, ApiError> {
    state.accounts.logout(&session).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn me(State(state): State<AppState>, AuthActor(actor): AuthActor) -> Result<Json<Me>, ApiError> {
    Ok(Json(state.accounts.me(&actor).await?))
}

#[derive(Deserialize)]
pub struct SwitchOrganization {
    organization_id: Uuid,
}

pub async fn switch_organization(
    State(state): State<AppState>,
    session: Session,
    AuthActor(actor): AuthActor,
    ApiJson(input): ApiJson<SwitchOrganization>,
) -> Result<Json<Me>, ApiError> {
    Ok(Json(state.accounts.switch_organization(&session, &actor, input.organization_id).await?))
}
