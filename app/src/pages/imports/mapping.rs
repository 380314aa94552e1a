//! The preview of a chosen file and the column mapping (hydrated app only: both need
//! the file read in the browser). Every change rewrites the form's hidden `mapping`.

use crate::{
    components::use_strings,
    model::{Channel, ImportMapping, ImportPreview},
};
use leptos::prelude::*;

#[component]
pub fn PreviewTable(preview: ImportPreview) -> impl IntoView {
    let c = use_strings().contacts;
    let head = preview
        .header
        .iter()
        .map(|h| view! { <th scope="col">{h.clone()}</th> })
        .collect_view();
    let rows = preview
        .rows
        .into_iter()
        .map(|row| {
            let cells = row
                .into_iter()
                .map(|v| view! { <td>{v}</td> })
                .collect_view();
            view! { <tr>{cells}</tr> }
        })
        .collect_view();
    view! {
        <section class="import-preview" aria-labelledby="import-preview-title" data-testid="import-preview">
            <h2 id="import-preview-title">{c.first_rows}</h2>
            <p>{c.delimiter} ": " <code data-testid="import-delimiter">{preview.delimiter}</code></p>
            <div class="table-wrap">
                <table class="table">
                    <thead><tr>{head}</tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
}

/// The contact field a column can feed.
fn slot<'a>(m: &'a mut ImportMapping, field: &str) -> Option<&'a mut Option<String>> {
    match field {
        "email" => Some(&mut m.email),
        "phone" => Some(&mut m.phone),
        "first_name" => Some(&mut m.first_name),
        "last_name" => Some(&mut m.last_name),
        "locale" => Some(&mut m.locale),
        "time_zone" => Some(&mut m.time_zone),
        _ => None,
    }
}

#[component]
pub fn MappingForm(header: Vec<String>, mapping: RwSignal<ImportMapping>) -> impl IntoView {
    let c = use_strings().contacts;
    let fields = [
        ("email", c.email),
        ("phone", c.phone),
        ("first_name", c.first_name),
        ("last_name", c.last_name),
        ("locale", c.locale),
        ("time_zone", c.time_zone),
    ];
    let field_selects = fields
        .into_iter()
        .map(|(field, label)| {
            let current = mapping.with_untracked(|m| {
                let mut m = m.clone();
                slot(&mut m, field).and_then(|s| s.clone())
            });
            let set = move |column: Option<String>| {
                mapping.update(|m| {
                    if let Some(s) = slot(m, field) {
                        *s = column;
                    }
                })
            };
            view! { <ColumnSelect id=format!("map-{field}") label header=header.clone() current set/> }
        })
        .collect_view();
    let consent_selects = Channel::ALL
        .into_iter()
        .map(|ch| {
            let current = mapping.with_untracked(|m| m.consents.get(&ch).cloned());
            let set = move |column: Option<String>| {
                mapping.update(|m| match column {
                    Some(col) => {
                        m.consents.insert(ch, col);
                    }
                    None => {
                        m.consents.remove(&ch);
                    }
                })
            };
            let label = format!("{} — {}", c.consent_column, c.channel_name(ch));
            view! { <ColumnSelect id=format!("map-consent-{}", ch.as_str()) label header=header.clone() current set/> }
        })
        .collect_view();
    let attribute_checks = header
        .iter()
        .enumerate()
        .map(|(i, column)| {
            let id = format!("map-attr-{i}");
            let checked = mapping.with_untracked(|m| m.attributes.contains(column));
            let name = column.clone();
            let toggle = move |ev: leptos::ev::Event| {
                let on = event_target_checked(&ev);
                mapping.update(|m| {
                    m.attributes.retain(|a| *a != name);
                    if on {
                        m.attributes.push(name.clone());
                    }
                });
            };
            view! {
                <div class="check">
                    <input type="checkbox" id=id.clone() checked=checked on:change=toggle/>
                    <label for=id>{column.clone()}</label>
                </div>
            }
        })
        .collect_view();
    view! {
        <section class="import-mapping" aria-labelledby="import-mapping-title" data-testid="import-mapping">
            <h2 id="import-mapping-title">{c.mapping}</h2>
            <div class="form-grid">{field_selects}</div>
            <div class="form-grid">{consent_selects}</div>
            <fieldset class="checks">
                <legend>{c.keep_attributes}</legend>
                {attribute_checks}
            </fieldset>
        </section>
    }
}

/// A `<select>` of the file's columns. No `name`: the choice travels in `mapping`.
#[component]
fn ColumnSelect(
    id: String,
    #[prop(into)] label: String,
    header: Vec<String>,
    current: Option<String>,
    set: impl Fn(Option<String>) + 'static,
) -> impl IntoView {
    let c = use_strings().contacts;
    let options = header
        .into_iter()
        .map(|h| {
            let selected = current.as_deref() == Some(h.as_str());
            let text = h.clone();
            view! { <option value=h selected=selected>{text}</option> }
        })
        .collect_view();
    let changed = move |ev: leptos::ev::Event| {
        let v = event_target_value(&ev);
        set((!v.is_empty()).then_some(v));
    };
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <select id=id on:change=changed>
                <option value="" selected=current.is_none()>{c.not_imported}</option>
                {options}
            </select>
        </div>
    }
}
