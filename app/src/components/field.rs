use crate::error::AppError;
use leptos::prelude::*;

/// A labelled input with its hint and its inline error (from the last submission).
#[component]
pub fn TextField(
    /// The form field name, also the key of its error in `AppError::Validation`.
    name: &'static str,
    /// Unique on the page; ties the label, hint and error to the input.
    id: &'static str,
    label: &'static str,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(optional)] autocomplete: Option<&'static str>,
    /// Shown under the input; empty for none.
    #[prop(optional)]
    hint: &'static str,
    #[prop(optional)] required: bool,
    #[prop(optional)] minlength: Option<usize>,
    #[prop(into)] error: Signal<Option<AppError>>,
) -> impl IntoView {
    let message =
        Signal::derive(move || error.with(|e| e.as_ref().and_then(|e| e.field_error(name))));
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let described_by = {
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
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input
                id=id
                name=name
                type=input_type
                autocomplete=autocomplete
                required=required
                minlength=minlength
                aria-invalid=move || message.with(Option::is_some).then_some("true")
                aria-describedby=described_by
            />
            {(!hint.is_empty()).then(|| view! { <p class="hint" id=hint_id>{hint}</p> })}
            <FieldError id=error_id message/>
        </div>
    }
}

/// The inline message under a field.
#[component]
pub fn FieldError(id: String, #[prop(into)] message: Signal<Option<String>>) -> impl IntoView {
    move || {
        message.get().map(|m| {
            let id = id.clone();
            view! { <p class="field-error" id=id>{m}</p> }
        })
    }
}
