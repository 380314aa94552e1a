//! Channel adapters: how a message leaves Carillon. [`ChannelAdapter`] is the one
//! interface the engine calls; each provider is one module implementing [`Provider`]
//! (its settings and how to build its adapter) and one line in [`registry::PROVIDERS`].
//! [`Channels`] keeps each organization's choice of provider per channel, with its
//! secrets encrypted, and hands the engine ready adapters.

mod check;
mod form;
pub mod http;
pub mod http_sms;
pub mod mailgun;
mod registry;
pub mod sendgrid;
pub(crate) mod settings;
pub mod simulator;
pub mod smtp;
pub mod twilio;
pub mod webpush;

pub use registry::{provider, Provider, PROVIDERS};
pub use settings::{Channels, Limits, Resolved};

use app::model::{Channel, SendResult};
use async_trait::async_trait;
use std::time::Duration;
use uuid::Uuid;

/// What an adapter may need besides its settings.
#[derive(Clone, Debug)]
pub struct Context {
    pub organization_id: Uuid,
    /// For adapters that keep state of their own (push subscriptions that are gone).
    pub db: sea_orm::DatabaseConnection,
    pub egress: crate::egress::Egress,
    /// Where providers call us back (status webhooks): our public URL, no trailing `/`.
    pub public_url: String,
}

/// One message, rendered for its recipient.
#[derive(Clone, Debug)]
pub struct OutboundMessage {
    /// Our idempotency key: providers that accept one get it, and it is in our
    /// `Message-ID`, so a message re-sent after a crash is recognizably the same.
    pub delivery_id: Uuid,
    pub organization_id: Uuid,
    /// `None` for a test send.
    pub campaign_id: Option<Uuid>,
    /// An email address or an E.164 number.
    pub to: String,
    pub body: Body,
}

#[derive(Clone, Debug)]
pub enum Body {
    Email(EmailMessage),
    Sms(SmsMessage),
    Push(PushMessage),
}

impl Body {
    pub fn channel(&self) -> Channel {
        match self {
            Body::Email(_) => Channel::Email,
            Body::Sms(_) => Channel::Sms,
            Body::Push(_) => Channel::Push,
        }
    }
}

#[derive(Clone, Debug)]
pub struct EmailMessage {
    pub from_name: String,
    pub from_email: String,
    pub subject: String,
    pub html: String,
    pub text: String,
    /// The one-click unsubscribe URL (RFC 8058), when there is a contact to unsubscribe.
    pub unsubscribe_url: Option<String>,
}

impl EmailMessage {
    /// The campaign's sender, else the channel's `fallback`.
    pub fn sender(&self, fallback: Option<&str>) -> Result<String, String> {
        match (self.from_email.trim(), fallback) {
            ("", Some(fallback)) if !fallback.is_empty() => Ok(fallback.to_owned()),
            ("", _) => Err(
                "the message has no sender address (set the campaign's or the channel's from_email)"
                    .into(),
            ),
            (given, _) => Ok(given.to_owned()),
        }
    }
}

#[derive(Clone, Debug)]
pub struct SmsMessage {
    pub text: String,
    pub sender_id: String,
}

#[derive(Clone, Debug)]
pub struct PushMessage {
    pub title: String,
    pub body: String,
    pub url: String,
    pub icon: String,
    /// The contact's subscriptions (devices): the message goes to each.
    pub targets: Vec<PushTarget>,
}

/// One browser's push subscription, decrypted.
#[derive(Clone)]
pub struct PushTarget {
    pub subscription_id: Uuid,
    pub endpoint: String,
    /// The browser's P-256 public key (65 octets).
    pub p256dh: Vec<u8>,
    /// The authentication secret (16 octets).
    pub auth: Vec<u8>,
}

/// Endpoints and keys are personal data: never in logs.
impl std::fmt::Debug for PushTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PushTarget")
            .field("subscription_id", &self.subscription_id)
            .finish_non_exhaustive()
    }
}

/// What a provider did with a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SendOutcome {
    /// Taken: it is the provider's now.
    Accepted { provider_message_id: Option<String> },
    /// Refused for now (network error, timeout, 5xx, 429, SMTP 4xx): try again, not
    /// before `after` when the provider said so.
    Retry {
        after: Option<Duration>,
        reason: String,
    },
    /// Refused for good (invalid address, other 4xx, SMTP 5xx).
    Failed { reason: String },
}

impl SendOutcome {
    /// The refusal's reason without the recipient's address, which providers often quote
    /// (`550 <ada@example.org>: no such user`): reasons are kept with deliveries and
    /// their events, which outlive the contact's erasure, so they must not name anyone.
    pub fn without_address(self, to: &str) -> SendOutcome {
        let scrub = |reason: String| {
            if to.is_empty() || !reason.contains(to) {
                reason
            } else {
                reason.replace(to, "<recipient>")
            }
        };
        match self {
            SendOutcome::Retry { after, reason } => SendOutcome::Retry {
                after,
                reason: scrub(reason),
            },
            SendOutcome::Failed { reason } => SendOutcome::Failed {
                reason: scrub(reason),
            },
            accepted => accepted,
        }
    }
}

/// A name that does not resolve may resolve later; a refused address will not.
impl From<crate::egress::Unreachable> for SendOutcome {
    fn from(e: crate::egress::Unreachable) -> Self {
        match e {
            crate::egress::Unreachable::Unresolved(reason) => SendOutcome::Retry {
                after: None,
                reason,
            },
            crate::egress::Unreachable::Refused(reason) => SendOutcome::Failed { reason },
        }
    }
}

impl From<SendOutcome> for SendResult {
    fn from(outcome: SendOutcome) -> Self {
        match outcome {
            SendOutcome::Accepted {
                provider_message_id,
            } => SendResult {
                outcome: "accepted".into(),
                provider_message_id,
                reason: None,
            },
            SendOutcome::Retry { reason, .. } => SendResult {
                outcome: "retry".into(),
                provider_message_id: None,
                reason: Some(reason),
            },
            SendOutcome::Failed { reason } => SendResult {
                outcome: "failed".into(),
                provider_message_id: None,
                reason: Some(reason),
            },
        }
    }
}

/// A configured provider, ready to send. Implementations bound every call in time and
/// never panic on what a provider answers.
#[async_trait]
pub trait ChannelAdapter: Send + Sync {
    async fn send(&self, message: &OutboundMessage) -> SendOutcome;
    /// Checks the settings against the provider (a test connection), without sending.
    async fn verify(&self) -> Result<(), String>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_do_not_keep_the_address() {
        let failed = SendOutcome::Failed {
            reason: "550 5.1.1 <ada@example.org>: no such user (ada@example.org)".into(),
        }
        .without_address("ada@example.org");
        assert_eq!(
            failed,
            SendOutcome::Failed {
                reason: "550 5.1.1 <<recipient>>: no such user (<recipient>)".into()
            }
        );
        let retry = SendOutcome::Retry {
            after: None,
            reason: "421 try later".into(),
        };
        assert_eq!(retry.clone().without_address("ada@example.org"), retry);
    }
}
