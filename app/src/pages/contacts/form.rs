//! The contact form: one `ActionForm` posting flat fields to `save_contact`, for a new
//! contact or an existing one.

use super::parts::Field;
use crate::{
    api::SaveContact,
    components::{use_strings, ErrorAlert, FieldError},
    error::AppError,
    model::{ConsentChannel, ConsentState, ContactDto},
};
use leptos::{form::ActionForm, prelude::*};
use leptos_router::hooks::use_query_map;

#[component]
pub fn ContactForm(contact: Option<ContactDto>, save: ServerAction<SaveContact>) -> impl IntoView {
    let c = use_strings().contacts;
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let query = use_query_map();
    // `save_contact` sends both kinds of client here with `?saved=1`.
    let saved = move || query.with(|q| q.get("saved").is_some()) && error.with(Option::is_none);
    let new = contact.is_none();
    let d = contact.unwrap_or_else(blank);
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let keys: Vec<&String> = d.attributes.keys().collect();
    let attribute_keys = serde_json::to_string(&keys).unwrap_or_default();
    let attributes = if d.attributes.is_empty() {
        String::new()
    } else {
        serde_json::to_string_pretty(&d.attributes).unwrap_or_default()
    };
    let consents = ConsentChannel::ALL
        .into_iter()
        .map(|ch| {
            let state = d
                .consents
                .iter()
                .find(|k| k.channel == ch)
                .map_or(ConsentState::Unknown, |k| k.state);
            view! { <ConsentSelect channel=ch state error/> }
        })
        .collect_view();
    view! {
        <ActionForm action=save attr:class="form contact-form" attr:novalidate=true>
            <ErrorAlert error/>
            {move || saved().then(|| view! { <p class="notice" role="status">{c.saved}</p> })}
            <input type="hidden" name="id" value=if new { String::new() } else { d.id.to_string() }/>
            <input type="hidden" name="attribute_keys" value=attribute_keys/>
            <div class="form-grid">
                <Field name="email" id="contact-email" label=c.email value=text(&d.email)
                    input_type="email" autocomplete="off" error/>
                <Field name="phone" id="contact-phone" label=c.phone value=text(&d.phone)
                    input_type="tel" hint=c.phone_hint autocomplete="off" error/>
                <Field name="first_name" id="contact-first-name" label=c.first_name
                    value=text(&d.first_name) autocomplete="off" error/>
                <Field name="last_name" id="contact-last-name" label=c.last_name
                    value=text(&d.last_name) autocomplete="off" error/>
                <Field name="locale" id="contact-locale" label=c.locale value=text(&d.locale)
                    hint=c.locale_hint error/>
                <Field name="time_zone" id="contact-time-zone" label=c.time_zone
                    value=text(&d.time_zone) hint=c.time_zone_hint error/>
            </div>
            <fieldset class="consents">
                <legend>{c.consents}</legend>
                {consents}
            </fieldset>
            <Field name="attributes" id="contact-attributes" label=c.attributes value=attributes
                rows=4 hint=c.attributes_hint error/>
            <div class="form-actions">
                <button type="submit" class="button primary">{if new { c.create } else { c.save }}</button>
            </div>
        </ActionForm>
    }
}

#[component]
fn ConsentSelect(
    channel: ConsentChannel,
    state: ConsentState,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let c = use_strings().contacts;
    let name = format!("consent_{}", channel.as_str());
    let id = format!("contact-consent-{}", channel.as_str());
    let key = format!("consents.{}", channel.as_str());
    let message =
        Signal::derive(move || error.with(|e| e.as_ref().and_then(|e| e.field_error(&key))));
    let options = [
        ConsentState::Unknown,
        ConsentState::Granted,
        ConsentState::Withdrawn,
    ]
    .into_iter()
    .map(|s| view! { <option value=s.as_str() selected=s == state>{c.consent_name(s)}</option> })
    .collect_view();
    view! {
        <div class="field">
            <label for=id.clone()>{c.channel_name(channel)}</label>
            <select id=id.clone() name=name>{options}</select>
            <FieldError id=format!("{id}-error") message/>
        </div>
    }
}

fn blank() -> ContactDto {
    ContactDto {
        id: uuid::Uuid::nil(),
        email: None,
        phone: None,
        first_name: None,
        last_name: None,
        locale: None,
        time_zone: None,
        attributes: Default::default(),
        consents: vec![],
        lists: vec![],
        created_at: Default::default(),
        updated_at: Default::default(),
    }
}
