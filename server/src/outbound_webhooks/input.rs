//! What an endpoint's fields must be.

use super::{OutboundWebhooks, MAX_DESCRIPTION, MAX_URL};
use crate::egress::Unreachable;
use app::{
    error::AppError,
    model::{FieldErrors, EVENT_TYPES},
};

/// The fields given, checked (`None`: not given).
pub(super) struct Checked {
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    /// `Some(None)`: given empty, to be removed.
    pub description: Option<Option<String>>,
}

impl OutboundWebhooks {
    /// Checks the fields given; every refusal at once, by field.
    pub(super) async fn check(
        &self,
        url: Option<&str>,
        events: Option<&[String]>,
        description: Option<&str>,
    ) -> Result<Checked, AppError> {
        let mut errors = FieldErrors::new();
        let url = match url {
            Some(raw) => keep(&mut errors, "url", self.check_url(raw).await),
            None => None,
        };
        let events = events.and_then(|e| keep(&mut errors, "events", check_events(e)));
        let description =
            description.and_then(|d| keep(&mut errors, "description", check_description(Some(d))));
        if errors.is_empty() {
            Ok(Checked {
                url,
                events,
                description,
            })
        } else {
            Err(AppError::fields(errors))
        }
    }

    /// An http(s) URL with a host that is not private (per [`Egress`]).
    async fn check_url(&self, raw: &str) -> Result<String, String> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err("required".into());
        }
        if raw.len() > MAX_URL {
            return Err(format!("at most {MAX_URL} characters"));
        }
        let url = url::Url::parse(raw).map_err(|e| format!("not a URL: {e}"))?;
        if !matches!(url.scheme(), "https" | "http") {
            return Err("an http:// or https:// URL".into());
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err("no user name or password in the URL: check the signature instead".into());
        }
        self.egress.check_url(&url).map_err(|e| e.to_string())?;
        if let Some(url::Host::Domain(host)) = url.host() {
            let port = url.port_or_known_default().unwrap_or(443);
            if let Err(Unreachable::Refused(why)) = self.egress.resolve(host, port).await {
                return Err(why);
            }
        }
        Ok(url.to_string())
    }
}

fn check_events(events: &[String]) -> Result<Vec<String>, String> {
    if events.is_empty() {
        return Err("name at least one event type".into());
    }
    let mut out: Vec<String> = Vec::new();
    for e in events {
        let e = e.trim();
        if !EVENT_TYPES.contains(&e) {
            return Err(format!(
                "`{}` is not an event type; use: {}",
                e.chars().take(64).collect::<String>(),
                EVENT_TYPES.join(", ")
            ));
        }
        if !out.iter().any(|o| o == e) {
            out.push(e.to_owned());
        }
    }
    Ok(out)
}

fn check_description(d: Option<&str>) -> Result<Option<String>, String> {
    match d.map(str::trim).filter(|d| !d.is_empty()) {
        None => Ok(None),
        Some(d) if d.chars().count() > MAX_DESCRIPTION => {
            Err(format!("at most {MAX_DESCRIPTION} characters"))
        }
        Some(d) => Ok(Some(d.to_owned())),
    }
}

/// The value, or nothing with its refusal noted under `field`.
fn keep<T>(errors: &mut FieldErrors, field: &str, result: Result<T, String>) -> Option<T> {
    match result {
        Ok(value) => Some(value),
        Err(why) => {
            errors.insert(field.to_owned(), why);
            None
        }
    }
}
