//! SMTP with lettre: a pool of at most `max_connections` connections per organization
//! (senders beyond it wait for one), `security` none / starttls / tls, optional login,
//! our own `Message-ID` (the delivery id), text and HTML alternatives, the RFC 8058
//! unsubscribe headers, and optional DKIM signing that covers them.
//!
//! Replies: 4xx (421, 450, 451, 452, 454, ...) and lost connections are retried later;
//! 5xx (550 unknown user, 535 bad credentials, ...) fail the message with the reply.

mod pool;

use super::{
    check::Check, registry::Provider, Body, ChannelAdapter, EmailMessage, OutboundMessage,
    SendOutcome,
};
use crate::egress::{Egress, Unreachable};
use app::model::{Channel, FieldErrors, SettingField, SettingKind};
use async_trait::async_trait;
use lettre::{
    message::{
        dkim::{DkimCanonicalization, DkimConfig, DkimSigningAlgorithm, DkimSigningKey},
        header::{Header, HeaderName, HeaderValue},
        Mailbox, MultiPart,
    },
    transport::smtp::{
        authentication::Credentials,
        client::{Tls, TlsParameters},
    },
    Message,
};
use pool::{Endpoint, Failure, Pool};
use serde_json::{Map, Value};
use std::{sync::Arc, time::Duration};
use tokio::sync::OnceCell;

pub struct Smtp;

const KNOWN: &[&str] = &[
    "host",
    "port",
    "security",
    "username",
    "password",
    "max_connections",
    "timeout_seconds",
    "from_email",
    "dkim",
];

impl Provider for Smtp {
    fn name(&self) -> &'static str {
        "smtp"
    }

    fn channels(&self) -> &'static [Channel] {
        &[Channel::Email]
    }

    fn secrets(&self) -> &'static [&'static str] {
        &["password", "dkim.private_key"]
    }

    fn form(&self) -> Vec<SettingField> {
        vec![
            SettingField::new("host", SettingKind::Text).required(),
            SettingField::choice("security", &["starttls", "tls", "none"]),
            SettingField::new("port", SettingKind::Number),
            SettingField::new("username", SettingKind::Text),
            SettingField::new("password", SettingKind::Secret),
            SettingField::new("from_email", SettingKind::Text),
            SettingField::new("max_connections", SettingKind::Number),
            SettingField::new("timeout_seconds", SettingKind::Number),
            SettingField::new("dkim.domain", SettingKind::Text),
            SettingField::new("dkim.selector", SettingKind::Text),
            SettingField::new("dkim.private_key", SettingKind::SecretBlock),
        ]
    }

    fn validate(&self, settings: &mut Map<String, Value>) -> Result<(), FieldErrors> {
        let mut check = Check::new(settings);
        check.only(KNOWN);
        let host = check.text("host", 253, None);
        if host.contains(|c: char| c.is_whitespace() || c == '/' || c == ':') {
            check.fail("host", "a host name or IP address, without scheme or port");
        }
        let security = check.one_of("security", &["none", "starttls", "tls"], "starttls");
        let default_port = match security.as_str() {
            "tls" => 465,
            "starttls" => 587,
            _ => 25,
        };
        check.whole("port", 1, 65_535, default_port);
        let username = check.optional_text("username", 255);
        let password = check.optional_text("password", 1024);
        if password.is_some() && username.is_none() {
            check.fail("username", "required with a password");
        }
        check.whole("max_connections", 1, 100, 4);
        check.whole("timeout_seconds", 1, 120, 30);
        if let Some(from) = check.optional_text("from_email", 254) {
            if from.parse::<lettre::Address>().is_err() {
                check.fail("from_email", "an email address");
            }
        }
        match check.settings.get("dkim").cloned() {
            None | Some(Value::Null) => {}
            Some(Value::Object(mut dkim)) => {
                let mut inner = Check::new(&mut dkim);
                inner.only(&["domain", "selector", "private_key"]);
                inner.text("domain", 253, None);
                inner.text("selector", 63, None);
                let key = inner.text("private_key", 16_384, None);
                if !key.is_empty() && signing_key(&key).is_err() {
                    inner.fail(
                        "private_key",
                        "a PEM RSA private key in PKCS#1 form (-----BEGIN RSA PRIVATE KEY-----)",
                    );
                }
                let errors = inner.errors;
                for (k, v) in errors {
                    check.fail(&format!("dkim.{k}"), v);
                }
                check.settings.insert("dkim".into(), Value::Object(dkim));
            }
            Some(_) => check.fail("dkim", "an object {domain, selector, private_key}"),
        }
        check.finish()
    }

    fn adapter(
        &self,
        _channel: Channel,
        settings: &Map<String, Value>,
        context: &super::Context,
    ) -> anyhow::Result<Arc<dyn ChannelAdapter>> {
        let text = |k: &str| settings.get(k).and_then(Value::as_str).map(str::to_owned);
        let number = |k: &str| settings.get(k).and_then(Value::as_u64).unwrap_or(0);
        let dkim = match settings.get("dkim").and_then(Value::as_object) {
            Some(d) => {
                let field = |k: &str| d.get(k).and_then(Value::as_str).unwrap_or_default();
                let key = signing_key(field("private_key"))
                    .map_err(|e| anyhow::anyhow!("DKIM key: {e}"))?;
                Some(Arc::new(DkimConfig::new(
                    field("selector").to_owned(),
                    field("domain").to_owned(),
                    key,
                    signed_headers(),
                    DkimCanonicalization::default(),
                )))
            }
            None => None,
        };
        let max_connections = number("max_connections").max(1);
        Ok(Arc::new(SmtpAdapter {
            host: text("host").unwrap_or_default(),
            port: u16::try_from(number("port")).unwrap_or(25),
            security: text("security").unwrap_or_else(|| "starttls".into()),
            credentials: text("username")
                .map(|u| Credentials::new(u, text("password").unwrap_or_default())),
            max_connections: u32::try_from(max_connections).unwrap_or(4),
            timeout: Duration::from_secs(number("timeout_seconds").max(1)),
            from_email: text("from_email"),
            dkim,
            egress: context.egress.clone(),
            pool: OnceCell::new(),
        }))
    }
}

