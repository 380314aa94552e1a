//! Each organization's provider per channel: validated settings, secrets encrypted at
//! rest and never shown, a test send, and ready adapters for the engine (built once per
//! settings version and kept in memory).

use super::{
    check::Check, provider, simulator, Body, ChannelAdapter, Context, EmailMessage,
    OutboundMessage, SmsMessage,
};
use crate::{
    audit::{self, Entry},
    auth::require,
    contacts::{normalize, store as contact_store},
    crypto::{Cipher, Field},
    db::entities::{channel_setting, user},
    egress::Egress,
    error::{ServiceError, ServiceResult},
};
use anyhow::Context as _;
use app::{
    error::AppError,
    model::{
        Action, Actor, Channel, ChannelSettingsDto, ChannelSettingsInput, FieldErrors, SendResult,
    },
};
use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::OnConflict, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set,
    TransactionTrait,
};
use serde_json::{json, Map, Value};
use std::{collections::HashMap, sync::Arc};
use tokio::sync::Mutex;
use uuid::Uuid;

pub(crate) const SECRETS: Field<'static> = Field {
    table: "channel_settings",
    column: "secrets",
};

/// Settings every provider has, read by the engine.
const COMMON: &[&str] = &["rate_per_second", "max_in_flight"];

/// How fast the engine may send on one channel of one organization, per process.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Limits {
    /// Messages per second; 0: no limit.
    pub rate_per_second: f64,
    /// Messages handed to the provider and not yet answered.
    pub max_in_flight: usize,
}

/// A channel ready to send.
#[derive(Clone)]
pub struct Resolved {
    pub provider: &'static str,
    pub adapter: Arc<dyn ChannelAdapter>,
    pub limits: Limits,
    /// The provider's settings, secrets left out.
    pub settings: Arc<Map<String, Value>>,
    version: Option<DateTime<Utc>>,
}

pub struct Channels {
    db: DatabaseConnection,
    cipher: Arc<Cipher>,
    egress: Egress,
    public_url: String,
    adapters: Mutex<HashMap<(Uuid, Channel), Resolved>>,
}

impl Channels {
    pub fn new(
        db: DatabaseConnection,
        cipher: Arc<Cipher>,
        egress: Egress,
        public_url: String,
    ) -> Self {
        Channels {
            db,
            cipher,
            egress,
            public_url,
            adapters: Mutex::new(HashMap::new()),
        }
    }

    /// Every channel's provider and settings (secrets shown as set or not).
    pub async fn list(&self, actor: &Actor) -> ServiceResult<Vec<ChannelSettingsDto>> {
        require(actor, Action::ChannelsRead)?;
        let rows = channel_setting::Entity::find()
            .filter(channel_setting::Column::OrganizationId.eq(actor.organization_id))
            .all(&self.db)
            .await?;
        Ok(Channel::ALL
            .into_iter()
            .map(
                |channel| match rows.iter().find(|r| r.channel == channel.as_str()) {
                    Some(row) => {
                        let mut dto = shown(channel, row);
                        // Where browsers subscribe: the page shows it, with a snippet.
                        if row.provider == super::webpush::NAME {
                            if let Value::Object(s) = &mut dto.settings {
                                s.insert(
                                    "optin_url".into(),
                                    json!(format!(
                                        "{}/p/{}",
                                        self.public_url, actor.organization_id
                                    )),
                                );
                            }
                        }
                        dto
                    }
                    None => default_dto(channel),
                },
            )
            .collect())
    }

