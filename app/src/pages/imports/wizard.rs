//! The import wizard: a plain multipart form posted to `POST /contacts/import` (a
//! full-page navigation, with or without JavaScript). With JavaScript, choosing a file
//! shows its first rows and a column mapping, sent as the hidden `mapping` field;
//! without, the server uses the mapping it suggests from the header.

use super::{
    basis::BasisQuestions,
    mapping::{MappingForm, PreviewTable},
};
use crate::{
    components::{error_text, use_can, use_strings},
    error::AppError,
    model::{Action, ImportMapping, ImportPreview},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn ImportPage() -> impl IntoView {
    let t = use_strings();
    let c = t.contacts;
    let head = view! {
        <Title text=format!("{} · {}", c.import_title, t.product)/>
        <p class="crumbs"><a href="/contacts">{c.back}</a></p>
        <h1>{c.import_title}</h1>
    };
    let body = if use_can(Action::ContactsWrite) {
        view! { <Wizard/> }.into_any()
    } else {
        view! { <p class="muted" data-testid="read-only">{c.import_read_only}</p> }.into_any()
    };
    view! { {head} {body} }
}

#[component]
fn Wizard() -> impl IntoView {
    let t = use_strings();
    let c = t.contacts;
    let query = use_query_map();
    // Set by the upload route when it refused the file.
    let refused = move || query.with(|q| q.get("error"));
    let preview = RwSignal::new(None::<ImportPreview>);
    let mapping = RwSignal::new(ImportMapping::default());
    let reading = RwSignal::new(false);
    let failed = RwSignal::new(None::<AppError>);
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    // Empty until a preview exists, so the server falls back to its suggestion.
    let mapping_json = move || {
        if preview.with(Option::is_some) {
            serde_json::to_string(&mapping.get()).unwrap_or_default()
        } else {
            String::new()
        }
    };
    let on_change = file_chosen(preview, mapping, reading, failed);
    view! {
        <form method="post" action="/contacts/import" enctype="multipart/form-data"
            class="form import-form" data-testid="import-form">
            {move || refused().map(|m| view! {
                <div class="alert" role="alert" data-testid="import-refused">
                    <p class="alert-title">{c.upload_refused}</p>
                    <p>{m}</p>
                </div>
            })}
            <div class="field">
                <label for="import-file">{c.file}</label>
                <input id="import-file" type="file" name="file" accept=".csv,text/csv,text/plain"
                    required=true aria-describedby="import-file-hint" on:change=on_change/>
                <p class="hint" id="import-file-hint">{c.file_hint}</p>
            </div>
            <input type="hidden" name="mapping" value=mapping_json/>
            {move || (!hydrated.get()).then(|| view! { <p class="hint" data-testid="nojs-hint">{c.nojs_hint}</p> })}
            {move || reading.get().then(|| view! { <p class="muted" role="status">{c.reading}</p> })}
            {move || failed.get().map(|e| view! { <div class="alert" role="alert">{preview_error(t, &e)}</div> })}
            {move || preview.get().map(|p| view! {
                <PreviewTable preview=p.clone()/>
                <MappingForm header=p.header mapping/>
            })}
            <BasisQuestions/>
            <div class="form-actions">
                <button type="submit" class="button primary">{c.start_import}</button>
            </div>
        </form>
    }
}

/// The service's own words for a refused file (they name the problem in the file).
fn preview_error(t: &crate::i18n::Strings, e: &AppError) -> String {
    match e {
        AppError::Validation { message, .. } => message.clone(),
        _ => error_text(t, e),
    }
}

/// Reads the head of the chosen file and asks the server for a preview. A later choice
/// wins over an earlier one whose answer arrives late.
fn file_chosen(
    preview: RwSignal<Option<ImportPreview>>,
    mapping: RwSignal<ImportMapping>,
    reading: RwSignal<bool>,
    failed: RwSignal<Option<AppError>>,
) -> impl Fn(leptos::ev::Event) + 'static {
    let generation = StoredValue::new(0u64);
    move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            let input: web_sys::HtmlInputElement = event_target(&ev);
            generation.update_value(|g| *g += 1);
            let mine = generation.get_value();
            preview.set(None);
            failed.set(None);
            reading.set(true);
            leptos::task::spawn_local(async move {
                let answer = match super::head::read_head(&input).await {
                    Some(head) => crate::api::preview_import(head).await.map(Some),
                    None => Ok(None),
                };
                if generation.try_get_value() != Some(mine) {
                    return;
                }
                reading.set(false);
                match answer {
                    Ok(Some(p)) => {
                        mapping.set(p.suggested_mapping.clone());
                        preview.set(Some(p));
                    }
                    Ok(None) => {}
                    Err(e) => failed.set(Some(e)),
                }
            });
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = (ev, generation, preview, mapping, reading, failed);
        }
    }
}
