use crate::{error::AppError, i18n::Strings};
use leptos::prelude::*;

/// One sentence for an error, in the page's language. Messages the services write for
/// users (wrong password, duplicate email, ...) are kept; internal detail never is.
pub fn error_text(t: &Strings, error: &AppError) -> String {
    match error {
        AppError::Validation { fields, message } if fields.is_empty() => {
            format!("{} ({message})", t.err_validation)
        }
        AppError::Validation { .. } => t.err_validation.to_owned(),
        AppError::Unauthorized(m) => with_detail(t.err_unauthorized, m),
        AppError::Forbidden(m) => with_detail(t.err_forbidden, m),
        AppError::NotFound(m) => with_detail(t.err_not_found, m),
        AppError::Conflict(m) => with_detail(t.err_conflict, m),
        AppError::TooManyRequests { .. } => t.err_too_many.to_owned(),
        AppError::Internal => t.err_internal.to_owned(),
        AppError::Transport(_) => t.err_transport.to_owned(),
    }
}

fn with_detail(general: &str, detail: &str) -> String {
    if detail.trim().is_empty() {
        general.to_owned()
    } else {
        format!("{general} ({detail})")
    }
}

/// The error of the last submission, if any, in an alert box read out by screen readers.
#[component]
pub fn ErrorAlert(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    let t = super::use_strings();
    move || {
        error.get().map(|e| {
            view! { <div class="alert" role="alert">{error_text(t, &e)}</div> }
        })
    }
}
