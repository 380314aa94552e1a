// One argument per form field: the plain HTML form posts them flat.
#![allow(clippy::too_many_arguments)]

use crate::{
    error::AppError,
    model::{Channel, ConsentState, ContactDto, ContactInput, ContactPatch},
};
use leptos::prelude::*;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use uuid::Uuid;

/// The contact form, new (`id` empty) or edited. `attribute_keys` (JSON array) lists the
/// attributes the form was showing, so that one deleted from the textarea is removed
/// (the patch merges attributes) without reading the contact again.
#[server(prefix = "/api/fn", endpoint = "save_contact")]
pub async fn save_contact(
    #[server(default)] id: String,
    #[server(default)] email: String,
    #[server(default)] phone: String,
    #[server(default)] first_name: String,
    #[server(default)] last_name: String,
    #[server(default)] locale: String,
    #[server(default)] time_zone: String,
    #[server(default)] consent_email: String,
    #[server(default)] consent_sms: String,
    #[server(default)] consent_push: String,
    #[server(default)] attributes: String,
    #[server(default)] attribute_keys: String,
) -> Result<ContactDto, AppError> {
    let form = SaveContact {
        id,
        email,
        phone,
        first_name,
        last_name,
        locale,
        time_zone,
        consent_email,
        consent_sms,
        consent_push,
        attributes,
        attribute_keys,
    };
    let result = server::save(&form).await;
    if let Err(error) = &result {
        // Without JavaScript the page is rebuilt from the server: keep what was typed.
        // A bad `id` is not something the user typed, and the form would not match it.
        if error.field_error("id").is_none() {
            if let Ok(json) = serde_json::to_string(&form) {
                super::support::flash_if_plain_form(super::FlashKind::ContactForm, &json).await?;
            }
        }
    }
    result
}

#[cfg(feature = "ssr")]
mod server {
    use super::*;

    pub async fn save(form: &SaveContact) -> Result<ContactDto, AppError> {
        let ports = crate::ports::ports()?;
        let actor = crate::ports::actor()?;
        let saved = match form.contact_id()? {
            None => ports.contacts.create(&actor, form.input()?).await?,
            Some(id) => ports.contacts.update(&actor, id, form.patch()?).await?,
        };
        // Both ways land on the contact's page with the notice, with or without JavaScript.
        leptos_axum::redirect(&format!("/contacts/{}?saved=1", saved.id));
        Ok(saved)
    }
}

impl SaveContact {
    pub fn contact_id(&self) -> Result<Option<Uuid>, AppError> {
        let id = self.id.trim();
        if id.is_empty() {
            return Ok(None);
        }
        id.parse()
            .map(Some)
            .map_err(|_| AppError::field("id", "not a contact id"))
    }

    pub fn input(&self) -> Result<ContactInput, AppError> {
        let attributes = self.attribute_map()?;
        Ok(ContactInput {
            email: text(&self.email),
            phone: text(&self.phone),
            first_name: text(&self.first_name),
            last_name: text(&self.last_name),
            locale: text(&self.locale),
            time_zone: text(&self.time_zone),
            attributes: (!attributes.is_empty()).then_some(attributes),
            consents: self.consents()?,
            ..Default::default()
        })
    }

    /// Every field is sent: an emptied input clears the field.
    pub fn patch(&self) -> Result<ContactPatch, AppError> {
        let mut attributes = self.attribute_map()?;
        let shown: Vec<String> = serde_json::from_str(&self.attribute_keys).unwrap_or_default();
        for key in shown {
            attributes.entry(key).or_insert(Value::Null);
        }
        Ok(ContactPatch {
            email: Some(text(&self.email)),
            phone: Some(text(&self.phone)),
            first_name: Some(text(&self.first_name)),
            last_name: Some(text(&self.last_name)),
            locale: Some(text(&self.locale)),
            time_zone: Some(text(&self.time_zone)),
            attributes: (!attributes.is_empty()).then_some(attributes),
            consents: self.consents()?,
            ..Default::default()
        })
    }

    fn attribute_map(&self) -> Result<Map<String, Value>, AppError> {
        if self.attributes.trim().is_empty() {
            return Ok(Map::new());
        }
        match serde_json::from_str::<Value>(&self.attributes) {
            Ok(Value::Object(map)) => Ok(map),
            _ => Err(AppError::field(
                "attributes",
                "must be a JSON object, e.g. {\"plan\": \"pro\"}",
            )),
        }
    }

    fn consents(&self) -> Result<BTreeMap<Channel, ConsentState>, AppError> {
        let mut out = BTreeMap::new();
        for (channel, raw) in [
            (Channel::Email, &self.consent_email),
            (Channel::Sms, &self.consent_sms),
            (Channel::Push, &self.consent_push),
        ] {
            if raw.is_empty() {
                continue;
            }
            let state = raw.parse().map_err(|e: String| {
                AppError::field(&format!("consents.{}", channel.as_str()), e)
            })?;
            out.insert(channel, state);
        }
        Ok(out)
    }
}

fn text(s: &str) -> Option<String> {
    Some(s.trim().to_owned()).filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> SaveContact {
        SaveContact {
            id: String::new(),
            email: " ada@example.org ".into(),
            phone: String::new(),
            first_name: "Ada".into(),
            last_name: String::new(),
            locale: String::new(),
            time_zone: String::new(),
            consent_email: "granted".into(),
            consent_sms: "unknown".into(),
            consent_push: String::new(),
            attributes: r#"{"plan": "pro"}"#.into(),
            attribute_keys: r#"["plan", "old"]"#.into(),
        }
    }

    #[test]
    fn a_new_contact_leaves_blanks_out() {
        let input = form().input().unwrap();
        assert_eq!(input.email.as_deref(), Some("ada@example.org"));
        assert_eq!(input.phone, None);
        assert_eq!(input.consents.len(), 2);
        assert_eq!(input.attributes.unwrap()["plan"], "pro");
    }

    #[test]
    fn an_edit_clears_blanks_and_removes_dropped_attributes() {
        let patch = form().patch().unwrap();
        assert_eq!(patch.phone, Some(None));
        let attributes = patch.attributes.unwrap();
        assert_eq!(attributes["old"], Value::Null);
        assert_eq!(attributes["plan"], "pro");
    }

    #[test]
    fn bad_attributes_and_ids_are_field_errors() {
        let mut f = form();
        f.attributes = "[1]".into();
        assert!(f.input().unwrap_err().field_error("attributes").is_some());
        f.id = "nope".into();
        assert!(f.contact_id().unwrap_err().field_error("id").is_some());
    }
}
