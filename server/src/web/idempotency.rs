//! `Idempotency-Key` on POST requests of the API: the first response is stored and
//! replayed for a retry of the same request; the same key with another request is a 422.
//! Keys belong to the caller (organization + user) and live 24 hours.

use crate::{
    auth::secret::sha256_hex,
    db::entities::idempotency_key as key_row,
    error::{problem_response, ServiceError},
    state::AppState,
};
use app::{error::AppError, model::Actor};
use axum::{
    body::{to_bytes, Body},
    extract::{Request, State},
    http::{header, HeaderValue, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use chrono::Utc;
use sea_orm::{sea_query::OnConflict, ColumnTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

const HEADER: &str = "idempotency-key";
/// JSON bodies are hashed whole; larger or multipart uploads are keyed on method and
/// path only (their bodies are streamed, never held in memory).
const MAX_HASHED_BODY: usize = 1024 * 1024;
const MAX_STORED_RESPONSE: usize = 4 * 1024 * 1024;

pub async fn enforce(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let applies = request.method() == Method::POST
        && request.uri().path().starts_with("/api/")
        && !request.uri().path().starts_with("/api/fn/")
        && request.headers().contains_key(HEADER);
    let actor = request.extensions().get::<Actor>().cloned();
    match (applies, actor) {
        (true, Some(actor)) => match with_key(&state, actor, request, next).await {
            Ok(response) => response,
            Err(e) => problem_response(&AppError::from(e)),
        },
        _ => next.run(request).await,
    }
}

async fn with_key(
    state: &AppState,
    actor: Actor,
    request: Request,
    next: Next,
) -> Result<Response, ServiceError> {
    let key = request
        .headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .trim()
        .to_owned();
    if key.is_empty() || key.len() > 255 {
        return Err(AppError::Validation {
            message: "Idempotency-Key must be 1 to 255 visible characters".into(),
            fields: Default::default(),
        }
        .into());
    }
    let streamed = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("multipart/"));
    let (parts, body) = request.into_parts();
    let mut fingerprint = format!("{} {}", parts.method, parts.uri);
    let request = if streamed {
        Request::from_parts(parts, body)
    } else {
        let bytes = to_bytes(body, MAX_HASHED_BODY)
            .await
            .map_err(|_| AppError::Validation {
                message: format!(
                    "a request body with Idempotency-Key has at most {MAX_HASHED_BODY} bytes"
                ),
                fields: Default::default(),
            })?;
        fingerprint.push('\n');
        fingerprint.push_str(&String::from_utf8_lossy(&bytes));
        Request::from_parts(parts, Body::from(bytes))
    };
    let hash = sha256_hex(&fingerprint);

    let now = Utc::now();
    key_row::Entity::delete_many()
        .filter(key_row::Column::OrganizationId.eq(actor.organization_id))
        .filter(key_row::Column::UserId.eq(actor.user_id))
        .filter(key_row::Column::Key.eq(&key))
        .filter(key_row::Column::CreatedAt.lt(now - key_row::TTL))
        .exec(&state.db)
        .await?;
    // Claim the key; the unique index makes concurrent first attempts race safely.
    let id = Uuid::now_v7();
    let claimed = key_row::Entity::insert(key_row::ActiveModel {
        id: Set(id),
        organization_id: Set(actor.organization_id),
        user_id: Set(actor.user_id),
        key: Set(key.clone()),
        request_hash: Set(hash.clone()),
        status: Set(None),
        content_type: Set(None),
        body: Set(None),
        created_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([
            key_row::Column::OrganizationId,
            key_row::Column::UserId,
            key_row::Column::Key,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(&state.db)
    .await?;

    if claimed == 0 {
        let existing = key_row::Entity::find()
            .filter(key_row::Column::OrganizationId.eq(actor.organization_id))
            .filter(key_row::Column::UserId.eq(actor.user_id))
            .filter(key_row::Column::Key.eq(&key))
            .one(&state.db)
            .await?
            .ok_or_else(|| {
                AppError::Conflict("the Idempotency-Key was released meanwhile; retry".into())
            })?;
        return replay(existing, &hash);
    }

    let response = next.run(request).await;
    if response.status().is_server_error() {
        // Let a retry try again rather than replaying a failure.
        key_row::Entity::delete_by_id(id).exec(&state.db).await?;
        return Ok(response);
    }
    let (parts, body) = response.into_parts();
    let bytes = to_bytes(body, MAX_STORED_RESPONSE)
        .await
        .map_err(|e| anyhow::anyhow!("Failed to buffer a response for its Idempotency-Key: {e}"))?;
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    key_row::Entity::update(key_row::ActiveModel {
        id: Set(id),
        status: Set(Some(i32::from(parts.status.as_u16()))),
        content_type: Set(content_type),
        body: Set(Some(String::from_utf8_lossy(&bytes).into_owned())),
        ..Default::default()
    })
    .exec(&state.db)
    .await?;
    Ok(Response::from_parts(parts, Body::from(bytes)))
}

fn replay(existing: key_row::Model, hash: &str) -> Result<Response, ServiceError> {
    if existing.request_hash != hash {
        return Err(AppError::Validation {
            message: "this Idempotency-Key was already used with a different request".into(),
            fields: Default::default(),
        }
        .into());
    }
    let Some(status) = existing.status else {
        return Err(AppError::Conflict(
            "a request with this Idempotency-Key is still being processed".into(),
        )
        .into());
    };
    let status = u16::try_from(status)
        .ok()
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::OK);
    let mut response = (status, existing.body.unwrap_or_default()).into_response();
    if let Some(ct) = existing
        .content_type
        .and_then(|ct| HeaderValue::from_str(&ct).ok())
    {
        response.headers_mut().insert(header::CONTENT_TYPE, ct);
    }
    response
        .headers_mut()
        .insert("idempotent-replayed", HeaderValue::from_static("true"));
    Ok(response)
}
