//! Web Push (RFC 8030) to browsers' subscriptions, encrypted as RFC 8291 says
//! ([`encrypt`]) and authenticated with the organization's VAPID key ([`vapid`],
//! RFC 8292). The key pair is made when the provider is first saved; the private key is
//! a secret setting (encrypted at rest), the public key is shown, and is what the
//! opt-in page subscribes browsers with.
//!
//! A message goes to each of the contact's subscriptions. A push service's 201 takes it;
//! 404 or 410 means the subscription is gone: it is removed. The message counts as sent
//! if one device took it; as retried if none did and one asked to retry.

pub mod encrypt;
pub mod vapid;

use super::{
    check::Check, http, registry::Provider, Body, ChannelAdapter, Context, OutboundMessage,
    PushTarget, SendOutcome,
};
use crate::db::entities::push_subscription;
use app::model::{Channel, FieldErrors, SettingField, SettingKind};
use async_trait::async_trait;
use reqwest::StatusCode;
use ring::rand::SystemRandom;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{json, Map, Value};
use std::sync::Arc;
use vapid::Vapid;

pub const NAME: &str = "webpush";

const KNOWN: &[&str] = &[
    "subject",
    "ttl_seconds",
    "urgency",
    "timeout_seconds",
    "vapid_private_key",
    "vapid_public_key",
];

/// The default first: an unsaved form selects the first choice.
const URGENCIES: &[&str] = &["normal", "high", "low", "very-low"];

pub struct WebPush;

impl Provider for WebPush {
    fn name(&self) -> &'static str {
        NAME
    }

    fn channels(&self) -> &'static [Channel] {
        &[Channel::Push]
    }

    fn secrets(&self) -> &'static [&'static str] {
        &["vapid_private_key"]
    }

    fn form(&self) -> Vec<SettingField> {
        vec![
            SettingField::new("subject", SettingKind::Text).required(),
            SettingField::new("ttl_seconds", SettingKind::Number),
            SettingField::choice("urgency", URGENCIES),
            SettingField::new("timeout_seconds", SettingKind::Number),
        ]
    }

    fn validate(&self, settings: &mut Map<String, Value>) -> Result<(), FieldErrors> {
        // Shown with the settings, derived from the organization: never stored.
        settings.remove("optin_url");
        let mut check = Check::new(settings);
        check.only(KNOWN);
        let subject = check.text("subject", 256, None);
        let contact = subject
            .strip_prefix("mailto:")
            .map(|a| a.parse::<lettre::Address>().is_ok())
            .or_else(|| {
                subject
                    .starts_with("https://")
                    .then(|| url::Url::parse(&subject).is_ok_and(|u| u.has_host()))
            });
        if !subject.is_empty() && contact != Some(true) {
            check.fail(
                "subject",
                "a mailto: address or an https: URL where push services can reach you",
            );
        }
        // At most 28 days: push services keep messages no longer.
        check.whole("ttl_seconds", 0, 2_419_200, 86_400);
        check.one_of("urgency", URGENCIES, "normal");
        check.whole("timeout_seconds", 1, 120, 30);
        // The key pair is ours: made once, then kept (a saved form leaves it out).
        let private = match check
            .settings
            .get("vapid_private_key")
            .and_then(Value::as_str)
        {
            Some(key) => key.to_owned(),
            None => match vapid::generate() {
                Ok(key) => key,
                Err(why) => {
                    check.fail("vapid_private_key", why);
                    String::new()
                }
            },
        };
        match vapid::public_key(&private) {
            Ok(public) => {
                check
                    .settings
                    .insert("vapid_private_key".into(), json!(private));
                check
                    .settings
                    .insert("vapid_public_key".into(), json!(public));
            }
            Err(why) if !private.is_empty() => check.fail("vapid_private_key", why),
            Err(_) => {}
        }
        check.finish()
    }

    fn adapter(
        &self,
        _channel: Channel,
        settings: &Map<String, Value>,
        context: &Context,
    ) -> anyhow::Result<Arc<dyn ChannelAdapter>> {
        let vapid = Vapid::new(
            &http::setting(settings, "vapid_private_key"),
            &http::setting(settings, "subject"),
        )
        .map_err(anyhow::Error::msg)?;
        Ok(Arc::new(WebPushAdapter {
            client: http::client(&context.egress, settings)?,
            context: context.clone(),
            vapid,
            ttl: settings
                .get("ttl_seconds")
                .and_then(Value::as_u64)
                .unwrap_or(86_400),
            urgency: http::setting(settings, "urgency"),
            rng: SystemRandom::new(),
        }))
    }
}

struct WebPushAdapter {
    client: reqwest::Client,
    context: Context,
    vapid: Vapid,
    ttl: u64,
    urgency: String,
    rng: SystemRandom,
}

