//! Extractors whose rejections are problem+json with a message that says what is wrong.

use crate::error::ApiError;
use app::{
    error::AppError,
    model::{Actor, FieldErrors},
    ports::RequestContext,
};
use axum::{
    extract::{rejection::JsonRejection, FromRequest, FromRequestParts, Path, Query, Request},
    http::request::Parts,
};
use serde::de::DeserializeOwned;

/// `Json<T>` whose rejections are 400/415/422 problems instead of plain text.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(ApiError(json_problem(rejection))),
        }
    }
}

fn json_problem(rejection: JsonRejection) -> AppError {
    match rejection {
        JsonRejection::JsonDataError(e) => {
            // serde's message names the field and what it expected.
            let detail = e.body_text();
            let field = detail
                .split('`')
                .nth(1)
                .filter(|_| detail.contains("missing field") || detail.contains("unknown variant"))
                .map(str::to_owned);
            match field {
                Some(f) if detail.contains("missing field") => AppError::fields(FieldErrors::from(
                    [(f, "this field is required".to_owned())],
                )),
                _ => AppError::Validation {
                    message: detail,
                    fields: FieldErrors::new(),
                },
            }
        }
        JsonRejection::JsonSyntaxError(e) => AppError::Validation {
            message: format!("malformed JSON: {}", e.body_text()),
            fields: FieldErrors::new(),
        },
        JsonRejection::MissingJsonContentType(_) => AppError::Validation {
            message: "expected a JSON body with `Content-Type: application/json`".into(),
            fields: FieldErrors::new(),
        },
        other => AppError::Validation {
            message: other.body_text(),
            fields: FieldErrors::new(),
        },
    }
}

/// `Query<T>` whose rejection is a 422 problem saying what is wrong with the query.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(q)| ApiQuery(q))
            .map_err(|e| {
                ApiError(AppError::Validation {
                    message: e.body_text(),
                    fields: FieldErrors::new(),
                })
            })
    }
}

/// A path id; anything that is not a UUID cannot exist, so it is a 404.
pub struct IdPath(pub uuid::Uuid);

impl<S: Send + Sync> FromRequestParts<S> for IdPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<uuid::Uuid>::from_request_parts(parts, state)
            .await
            .map(|Path(id)| IdPath(id))
            .map_err(|_| ApiError(AppError::NotFound("not found".into())))
    }
}

/// Two path ids (`/things/{id}/parts/{part_id}`); as with [`IdPath`], a non-UUID is a 404.
pub struct IdsPath(pub uuid::Uuid, pub uuid::Uuid);

impl<S: Send + Sync> FromRequestParts<S> for IdsPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<(uuid::Uuid, uuid::Uuid)>::from_request_parts(parts, state)
            .await
            .map(|Path((a, b))| IdsPath(a, b))
            .map_err(|_| ApiError(AppError::NotFound("not found".into())))
    }
}

/// The authenticated caller; 401 when there is none.
pub struct AuthActor(pub Actor);

impl<S: Send + Sync> FromRequestParts<S> for AuthActor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Actor>()
            .cloned()
            .map(AuthActor)
            .ok_or_else(|| {
                ApiError(AppError::Unauthorized(
                    "sign in or send `Authorization: Bearer <token>`".into(),
                ))
            })
    }
}

/// The request facts the auth middleware gathered.
pub struct Ctx(pub RequestContext);

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<RequestContext>()
            .cloned()
            .map(Ctx)
            .ok_or_else(|| {
                ApiError::from(crate::error::ServiceError::Internal(anyhow::anyhow!(
                    "RequestContext missing: is the auth middleware installed?"
                )))
            })
    }
}
