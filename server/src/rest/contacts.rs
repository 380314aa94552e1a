use super::extract::{ApiJson, ApiQuery, AuthActor, IdPath};
use super::responses::{Forbidden, Invalid, NotFound, Unauthorized};
use crate::{error::ApiError, state::AppState};
use app::model::{
    ConsentRecordDto, ContactDto, ContactExport, ContactInput, ContactPatch, Page, SearchQuery,
};
use axum::{extract::State, http::StatusCode, routing::get, Json, Router};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/contacts", get(list).post(create))
        .route("/api/contacts/{id}", get(show).patch(update).delete(remove))
        .route("/api/contacts/{id}/consents", get(consents))
        .route("/api/contacts/{id}/export", get(export))
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

#[utoipa::path(delete, path = "/api/contacts/{id}", tag = "contacts", summary = "Erase a contact (crypto-shredding): its row, consents, lists and push devices go, with the data key that sealed its personal data, so no copy (backups included) can be read again; its addresses stay suppressed (`erasure`); deliveries and counters keep an anonymous row",
    params(("id" = uuid::Uuid, Path, description = "the id")),
    responses((status = 204, description = "erased"), Unauthorized, Forbidden, NotFound)
)]
pub async fn remove(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    IdPath(id): IdPath,
) -> Result<StatusCode, ApiError> {
    state.privacy.erase(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/contacts/{id}/consents", tag = "contacts", summary = "The contact's consent history, oldest first: every change with its lawful basis, wording, source, IP and user agent (the last 1,000)",
    params(("id" = uuid::Uuid, Path, description = "the id")),
    responses((status = 200, description = "the history", body = Vec<app::model::ConsentRecordDto>), Unauthorized, Forbidden, NotFound)
)]
pub async fn consents(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    IdPath(id): IdPath,
) -> Result<Json<Vec<ConsentRecordDto>>, ApiError> {
    Ok(Json(state.contacts.consent_history(&actor, id).await?))
}

#[utoipa::path(get, path = "/api/contacts/{id}/export", tag = "contacts", summary = "Everything held about the contact, as a JSON download: profile, consent history, lists, push devices, deliveries with their events",
    params(("id" = uuid::Uuid, Path, description = "the id")),
    responses((status = 200, description = "the export (`Content-Disposition: attachment`)", body = app::model::ContactExport), Unauthorized, Forbidden, NotFound)
)]
pub async fn export(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    IdPath(id): IdPath,
) -> Result<impl axum::response::IntoResponse, ApiError> {
    let export: ContactExport = state.privacy.export(&actor, id).await?;
    let disposition = format!("attachment; filename=\"contact-{id}.json\"");
    Ok((
        [
            (axum::http::header::CONTENT_DISPOSITION, disposition),
            (axum::http::header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        Json(export),
    ))
}
