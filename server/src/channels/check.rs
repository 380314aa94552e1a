//! Reading provider settings: each helper checks one setting, fills its default, and
//! records a readable error under the setting's name.

use app::model::FieldErrors;
use serde_json::{Map, Value};

pub struct Check<'a> {
    pub settings: &'a mut Map<String, Value>,
    pub errors: FieldErrors,
}

impl<'a> Check<'a> {
    pub fn new(settings: &'a mut Map<String, Value>) -> Self {
        Check {
            settings,
            errors: FieldErrors::new(),
        }
    }

    pub fn fail(&mut self, key: &str, why: impl Into<String>) {
        self.errors.insert(key.to_owned(), why.into());
    }

    /// A number from `min` to `max`, `default` when absent.
    pub fn number(&mut self, key: &str, min: f64, max: f64, default: f64) -> f64 {
        match self.settings.get(key) {
            None | Some(Value::Null) => {
                self.settings.insert(key.into(), json_number(default));
                default
            }
            Some(Value::Number(n)) => match n.as_f64() {
                Some(v) if (min..=max).contains(&v) => v,
                _ => {
                    self.fail(key, format!("a number from {min} to {max}"));
                    default
                }
            },
            Some(_) => {
                self.fail(key, format!("a number from {min} to {max}"));
                default
            }
        }
    }

    /// A whole number from `min` to `max`, `default` when absent.
    pub fn whole(&mut self, key: &str, min: u64, max: u64, default: u64) -> u64 {
        match self.settings.get(key) {
            None | Some(Value::Null) => {
                self.settings.insert(key.into(), Value::from(default));
                default
            }
            Some(v) => match v.as_u64() {
                Some(n) if (min..=max).contains(&n) => n,
                _ => {
                    self.fail(key, format!("a whole number from {min} to {max}"));
                    default
                }
            },
        }
    }

    /// A string of at most `max` characters; required unless `default` is given.
    pub fn text(&mut self, key: &str, max: usize, default: Option<&str>) -> String {
        match self.settings.get(key) {
            Some(Value::String(s)) if !s.trim().is_empty() => {
                let s = s.trim().to_owned();
                if s.chars().count() > max {
                    self.fail(key, format!("at most {max} characters"));
                }
                self.settings.insert(key.into(), Value::String(s.clone()));
                s
            }
            None | Some(Value::Null) | Some(Value::String(_)) => match default {
                Some(d) => {
                    self.settings.insert(key.into(), Value::String(d.into()));
                    d.to_owned()
                }
                None => {
                    self.fail(key, "required");
                    String::new()
                }
            },
            Some(_) => {
                self.fail(key, "a string");
                String::new()
            }
        }
    }

    /// An optional string of at most `max` characters (absent or empty: `None`).
    pub fn optional_text(&mut self, key: &str, max: usize) -> Option<String> {
        match self.settings.get(key).cloned() {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if s.trim().is_empty() => {
                self.settings.remove(key);
                None
            }
            Some(Value::String(s)) => {
                if s.chars().count() > max {
                    self.fail(key, format!("at most {max} characters"));
                }
                Some(s)
            }
            Some(_) => {
                self.fail(key, "a string");
                None
            }
        }
    }

    /// A required credential (an API key, a token): no spaces or control characters.
    pub fn credential(&mut self, key: &str, max: usize) -> String {
        let value = self.text(key, max, None);
        if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
            self.fail(key, "without spaces (paste it as the provider shows it)");
        }
        value
    }

    /// An optional email address (a channel's sender, say).
    pub fn optional_email(&mut self, key: &str) -> Option<String> {
        let value = self.optional_text(key, 254)?;
        if value.parse::<lettre::Address>().is_err() {
            self.fail(key, "an email address");
        }
        Some(value)
    }

    /// One of `allowed`, `default` when absent.
    pub fn one_of(&mut self, key: &str, allowed: &[&str], default: &str) -> String {
        let value = self.text(key, 32, Some(default));
        if !allowed.contains(&value.as_str()) {
            self.fail(key, format!("one of: {}", allowed.join(", ")));
        }
        value
    }

    /// Refuses settings this provider does not know (a typo would otherwise be ignored).
    pub fn only(&mut self, known: &[&str]) {
        let unknown: Vec<String> = self
            .settings
            .keys()
            .filter(|k| !known.contains(&k.as_str()))
            .cloned()
            .collect();
        for key in unknown {
            self.fail(
                &key,
                format!("unknown setting; expected: {}", known.join(", ")),
            );
        }
    }

    pub fn finish(self) -> Result<(), FieldErrors> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(self.errors)
        }
    }
}

fn json_number(v: f64) -> Value {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        Value::from(v as i64)
    } else {
        serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number)
    }
}
