//! Any other SMS provider with an HTTP API: the request is described by settings —
//! `url`, `method`, `headers`, a `secret_header` whose value is stored encrypted, a
//! `body_template` with `{{ to }}`, `{{ text }}` and `{{ sender_id }}`, and
//! `message_id_pointer`, a JSON pointer to the provider's message id in its answer.
//!
//! Values are escaped for where they land: JSON string escapes in a JSON body,
//! percent-encoding in a form body and in the URL, as they are elsewhere. The template
//! language is only these three names: a gateway's request is data, not a program.

use super::{
    check::Check, http, registry::Provider, Body, ChannelAdapter, Context, OutboundMessage,
    SendOutcome,
};
use app::model::{Channel, FieldErrors, SettingField, SettingKind};
use async_trait::async_trait;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::{Map, Value};
use std::sync::Arc;

pub const NAME: &str = "http_sms";

const KNOWN: &[&str] = &[
    "url",
    "method",
    "content_type",
    "headers",
    "secret_header",
    "body_template",
    "message_id_pointer",
    "timeout_seconds",
];

/// Headers at most, besides the secret one.
const MAX_HEADERS: usize = 20;

/// The names a template may use.
const NAMES: &[&str] = &["to", "text", "sender_id"];

pub struct HttpSms;

impl Provider for HttpSms {
    fn name(&self) -> &'static str {
        NAME
    }

    fn channels(&self) -> &'static [Channel] {
        &[Channel::Sms]
    }

    fn secrets(&self) -> &'static [&'static str] {
        &["secret_header.value"]
    }

    fn form(&self) -> Vec<SettingField> {
        vec![
            SettingField::new("url", SettingKind::Text).required(),
            SettingField::choice("method", &["POST", "PUT", "GET"]),
            SettingField::new("content_type", SettingKind::Text),
            SettingField::new("headers", SettingKind::Block),
            SettingField::new("secret_header.name", SettingKind::Text),
            SettingField::new("secret_header.value", SettingKind::Secret),
            SettingField::new("body_template", SettingKind::Block),
            SettingField::new("message_id_pointer", SettingKind::Text),
            SettingField::new("timeout_seconds", SettingKind::Number),
        ]
    }

    fn validate(&self, settings: &mut Map<String, Value>) -> Result<(), FieldErrors> {
        let mut check = Check::new(settings);
        check.only(KNOWN);
        check.whole("timeout_seconds", 1, 120, 30);
        let url = check.text("url", 2048, None);
        if !url.is_empty() {
            if let Err(why) = check_template(&url) {
                check.fail("url", why);
            } else {
                let probe = substitute(&url, |_| "x".into());
                match url::Url::parse(&probe) {
                    Ok(u) if matches!(u.scheme(), "https" | "http") && u.has_host() => {}
                    _ => check.fail("url", "an http(s) URL, e.g. https://sms.example.com/send"),
                }
            }
        }
        let method = check.one_of("method", &["POST", "PUT", "GET"], "POST");
        let content_type = check.text("content_type", 128, Some("application/json"));
        if HeaderValue::from_str(&content_type).is_err() {
            check.fail("content_type", "a media type, e.g. application/json");
        }
        match check.settings.get("headers").cloned() {
            None | Some(Value::Null) => {}
            Some(raw) => match header_lines(&raw) {
                Ok(lines) => {
                    check
                        .settings
                        .insert("headers".into(), Value::String(lines));
                }
                Err(why) => check.fail("headers", why),
            },
        }
        match check.settings.get("secret_header").cloned() {
            None | Some(Value::Null) => {}
            Some(Value::Object(mut secret)) => {
                let mut inner = Check::new(&mut secret);
                inner.only(&["name", "value"]);
                let name = inner.text("name", 128, None);
                if !name.is_empty() && HeaderName::from_bytes(name.as_bytes()).is_err() {
                    inner.fail("name", "a header name, e.g. Authorization");
                }
                let value = inner.text("value", 4096, None);
                if !value.is_empty() && HeaderValue::from_str(&value).is_err() {
                    inner.fail("value", "printable characters on one line");
                }
                for (k, v) in inner.errors {
                    check.fail(&format!("secret_header.{k}"), v);
                }
                check
                    .settings
                    .insert("secret_header".into(), Value::Object(secret));
            }
            Some(_) => check.fail("secret_header", "an object {name, value}"),
        }
        let body = check.optional_text("body_template", 4096);
        match (&body, method.as_str()) {
            (None, "POST" | "PUT") => check.fail("body_template", "required with POST and PUT"),
            (Some(_), "GET") => check.fail(
                "body_template",
                "GET sends no body: put the values in the URL",
            ),
            (Some(body), _) => {
                if let Err(why) = check_template(body) {
                    check.fail("body_template", why);
                } else if content_type.contains("json") {
                    // Rendered with sample values, a JSON template must be JSON.
                    let sample =
                        render(body, &content_type, "+15550100", "Hello \"you\"\n", "Acme");
                    if serde_json::from_str::<Value>(&sample).is_err() {
                        check.fail(
                            "body_template",
                            "JSON, once the values are in (write \"{{ text }}\" between quotes)",
                        );
                    }
                }
            }
            _ => {}
        }
        if let Some(pointer) = check.optional_text("message_id_pointer", 256) {
            if !pointer.starts_with('/') {
                check.fail("message_id_pointer", "a JSON pointer, e.g. /messages/0/id");
            }
        }
        check.finish()
    }

    fn adapter(
        &self,
        _channel: Channel,
        settings: &Map<String, Value>,
        context: &Context,
    ) -> anyhow::Result<Arc<dyn ChannelAdapter>> {
        let mut headers = HeaderMap::new();
        if let Some(Value::String(lines)) = settings.get("headers") {
            for (name, value) in parse_lines(lines).map_err(anyhow::Error::msg)? {
                headers.append(
                    HeaderName::from_bytes(name.as_bytes())?,
                    HeaderValue::from_str(&value)?,
                );
            }
        }
        if let Some(secret) = settings.get("secret_header").and_then(Value::as_object) {
            let field = |k: &str| secret.get(k).and_then(Value::as_str).unwrap_or_default();
            let mut value = HeaderValue::from_str(field("value"))?;
            value.set_sensitive(true);
            headers.insert(HeaderName::from_bytes(field("name").as_bytes())?, value);
        }
        let pointer = http::setting(settings, "message_id_pointer");
        Ok(Arc::new(HttpSmsAdapter {
            client: http::client(&context.egress, settings)?,
            context: context.clone(),
            url: http::setting(settings, "url"),
            method: http::setting(settings, "method")
                .parse()
                .unwrap_or(reqwest::Method::POST),
            content_type: http::setting(settings, "content_type"),
            headers,
            body_template: Some(http::setting(settings, "body_template")).filter(|b| !b.is_empty()),
            message_id_pointer: (!pointer.is_empty()).then_some(pointer),
        }))
    }
}

