use super::{
    extract::{ApiJson, AuthActor, IdPath},
    paging::PageQuery,
};
use crate::{
    contacts::{ContactFilter, SORT_FIELDS},
    error::ApiError,
    startup::AppState,
};
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

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Filters {
    /// Only the members of this list.
    list_id: Option<String>,
}

#[utoipa::path(get, path = "/api/contacts", tag = "contacts", summary = "Contacts, paged; `q` matches an exact email or phone (blind index) or a name",
    params(crate::rest::paging::PageParams, Filters),
    responses((status = 200, description = "a page", body = app::model::Page<app::model::ContactDto>), (status = 401, description = "not signed in, or an invalid token", body = crate::error::Problem, content_type = "application/problem+json"), (status = 403, description = "the role or the token's abilities do not allow it", body = crate::error::Problem, content_type = "application/problem+json"), (status = 422, description = "invalid input; `errors` names each field", body = crate::error::Problem, content_type = "application/problem+json"))
)]
pub async fn list(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    page: PageQuery,
    Query(filters): Query<Filters>,
) -> Result<Json<Page<ContactDto>>, ApiError> {
    let sort = page.sort_by(&SORT_FIELDS, ("created_at", true))?;
    let list_id = match filters
        .list_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(raw) => Some(
            raw.parse::<Uuid>()
                .map_err(|_| AppError::field("list_id", "not a list id"))?,
        ),
    };
    let filter = ContactFilter {
        page: page.page,
        per_page: page.per_page,
        sort,
        q: page.q,
        list_id,
    };
    Ok(Json(state.contacts.list(&actor, filter).await?))
}

#[utoipa::path(post, path = "/api/contacts", tag = "contacts", summary = "Create a contact (email and phone are encrypted at rest)",
    request_body = app::model::ContactInput,
    responses((status = 201, description = "created", body = app::model::ContactDto), (status = 401, description = "not signed in, or an invalid token", body = crate::error::Problem, content_type = "application/problem+json"), (status = 403, description = "the role or the token's abilities do not allow it", body = crate::error::Problem, content_type = "application/problem+json"), (status = 422, description = "invalid input; `errors` names each field", body = crate::error::Problem, content_type = "application/problem+json"))
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
    responses((status = 200, description = "the contact", body = app::model::ContactDto), (status = 401, description = "not signed in, or an invalid token", body = crate::error::Problem, content_type = "application/problem+json"), (status = 403, description = "the role or the token's abilities do not allow it", body = crate::error::Problem, content_type = "application/problem+json"), (status = 404, description = "not found in your organization", body = crate::error::Problem, content_type = "application/problem+json"))
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
    responses((status = 200, description = "changed", body = app::model::ContactDto), (status = 401, description = "not signed in, or an invalid token", body = crate::error::Problem, content_type = "application/problem+json"), (status = 403, description = "the role or the token's abilities do not allow it", body = crate::error::Problem, content_type = "application/problem+json"), (status = 404, description = "not found in your organization", body = crate::error::Problem, content_type = "application/problem+json"), (status = 422, description = "invalid input; `errors` names each field", body = crate::error::Problem, content_type = "application/problem+json"))
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
    responses((status = 204, description = "deleted"), (status = 401, description = "not signed in, or an invalid token", body = crate::error::Problem, content_type = "application/problem+json"), (status = 403, description = "the role or the token's abilities do not allow it", body = crate::error::Problem, content_type = "application/problem+json"), (status = 404, description = "not found in your organization", body = crate::error::Problem, content_type = "application/problem+json"))
)]
pub async fn remove(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    IdPath(id): IdPath,
) -> Result<StatusCode, ApiError> {
    state.contacts.delete(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