    /// Validates and stores a channel's provider and settings.
    #[tracing::instrument(skip_all, fields(organization_id = %actor.organization_id, channel))]
    pub async fn put(
        &self,
        actor: &Actor,
        channel: &str,
        input: ChannelSettingsInput,
    ) -> ServiceResult<ChannelSettingsDto> {
        require(actor, Action::ChannelsManage)?;
        let channel = parse_channel(channel)?;
        let Some(provider) = provider(input.provider.trim()) else {
            return Err(AppError::field(
                "provider",
                format!(
                    "unknown provider; expected one of: {}",
                    super::PROVIDERS
                        .iter()
                        .map(|p| p.name())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
            .into());
        };
        if !provider.channels().contains(&channel) {
            return Err(AppError::field(
                "provider",
                format!("{} does not send {channel}", provider.name()),
            )
            .into());
        }
        let mut settings = match input.settings {
            Value::Object(map) => map,
            Value::Null => Map::new(),
            _ => return Err(AppError::field("settings", "an object").into()),
        };
        // A secret left out keeps its stored value, so the form need not show it.
        let stored = self.row(actor.organization_id, channel).await?;
        let same_provider = stored.as_ref().filter(|r| r.provider == provider.name());
        let before_secrets = same_provider
            .map(|row| self.open_secrets(row))
            .transpose()?
            .unwrap_or_default();
        if same_provider.is_some() {
            for path in provider.secrets() {
                if get(&settings, path).is_none_or(|v| v.is_null() || v.get("set").is_some()) {
                    if let Some(value) = before_secrets.get(*path) {
                        set(&mut settings, path, value.clone());
                    }
                }
            }
        }
        let (limits, settings) = validate(provider, settings)?;
        let mut public = settings;
        let mut secrets = Map::new();
        for path in provider.secrets() {
            if let Some(value) = take(&mut public, path).filter(|v| !v.is_null()) {
                secrets.insert((*path).to_owned(), value);
                // Which secrets are set is not secret: the settings page shows it.
                set(&mut public, path, json!({ "set": true }));
            }
        }
        public.insert("rate_per_second".into(), json!(limits.rate_per_second));
        public.insert("max_in_flight".into(), json!(limits.max_in_flight));
        // What the audit line says changed: setting names, never a secret's value.
        let public_before: Map<String, Value> = same_provider
            .and_then(|r| serde_json::from_str(&r.settings).ok())
            .unwrap_or_default();
        let mut changed = differing(&public_before, &public);
        changed.extend(differing(&before_secrets, &secrets));
        changed.sort_unstable();
        changed.dedup();
        let details = json!({
            "channel": channel.as_str(),
            "provider": provider.name(),
            "previous_provider": stored.as_ref().map(|r| r.provider.clone()),
            "changed": changed,
        });
        let sealed = if secrets.is_empty() {
            None
        } else {
            Some(
                self.cipher
                    .encrypt(
                        SECRETS,
                        &row_id(actor.organization_id, channel.as_str()),
                        &Value::Object(secrets).to_string(),
                    )
                    .context("encrypting channel secrets")?,
            )
        };
        let row = channel_setting::ActiveModel {
            organization_id: Set(actor.organization_id),
            channel: Set(channel.as_str().to_owned()),
            provider: Set(provider.name().to_owned()),
            settings: Set(Value::Object(public).to_string()),
            secrets: Set(sealed),
            updated_at: Set(Utc::now()),
        };
        let txn = self.db.begin().await?;
        channel_setting::Entity::insert(row)
            .on_conflict(
                OnConflict::columns([
                    channel_setting::Column::OrganizationId,
                    channel_setting::Column::Channel,
                ])
                .update_columns([
                    channel_setting::Column::Provider,
                    channel_setting::Column::Settings,
                    channel_setting::Column::Secrets,
                    channel_setting::Column::UpdatedAt,
                ])
                .to_owned(),
            )
            .exec(&txn)
            .await?;
        audit::record(
            &txn,
            Entry::by(actor, "channel.updated", "channel", channel.as_str()).with(details),
        )
        .await?;
        txn.commit().await?;
        tracing::info!(provider = provider.name(), "channel settings saved");
        let row = self
            .row(actor.organization_id, channel)
            .await?
            .context("channel settings vanished after saving")?;
        Ok(shown(channel, &row))
    }

    /// Sends one test message to `to` through the channel's provider.
    #[tracing::instrument(skip_all, fields(organization_id = %actor.organization_id, channel))]
    pub async fn test(&self, actor: &Actor, channel: &str, to: &str) -> ServiceResult<SendResult> {
        require(actor, Action::ChannelsManage)?;
        let channel = parse_channel(channel)?;
        let resolved = self.resolve(actor.organization_id, channel).await?;
        // From the channel's own sender if it has one, else from the admin testing it.
        let sender = match resolved.settings.get("from_email").and_then(Value::as_str) {
            Some(own) => own.to_owned(),
            None => user::Entity::find_by_id(actor.user_id)
                .one(&self.db)
                .await?
                .map(|u| u.email)
                .unwrap_or_default(),
        };
        let (to, body) = match channel {
            Channel::Email => (
                normalize::normalize_email(to).map_err(|e| AppError::field("to", e))?,
                Body::Email(EmailMessage {
                    from_name: "Carillon".into(),
                    from_email: sender,
                    subject: "Carillon test message".into(),
                    html: "<p>This is a test message from Carillon: the email channel works.</p>".into(),
                    text: "This is a test message from Carillon: the email channel works.".into(),
                    unsubscribe_url: None,
                }),
            ),
            Channel::Sms => {
                let region = contact_store::region(&self.db, actor.organization_id).await?;
                (
                    normalize::normalize_phone(to, region).map_err(|e| AppError::field("to", e))?,
                    Body::Sms(SmsMessage {
                        text: "Carillon test message: the SMS channel works.".into(),
                        sender_id: String::new(),
                    }),
                )
            }
            Channel::Push => {
                return Err(AppError::field(
                    "to",
                    "push messages go to a browser's subscription, not to an address: test push with a campaign test",
                )
                .into())
            }
        };
        let message = OutboundMessage {
            delivery_id: Uuid::now_v7(),
            organization_id: actor.organization_id,
            campaign_id: None,
            to,
            body,
        };
        let outcome = resolved.adapter.send(&message).await;
        tracing::info!(provider = resolved.provider, ?outcome, "test message");
        Ok(outcome.into())
    }

    /// The adapter and limits for a channel of an organization, rebuilt only when its
    /// settings changed.
    pub async fn resolve(
        &self,
        organization_id: Uuid,
        channel: Channel,
    ) -> ServiceResult<Resolved> {
        let row = self.row(organization_id, channel).await?;
        let version = row.as_ref().map(|r| r.updated_at);
        let key = (organization_id, channel);
        if let Some(hit) = self.adapters.lock().await.get(&key) {
            if hit.version == version {
                return Ok(hit.clone());
            }
        }
        let resolved = match row {
            Some(row) => self.build(channel, &row)?,
            None => {
                let simulator = provider(simulator::NAME).context("the simulator is registered")?;
                let (limits, settings) = validate(simulator, Map::new())?;
                Resolved {
                    provider: simulator.name(),
                    adapter: simulator.adapter(
                        channel,
                        &settings,
                        &self.context(organization_id),
                    )?,
                    limits,
                    settings: Arc::new(settings),
                    version: None,
                }
            }
        };
        self.adapters.lock().await.insert(key, resolved.clone());
        Ok(resolved)
    }

    fn build(&self, channel: Channel, row: &channel_setting::Model) -> ServiceResult<Resolved> {
        let provider = provider(&row.provider)
            .with_context(|| format!("stored provider `{}` is not registered", row.provider))?;
        let mut settings: Map<String, Value> =
            serde_json::from_str(&row.settings).context("stored channel settings")?;
        let public = settings.clone();
        for (path, value) in self.open_secrets(row)? {
            set(&mut settings, &path, value);
        }
        let (limits, settings) = validate(provider, settings).map_err(|e| {
            anyhow::anyhow!("stored {} settings no longer validate: {e:?}", row.provider)
        })?;
        Ok(Resolved {
            provider: provider.name(),
            adapter: provider.adapter(channel, &settings, &self.context(row.organization_id))?,
            limits,
            settings: Arc::new(public),
            version: Some(row.updated_at),
        })
    }

    /// A channel's settings, secrets included, if it sends through `provider`: for
    /// checking that provider's signed webhooks.
    pub async fn provider_settings(
        &self,
        organization_id: Uuid,
        channel: Channel,
        provider: &str,
    ) -> ServiceResult<Option<Map<String, Value>>> {
        let Some((row, mut settings)) = self.stored(organization_id, channel, provider).await?
        else {
            return Ok(None);
        };
        for (path, value) in self.open_secrets(&row)? {
            set(&mut settings, &path, value);
        }
        Ok(Some(settings))
    }

    /// The same without the secrets (nothing is decrypted).
    pub async fn public_settings(
        &self,
        organization_id: Uuid,
        channel: Channel,
        provider: &str,
    ) -> ServiceResult<Option<Map<String, Value>>> {
        Ok(self
            .stored(organization_id, channel, provider)
            .await?
            .map(|(_, settings)| settings))
    }

    async fn stored(
        &self,
        organization_id: Uuid,
        channel: Channel,
        provider: &str,
    ) -> ServiceResult<Option<(channel_setting::Model, Map<String, Value>)>> {
        let Some(row) = self
            .row(organization_id, channel)
            .await?
            .filter(|r| r.provider == provider)
        else {
            return Ok(None);
        };
        let settings = serde_json::from_str(&row.settings).context("stored channel settings")?;
        Ok(Some((row, settings)))
    }

    fn context(&self, organization_id: Uuid) -> Context {
        Context {
            organization_id,
            db: self.db.clone(),
            egress: self.egress.clone(),
            public_url: self.public_url.clone(),
        }
    }

    async fn row(
        &self,
        organization_id: Uuid,
        channel: Channel,
    ) -> ServiceResult<Option<channel_setting::Model>> {
        Ok(
            channel_setting::Entity::find_by_id((organization_id, channel.as_str().to_owned()))
                .one(&self.db)
                .await?,
        )
    }

    fn open_secrets(&self, row: &channel_setting::Model) -> ServiceResult<Map<String, Value>> {
        let Some(sealed) = &row.secrets else {
            return Ok(Map::new());
        };
        let channel: Channel = row.channel.parse().map_err(anyhow::Error::msg)?;
        let plain = self
            .cipher
            .decrypt(
                SECRETS,
                &row_id(row.organization_id, channel.as_str()),
                sealed,
            )
            .context("decrypting channel secrets")?;
        Ok(serde_json::from_str(&plain).context("channel secrets")?)
    }
}

/// Checks the common settings, then the provider's.
fn validate(
    provider: &dyn super::Provider,
    mut settings: Map<String, Value>,
) -> Result<(Limits, Map<String, Value>), ServiceError> {
    let mut common = Map::new();
    for key in COMMON {
        if let Some(v) = settings.remove(*key) {
            common.insert((*key).to_owned(), v);
        }
    }
    let mut check = Check::new(&mut common);
    let rate_per_second = check.number("rate_per_second", 0.0, 100_000.0, 0.0);
    if rate_per_second > 0.0 && rate_per_second < 0.01 {
        check.fail("rate_per_second", "0 (no limit), or from 0.01 to 100000");
    }
    let max_in_flight = check.whole("max_in_flight", 1, 1000, 10) as usize;
    let mut errors = check.errors;
    if let Err(more) = provider.validate(&mut settings) {
        errors.extend(more);
    }
    if !errors.is_empty() {
        let errors: FieldErrors = errors
            .into_iter()
            .map(|(k, v)| (format!("settings.{k}"), v))
            .collect();
        return Err(AppError::fields(errors).into());
    }
    Ok((
        Limits {
            rate_per_second,
            max_in_flight,
        },
        settings,
    ))
}

fn parse_channel(raw: &str) -> ServiceResult<Channel> {
    raw.parse()
        .map_err(|e: String| AppError::NotFound(e).into())
}

/// The row the secrets are bound to: the organization and the channel's name.
pub(crate) fn row_id(organization_id: Uuid, channel: &str) -> String {
    format!("{organization_id}/{channel}")
}

fn default_dto(channel: Channel) -> ChannelSettingsDto {
    let mut settings = Map::new();
    if let Some(simulator) = provider(simulator::NAME) {
        if let Ok((limits, s)) = validate(simulator, Map::new()) {
            settings = s;
            settings.insert("rate_per_second".into(), json!(limits.rate_per_second));
            settings.insert("max_in_flight".into(), json!(limits.max_in_flight));
        }
    }
    ChannelSettingsDto {
        channel,
        provider: simulator::NAME.into(),
        settings: Value::Object(settings),
        updated_at: None,
    }
}

/// The stored settings; each secret is stored there as `{"set": true}` when set.
fn shown(channel: Channel, row: &channel_setting::Model) -> ChannelSettingsDto {
    let mut settings: Map<String, Value> = serde_json::from_str(&row.settings).unwrap_or_default();
    if let Some(p) = provider(&row.provider) {
        for path in p.secrets() {
            if get(&settings, path).is_none() {
                set(&mut settings, path, json!({ "set": false }));
            }
        }
    }
    ChannelSettingsDto {
        channel,
        provider: row.provider.clone(),
        settings: Value::Object(settings),
        updated_at: Some(row.updated_at),
    }
}

// `outer.inner` paths into a settings object.

fn get<'a>(map: &'a Map<String, Value>, path: &str) -> Option<&'a Value> {
    match path.split_once('.') {
        None => map.get(path),
        Some((outer, inner)) => map.get(outer)?.as_object()?.get(inner),
    }
}

fn set(map: &mut Map<String, Value>, path: &str, value: Value) {
    match path.split_once('.') {
        None => {
            map.insert(path.to_owned(), value);
        }
        Some((outer, inner)) => {
            if let Some(Value::Object(o)) = map.get_mut(outer) {
                o.insert(inner.to_owned(), value);
            }
        }
    }
}

fn take(map: &mut Map<String, Value>, path: &str) -> Option<Value> {
    match path.split_once('.') {
        None => map.remove(path),
        Some((outer, inner)) => map.get_mut(outer)?.as_object_mut()?.remove(inner),
    }
}

/// The keys whose value differs between two settings maps (added and removed ones too).
fn differing<'a>(before: &'a Map<String, Value>, after: &'a Map<String, Value>) -> Vec<&'a str> {
    before
        .keys()
        .chain(after.keys())
        .filter(|k| before.get(*k) != after.get(*k))
        .map(String::as_str)
        .collect()
}
