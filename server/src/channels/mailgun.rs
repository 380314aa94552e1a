//! Mailgun's Messages API: `POST /v3/{domain}/messages`, form-encoded, basic auth
//! `api:{key}`, in the US or EU region. Our delivery id travels as the user variable
//! `v:carillon-delivery` (Mailgun copies it into every event); the answer's `id`, without
//! its angle brackets, is the provider message id. Events come back signed to
//! `/hooks/mailgun/{organization_id}` (see `webhooks::mailgun`).

use super::{
    check::Check, http, registry::Provider, Body, ChannelAdapter, Context, OutboundMessage,
    SendOutcome,
};
use app::model::{Channel, FieldErrors, SettingField, SettingKind};
use async_trait::async_trait;
use serde_json::{Map, Value};
use std::sync::Arc;

pub const NAME: &str = "mailgun";

/// The user variable that carries our delivery id.
pub const DELIVERY_VAR: &str = "carillon-delivery";

const KNOWN: &[&str] = &[
    "api_key",
    "domain",
    "region",
    "from_email",
    "webhook_signing_key",
    "base_url",
    "timeout_seconds",
];

pub struct Mailgun;

impl Provider for Mailgun {
    fn name(&self) -> &'static str {
        NAME
    }

    fn channels(&self) -> &'static [Channel] {
        &[Channel::Email]
    }

    fn secrets(&self) -> &'static [&'static str] {
        &["api_key", "webhook_signing_key"]
    }

    fn form(&self) -> Vec<SettingField> {
        vec![
            SettingField::new("api_key", SettingKind::Secret).required(),
            SettingField::new("domain", SettingKind::Text).required(),
            SettingField::choice("region", &["us", "eu"]),
            SettingField::new("from_email", SettingKind::Text),
            SettingField::new("webhook_signing_key", SettingKind::Secret),
            SettingField::new("base_url", SettingKind::Text),
            SettingField::new("timeout_seconds", SettingKind::Number),
        ]
    }

    fn validate(&self, settings: &mut Map<String, Value>) -> Result<(), FieldErrors> {
        let mut check = Check::new(settings);
        check.only(KNOWN);
        let region = check.one_of("region", &["us", "eu"], "us");
        let default_base = if region == "eu" {
            "https://api.eu.mailgun.net"
        } else {
            "https://api.mailgun.net"
        };
        // The region's API unless another base was set; switching region moves it.
        if check
            .settings
            .get("base_url")
            .and_then(Value::as_str)
            .is_some_and(|b| {
                b.starts_with("https://api.mailgun.net")
                    || b.starts_with("https://api.eu.mailgun.net")
            })
        {
            check.settings.remove("base_url");
        }
        http::check_common(&mut check, default_base);
        check.credential("api_key", 512);
        let domain = check.text("domain", 253, None);
        if !domain.is_empty()
            && !domain
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
        {
            check.fail("domain", "your sending domain, e.g. mg.example.com");
        }
        check.optional_email("from_email");
        check.optional_text("webhook_signing_key", 512);
        check.finish()
    }

    fn adapter(
        &self,
        _channel: Channel,
        settings: &Map<String, Value>,
        context: &Context,
    ) -> anyhow::Result<Arc<dyn ChannelAdapter>> {
        let from_email = http::setting(settings, "from_email");
        Ok(Arc::new(MailgunAdapter {
            client: http::client(&context.egress, settings)?,
            context: context.clone(),
            base_url: http::setting(settings, "base_url"),
            api_key: http::setting(settings, "api_key"),
            domain: http::setting(settings, "domain"),
            from_email: (!from_email.is_empty()).then_some(from_email),
        }))
    }
}

struct MailgunAdapter {
    client: reqwest::Client,
    context: Context,
    base_url: String,
    api_key: String,
    domain: String,
    from_email: Option<String>,
}

impl MailgunAdapter {
    fn form(&self, message: &OutboundMessage) -> Result<Vec<(String, String)>, String> {
        let Body::Email(email) = &message.body else {
            return Err("Mailgun sends email only".into());
        };
        let from_email = email.sender(self.from_email.as_deref())?;
        let from = match email.from_name.trim() {
            "" => from_email,
            // A quoted display name: commas or brackets in it stay part of the name.
            name => format!(
                "\"{}\" <{from_email}>",
                name.replace(['"', '\\', '\r', '\n'], "")
            ),
        };
        let mut form = vec![
            ("from".to_owned(), from),
            ("to".to_owned(), message.to.clone()),
            ("subject".to_owned(), email.subject.clone()),
        ];
        if !email.text.is_empty() {
            form.push(("text".into(), email.text.clone()));
        }
        if !email.html.is_empty() {
            form.push(("html".into(), email.html.clone()));
        }
        form.push((format!("v:{DELIVERY_VAR}"), message.delivery_id.to_string()));
        if let Some(url) = &email.unsubscribe_url {
            form.push(("h:List-Unsubscribe".into(), format!("<{url}>")));
            form.push((
                "h:List-Unsubscribe-Post".into(),
                "List-Unsubscribe=One-Click".into(),
            ));
        }
        Ok(form)
    }
}

#[async_trait]
impl ChannelAdapter for MailgunAdapter {
    #[tracing::instrument(name = "mailgun.send", skip_all, fields(delivery_id = %message.delivery_id))]
    async fn send(&self, message: &OutboundMessage) -> SendOutcome {
        let form = match self.form(message) {
            Ok(f) => f,
            Err(reason) => return SendOutcome::Failed { reason },
        };
        let request = self
            .client
            .post(format!("{}/v3/{}/messages", self.base_url, self.domain))
            .basic_auth("api", Some(&self.api_key))
            .form(&form);
        let answer = match http::call(&self.context.egress, request).await {
            Ok(a) => a,
            Err(outcome) => return outcome,
        };
        if let Some(refused) = answer.refusal() {
            return refused;
        }
        let id = answer
            .json()
            .and_then(|j| j.get("id").and_then(Value::as_str).map(message_id));
        if id.is_none() {
            tracing::warn!("Mailgun accepted a message without an id");
        }
        SendOutcome::Accepted {
            provider_message_id: id.filter(|i| !i.is_empty() && i.len() <= 255),
        }
    }

    async fn verify(&self) -> Result<(), String> {
        let request = self
            .client
            .get(format!("{}/v3/domains/{}", self.base_url, self.domain))
            .basic_auth("api", Some(&self.api_key));
        http::verify(&self.context.egress, request, "Mailgun").await
    }
}

/// Mailgun's message id as its events give it: without angle brackets.
pub fn message_id(raw: &str) -> String {
    raw.trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .to_owned()
}