fn signing_key(pem: &str) -> Result<DkimSigningKey, String> {
    DkimSigningKey::new(pem, DkimSigningAlgorithm::Rsa).map_err(|e| e.to_string())
}

/// The headers DKIM signs: the usual ones and the unsubscribe headers (RFC 8058 asks
/// that they be covered, so a relay cannot strip or change them).
fn signed_headers() -> Vec<HeaderName> {
    [
        "From",
        "To",
        "Subject",
        "Date",
        "Message-ID",
        "MIME-Version",
        "Content-Type",
        "List-Unsubscribe",
        "List-Unsubscribe-Post",
    ]
    .into_iter()
    .map(HeaderName::new_from_ascii_str)
    .collect()
}

struct SmtpAdapter {
    host: String,
    port: u16,
    security: String,
    credentials: Option<Credentials>,
    max_connections: u32,
    timeout: Duration,
    from_email: Option<String>,
    dkim: Option<Arc<DkimConfig>>,
    egress: Egress,
    /// Built on first use, once the host resolved to an address we may reach. Senders
    /// beyond `max_connections` wait there for a connection rather than failing.
    pool: OnceCell<Pool>,
}

impl SmtpAdapter {
    async fn pool(&self) -> Result<&Pool, Unreachable> {
        self.pool
            .get_or_try_init(|| async {
                let addr = self.egress.resolve(&self.host, self.port).await?;
                let tls = |host: &str| {
                    TlsParameters::new(host.to_owned())
                        .map_err(|e| Unreachable::Refused(format!("TLS: {e}")))
                };
                let tls = match self.security.as_str() {
                    "tls" => Tls::Wrapper(tls(&self.host)?),
                    "starttls" => Tls::Required(tls(&self.host)?),
                    _ => Tls::None,
                };
                let endpoint = Endpoint {
                    ip: addr.ip().to_string(),
                    port: addr.port(),
                    tls,
                    timeout: self.timeout,
                    credentials: self.credentials.clone(),
                };
                Ok(Pool::new(
                    endpoint,
                    usize::try_from(self.max_connections).unwrap_or(4),
                ))
            })
            .await
    }

