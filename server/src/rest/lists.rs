use super::extract::{ApiJson, ApiQuery, AuthActor, IdPath};
use super::responses::{Forbidden, Invalid, NotFound, Unauthorized};
use crate::{error::ApiError, state::AppState};
use app::model::{
    ListDto, ListInput, ListMembersChanged, ListMembersInput, ListPatch, Page, SearchQuery,
};
use axum::{
    extract::State,
    http::StatusCode,
    routing::{get, post},
    Json, Router,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/lists", get(list).post(create))
        .route("/api/lists/{id}", get(show).patch(update).delete(remove))
        .route(
            "/api/lists/{id}/members",
            post(add_members).delete(remove_members),
        )
}

#[utoipa::path(get, path = "/api/lists", tag = "lists", summary = "Lists with member counts, paged",
    params(super::params::PageParams),
    responses((status = 200, description = "a page", body = app::model::Page<app::model::ListDto>), Unauthorized, Forbidden, Invalid)
)]
pub async fn list(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    ApiQuery(query): ApiQuery<SearchQuery>,
) -> Result<Json<Page<ListDto>>, ApiError> {
    Ok(Json(state.lists.list(&actor, query).await?))
}

#[utoipa::path(post, path = "/api/lists", tag = "lists", summary = "Create a list",
    request_body = app::model::ListInput,
    responses((status = 201, description = "created", body = app::model::ListDto), Unauthorized, Forbidden, Invalid)
)]
pub async fn create(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    ApiJson(input): ApiJson<ListInput>,
) -> Result<(StatusCode, Json<ListDto>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(state.lists.create(&actor, input).await?),
    ))
}

#[utoipa::path(get, path = "/api/lists/{id}", tag = "lists", summary = "One list",
    params(("id" = uuid::Uuid, Path, description = "the id")),
    responses((status = 200, description = "the list", body = app::model::ListDto), Unauthorized, Forbidden, NotFound)
)]
pub async fn show(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    IdPath(id): IdPath,
) -> Result<Json<ListDto>, ApiError> {
    Ok(Json(state.lists.get(&actor, id).await?))
}

#[utoipa::path(patch, path = "/api/lists/{id}", tag = "lists", summary = "Rename or describe a list",
    params(("id" = uuid::Uuid, Path, description = "the id")),
    request_body = app::model::ListPatch,
    responses((status = 200, description = "changed", body = app::model::ListDto), Unauthorized, Forbidden, NotFound, Invalid)
)]
pub async fn update(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    IdPath(id): IdPath,
    ApiJson(patch): ApiJson<ListPatch>,
) -> Result<Json<ListDto>, ApiError> {
    Ok(Json(state.lists.update(&actor, id, patch).await?))
}

#[utoipa::path(delete, path = "/api/lists/{id}", tag = "lists", summary = "Delete a list (its contacts stay)",
    params(("id" = uuid::Uuid, Path, description = "the id")),
    responses((status = 204, description = "deleted"), Unauthorized, Forbidden, NotFound, (status = 409, description = "a campaign not yet sent uses the list", body = crate::error::Problem, content_type = "application/problem+json"))
)]
pub async fn remove(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    IdPath(id): IdPath,
) -> Result<StatusCode, ApiError> {
    state.lists.delete(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/lists/{id}/members", tag = "lists", summary = "Add contacts to a list",
    params(("id" = uuid::Uuid, Path, description = "the id")),
    request_body = app::model::ListMembersInput,
    responses((status = 200, description = "what changed", body = app::model::ListMembersChanged), Unauthorized, Forbidden, NotFound, Invalid)
)]
pub async fn add_members(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    IdPath(id): IdPath,
    ApiJson(input): ApiJson<ListMembersInput>,
) -> Result<Json<ListMembersChanged>, ApiError> {
    Ok(Json(
        state
            .lists
            .add_members(&actor, id, input.contact_ids)
            .await?,
    ))
}

#[utoipa::path(delete, path = "/api/lists/{id}/members", tag = "lists", summary = "Remove contacts from a list",
    params(("id" = uuid::Uuid, Path, description = "the id")),
    request_body = app::model::ListMembersInput,
    responses((status = 200, description = "what changed", body = app::model::ListMembersChanged), Unauthorized, Forbidden, NotFound, Invalid)
)]
pub async fn remove_members(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    IdPath(id): IdPath,
    ApiJson(input): ApiJson<ListMembersInput>,
) -> Result<Json<ListMembersChanged>, ApiError> {
    Ok(Json(
        state
            .lists
            .remove_members(&actor, id, input.contact_ids)
            .await?,
    ))
}
