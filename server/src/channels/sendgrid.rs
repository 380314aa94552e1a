//! SendGrid's v3 Mail Send API: `POST /v3/mail/send`, JSON, bearer auth. Our delivery
//! id travels in `custom_args` (SendGrid copies it into every status event) and the
//! `X-Message-Id` answer header is the provider message id. Status events come back
//! signed to `/hooks/sendgrid/{organization_id}` (see `webhooks::sendgrid`).

use super::{
    check::Check,
    http::{self, Answer},
    registry::Provider,
    Body, ChannelAdapter, Context, OutboundMessage, SendOutcome,
};
use app::model::{Channel, FieldErrors, SettingField, SettingKind};
use async_trait::async_trait;
use base64::{engine::general_purpose::STANDARD, Engine as _};
use serde_json::{json, Map, Value};
use std::sync::Arc;

pub const NAME: &str = "sendgrid";

/// The custom argument that carries our delivery id.
pub const DELIVERY_ARG: &str = "carillon_delivery";

const KNOWN: &[&str] = &[
    "api_key",
    "from_email",
    "webhook_verification_key",
    "base_url",
    "timeout_seconds",
];

pub struct SendGrid;

impl Provider for SendGrid {
    fn name(&self) -> &'static str {
        NAME
    }

    fn channels(&self) -> &'static [Channel] {
        &[Channel::Email]
    }

    fn secrets(&self) -> &'static [&'static str] {
        &["api_key"]
    }

    fn form(&self) -> Vec<SettingField> {
        vec![
            SettingField::new("api_key", SettingKind::Secret).required(),
            SettingField::new("from_email", SettingKind::Text),
            SettingField::new("webhook_verification_key", SettingKind::Text),
            SettingField::new("base_url", SettingKind::Text),
            SettingField::new("timeout_seconds", SettingKind::Number),
        ]
    }

    fn validate(&self, settings: &mut Map<String, Value>) -> Result<(), FieldErrors> {
        let mut check = Check::new(settings);
        check.only(KNOWN);
        http::check_common(&mut check, "https://api.sendgrid.com");
        check.credential("api_key", 512);
        check.optional_email("from_email");
        if let Some(key) = check.optional_text("webhook_verification_key", 1024) {
            if verification_key(&key).is_err() {
                check.fail(
                    "webhook_verification_key",
                    "the Event Webhook's verification key, as SendGrid shows it (base64)",
                );
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
        let from_email = http::setting(settings, "from_email");
        Ok(Arc::new(SendGridAdapter {
            client: http::client(&context.egress, settings)?,
            context: context.clone(),
            base_url: http::setting(settings, "base_url"),
            api_key: http::setting(settings, "api_key"),
            from_email: (!from_email.is_empty()).then_some(from_email),
        }))
    }
}

struct SendGridAdapter {
    client: reqwest::Client,
    context: Context,
    base_url: String,
    api_key: String,
    from_email: Option<String>,
}

impl SendGridAdapter {
    fn payload(&self, message: &OutboundMessage) -> Result<Value, String> {
        let Body::Email(email) = &message.body else {
            return Err("SendGrid sends email only".into());
        };
        let from_email = email.sender(self.from_email.as_deref())?;
        let mut from = json!({ "email": from_email });
        if !email.from_name.trim().is_empty() {
            from["name"] = json!(email.from_name);
        }
        // SendGrid wants text/plain before text/html, and no empty part.
        let content: Vec<Value> = [("text/plain", &email.text), ("text/html", &email.html)]
            .into_iter()
            .filter(|(_, value)| !value.is_empty())
            .map(|(kind, value)| json!({ "type": kind, "value": value }))
            .collect();
        if content.is_empty() {
            return Err("the message has no content".into());
        }
        let mut custom_args = json!({ DELIVERY_ARG: message.delivery_id.to_string() });
        if let Some(campaign) = message.campaign_id {
            custom_args["carillon_campaign"] = json!(campaign.to_string());
        }
        let mut payload = json!({
            "personalizations": [{
                "to": [{ "email": message.to }],
                "custom_args": custom_args,
            }],
            "from": from,
            "subject": email.subject,
            "content": content,
        });
        if let Some(url) = &email.unsubscribe_url {
            payload["headers"] = json!({
                "List-Unsubscribe": format!("<{url}>"),
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            });
        }
        Ok(payload)
    }
}

#[async_trait]
impl ChannelAdapter for SendGridAdapter {
    #[tracing::instrument(name = "sendgrid.send", skip_all, fields(delivery_id = %message.delivery_id))]
    async fn send(&self, message: &OutboundMessage) -> SendOutcome {
        let payload = match self.payload(message) {
            Ok(p) => p,
            Err(reason) => return SendOutcome::Failed { reason },
        };
        let request = self
            .client
            .post(format!("{}/v3/mail/send", self.base_url))
            .bearer_auth(&self.api_key)
            .json(&payload);
        let answer = match http::call(&self.context.egress, request).await {
            Ok(a) => a,
            Err(outcome) => return outcome,
        };
        if let Some(refused) = answer.refusal() {
            return refused;
        }
        SendOutcome::Accepted {
            provider_message_id: message_id(&answer),
        }
    }

    async fn verify(&self) -> Result<(), String> {
        // Lists the key's permissions: answers 200 only to a valid key.
        let request = self
            .client
            .get(format!("{}/v3/scopes", self.base_url))
            .bearer_auth(&self.api_key);
        http::verify(&self.context.egress, request, "SendGrid").await
    }
}

fn message_id(answer: &Answer) -> Option<String> {
    let id = answer
        .headers
        .get("x-message-id")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty() && v.len() <= 255);
    if id.is_none() {
        tracing::warn!("SendGrid accepted a message without an X-Message-Id");
    }
    id.map(str::to_owned)
}

/// The DER prefix of a P-256 public key in SubjectPublicKeyInfo form; the uncompressed
/// point (65 octets) follows it.
const SPKI_PREFIX: [u8; 26] = [
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a,
    0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
];

/// The uncompressed point of a verification key given as base64 SPKI (as SendGrid shows
/// it) or as the bare point.
pub fn verification_key(base64: &str) -> Result<Vec<u8>, String> {
    let compact: String = base64.split_whitespace().collect();
    let der = STANDARD
        .decode(compact.as_bytes())
        .map_err(|_| "not base64".to_owned())?;
    let point = match der.len() {
        91 if der[..26] == SPKI_PREFIX => der[26..].to_vec(),
        65 => der,
        _ => return Err("not a P-256 public key".into()),
    };
    if point[0] != 0x04 {
        return Err("not an uncompressed P-256 point".into());
    }
    Ok(point)
}