struct HttpSmsAdapter {
    client: reqwest::Client,
    context: Context,
    url: String,
    method: reqwest::Method,
    content_type: String,
    headers: HeaderMap,
    body_template: Option<String>,
    message_id_pointer: Option<String>,
}

#[async_trait]
impl ChannelAdapter for HttpSmsAdapter {
    #[tracing::instrument(name = "http_sms.send", skip_all, fields(delivery_id = %message.delivery_id))]
    async fn send(&self, message: &OutboundMessage) -> SendOutcome {
        let Body::Sms(sms) = &message.body else {
            return SendOutcome::Failed {
                reason: "the HTTP SMS gateway sends SMS only".into(),
            };
        };
        let url = substitute(&self.url, |name| {
            url::form_urlencoded::byte_serialize(
                value(name, &message.to, &sms.text, &sms.sender_id).as_bytes(),
            )
            .collect()
        });
        let mut request = self
            .client
            .request(self.method.clone(), url)
            .headers(self.headers.clone());
        if let Some(template) = &self.body_template {
            request = request
                .header(reqwest::header::CONTENT_TYPE, &self.content_type)
                .body(render(
                    template,
                    &self.content_type,
                    &message.to,
                    &sms.text,
                    &sms.sender_id,
                ));
        }
        let answer = match http::call(&self.context.egress, request).await {
            Ok(a) => a,
            Err(outcome) => return outcome,
        };
        if let Some(refused) = answer.refusal() {
            return refused;
        }
        let id = self.message_id_pointer.as_ref().and_then(|pointer| {
            let found = answer.json().and_then(|j| match j.pointer(pointer) {
                Some(Value::String(s)) => Some(s.clone()),
                Some(Value::Number(n)) => Some(n.to_string()),
                _ => None,
            });
            if found.is_none() {
                tracing::warn!(pointer, "the gateway's answer has no message id there");
            }
            found
        });
        SendOutcome::Accepted {
            provider_message_id: id.filter(|i| !i.is_empty() && i.len() <= 255),
        }
    }

    async fn verify(&self) -> Result<(), String> {
        // A gateway has no standard test call: check that its address may be reached.
        let url = substitute(&self.url, |_| String::new());
        let url = url::Url::parse(&url).map_err(|e| e.to_string())?;
        self.context
            .egress
            .check_url(&url)
            .map_err(|e| e.to_string())?;
        let host = url.host_str().unwrap_or_default();
        self.context
            .egress
            .resolve(host, url.port_or_known_default().unwrap_or(443))
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

fn value<'a>(name: &str, to: &'a str, text: &'a str, sender_id: &'a str) -> &'a str {
    match name {
        "to" => to,
        "text" => text,
        _ => sender_id,
    }
}

