//! The import wizard's upload: a plain `<form enctype="multipart/form-data">` post, so
//! it works with and without JavaScript and the file is streamed to disk, never held in
//! memory. Answers with redirects: to the import's progress page, or back to the form
//! with the error.

use crate::{error::ServiceError, state::AppState};
use app::{
    error::AppError,
    model::{Actor, BasisAnswer, ImportMapping, DECLARABLE},
};
use axum::{
    extract::{DefaultBodyLimit, Multipart, State},
    response::Redirect,
    routing::post,
    Extension, Router,
};

pub fn router() -> Router<AppState> {
    Router::new().route(
        "/contacts/import",
        post(upload).layer(DefaultBodyLimit::max(crate::imports::UPLOAD_MAX_BYTES)),
    )
}

async fn upload(
    State(state): State<AppState>,
    actor: Option<Extension<Actor>>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Redirect {
    let Some(Extension(actor)) = actor else {
        return Redirect::to("/login");
    };
    match start(&state, &actor, multipart).await {
        Ok(id) => Redirect::to(&format!("/contacts/imports/{id}")),
        Err(e) => {
            let message = AppError::from(e).to_string();
            let query: String = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("error", &message)
                .finish();
            Redirect::to(&format!("/contacts/import?{query}"))
        }
    }
}

async fn start(
    state: &AppState,
    actor: &Actor,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<uuid::Uuid, ServiceError> {
    let bad = |e: String| ServiceError::from(AppError::field("file", e));
    let mut multipart =
        multipart.map_err(|e| bad(format!("expected a file upload: {}", e.body_text())))?;
    let mut upload = state.imports.begin_upload(actor).await?;
    let mut mapping = None;
    // The wizard's answers per channel: `basis_<channel>` and `wording_<channel>`.
    let mut answers: Vec<(String, String)> = Vec::new();
    // The first bytes are kept to suggest a mapping when the form sends none (no JavaScript).
    let mut head: Vec<u8> = Vec::new();
    let mut truncated = false;
    while let Some(mut field) = multipart
        .next_field()
        .await
        .map_err(|e| bad(e.body_text()))?
    {
        match field.name() {
            Some("file") => {
                upload.set_file_name(field.file_name().filter(|n| !n.is_empty()));
                while let Some(chunk) = field.chunk().await.map_err(|e| bad(e.body_text()))? {
                    let room = crate::imports::PREVIEW_BYTES.saturating_sub(head.len());
                    head.extend_from_slice(&chunk[..room.min(chunk.len())]);
                    truncated |= chunk.len() > room;
                    upload.write(&chunk).await?;
                }
            }
            Some("mapping") => {
                let mut part = crate::imports::MappingPart::default();
                while let Some(chunk) = field.chunk().await.map_err(|e| bad(e.body_text()))? {
                    part.push(&chunk)?;
                }
                mapping = part.finish()?;
            }
            Some(name) if name.starts_with("basis_") || name.starts_with("wording_") => {
                let name = name.to_owned();
                let mut part = crate::imports::MappingPart::default();
                while let Some(chunk) = field.chunk().await.map_err(|e| bad(e.body_text()))? {
                    part.push(&chunk)?;
                }
                answers.push((name, part.finish()?.unwrap_or_default()));
            }
            _ => {}
        }
    }
    let mut mapping: ImportMapping = match mapping {
        Some(m) => serde_json::from_str(&m)
            .map_err(|e| AppError::field("mapping", format!("invalid mapping JSON: {e}")))?,
        None => {
            state
                .imports
                .preview(actor, &head, truncated)
                .await?
                .suggested_mapping
        }
    };
    declare(&mut mapping, &answers)?;
    let mapping = serde_json::to_string(&mapping).map_err(anyhow::Error::new)?;
    Ok(state.imports.start(actor, upload, Some(mapping)).await?.id)
}

/// Applies the wizard's answer for each channel to the mapping. The form asks every
/// question, so a missing answer is refused rather than guessed.
fn declare(mapping: &mut ImportMapping, answers: &[(String, String)]) -> Result<(), AppError> {
    let value = |name: &str| {
        answers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    for channel in DECLARABLE {
        let ch = channel.as_str();
        let field = format!("basis_{ch}");
        let answer = value(&field).and_then(BasisAnswer::parse).ok_or_else(|| {
            AppError::field(
                &field,
                format!("say on what ground you may send {ch} to these people"),
            )
        })?;
        let wording = value(&format!("wording_{ch}")).unwrap_or_default();
        mapping
            .declare(channel, answer, wording)
            .map_err(|why| AppError::field(&field, why))?;
    }
    Ok(())
}
