//! The contact form: one `ActionForm` posting flat fields to `save_contact`, for a new
//! contact or an existing one. It starts from a `SaveContact`, the very fields it posts,
//! so what a refused plain-form save typed can be shown again as it was.

use super::parts::Field;
use crate::{
    api::SaveContact,
    components::{use_strings, ErrorAlert, FieldError},
    error::AppError,
    model::{Channel, ConsentState, ContactDto},
};
use leptos::{form::ActionForm, prelude::*};
use leptos_router::hooks::use_query_map;

#[component]
pub fn ContactForm(fields: SaveContact, save: ServerAction<SaveContact>) -> impl IntoView {
    let c = use_strings().contacts;
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let query = use_query_map();
    // `save_contact` sends both kinds of client here with `?saved=1`.
    let saved = move || query.with(|q| q.get("saved").is_some()) && error.with(Option::is_none);
    let new = fields.id.trim().is_empty();
    let consents = Channel::ALL
        .into_iter()
        .map(|ch| view! { <ConsentSelect channel=ch state=consent_of(&fields, ch) error/> })
        .collect_view();
    view! {
        <ActionForm action=save attr:class="form contact-form" attr:novalidate=true>
            <ErrorAlert error/>
            {move || saved().then(|| view! { <p class="notice" role="status">{c.saved}</p> })}
            <input type="hidden" name="id" value=fields.id/>
            <input type="hidden" name="attribute_keys" value=fields.attribute_keys/>
            <div class="form-grid">
                <Field name="email" id="contact-email" label=c.email value=fields.email
                    input_type="email" autocomplete="off" error/>
                <Field name="phone" id="contact-phone" label=c.phone value=fields.phone
                    input_type="tel" hint=c.phone_hint autocomplete="off" error/>
                <Field name="first_name" id="contact-first-name" label=c.first_name
                    value=fields.first_name autocomplete="off" error/>
                <Field name="last_name" id="contact-last-name" label=c.last_name
                    value=fields.last_name autocomplete="off" error/>
                <Field name="locale" id="contact-locale" label=c.locale value=fields.locale
                    hint=c.locale_hint error/>
                <Field name="time_zone" id="contact-time-zone" label=c.time_zone
                    value=fields.time_zone hint=c.time_zone_hint error/>
            </div>
            <fieldset class="consents">
                <legend>{c.consents}</legend>
                {consents}
            </fieldset>
            <Field name="attributes" id="contact-attributes" label=c.attributes value=fields.attributes
                rows=4 hint=c.attributes_hint error/>
            <div class="form-actions">
                <button type="submit" class="button primary">{if new { c.create } else { c.save }}</button>
            </div>
        </ActionForm>
    }
}

#[component]
fn ConsentSelect(
    channel: Channel,
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

/// What the form starts with: what a refused plain-form save of this same contact (or
/// of a new one, for `None`) typed, else the contact as saved.
pub fn starting_fields(contact: Option<&ContactDto>, flash: Option<&str>) -> SaveContact {
    let id = contact.map(|c| c.id);
    flash
        .and_then(|json| serde_json::from_str::<SaveContact>(json).ok())
        .filter(|typed| typed.contact_id().ok().flatten() == id)
        .unwrap_or_else(|| contact.map_or_else(blank, fields_of))
}

/// The fields of a saved contact, as the form shows them.
fn fields_of(contact: &ContactDto) -> SaveContact {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let keys: Vec<&String> = contact.attributes.keys().collect();
    let attributes = if contact.attributes.is_empty() {
        String::new()
    } else {
        serde_json::to_string_pretty(&contact.attributes).unwrap_or_default()
    };
    let consent = |ch: Channel| {
        let state = contact
            .consents
            .iter()
            .find(|k| k.channel == ch)
            .map_or(ConsentState::Unknown, |k| k.state);
        state.as_str().to_owned()
    };
    SaveContact {
        id: contact.id.to_string(),
        email: text(&contact.email),
        phone: text(&contact.phone),
        first_name: text(&contact.first_name),
        last_name: text(&contact.last_name),
        locale: text(&contact.locale),
        time_zone: text(&contact.time_zone),
        consent_email: consent(Channel::Email),
        consent_sms: consent(Channel::Sms),
        consent_push: consent(Channel::Push),
        attributes,
        attribute_keys: serde_json::to_string(&keys).unwrap_or_default(),
    }
}

fn blank() -> SaveContact {
    SaveContact {
        id: String::new(),
        email: String::new(),
        phone: String::new(),
        first_name: String::new(),
        last_name: String::new(),
        locale: String::new(),
        time_zone: String::new(),
        consent_email: String::new(),
        consent_sms: String::new(),
        consent_push: String::new(),
        attributes: String::new(),
        attribute_keys: "[]".to_owned(),
    }
}

fn consent_of(fields: &SaveContact, channel: Channel) -> ConsentState {
    let raw = match channel {
        Channel::Email => &fields.consent_email,
        Channel::Sms => &fields.consent_sms,
        Channel::Push => &fields.consent_push,
    };
    raw.parse().unwrap_or(ConsentState::Unknown)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contact(n: u128) -> ContactDto {
        ContactDto {
            id: uuid::Uuid::from_u128(n),
            email: Some("ada@example.org".into()),
            phone: None,
            first_name: Some("Ada".into()),
            last_name: None,
            locale: None,
            time_zone: None,
            attributes: serde_json::from_str(r#"{"plan": "pro"}"#).unwrap(),
            consents: vec![],
            lists: vec![],
            created_at: Default::default(),
            updated_at: Default::default(),
        }
    }

    #[test]
    fn a_saved_contact_fills_the_form() {
        let c = contact(1);
        let f = starting_fields(Some(&c), None);
        assert_eq!(
            (f.id.clone(), f.email.as_str(), f.phone.as_str()),
            (c.id.to_string(), "ada@example.org", "")
        );
        assert_eq!(f.attribute_keys, r#"["plan"]"#);
        assert_eq!(consent_of(&f, Channel::Sms), ConsentState::Unknown);
        assert!(starting_fields(None, None).id.is_empty());
    }

    #[test]
    fn what_was_typed_wins_only_for_the_same_contact() {
        let c = contact(1);
        let mut typed = fields_of(&c);
        typed.first_name = "Adah".into();
        let json = serde_json::to_string(&typed).unwrap();
        assert_eq!(starting_fields(Some(&c), Some(&json)).first_name, "Adah");
        let other = contact(2);
        assert_eq!(starting_fields(Some(&other), Some(&json)).first_name, "Ada");
        assert_eq!(
            starting_fields(None, Some(&json)).first_name,
            "",
            "a new contact's form"
        );
        let mut new = blank();
        new.email = "typo@".into();
        let json = serde_json::to_string(&new).unwrap();
        assert_eq!(starting_fields(None, Some(&json)).email, "typo@");
        assert_eq!(
            starting_fields(Some(&c), Some("not json")).first_name,
            "Ada"
        );
    }
}
