//! The settings form of each provider, described by the provider itself so that a new
//! provider brings its form with it, and the one reading of a submitted form into
//! settings JSON (the same JSON `PUT /api/channels/{channel}` takes).

use super::{Channel, ChannelSettingsDto};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SettingKind {
    Text,
    Number,
    /// One of the field's `choices`.
    Choice,
    /// Write-only: shown as set or not, never filled in.
    Secret,
    /// A write-only block of text (a PEM key).
    SecretBlock,
    /// Several lines of text (a template, headers).
    Block,
}

impl SettingKind {
    pub fn is_secret(self) -> bool {
        matches!(self, SettingKind::Secret | SettingKind::SecretBlock)
    }
}

/// One setting in a provider's form. `key` is the setting's name, or `outer.inner` for
/// a key of a nested object (`dkim.selector`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SettingField {
    pub key: String,
    pub kind: SettingKind,
    pub required: bool,
    pub choices: Vec<String>,
}

impl SettingField {
    pub fn new(key: &str, kind: SettingKind) -> Self {
        SettingField {
            key: key.to_owned(),
            kind,
            required: false,
            choices: vec![],
        }
    }

    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    pub fn choice(key: &str, choices: &[&str]) -> Self {
        SettingField {
            choices: choices.iter().map(|c| (*c).to_owned()).collect(),
            ..SettingField::new(key, SettingKind::Choice)
        }
    }

    /// The setting's current value as the form shows it (never a secret's).
    pub fn shown_value(&self, settings: &Value) -> String {
        if self.kind.is_secret() {
            return String::new();
        }
        match lookup(settings, &self.key) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            Some(Value::Bool(b)) => b.to_string(),
            _ => String::new(),
        }
    }

    /// Whether a secret is stored (`{"set": true}` in the shown settings).
    pub fn is_set(&self, settings: &Value) -> bool {
        lookup(settings, &self.key)
            .and_then(|v| v.get("set"))
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }
}

fn lookup<'a>(settings: &'a Value, key: &str) -> Option<&'a Value> {
    match key.split_once('.') {
        None => settings.get(key),
        Some((outer, inner)) => settings.get(outer)?.get(inner),
    }
}

/// A provider as the settings page offers it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProviderDto {
    pub name: String,
    pub channels: Vec<Channel>,
    pub fields: Vec<SettingField>,
}

/// Everything Settings → Channels shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChannelsView {
    pub channels: Vec<ChannelSettingsDto>,
    pub providers: Vec<ProviderDto>,
}

/// Settings JSON from a submitted form: empty inputs are left out (a provider's default
/// applies, and a secret keeps its stored value), numbers become JSON numbers when they
/// read as numbers (else they stay text, and validation names the field), and a nested
/// object is sent only when one of its inputs is filled in (all empty removes it).
pub fn settings_from_form(fields: &[SettingField], form: &BTreeMap<String, String>) -> Value {
    let mut settings = Map::new();
    for field in fields {
        let raw = form.get(&field.key).map(|v| v.trim()).unwrap_or_default();
        if raw.is_empty() {
            continue;
        }
        let value = match field.kind {
            SettingKind::Number => number(raw),
            _ => Value::String(raw.to_owned()),
        };
        match field.key.split_once('.') {
            None => {
                settings.insert(field.key.clone(), value);
            }
            Some((outer, inner)) => {
                let entry = settings
                    .entry(outer.to_owned())
                    .or_insert_with(|| Value::Object(Map::new()));
                if let Value::Object(o) = entry {
                    o.insert(inner.to_owned(), value);
                }
            }
        }
    }
    Value::Object(settings)
}

fn number(raw: &str) -> Value {
    if let Ok(n) = raw.parse::<u64>() {
        return Value::from(n);
    }
    raw.parse::<f64>()
        .ok()
        .and_then(serde_json::Number::from_f64)
        .map(Value::Number)
        .unwrap_or_else(|| Value::String(raw.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn form(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn smtp() -> Vec<SettingField> {
        vec![
            SettingField::new("host", SettingKind::Text).required(),
            SettingField::new("port", SettingKind::Number),
            SettingField::new("password", SettingKind::Secret),
            SettingField::new("rate_per_second", SettingKind::Number),
            SettingField::new("dkim.domain", SettingKind::Text),
            SettingField::new("dkim.private_key", SettingKind::SecretBlock),
        ]
    }

    #[test]
    fn a_form_becomes_settings() {
        let got = settings_from_form(
            &smtp(),
            &form(&[
                ("host", " mail.example.org "),
                ("port", "587"),
                ("password", ""),
                ("rate_per_second", "2.5"),
                ("dkim.domain", ""),
                ("dkim.private_key", ""),
                ("unknown", "x"),
            ]),
        );
        assert_eq!(
            got,
            json!({"host": "mail.example.org", "port": 587, "rate_per_second": 2.5})
        );
    }

    #[test]
    fn a_nested_object_appears_when_one_of_its_inputs_is_filled() {
        let got = settings_from_form(&smtp(), &form(&[("dkim.domain", "example.org")]));
        assert_eq!(got, json!({"dkim": {"domain": "example.org"}}));
    }

    #[test]
    fn what_does_not_read_as_a_number_stays_text_for_validation_to_name() {
        let got = settings_from_form(&smtp(), &form(&[("port", "twenty")]));
        assert_eq!(got, json!({"port": "twenty"}));
    }

    #[test]
    fn the_form_shows_values_but_never_secrets() {
        let shown = json!({"host": "h", "port": 25, "password": {"set": true}, "dkim": {"domain": "d", "private_key": {"set": false}}});
        let fields = smtp();
        assert_eq!(fields[0].shown_value(&shown), "h");
        assert_eq!(fields[1].shown_value(&shown), "25");
        assert_eq!(fields[2].shown_value(&shown), "");
        assert!(fields[2].is_set(&shown));
        assert_eq!(fields[4].shown_value(&shown), "d");
        assert!(!fields[5].is_set(&shown));
    }
}
