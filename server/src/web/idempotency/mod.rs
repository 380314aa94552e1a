//! `Idempotency-Key` on POST requests of the API: the first response is stored and
//! replayed for a retry of the same request; the same key with another request is a 422.
//!
//! - Keys belong to the caller (organization + user) and live 24 hours.
//! - A response is replayed only to the credential that made the first call (the same
//!   session or API token) with the same authorization (role and abilities): stored
//!   responses hold new tokens' secrets, invitation links and contacts' addresses.
//! - Stored responses are encrypted, bound to their row (`idempotency_keys.body`).
//! - The request is identified by method, path, query and body. JSON bodies are hashed
//!   whole (at most 1 MiB with a key); streamed uploads are hashed as they stream by, and
//!   a retry's upload is read through the hash (never held) to compare.
//! - A request that fails (5xx), panics, is cancelled, or whose upload was not read to
//!   its end releases its key: a retry runs again instead of meeting a 409 for a day.

mod multipart;

use crate::{
    auth::secret::sha256_hex,
    crypto::{Cipher, Field},
    db::entities::idempotency_key as key_row,
    error::{problem_response, ServiceError},
    state::AppState,
};
use app::{
    error::AppError,
    model::{Actor, Via},
};
use axum::{
    body::{to_bytes, Body},
    extract::{Request, State},
    http::{header, HeaderValue, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use chrono::Utc;
use multipart::{Hashed, Hashing};
use ring::digest;
use sea_orm::{
    sea_query::OnConflict, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set,
};
use std::sync::{Arc, Mutex};
use tower_sessions::Session;
use uuid::Uuid;

const HEADER: &str = "idempotency-key";
const MAX_HASHED_BODY: usize = 1024 * 1024;
const MAX_STORED_RESPONSE: usize = 4 * 1024 * 1024;
/// How long a first call may stay "in progress" before its key is taken back.
const PENDING_TTL: chrono::Duration = chrono::Duration::hours(1);
pub(crate) const BODY: Field<'static> = Field {
    table: "idempotency_keys",
    column: "body",
};

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
        return Err(invalid(
            "Idempotency-Key must be 1 to 255 visible characters",
        ));
    }
    let principal = principal(&actor, request.extensions().get::<Session>());
    // Multipart bodies stream by (uploads may be large); their boundary is left out of
    // their hash.
    let boundary = multipart::boundary(request.headers())?;
    let (parts, body) = request.into_parts();
    let mut hasher = digest::Context::new(&digest::SHA256);
    hasher.update(format!("{} {}\n", parts.method, parts.uri).as_bytes());
    let (body, hash) = if boundary.is_some() {
        (body, None)
    } else {
        let bytes = to_bytes(body, MAX_HASHED_BODY).await.map_err(|_| {
            invalid(&format!(
                "a request body with Idempotency-Key has at most {MAX_HASHED_BODY} bytes"
            ))
        })?;
        hasher.update(&bytes);
        (
            Body::from(bytes),
            Some(hex::encode(hasher.clone().finish())),
        )
    };

    let now = Utc::now();
    let mine = |q: sea_orm::Select<key_row::Entity>| {
        q.filter(key_row::Column::OrganizationId.eq(actor.organization_id))
            .filter(key_row::Column::UserId.eq(actor.user_id))
            .filter(key_row::Column::Key.eq(&key))
    };
    key_row::Entity::delete_many()
        .filter(key_row::Column::OrganizationId.eq(actor.organization_id))
        .filter(key_row::Column::UserId.eq(actor.user_id))
        .filter(key_row::Column::Key.eq(&key))
        .filter(
            sea_orm::Condition::any()
                .add(key_row::Column::CreatedAt.lt(now - key_row::TTL))
                // A first call that died without releasing its key (a crash) holds it an
                // hour at most.
                .add(
                    sea_orm::Condition::all()
                        .add(key_row::Column::Status.is_null())
                        .add(key_row::Column::CreatedAt.lt(now - PENDING_TTL)),
                ),
        )
        .exec(&state.db)
        .await?;
    // Claim the key; the unique index makes concurrent first attempts race safely.
    let id = Uuid::now_v7();
    let claimed = key_row::Entity::insert(key_row::ActiveModel {
        id: Set(id),
        organization_id: Set(actor.organization_id),
        user_id: Set(actor.user_id),
        key: Set(key.clone()),
        principal: Set(principal.clone()),
        // A streamed request's hash is known once its body has gone by.
        request_hash: Set(hash.clone().unwrap_or_default()),
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
        let existing = mine(key_row::Entity::find())
            .one(&state.db)
            .await?
            .ok_or_else(|| {
                AppError::Conflict("the Idempotency-Key was released meanwhile; retry".into())
            })?;
        if existing.principal != principal {
            return Err(invalid(
                "this Idempotency-Key was used by another session or token, or before your role changed",
            ));
        }
        if existing.status.is_none() {
            return Err(AppError::Conflict(
                "a request with this Idempotency-Key is still being processed".into(),
            )
            .into());
        }
        let hash = match (hash, boundary) {
            (Some(hash), _) => hash,
            (None, boundary) => {
                multipart::hash_stream(hasher, boundary.as_deref().unwrap_or_default(), body)
                    .await?
            }
        };
        return replay(&state.cipher, existing, &hash);
    }

    // From here, leaving without storing a response releases the key: a failure below,
    // a panic in the handler, or the client going away (this future is dropped).
    let mut guard = Release {
        db: state.db.clone(),
        id: Some(id),
    };
    let (finished, body_gone) = tokio::sync::oneshot::channel();
    let progress = boundary
        .as_deref()
        .map(|b| Arc::new(Mutex::new(Hashing::new(hasher, b))));
    let body = match &progress {
        Some(progress) => Body::from_stream(Hashed::new(body, progress.clone(), finished)),
        None => body,
    };
    let response = next.run(Request::from_parts(parts, body)).await;
    if progress.is_some() {
        // The handler has dropped the body; what it left unread is being hashed.
        let _ = tokio::time::timeout(std::time::Duration::from_secs(10), body_gone).await;
    }
    if response.status().is_server_error() {
        guard.release().await;
        return Ok(response);
    }
    let hash = match (hash, progress) {
        (Some(hash), _) => hash,
        (None, Some(progress)) => {
            let finished = progress.lock().unwrap_or_else(|p| p.into_inner()).finish();
            let Some(hash) = finished else {
                // The body broke off or was left unread: what the request was is not
                // known whole, so it is not replayable.
                guard.release().await;
                return Ok(response);
            };
            hash
        }
        (None, None) => return Ok(response),
    };
    let (parts, body) = response.into_parts();
    let bytes = to_bytes(body, MAX_STORED_RESPONSE)
        .await
        .map_err(|e| anyhow::anyhow!("Failed to buffer a response for its Idempotency-Key: {e}"))?;
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let sealed = state
        .cipher
        .encrypt(BODY, &id.to_string(), &String::from_utf8_lossy(&bytes))
        .map_err(anyhow::Error::new)?;
    key_row::Entity::update(key_row::ActiveModel {
        id: Set(id),
        request_hash: Set(hash),
        status: Set(Some(i32::from(parts.status.as_u16()))),
        content_type: Set(content_type),
        body: Set(Some(sealed)),
        ..Default::default()
    })
    .exec(&state.db)
    .await?;
    guard.id = None;
    Ok(Response::from_parts(parts, Body::from(bytes)))
}