/// What one subscription's push service did.
enum Answer {
    Taken(Option<String>),
    Gone,
    Outcome(SendOutcome),
}

impl WebPushAdapter {
    async fn push(&self, target: &PushTarget, payload: &[u8], topic: Option<&str>) -> Answer {
        let Ok(url) = url::Url::parse(&target.endpoint) else {
            return Answer::Gone;
        };
        let audience = url.origin().ascii_serialization();
        let body = match encrypt::encrypt(payload, &target.p256dh, &target.auth, &self.rng) {
            Ok(b) => b,
            Err(encrypt::EncryptError::BadKeys) => return Answer::Gone,
            Err(e) => {
                return Answer::Outcome(SendOutcome::Failed {
                    reason: format!("the message could not be encrypted: {e:?}"),
                })
            }
        };
        let authorization = match self
            .vapid
            .authorization(&audience, chrono::Utc::now().timestamp())
        {
            Ok(a) => a,
            Err(reason) => return Answer::Outcome(SendOutcome::Failed { reason }),
        };
        let mut request = self
            .client
            .post(url)
            .header("TTL", self.ttl.to_string())
            .header("Urgency", &self.urgency)
            .header(reqwest::header::CONTENT_ENCODING, "aes128gcm")
            .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
            .header(reqwest::header::AUTHORIZATION, authorization)
            .body(body);
        if let Some(topic) = topic {
            request = request.header("Topic", topic);
        }
        let answer = match http::call(&self.context.egress, request).await {
            Ok(a) => a,
            Err(outcome) => return Answer::Outcome(outcome),
        };
        if matches!(answer.status, StatusCode::NOT_FOUND | StatusCode::GONE) {
            return Answer::Gone;
        }
        match answer.refusal() {
            None => Answer::Taken(
                answer
                    .headers
                    .get(reqwest::header::LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .filter(|v| v.len() <= 255)
                    .map(str::to_owned),
            ),
            Some(outcome) => Answer::Outcome(outcome),
        }
    }
}

#[async_trait]
impl ChannelAdapter for WebPushAdapter {
    #[tracing::instrument(name = "webpush.send", skip_all, fields(delivery_id = %message.delivery_id))]
    async fn send(&self, message: &OutboundMessage) -> SendOutcome {
        let Body::Push(push) = &message.body else {
            return SendOutcome::Failed {
                reason: "Web Push sends push messages only".into(),
            };
        };
        if push.targets.is_empty() {
            return SendOutcome::Failed {
                reason: "the contact has no push subscription".into(),
            };
        }
        // What the service worker shows (see `push::page`).
        let payload = json!({
            "title": push.title,
            "body": push.body,
            "url": push.url,
            "icon": push.icon,
        })
        .to_string();
        // One topic per campaign: a newer message of it replaces one not yet shown.
        let topic = message.campaign_id.map(|c| c.simple().to_string());
        let mut taken = None;
        let mut retry = None;
        let mut failed = None;
        for target in &push.targets {
            match self
                .push(target, payload.as_bytes(), topic.as_deref())
                .await
            {
                Answer::Taken(location) => {
                    taken.get_or_insert(location);
                }
                Answer::Gone => {
                    tracing::info!(subscription_id = %target.subscription_id, "push subscription gone: removed");
                    if let Err(e) = remove(
                        &self.context.db,
                        self.context.organization_id,
                        target.subscription_id,
                    )
                    .await
                    {
                        tracing::warn!(error = %e, "could not remove a push subscription");
                    }
                    failed.get_or_insert(SendOutcome::Failed {
                        reason: "the push subscription is gone (404/410): removed".into(),
                    });
                }
                Answer::Outcome(o @ SendOutcome::Retry { .. }) => {
                    retry.get_or_insert(o);
                }
                Answer::Outcome(o) => {
                    failed.get_or_insert(o);
                }
            }
        }
        match (taken, retry, failed) {
            (Some(location), _, _) => SendOutcome::Accepted {
                provider_message_id: location,
            },
            (None, Some(retry), _) => retry,
            (None, None, Some(failed)) => failed,
            (None, None, None) => SendOutcome::Failed {
                reason: "no push subscription took the message".into(),
            },
        }
    }

    async fn verify(&self) -> Result<(), String> {
        // Push services have no test call; the key pair is what can be wrong.
        self.vapid
            .authorization("https://push.example", 0)
            .map(|_| ())
    }
}

/// Forgets a subscription its push service says is gone (404, 410).
async fn remove(
    db: &sea_orm::DatabaseConnection,
    organization_id: uuid::Uuid,
    subscription_id: uuid::Uuid,
) -> Result<(), sea_orm::DbErr> {
    push_subscription::Entity::delete_many()
        .filter(push_subscription::Column::Id.eq(subscription_id))
        .filter(push_subscription::Column::OrganizationId.eq(organization_id))
        .exec(db)
        .await?;
    Ok(())
}
