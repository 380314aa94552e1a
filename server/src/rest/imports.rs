use super::extract::{AuthActor, IdPath};
use super::responses::{Forbidden, Invalid, NotFound, Unauthorized};
use crate::{error::ApiError, imports::MappingPart, imports::PREVIEW_BYTES, state::AppState};
use app::{
    error::AppError,
    model::{ImportDto, ImportPreview},
};
use axum::{
    body::Body,
    extract::{
        multipart::MultipartError, DefaultBodyLimit, FromRequest, Multipart, Request, State,
    },
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
    Json, Router,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/imports/{id}", get(show))
        .route("/api/imports/{id}/report.csv", get(report))
}

/// Routes under `/api/contacts/import`, merged by the contacts router.
pub fn upload_router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/contacts/import",
            post(upload).layer(DefaultBodyLimit::max(crate::imports::UPLOAD_MAX_BYTES)),
        )
        .route(
            "/api/contacts/import/preview",
            post(preview).layer(DefaultBodyLimit::max(crate::imports::UPLOAD_MAX_BYTES)),
        )
}

/// The multipart form of an upload, for the OpenAPI document.
#[allow(dead_code)]
#[derive(utoipa::ToSchema)]
pub struct ImportUpload {
    /// The CSV (UTF-8, `,` or `;`).
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// JSON of the column mapping.
    #[schema(value_type = app::model::ImportMapping)]
    mapping: String,
}

#[allow(dead_code)]
#[derive(utoipa::ToSchema)]
pub struct ImportPreviewUpload {
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// `Multipart` whose rejection (wrong content type, bad boundary) is a problem+json.
pub struct ApiMultipart(Multipart);

impl<S: Send + Sync> FromRequest<S> for ApiMultipart {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        Multipart::from_request(req, state)
            .await
            .map(ApiMultipart)
            .map_err(|e| {
                ApiError(AppError::field(
                    "file",
                    format!(
                        "expected `multipart/form-data` with a `file` part: {}",
                        e.body_text()
                    ),
                ))
            })
    }
}

fn multipart_problem(e: MultipartError) -> ApiError {
    let why = if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        format!(
            "the upload is larger than {} MiB",
            crate::imports::UPLOAD_MAX_BYTES / (1024 * 1024)
        )
    } else {
        format!(
            "expected `multipart/form-data` with a `file` part: {}",
            e.body_text()
        )
    };
    ApiError(AppError::field("file", why))
}

#[utoipa::path(post, path = "/api/contacts/import", tag = "imports", summary = "Upload a CSV and its column mapping; the import runs in the background",
    request_body(content = ImportUpload, content_type = "multipart/form-data"),
    responses((status = 201, description = "queued; follow it at /api/imports/{id}", body = app::model::ImportDto), Unauthorized, Forbidden, Invalid)
)]
pub async fn upload(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    ApiMultipart(mut multipart): ApiMultipart,
) -> Result<(StatusCode, Json<ImportDto>), ApiError> {
    let mut upload = state.imports.begin_upload(&actor).await?;
    let mut mapping = None;
    while let Some(mut field) = multipart.next_field().await.map_err(multipart_problem)? {
        match field.name() {
            Some("file") => {
                upload.set_file_name(field.file_name());
                while let Some(chunk) = field.chunk().await.map_err(multipart_problem)? {
                    upload.write(&chunk).await?;
                }
            }
            Some("mapping") => {
                let mut part = MappingPart::default();
                while let Some(chunk) = field.chunk().await.map_err(multipart_problem)? {
                    part.push(&chunk)?;
                }
                mapping = part.finish()?;
            }
            _ => {}
        }
    }
    Ok((
        StatusCode::CREATED,
        Json(state.imports.start(&actor, upload, mapping).await?),
    ))
}

#[utoipa::path(post, path = "/api/contacts/import/preview", tag = "imports", summary = "Detect the delimiter and header, show the first rows and a suggested mapping",
    request_body(content = ImportPreviewUpload, content_type = "multipart/form-data"),
    responses((status = 200, description = "the preview", body = app::model::ImportPreview), Unauthorized, Forbidden, Invalid)
)]
pub async fn preview(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    ApiMultipart(mut multipart): ApiMultipart,
) -> Result<Json<ImportPreview>, ApiError> {
    let mut head = Vec::new();
    let mut truncated = false;
    let mut found = false;
    while let Some(mut field) = multipart.next_field().await.map_err(multipart_problem)? {
        if field.name() != Some("file") {
            continue;
        }
        found = true;
        // Only the start matters; the rest is not read.
        while let Some(chunk) = field.chunk().await.map_err(multipart_problem)? {
            let room = PREVIEW_BYTES - head.len();
            head.extend_from_slice(&chunk[..chunk.len().min(room)]);
            if chunk.len() >= room {
                truncated = true;
                break;
            }
        }
        break;
    }
    if !found {
        return Err(ApiError(AppError::field(
            "file",
            "attach the CSV file as the `file` part",
        )));
    }
    Ok(Json(state.imports.preview(&actor, &head, truncated).await?))
}

#[utoipa::path(get, path = "/api/imports/{id}", tag = "imports", summary = "Progress and report of an import",
    params(("id" = uuid::Uuid, Path, description = "the id")),
    responses((status = 200, description = "the import", body = app::model::ImportDto), Unauthorized, Forbidden, NotFound)
)]
pub async fn show(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    IdPath(id): IdPath,
) -> Result<Json<ImportDto>, ApiError> {
    Ok(Json(state.imports.get(&actor, id).await?))
}

#[utoipa::path(get, path = "/api/imports/{id}/report.csv", tag = "imports", summary = "The per-row report as CSV",
    params(("id" = uuid::Uuid, Path, description = "the id")),
    responses((status = 200, description = "row, outcome, reason", content_type = "text/csv"), Unauthorized, Forbidden, NotFound)
)]
pub async fn report(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    IdPath(id): IdPath,
) -> Result<Response, ApiError> {
    let stream = state.imports.report_csv(&actor, id).await?;
    let disposition = format!("attachment; filename=\"import-{id}-report.csv\"");
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}
