//! The editor's inputs: labelled, with hint and inline error, reporting each change.

use crate::error::AppError;
use leptos::prelude::*;

/// One line or several (`rows` > 0 makes a `<textarea>`).
#[component]
pub fn EditorField(
    /// The form name; `error_key` is the service's key for it (`content.email.subject`).
    name: &'static str,
    error_key: &'static str,
    id: &'static str,
    label: &'static str,
    value: String,
    #[prop(into)] error: Signal<Option<AppError>>,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(optional)] rows: usize,
    #[prop(optional)] hint: &'static str,
    #[prop(optional)] on_input: Option<Callback<String>>,
    #[prop(optional)] described_by: Option<&'static str>,
) -> impl IntoView {
    let message =
        Signal::derive(move || error.with(|e| e.as_ref().and_then(|e| e.field_error(error_key))));
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let described = {
        let (hint_id, error_id) = (hint_id.clone(), error_id.clone());
        move || {
            let mut ids: Vec<String> = described_by.map(str::to_owned).into_iter().collect();
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
    let changed = move |ev: leptos::ev::Event| {
        if let Some(cb) = on_input {
            cb.run(event_target_value(&ev));
        }
    };
    let control = if rows > 0 {
        view! {
            <textarea id=id name=name rows=rows aria-invalid=invalid aria-describedby=described on:input=changed>
                {value}
            </textarea>
        }
        .into_any()
    } else {
        view! {
            <input id=id name=name type=input_type value=value aria-invalid=invalid
                aria-describedby=described on:input=changed/>
        }
        .into_any()
    };
    view! {
        <div class="field">
            <label for=id>{label}</label>
            {control}
            {(!hint.is_empty()).then(|| view! { <p class="hint" id=hint_id>{hint}</p> })}
            <crate::components::FieldError id=error_id message/>
        </div>
    }
}
