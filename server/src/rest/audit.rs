use super::extract::{ApiQuery, AuthActor};
use super::responses::{Forbidden, Invalid, Unauthorized};
use crate::{error::ApiError, state::AppState};
use app::model::{AuditEntryDto, AuditQuery, Page};
use axum::{
    body::Body,
    extract::State,
    http::header,
    response::{IntoResponse, Response},
    routing::get,
    Json, Router,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/audit", get(list))
        .route("/api/audit.csv", get(csv))
}

#[utoipa::path(get, path = "/api/audit", tag = "gdpr", summary = "The audit log, newest first (admins)",
    params(AuditQuery),
    responses((status = 200, description = "a page", body = app::model::Page<app::model::AuditEntryDto>), Unauthorized, Forbidden, Invalid)
)]
pub async fn list(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> Result<Json<Page<AuditEntryDto>>, ApiError> {
    Ok(Json(state.audit.list(&actor, query).await?))
}

#[utoipa::path(get, path = "/api/audit.csv", tag = "gdpr", summary = "The audit log as CSV, newest first, at most 100,000 lines (admins); the same filters",
    params(AuditQuery),
    responses((status = 200, description = "`at,action,actor_id,actor_email,token_id,ip,target_kind,target_id,details`", content_type = "text/csv"), Unauthorized, Forbidden, Invalid)
)]
pub async fn csv(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> Result<Response, ApiError> {
    let stream = state.audit.csv(&actor, query).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"audit.csv\"",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}
