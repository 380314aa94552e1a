//! Twilio Programmable Messaging: `POST /2010-04-01/Accounts/{sid}/Messages.json`,
//! form-encoded, basic auth `{sid}:{token}`. The delivery id is the `Idempotency-Token`
//! (a message re-sent after a crash is not sent twice), and `StatusCallback` points at
//! `/hooks/twilio/{organization_id}`, where Twilio reports each status (see
//! `webhooks::twilio`). The answer's `sid` is the provider message id.

use super::{
    check::Check, http, registry::Provider, Body, ChannelAdapter, Context, OutboundMessage,
    SendOutcome,
};
use crate::campaigns::content::valid_sender_id;
use app::model::{Channel, FieldErrors, SettingField, SettingKind};
use async_trait::async_trait;
use serde_json::{Map, Value};
use std::sync::Arc;

pub const NAME: &str = "twilio";

const KNOWN: &[&str] = &[
    "account_sid",
    "auth_token",
    "from",
    "messaging_service_sid",
    "base_url",
    "timeout_seconds",
];

pub struct Twilio;

/// `prefix` and 32 hexadecimal digits: how Twilio writes its ids.
fn is_sid(value: &str, prefix: &str) -> bool {
    value.len() == 34
        && value.starts_with(prefix)
        && value[2..].chars().all(|c| c.is_ascii_hexdigit())
}

impl Provider for Twilio {
    fn name(&self) -> &'static str {
        NAME
    }

    fn channels(&self) -> &'static [Channel] {
        &[Channel::Sms]
    }

    fn secrets(&self) -> &'static [&'static str] {
        &["auth_token"]
    }

    fn form(&self) -> Vec<SettingField> {
        vec![
            SettingField::new("account_sid", SettingKind::Text).required(),
            SettingField::new("auth_token", SettingKind::Secret).required(),
            SettingField::new("from", SettingKind::Text),
            SettingField::new("messaging_service_sid", SettingKind::Text),
            SettingField::new("base_url", SettingKind::Text),
            SettingField::new("timeout_seconds", SettingKind::Number),
        ]
    }

    fn validate(&self, settings: &mut Map<String, Value>) -> Result<(), FieldErrors> {
        let mut check = Check::new(settings);
        check.only(KNOWN);
        http::check_common(&mut check, "https://api.twilio.com");
        let sid = check.text("account_sid", 34, None);
        if !sid.is_empty() && !is_sid(&sid, "AC") {
            check.fail("account_sid", "AC followed by 32 hexadecimal digits");
        }
        check.credential("auth_token", 128);
        let from = check.optional_text("from", 16);
        let service = check.optional_text("messaging_service_sid", 34);
        if let Some(from) = &from {
            // Twilio also wants a letter in an alphanumeric sender id.
            let twilio_takes =
                from.starts_with('+') || from.chars().any(|c| c.is_ascii_alphabetic());
            if !valid_sender_id(from) || !twilio_takes {
                check.fail(
                    "from",
                    "a number in E.164 form (+14155550100) or an alphanumeric sender id (up to 11 letters and digits)",
                );
            }
        }
        match &service {
            Some(s) if !is_sid(s, "MG") => check.fail(
                "messaging_service_sid",
                "MG followed by 32 hexadecimal digits",
            ),
            None if from.is_none() => {
                check.fail("from", "required unless a messaging service sends");
            }
            _ => {}
        }
        check.finish()
    }

    fn adapter(
        &self,
        _channel: Channel,
        settings: &Map<String, Value>,
        context: &Context,
    ) -> anyhow::Result<Arc<dyn ChannelAdapter>> {
        let optional = |k: &str| Some(http::setting(settings, k)).filter(|v| !v.is_empty());
        Ok(Arc::new(TwilioAdapter {
            client: http::client(&context.egress, settings)?,
            base_url: http::setting(settings, "base_url"),
            account_sid: http::setting(settings, "account_sid"),
            auth_token: http::setting(settings, "auth_token"),
            from: optional("from"),
            messaging_service_sid: optional("messaging_service_sid"),
            status_callback: format!(
                "{}/hooks/twilio/{}",
                context.public_url, context.organization_id
            ),
            context: context.clone(),
        }))
    }
}

struct TwilioAdapter {
    client: reqwest::Client,
    context: Context,
    base_url: String,
    account_sid: String,
    auth_token: String,
    from: Option<String>,
    messaging_service_sid: Option<String>,
    status_callback: String,
}

#[async_trait]
impl ChannelAdapter for TwilioAdapter {
    #[tracing::instrument(name = "twilio.send", skip_all, fields(delivery_id = %message.delivery_id))]
    async fn send(&self, message: &OutboundMessage) -> SendOutcome {
        let Body::Sms(sms) = &message.body else {
            return SendOutcome::Failed {
                reason: "Twilio sends SMS only".into(),
            };
        };
        let mut form = vec![
            ("To", message.to.clone()),
            ("Body", sms.text.clone()),
            ("StatusCallback", self.status_callback.clone()),
        ];
        // A messaging service picks its own sender; otherwise the campaign's sender id,
        // else the channel's number.
        match (&self.messaging_service_sid, sms.sender_id.trim()) {
            (Some(service), _) => form.push(("MessagingServiceSid", service.clone())),
            (None, "") => form.push(("From", self.from.clone().unwrap_or_default())),
            (None, sender) => form.push(("From", sender.to_owned())),
        }
        let request = self
            .client
            .post(format!(
                "{}/2010-04-01/Accounts/{}/Messages.json",
                self.base_url, self.account_sid
            ))
            .basic_auth(&self.account_sid, Some(&self.auth_token))
            .header("Idempotency-Token", message.delivery_id.to_string())
            .form(&form);
        let answer = match http::call(&self.context.egress, request).await {
            Ok(a) => a,
            Err(outcome) => return outcome,
        };
        if let Some(refused) = answer.refusal() {
            return refused;
        }
        let sid = answer
            .json()
            .and_then(|j| j.get("sid").and_then(Value::as_str).map(str::to_owned))
            .filter(|s| !s.is_empty() && s.len() <= 255);
        if sid.is_none() {
            tracing::warn!("Twilio accepted a message without a sid");
        }
        SendOutcome::Accepted {
            provider_message_id: sid,
        }
    }

    async fn verify(&self) -> Result<(), String> {
        let request = self
            .client
            .get(format!(
                "{}/2010-04-01/Accounts/{}.json",
                self.base_url, self.account_sid
            ))
            .basic_auth(&self.account_sid, Some(&self.auth_token));
        http::verify(&self.context.egress, request, "Twilio").await
    }
}