/// Who may see a replay: the credential of the first call (the session, or the API
/// token) with its authorization then, as a hash.
fn principal(actor: &Actor, session: Option<&Session>) -> String {
    let credential = match &actor.via {
        Via::Token { token_id, .. } => format!("token:{token_id}"),
        Via::Session => format!(
            "session:{}",
            session
                .and_then(Session::id)
                .map(|id| id.to_string())
                .unwrap_or_default()
        ),
    };
    let abilities = match &actor.via {
        Via::Token { abilities, .. } => format!("{abilities:?}"),
        Via::Session => String::new(),
    };
    sha256_hex(&format!(
        "{credential}\n{}\n{abilities}",
        actor.role.as_str()
    ))
}

pub(super) fn invalid(message: &str) -> ServiceError {
    AppError::Validation {
        message: message.into(),
        fields: Default::default(),
    }
    .into()
}

fn replay(cipher: &Cipher, existing: key_row::Model, hash: &str) -> Result<Response, ServiceError> {
    if existing.request_hash != hash {
        return Err(invalid(
            "this Idempotency-Key was already used with a different request",
        ));
    }
    let status = existing
        .status
        .and_then(|s| u16::try_from(s).ok())
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::OK);
    let body = match existing.body {
        Some(sealed) => cipher
            .decrypt(BODY, &existing.id.to_string(), &sealed)
            .map_err(anyhow::Error::new)?,
        None => String::new(),
    };
    let mut response = (status, body).into_response();
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

/// Deletes a claimed key that got no stored response (unless disarmed by taking `id`):
/// at once with [`Release::release`], or when dropped (a panic, a cancelled request).
struct Release {
    db: DatabaseConnection,
    id: Option<Uuid>,
}

impl Release {
    /// Releases now, before the response leaves, so that a retry finds the key free.
    async fn release(&mut self) {
        if let Some(id) = self.id.take() {
            if let Err(e) = delete_pending(&self.db, id).await {
                tracing::warn!(error = %e, "could not release an Idempotency-Key");
            }
        }
    }
}

async fn delete_pending(db: &DatabaseConnection, id: Uuid) -> Result<(), sea_orm::DbErr> {
    key_row::Entity::delete_many()
        .filter(key_row::Column::Id.eq(id))
        .filter(key_row::Column::Status.is_null())
        .exec(db)
        .await
        .map(drop)
}

impl Drop for Release {
    fn drop(&mut self) {
        let Some(id) = self.id.take() else { return };
        let db = self.db.clone();
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                if let Err(e) = delete_pending(&db, id).await {
                    tracing::warn!(error = %e, "could not release an Idempotency-Key");
                }
            });
        }
    }
}
