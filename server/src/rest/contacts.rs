use super::extract::{ApiJson, ApiQuery, AuthActor, IdPath};
use super::responses::{Forbidden, Invalid, NotFound, Unauthorized};
use crate::{error::ApiError, state::AppState};
use app::model::{ContactDto, ContactInput, ContactPatch, Page, SearchQuery};
use axum::{extract::State, http::StatusCode, routing::get, Json, Router};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/contacts", get(list).post(create))
        .route("/api/contacts/{id}", get(show).patch(update).delete(remove))
        .merge(super::imports::upload_router())
}

#[utoipa::path(get, path = "/api/contacts", tag = "contacts", summary = "Contacts, paged; `q` matches an exact email or phone (blind index) or a name",
    params(super::params::PageParams, super::params::ContactFilters),
    responses((status = 200, description = "a page", body = app::model::Page<app::model::ContactDto>), Unauthorized, Forbidden, Invalid)
)]
pub async fn list(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    ApiQuery(query): ApiQuery<SearchQuery>,
) -> Result<Json<Page<ContactDto>>, ApiError> {
    Ok(Json(state.contacts.list(&actor, query).await?))
}

#[utoipa::path(post, path = "/api/contacts", tag = "contacts", summary = "Create a contact (email and phone are encrypted at rest)",
    request_body = app::model::ContactInput,
    responses((status = 201, description = "created", body = app::model::ContactDto), Unauthorized, Forbidden, Invalid)
)]
pub async fn create(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    ApiJson(input): ApiJson<ContactInput>,
) -> Result<(StatusCode, Json<ContactDto>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(state.contacts.create(&actor, input).await?),
    ))
}

#[utoipa::path(get, path = "/api/contacts/{id}", tag = "contacts", summary = "One contact",
    params(("id" = uuid::Uuid, Path, description = "the id")),
    responses((status = 200, description = "the contact", body = app::model::ContactDto), Unauthorized, Forbidden, NotFound)
)]
pub async fn show(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    IdPath(id): IdPath,
) -> Result<Json<ContactDto>, ApiError> {
    Ok(Json(state.contacts.get(&actor, id).await?))
}

#[utoipa::path(patch, path = "/api/contacts/{id}", tag = "contacts", summary = "Change a contact; `null` clears a field",
    params(("id" = uuid::Uuid, Path, description = "the id")),
    request_body = app::model::ContactPatch,
    responses((status = 200, description = "changed", body = app::model::ContactDto), Unauthorized, Forbidden, NotFound, Invalid)
)]
pub async fn update(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    IdPath(id): IdPath,
    ApiJson(patch): ApiJson<ContactPatch>,
) -> Result<Json<ContactDto>, ApiError> {
    Ok(Json(state.contacts.update(&actor, id, patch).await?))
}

#[utoipa::path(delete, path = "/api/contacts/{id}", tag = "contacts", summary = "Delete a contact",
    params(("id" = uuid::Uuid, Path, description = "the id")),
    responses((status = 204, description = "deleted"), Unauthorized, Forbidden, NotFound)
)]
pub async fn remove(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    IdPath(id): IdPath,
) -> Result<StatusCode, ApiError> {
    state.contacts.delete(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
