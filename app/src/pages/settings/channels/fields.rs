//! One setting's input, by its kind. Inputs are named `settings[key]`; their errors
//! come back keyed `settings.key`.

use crate::{
    components::{use_strings, FieldError},
    error::AppError,
    model::{Channel, SettingField, SettingKind},
};
use leptos::prelude::*;
use serde_json::Value;

#[component]
pub fn SettingInput(
    channel: Channel,
    field: SettingField,
    /// The saved settings (secrets as `{"set": bool}`), or null for an unsaved provider.
    values: Value,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let s = use_strings().sending;
    let key = field.key.clone();
    let error_key = format!("settings.{key}");
    let message =
        Signal::derive(move || error.with(|e| e.as_ref().and_then(|e| e.field_error(&error_key))));
    let id = format!("{}-{}", channel.as_str(), key.replace('.', "-"));
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let name = format!("settings[{key}]");
    let value = field.shown_value(&values);
    let label = s.setting_label(&key).to_owned();
    let invalid = move || message.with(Option::is_some).then_some("true");
    let described = {
        let error_id = error_id.clone();
        move || message.with(Option::is_some).then(|| error_id.clone())
    };
    let input = match field.kind {
        SettingKind::Choice => {
            let options = field
                .choices
                .iter()
                .map(|choice| view! { <option value=choice.clone() selected=*choice == value>{choice.clone()}</option> })
                .collect_view();
            view! { <select id=id.clone() name=name aria-invalid=invalid aria-describedby=described>{options}</select> }.into_any()
        }
        SettingKind::Secret | SettingKind::SecretBlock => {
            let hint = if field.is_set(&values) {
                s.secret_set
            } else {
                s.secret_unset
            };
            let hinted = hint_id.clone();
            let input = if field.kind == SettingKind::SecretBlock {
                view! { <textarea id=id.clone() name=name rows="4" autocomplete="off" spellcheck="false"
                    aria-invalid=invalid aria-describedby=hinted></textarea> }.into_any()
            } else {
                view! { <input id=id.clone() name=name type="password" autocomplete="new-password"
                aria-invalid=invalid aria-describedby=hinted/> }
                .into_any()
            };
            view! { {input}<p class="hint" id=hint_id.clone()>{hint}</p> }.into_any()
        }
        SettingKind::Number => view! {
            <input id=id.clone() name=name type="text" inputmode="decimal" value=value
                required=field.required aria-invalid=invalid aria-describedby=described/>
        }
        .into_any(),
        SettingKind::Block => view! {
            <textarea id=id.clone() name=name rows="4" spellcheck="false"
                required=field.required aria-invalid=invalid aria-describedby=described>{value}</textarea>
        }
        .into_any(),
        SettingKind::Text => view! {
            <input id=id.clone() name=name type="text" value=value autocomplete="off"
                required=field.required aria-invalid=invalid aria-describedby=described/>
        }
        .into_any(),
    };
    view! {
        <div class="field">
            <label for=id>{label}</label>
            {input}
            <FieldError id=error_id message/>
        </div>
    }
}
