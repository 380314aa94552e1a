use super::extract::{ApiJson, AuthActor, Ctx};
use super::responses::{BadToken, Forbidden, Invalid, NotFound, Unauthorized};
use crate::{error::ApiError, state::AppState};
use app::model::{LoginInput, Me, OrganizationDto, OrganizationPatch, SignupInput};
use axum::{extract::State, http::StatusCode, Json};
use serde::Deserialize;
use tower_sessions::Session;
use uuid::Uuid;

#[utoipa::path(post, path = "/api/auth/signup", tag = "auth", summary = "Create an account and its organization; signs in",
    request_body = app::model::SignupInput,
    responses((status = 201, description = "signed up; a session cookie is set", body = app::model::Me), BadToken, Invalid, (status = 429, description = "too many sign-ups from this address; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json"))
)]
pub async fn signup(
    State(state): State<AppState>,
    session: Session,
    Ctx(ctx): Ctx,
    ApiJson(input): ApiJson<SignupInput>,
) -> Result<(StatusCode, Json<Me>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(state.accounts.signup(&session, &ctx, input).await?),
    ))
}

#[utoipa::path(post, path = "/api/auth/login", tag = "auth", summary = "Sign in with a session cookie",
    request_body = app::model::LoginInput,
    responses((status = 200, description = "signed in; a new session cookie is set", body = app::model::Me), (status = 401, description = "invalid email or password", body = crate::error::Problem, content_type = "application/problem+json"), Invalid, (status = 429, description = "too many failed attempts; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json"))
)]
pub async fn login(
    State(state): State<AppState>,
    session: Session,
    Ctx(ctx): Ctx,
    ApiJson(input): ApiJson<LoginInput>,
) -> Result<Json<Me>, ApiError> {
    Ok(Json(state.accounts.login(&session, &ctx, input).await?))
}

#[utoipa::path(post, path = "/api/auth/logout", tag = "auth", summary = "End the session",
    responses((status = 204, description = "signed out"), BadToken)
)]
pub async fn logout(
    State(state): State<AppState>,
    session: Session,
) -> Result<StatusCode, ApiError> {
    state.accounts.logout(&session).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/me", tag = "auth", summary = "The signed-in user and organization",
    responses((status = 200, description = "the caller", body = app::model::Me), Unauthorized)
)]
pub async fn me(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
) -> Result<Json<Me>, ApiError> {
    Ok(Json(state.accounts.me(&actor).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct SwitchOrganization {
    organization_id: Uuid,
}

#[utoipa::path(post, path = "/api/me/organization", tag = "auth", summary = "Act in another of your organizations (sessions only)",
    request_body = SwitchOrganization,
    responses((status = 200, description = "switched", body = app::model::Me), Unauthorized, Forbidden, NotFound, Invalid)
)]
pub async fn switch_organization(
    State(state): State<AppState>,
    session: Session,
    AuthActor(actor): AuthActor,
    ApiJson(input): ApiJson<SwitchOrganization>,
) -> Result<Json<Me>, ApiError> {
    Ok(Json(
        state
            .accounts
            .switch_organization(&session, &actor, input.organization_id)
            .await?,
    ))
}

#[utoipa::path(get, path = "/api/organization", tag = "auth", summary = "The current organization's settings",
    responses((status = 200, description = "the settings", body = OrganizationDto), Unauthorized, Forbidden)
)]
pub async fn organization(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
) -> Result<Json<OrganizationDto>, ApiError> {
    Ok(Json(state.accounts.organization(&actor).await?))
}

#[utoipa::path(patch, path = "/api/organization", tag = "auth", summary = "Change the organization's name, time zone or phone region (admins)",
    request_body = OrganizationPatch,
    responses((status = 200, description = "changed", body = OrganizationDto), Unauthorized, Forbidden, Invalid)
)]
pub async fn update_organization(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    ApiJson(patch): ApiJson<OrganizationPatch>,
) -> Result<Json<OrganizationDto>, ApiError> {
    Ok(Json(
        state.accounts.update_organization(&actor, patch).await?,
    ))
}
