use super::{
    extract::{ApiJson, AuthActor, IdPath},
    paging::PageQuery,
};
use crate::{contacts::{ContactFilter, SORT_FIELDS}, error::ApiError, startup::AppState};
use app::{
    error::AppError,
    model::{ContactDto, ContactInput, ContactPatch, Page},
};
use axum::{
    extract::{Query, State},
    http::StatusCode,
    routing::get,
    Json, Router,
};
use serde::Deserialize;
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/contacts", get(list).post(create))
        .route("/api/contacts/{id}", get(show).patch(update).delete(remove))
        .merge(super::imports::upload_router())
}

#[derive(Deserialize)]
pub struct Filters {
    list_id: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    page: PageQuery,
    Query(filters): Query<Filters>,
) -> Result<Json<Page<ContactDto>>, ApiError> {
    let sort = page.sort_by(&SORT_FIELDS, ("created_at", true))?;
    let list_id = match filters.list_id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(raw) => Some(raw.parse::<Uuid>().map_err(|_| AppError::field("list_id", "not a list id"))?),
    };
    let filter = ContactFilter { page: page.page, per_page: page.per_page, sort, q: page.q, list_id };
    Ok(Json(state.contacts.list(&actor, filter).await?))
}

async fn create(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    ApiJson(input): ApiJson<ContactInput>,
) -> Result<(StatusCode, Json<ContactDto>), ApiError> {
    Ok((StatusCode::CREATED, Json(state.contacts.create(&actor, input).await?)))
}

async fn show(State(state): State<AppState>, AuthActor(actor): AuthActor, IdPath(id): IdPath) -> Result<Json<ContactDto>, ApiError> {
    Ok(Json(state.contacts.get(&actor, id).await?))
}

async fn update(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    IdPath(id): IdPath,
    ApiJson(patch): ApiJson<ContactPatch>,
) -> Result<Json<ContactDto>, ApiError> {
    Ok(Json(state.contacts.update(&actor, id, patch).await?))
}

async fn remove(State(state): State<AppState>, AuthActor(actor): AuthActor, IdPath(id): IdPath) -> Result<StatusCode, ApiError> {
    state.contacts.delete(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
