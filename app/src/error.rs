//! The one error kind that crosses from server to browser. It carries what a user may
//! see and nothing else: internal causes stay in the server's logs.

use crate::model::FieldErrors;
use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// One or more fields are wrong; `fields` maps each to its message.
    #[error("{message}")]
    Validation {
        message: String,
        fields: FieldErrors,
    },
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("too many attempts; try again in {retry_after_secs} s")]
    TooManyRequests { retry_after_secs: u64 },
    #[error("something went wrong on our side; it has been logged")]
    Internal,
    /// The call itself failed (network, encoding): never produced by our services.
    #[error("the request could not be completed: {0}")]
    Transport(String),
}

impl AppError {
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        AppError::Validation {
            message: format!("{field}: {message}"),
            fields: FieldErrors::from([(field.to_owned(), message)]),
        }
    }

    pub fn fields(fields: FieldErrors) -> Self {
        let message = fields
            .iter()
            .map(|(f, m)| format!("{f}: {m}"))
            .collect::<Vec<_>>()
            .join("; ");
        AppError::Validation { message, fields }
    }

    pub fn status(&self) -> u16 {
        match self {
            AppError::Validation { .. } => 422,
            AppError::Unauthorized(_) => 401,
            AppError::Forbidden(_) => 403,
            AppError::NotFound(_) => 404,
            AppError::Conflict(_) => 409,
            AppError::TooManyRequests { .. } => 429,
            AppError::Internal => 500,
            AppError::Transport(_) => 502,
        }
    }

    /// The message for one form field, if this error names it.
    pub fn field_error(&self, field: &str) -> Option<String> {
        match self {
            AppError::Validation { fields, .. } => fields.get(field).cloned(),
            _ => None,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // A form that arrives with a field missing or mistyped.
            ServerFnErrorErr::Args(m) | ServerFnErrorErr::MissingArg(m) => AppError::Validation {
                message: m.clone(),
                fields: FieldErrors::new(),
            },
            other => AppError::Transport(other.to_string()),
        }
    }
}
