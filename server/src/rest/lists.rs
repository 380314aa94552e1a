use super::{
    extract::{ApiJson, AuthActor, IdPath},
    paging::PageQuery,
};
use crate::{
    error::ApiError,
    lists::{ListFilter, SORT_FIELDS},
    startup::AppState,
};
use app::model::{ListDto, ListInput, ListMembersChanged, ListMembersInput, ListPatch, Page};
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
    params(crate::rest::paging::PageParams),
    responses((status = 200, description = "a page", body = app::model::Page<app::model::ListDto>), (status = 401, description = "not signed in, or an invalid token", body = crate::error::Problem, content_type = "application/problem+json"), (status = 403, description = "the role or the token's abilities do not allow it", body = crate::error::Problem, content_type = "application/problem+json"), (status = 422, description = "invalid input; `errors` names each field", body = crate::error::Problem, content_type = "application/problem+json"))
)]
pub async fn list(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    page: PageQuery,
) -> Result<Json<Page<ListDto>>, ApiError> {
    let sort = page.sort_by(&SORT_FIELDS, ("created_at", true))?;
    let filter = ListFilter {
        page: page.page,
        per_page: page.per_page,
        sort,
        q: page.q,
    };
    Ok(Json(state.lists.list(&actor, filter).await?))
}

#[utoipa::path(post, path = "/api/lists", tag = "lists", summary = "Create a list",
    request_body = app::model::ListInput,
    responses((status = 201, description = "created", body = app::model::ListDto), (status = 401, description = "not signed in, or an invalid token", body = crate::error::Problem, content_type = "application/problem+json"), (status = 403, description = "the role or the token's abilities do not allow it", body = crate::error::Problem, content_type = "application/problem+json"), (status = 422, description = "invalid input; `errors` names each field", body = crate::error::Problem, content_type = "application/problem+json"))
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
    responses((status = 200, description = "the list", body = app::model::ListDto), (status = 401, description = "not signed in, or an invalid token", body = crate::error::Problem, content_type = "application/problem+json"), (status = 403, description = "the role or the token's abilities do not allow it", body = crate::error::Problem, content_type = "application/problem+json"), (status = 404, description = "not found in your organization", body = crate::error::Problem, content_type = "application/problem+json"))
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
    responses((status = 200, description = "changed", body = app::model::ListDto), (status = 401, description = "not signed in, or an invalid token", body = crate::error::Problem, content_type = "application/problem+json"), (status = 403, description = "the role or the token's abilities do not allow it", body = crate::error::Problem, content_type = "application/problem+json"), (status = 404, description = "not found in your organization", body = crate::error::Problem, content_type = "application/problem+json"), (status = 422, description = "invalid input; `errors` names each field", body = crate::error::Problem, content_type = "application/problem+json"))
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
    responses((status = 204, description = "deleted"), (status = 401, description = "not signed in, or an invalid token", body = crate::error::Problem, content_type = "application/problem+json"), (status = 403, description = "the role or the token's abilities do not allow it", body = crate::error::Problem, content_type = "application/problem+json"), (status = 404, description = "not found in your organization", body = crate::error::Problem, content_type = "application/problem+json"), (status = 409, description = "a campaign not yet sent uses the list", body = crate::error::Problem, content_type = "application/problem+json"))
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
    responses((status = 200, description = "what changed", body = app::model::ListMembersChanged), (status = 401, description = "not signed in, or an invalid token", body = crate::error::Problem, content_type = "application/problem+json"), (status = 403, description = "the role or the token's abilities do not allow it", body = crate::error::Problem, content_type = "application/problem+json"), (status = 404, description = "not found in your organization", body = crate::error::Problem, content_type = "application/problem+json"), (status = 422, description = "invalid input; `errors` names each field", body = crate::error::Problem, content_type = "application/problem+json"))
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
    responses((status = 200, description = "what changed", body = app::model::ListMembersChanged), (status = 401, description = "not signed in, or an invalid token", body = crate::error::Problem, content_type = "application/problem+json"), (status = 403, description = "the role or the token's abilities do not allow it", body = crate::error::Problem, content_type = "application/problem+json"), (status = 404, description = "not found in your organization", body = crate::error::Problem, content_type = "application/problem+json"), (status = 422, description = "invalid input; `errors` names each field", body = crate::error::Problem, content_type = "application/problem+json"))
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
