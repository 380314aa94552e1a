//! Errors of the service layer, and their one mapping to HTTP (RFC 9457 problem+json).

use app::error::AppError;
use axum::{
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};
use serde::Serialize;

/// What a service returns: either something the user should hear about ([`AppError`]),
/// or an internal failure whose cause is logged once and never shown.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error(transparent)]
    App(#[from] AppError),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sea_orm::DbErr> for ServiceError {
    fn from(e: sea_orm::DbErr) -> Self {
        ServiceError::Internal(anyhow::Error::new(e).context("database error"))
    }
}

impl From<sea_orm::TransactionError<ServiceError>> for ServiceError {
    fn from(e: sea_orm::TransactionError<ServiceError>) -> Self {
        match e {
            sea_orm::TransactionError::Connection(db) => db.into(),
            sea_orm::TransactionError::Transaction(inner) => inner,
        }
    }
}

impl From<ServiceError> for AppError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::App(e) => e,
            ServiceError::Internal(cause) => {
                tracing::error!(error = ?cause, "internal error");
                AppError::Internal
            }
        }
    }
}

pub type ServiceResult<T> = Result<T, ServiceError>;

/// Shorthands for the common refusals.
pub fn not_found(what: &str) -> ServiceError {
    AppError::NotFound(format!("{what} not found")).into()
}

pub fn forbidden() -> ServiceError {
    AppError::Forbidden("your role does not allow this action".into()).into()
}

/// The REST layer's error: an [`AppError`] rendered as `application/problem+json`.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

/// An RFC 9457 problem document.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    /// What went wrong, for a person.
    pub detail: String,
    /// Field → what is wrong with it (validation problems only).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<std::collections::HashMap<String, String>>)]
    pub errors: Option<app::model::FieldErrors>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        problem_response(&self.0)
    }
}

/// An RFC 9457 problem answer outside the services' errors (webhooks, say).
pub fn problem(status: StatusCode, slug: &str, title: &str, detail: String) -> Response {
    problem_with(status, slug, title, detail, None)
}

fn problem_with(
    status: StatusCode,
    slug: &str,
    title: &str,
    detail: String,
    errors: Option<app::model::FieldErrors>,
) -> Response {
    let body = Problem {
        kind: format!("https://carillon.dev/problems/{slug}"),
        title: title.to_owned(),
        status: status.as_u16(),
        detail,
        errors,
    };
    let json = serde_json::to_vec(&body).unwrap_or_default();
    let mut response = (status, json).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    response
}

pub fn problem_response(e: &AppError) -> Response {
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let (slug, title) = match e {
        AppError::Validation { .. } => ("validation", "Your request has invalid fields"),
        AppError::Unauthorized(_) => ("unauthorized", "Authentication required"),
        AppError::Forbidden(_) => ("forbidden", "Not allowed"),
        AppError::NotFound(_) => ("not-found", "Not found"),
        AppError::Conflict(_) => ("conflict", "Conflict"),
        AppError::TooManyRequests { .. } => ("too-many-requests", "Too many requests"),
        AppError::Internal => ("internal", "Internal error"),
        AppError::Transport(_) => ("bad-gateway", "Bad gateway"),
    };
    let errors = match e {
        AppError::Validation { fields, .. } if !fields.is_empty() => Some(fields.clone()),
        _ => None,
    };
    let mut response = problem_with(status, slug, title, e.to_string(), errors);
    let headers = response.headers_mut();
    if let AppError::TooManyRequests { retry_after_secs } = e {
        headers.insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
    }
    if let AppError::Unauthorized(_) = e {
        headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    response
}