/// The template with each `{{ name }}` replaced, each value escaped for the body's type.
fn render(template: &str, content_type: &str, to: &str, text: &str, sender_id: &str) -> String {
    let json = content_type.contains("json");
    let form = content_type.contains("x-www-form-urlencoded");
    substitute(template, |name| {
        let v = value(name, to, text, sender_id);
        if json {
            // The inside of a JSON string: the template supplies the quotes.
            let quoted = Value::String(v.to_owned()).to_string();
            quoted[1..quoted.len() - 1].to_owned()
        } else if form {
            url::form_urlencoded::byte_serialize(v.as_bytes()).collect()
        } else {
            v.to_owned()
        }
    })
}

/// Replaces each `{{ name }}` (spaces optional) by `fill(name)`.
fn substitute(template: &str, fill: impl Fn(&str) -> String) -> String {
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find("}}") {
            Some(end) => {
                out.push_str(&fill(after[..end].trim()));
                rest = &after[end + 2..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// Every `{{ … }}` names one of [`NAMES`].
fn check_template(template: &str) -> Result<(), String> {
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let end = after.find("}}").ok_or("a `{{` is not closed by `}}`")?;
        let name = after[..end].trim();
        if !NAMES.contains(&name) {
            return Err(format!("`{{{{ {name} }}}}`: the values are {{{{ to }}}}, {{{{ text }}}} and {{{{ sender_id }}}}"));
        }
        rest = &after[end + 2..];
    }
    Ok(())
}

/// Headers as settings give them (an object, or `Name: value` lines), as lines.
fn header_lines(raw: &Value) -> Result<String, String> {
    let pairs: Vec<(String, String)> = match raw {
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| match v {
                Value::String(s) => Ok((k.clone(), s.clone())),
                _ => Err(format!("`{k}`: a header's value is a string")),
            })
            .collect::<Result<_, _>>()?,
        Value::String(lines) => parse_lines(lines)?,
        _ => return Err("`Name: value` lines, or an object of names and values".into()),
    };
    Ok(pairs
        .iter()
        .map(|(k, v)| format!("{k}: {v}"))
        .collect::<Vec<_>>()
        .join("\n"))
}

fn parse_lines(lines: &str) -> Result<Vec<(String, String)>, String> {
    let pairs: Vec<(String, String)> = lines
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|line| {
            let (name, value) = line
                .split_once(':')
                .ok_or_else(|| format!("`{line}`: write `Name: value`"))?;
            let (name, value) = (name.trim(), value.trim());
            HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| format!("`{name}` is not a header name"))?;
            HeaderValue::from_str(value)
                .map_err(|_| format!("`{name}`: its value has characters a header cannot carry"))?;
            Ok((name.to_owned(), value.to_owned()))
        })
        .collect::<Result<_, String>>()?;
    if pairs.len() > MAX_HEADERS {
        return Err(format!("at most {MAX_HEADERS} headers"));
    }
    Ok(pairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_escaped_for_the_body() {
        let template = r#"{"to":"{{ to }}","text":"{{text}}","from":"{{ sender_id }}"}"#;
        let body = render(
            template,
            "application/json",
            "+15550100",
            "say \"hi\"\n\\o/",
            "Acme",
        );
        let parsed: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(parsed["text"], "say \"hi\"\n\\o/");
        assert_eq!(parsed["to"], "+15550100");
        let form = render(
            "to={{ to }}&text={{ text }}",
            "application/x-www-form-urlencoded",
            "+15550100",
            "a&b=c é",
            "",
        );
        assert_eq!(form, "to=%2B15550100&text=a%26b%3Dc+%C3%A9");
    }

    #[test]
    fn templates_name_only_the_three_values() {
        assert!(check_template("{{ to }} {{text}} {{ sender_id }}").is_ok());
        assert!(check_template("{{ contact.email }}")
            .unwrap_err()
            .contains("contact.email"));
        assert!(check_template("{{ to ").is_err());
    }

    #[test]
    fn settings_are_checked() {
        let mut ok: Map<String, Value> = serde_json::from_value(serde_json::json!({
            "url": "https://sms.example.com/send",
            "headers": {"X-Account": "42"},
            "secret_header": {"name": "Authorization", "value": "Bearer s3cret"},
            "body_template": "{\"to\": \"{{ to }}\", \"text\": \"{{ text }}\"}",
            "message_id_pointer": "/id"
        }))
        .unwrap();
        HttpSms.validate(&mut ok).expect("valid");
        assert_eq!(ok["headers"], "X-Account: 42");
        assert_eq!(ok["method"], "POST");
        let mut bad: Map<String, Value> = serde_json::from_value(serde_json::json!({
            "url": "ftp://x",
            "headers": "no colon",
            "body_template": "{\"text\": {{ text }}}",
            "message_id_pointer": "id"
        }))
        .unwrap();
        let errors = HttpSms.validate(&mut bad).unwrap_err();
        for key in ["url", "headers", "body_template", "message_id_pointer"] {
            assert!(errors.contains_key(key), "{key}: {errors:?}");
        }
    }
}
