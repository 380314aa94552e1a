//! Small pieces the contact, list and import pages share.

use crate::{components::FieldError, error::AppError};
use leptos::prelude::*;
use uuid::Uuid;

/// The id in the route (`/contacts/:id`, `/contacts/imports/:id`), if it is one.
pub fn route_id() -> Memo<Option<Uuid>> {
    let params = leptos_router::hooks::use_params_map();
    Memo::new(move |_| params.with(|p| p.get("id").and_then(|s| s.parse().ok())))
}

/// `path?k=v&...` with the values percent-encoded; pairs without a value are left out.
pub fn href(path: &str, pairs: &[(&str, Option<String>)]) -> String {
    let query: Vec<String> = pairs
        .iter()
        .filter_map(|(k, v)| {
            v.as_ref()
                .map(|v| format!("{k}={}", crate::components::query_value(v)))
        })
        .collect();
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{}", query.join("&"))
    }
}

/// A labelled input (or `<textarea>` when `rows` > 0) with its hint and inline error.
#[component]
pub fn Field(
    /// The form name, also the key of its error in `AppError::Validation`.
    name: &'static str,
    id: &'static str,
    label: &'static str,
    value: String,
    #[prop(into)] error: Signal<Option<AppError>>,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(optional)] rows: usize,
    #[prop(optional)] hint: &'static str,
    #[prop(optional)] autocomplete: Option<&'static str>,
) -> impl IntoView {
    let message =
        Signal::derive(move || error.with(|e| e.as_ref().and_then(|e| e.field_error(name))));
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let described = {
        let (hint_id, error_id) = (hint_id.clone(), error_id.clone());
        move || {
            let mut ids = Vec::new();
            if !hint.is_empty() {
                ids.push(hint_id.clone());
            }
            if message.with(Option::is_some) {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    let invalid = move || message.with(Option::is_some).then_some("true");
    let control = if rows > 0 {
        view! {
            <textarea id=id name=name rows=rows aria-invalid=invalid aria-describedby=described>
                {value}
            </textarea>
        }
        .into_any()
    } else {
        view! {
            <input id=id name=name type=input_type value=value autocomplete=autocomplete
                aria-invalid=invalid aria-describedby=described/>
        }
        .into_any()
    };
    view! {
        <div class="field">
            <label for=id>{label}</label>
            {control}
            {(!hint.is_empty()).then(|| view! { <p class="hint" id=hint_id>{hint}</p> })}
            <FieldError id=error_id message/>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_keep_what_is_set() {
        assert_eq!(
            href(
                "/contacts",
                &[
                    ("page", Some("2".into())),
                    ("q", Some("ada lovelace".into())),
                    ("list_id", None)
                ]
            ),
            "/contacts?page=2&q=ada%20lovelace"
        );
        assert_eq!(href("/contacts", &[("q", None)]), "/contacts");
    }
}
