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
        .route("/api/lists/{id}/members", post(add_members).delete(remove_members))
}

async fn list(State(state): State<AppState>, AuthActor(actor): AuthActor, page: PageQuery) -> Result<Json<Page<ListDto>>, ApiError> {
    let sort = page.sort_by(&SORT_FIELDS, ("created_at", true))?;
    let filter = ListFilter { page: page.page, per_page: page.per_page, sort, q: page.q };
    Ok(Json(state.lists.list(&actor, filter).await?))
}

async fn create(State(state): State<AppState>, AuthActor(actor): AuthActor, ApiJson(input): ApiJson<ListInput>) -> Result<(StatusCode, Json<ListDto>), ApiError> {
    Ok((StatusCode::CREATED, Json(state.lists.create(&actor, input).await?)))
}

async fn show(State(state): State<AppState>, AuthActor(actor): AuthActor, IdPath(id): IdPath) -> Result<Json<ListDto>, ApiError> {
    Ok(Json(state.lists.get(&actor, id).await?))
}

async fn update(State(state): State<AppState>, AuthActor(actor): AuthActor, IdPath(id): IdPath, ApiJson(patch): ApiJson<ListPatch>) -> Result<Json<ListDto>, ApiError> {
    Ok(Json(state.lists.update(&actor, id, patch).await?))
}

async fn remove(State(state): State<AppState>, AuthActor(actor): AuthActor, IdPath(id): IdPath) -> Result<StatusCode, ApiError> {
    state.lists.delete(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn add_members(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    IdPath(id): IdPath,
    ApiJson(input): ApiJson<ListMembersInput>,
) -> Result<Json<ListMembersChanged>, ApiError> {
    Ok(Json(state.lists.add_members(&actor, id, input.contact_ids).await?))
}

async fn remove_members(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    IdPath(id): IdPath,
    ApiJson(input): ApiJson<ListMembersInput>,
) -> Result<Json<ListMembersChanged>, ApiError> {
    Ok(Json(state.lists.remove_members(&actor, id, input.contact_ids).await?))
}