    fn message(&self, message: &OutboundMessage, email: &EmailMessage) -> Result<Message, String> {
        let from_email = match email.from_email.trim() {
            "" => self.from_email.clone().unwrap_or_default(),
            given => given.to_owned(),
        };
        let from_address: lettre::Address = from_email.parse().map_err(|_| {
            format!("the sender address `{from_email}` is not a valid email address")
        })?;
        let to: lettre::Address = message
            .to
            .parse()
            .map_err(|_| "the recipient address is not a valid email address".to_owned())?;
        let name = (!email.from_name.trim().is_empty()).then(|| email.from_name.clone());
        let mut builder = Message::builder()
            .from(Mailbox::new(name, from_address.clone()))
            .to(Mailbox::new(None, to))
            .subject(email.subject.clone())
            .message_id(Some(format!(
                "<{}@{}>",
                message.delivery_id,
                from_address.domain()
            )));
        if let Some(url) = &email.unsubscribe_url {
            builder = builder
                .header(ListUnsubscribe(format!("<{url}>")))
                .header(ListUnsubscribePost("List-Unsubscribe=One-Click".into()));
        }
        let mut built = builder
            .multipart(MultiPart::alternative_plain_html(
                email.text.clone(),
                email.html.clone(),
            ))
            .map_err(|e| format!("the message could not be built: {e}"))?;
        if let Some(dkim) = &self.dkim {
            built.sign(dkim);
        }
        Ok(built)
    }
}

#[async_trait]
impl ChannelAdapter for SmtpAdapter {
    async fn send(&self, message: &OutboundMessage) -> SendOutcome {
        let Body::Email(email) = &message.body else {
            return SendOutcome::Failed {
                reason: "SMTP sends email only".into(),
            };
        };
        let built = match self.message(message, email) {
            Ok(m) => m,
            Err(reason) => return SendOutcome::Failed { reason },
        };
        let pool = match self.pool().await {
            Ok(p) => p,
            Err(unreachable) => return unreachable.into(),
        };
        match pool.send(built.envelope(), &built.formatted()).await {
            Ok(response) => SendOutcome::Accepted {
                provider_message_id: response
                    .message()
                    .next()
                    .map(|m| m.chars().take(255).collect()),
            },
            Err(e) => outcome_of(&e),
        }
    }

    async fn verify(&self) -> Result<(), String> {
        let pool = self.pool().await.map_err(|e| e.to_string())?;
        match pool.verify().await {
            Ok(true) => Ok(()),
            Ok(false) => Err("the SMTP server did not answer NOOP".into()),
            Err(e) => Err(describe(&e)),
        }
    }
}

/// 4xx replies and connection trouble are worth another try; 5xx replies are final.
fn outcome_of(e: &Failure) -> SendOutcome {
    let reason = describe(e);
    if matches!(e, Failure::Smtp(e) if e.is_permanent()) {
        SendOutcome::Failed { reason }
    } else {
        SendOutcome::Retry {
            after: None,
            reason,
        }
    }
}

fn describe(e: &Failure) -> String {
    let e = match e {
        Failure::Smtp(e) => e,
        Failure::Connect(e) => return format!("SMTP connection: {e}"),
    };
    let text = e.to_string();
    let text: String = text.chars().take(500).collect();
    match e.status() {
        Some(code) => format!("SMTP {}: {text}", u16::from(code)),
        None if e.is_timeout() => format!("SMTP timeout: {text}"),
        None => format!("SMTP connection: {text}"),
    }
}

#[derive(Clone)]
struct ListUnsubscribe(String);

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }
    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self(s.to_owned()))
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}

#[derive(Clone)]
struct ListUnsubscribePost(String);

impl Header for ListUnsubscribePost {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }
    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self(s.to_owned()))
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}
