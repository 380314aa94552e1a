//! Browsers' push subscriptions: a visitor of an organization's opt-in page (`GET
//! /p/{organization_id}`, see `web::push_optin`) who accepts notifications posts the browser's
//! `PushSubscription` here. It becomes a contact (or is matched to one by email) with
//! push consent granted, source `push_optin`; a contact may hold several subscriptions
//! (devices), each message goes to each. Endpoints and keys are encrypted at rest.

use crate::{
    channels::{Channels, PushTarget},
    consents::{ledger, Change, Provenance},
    contacts::{normalize, store as contact_store},
    crypto::{Cipher, Field},
    db::entities::{contact, contact_consent, push_subscription},
    error::{not_found, ServiceResult},
};
use anyhow::Context as _;
use app::{
    error::AppError,
    model::{Channel, ConsentState, FieldErrors},
};
use base64::{engine::general_purpose, Engine as _};
use chrono::Utc;
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait,
};
use serde::{Deserialize, Serialize};
use std::{collections::HashMap, sync::Arc};
use uuid::Uuid;

pub(crate) const ENDPOINT: Field<'static> = Field {
    table: "push_subscriptions",
    column: "endpoint",
};
pub(crate) const KEYS: Field<'static> = Field {
    table: "push_subscriptions",
    column: "keys",
};

/// The consent source of a subscription made on the opt-in page.
pub const OPTIN_SOURCE: &str = "push_optin";

/// Subscriptions kept per contact: a new device beyond it replaces the oldest.
pub const MAX_PER_CONTACT: usize = 10;

/// The largest subscription body read.
pub const MAX_BODY: usize = 16 * 1024;

/// A browser's `PushSubscription.toJSON()`, and optionally an email to match.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
pub struct SubscriptionInput {
    pub endpoint: String,
    pub keys: KeysInput,
    /// Matches (or creates) the contact with this address.
    #[serde(default)]
    pub email: Option<String>,
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
pub struct KeysInput {
    /// The browser's P-256 public key, base64url (65 octets).
    pub p256dh: String,
    /// The authentication secret, base64url (16 octets).
    pub auth: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Subscribed {
    pub subscription_id: Uuid,
    pub contact_id: Uuid,
    /// Whether the email matched an existing contact.
    pub matched: bool,
}

#[derive(Serialize, Deserialize)]
struct StoredKeys {
    p256dh: String,
    auth: String,
}

pub struct Push {
    db: DatabaseConnection,
    cipher: Arc<Cipher>,
    channels: Arc<Channels>,
}

impl Push {
    pub fn new(db: DatabaseConnection, cipher: Arc<Cipher>, channels: Arc<Channels>) -> Self {
        Push {
            db,
            cipher,
            channels,
        }
    }

    /// The VAPID public key browsers subscribe with, if the organization sends push
    /// through Web Push.
    pub async fn public_key(&self, organization_id: Uuid) -> ServiceResult<Option<String>> {
        let settings = self
            .channels
            .provider_settings(
                organization_id,
                Channel::Push,
                crate::channels::webpush::NAME,
            )
            .await?;
        Ok(settings.and_then(|s| {
            s.get("vapid_public_key")
                .and_then(|v| v.as_str())
                .map(str::to_owned)
        }))
    }

    #[tracing::instrument(skip_all, fields(%organization_id))]
    pub async fn subscribe(
        &self,
        organization_id: Uuid,
        input: SubscriptionInput,
        client: Client,
    ) -> ServiceResult<Subscribed> {
        if self.public_key(organization_id).await?.is_none() {
            return Err(not_found("push opt-in page"));
        }
        let (endpoint, keys, email) = check(input)?;
        let index_key = self.cipher.index_key(organization_id);
        let endpoint_index = index_key.blind_index(ENDPOINT, &endpoint);
        let txn = self.db.begin().await?;
        let existing = push_subscription::Entity::find()
            .filter(push_subscription::Column::OrganizationId.eq(organization_id))
            .filter(push_subscription::Column::EndpointIndex.eq(&endpoint_index))
            .one(&txn)
            .await?;
        let mut matched = false;
        let by_email = match &email {
            Some(e) => contact::Entity::find()
                .filter(contact::Column::OrganizationId.eq(organization_id))
                .filter(contact::Column::EmailIndex.eq(contact_store::email_index(&index_key, e)))
                .one(&txn)
                .await?
                .map(|c| c.id),
            None => None,
        };
        let now = Utc::now();
        let contact_id = match (by_email, &existing, &email) {
            (Some(id), _, _) => {
                matched = true;
                id
            }
            (None, Some(sub), None) => sub.contact_id,
            (None, _, email) => {
                let id = Uuid::now_v7();
                let (data_key, wrapped) = contact_store::new_data_key(&self.cipher, id)?;
                let sealed = email
                    .as_ref()
                    .map(|e| contact_store::seal_email(&data_key, &index_key, id, e))
                    .transpose()?;
                let (email_ciphertext, email_index) = match sealed {
                    Some(s) => (Some(s.ciphertext), Some(s.index)),
                    None => (None, None),
                };
                contact::Entity::insert(contact::ActiveModel {
                    id: Set(id),
                    organization_id: Set(organization_id),
                    email_ciphertext: Set(email_ciphertext),
                    email_index: Set(email_index),
                    phone_ciphertext: Set(None),
                    phone_index: Set(None),
                    first_name: Set(None),
                    last_name: Set(None),
                    locale: Set(None),
                    time_zone: Set(None),
                    attributes: Set("{}".into()),
                    index_version: Set(contact_store::INDEX_VERSION),
                    data_key: Set(Some(wrapped)),
                    created_at: Set(now),
                    updated_at: Set(now),
                })
                .exec_without_returning(&txn)
                .await?;
                id
            }
        };
        let id = existing.as_ref().map_or_else(Uuid::now_v7, |s| s.id);
        let sealed_endpoint = self
            .cipher
            .encrypt(ENDPOINT, &id.to_string(), &endpoint)
            .context("encrypting a push endpoint")?;
        let sealed_keys = self
            .cipher
            .encrypt(
                KEYS,
                &id.to_string(),
                &serde_json::to_string(&keys).context("keys")?,
            )
            .context("encrypting push keys")?;
        let row = push_subscription::ActiveModel {
            id: Set(id),
            organization_id: Set(organization_id),
            contact_id: Set(contact_id),
            endpoint_ciphertext: Set(sealed_endpoint),
            endpoint_index: Set(endpoint_index),
            keys_ciphertext: Set(sealed_keys),
            source: Set(OPTIN_SOURCE.into()),
            created_at: Set(existing.as_ref().map_or(now, |s| s.created_at)),
            updated_at: Set(now),
        };
        if existing.is_some() {
            push_subscription::Entity::update(row).exec(&txn).await?;
        } else {
            push_subscription::Entity::insert(row)
                .exec_without_returning(&txn)
                .await?;
        }
        // The oldest devices beyond the bound go.
        let theirs: Vec<Uuid> = push_subscription::Entity::find()
            .filter(push_subscription::Column::ContactId.eq(contact_id))
            .order_by_desc(push_subscription::Column::UpdatedAt)
            .all(&txn)
            .await?
            .into_iter()
            .map(|s| s.id)
            .collect();
        if theirs.len() > MAX_PER_CONTACT {
            push_subscription::Entity::delete_many()
                .filter(push_subscription::Column::Id.is_in(theirs[MAX_PER_CONTACT..].to_vec()))
                .exec(&txn)
                .await?;
        }
        let current = contact_consent::Entity::find()
            .filter(contact_consent::Column::ContactId.eq(contact_id))
            .all(&txn)
            .await?;
        let provenance = Provenance::new(OPTIN_SOURCE)
            .with_ref(format!("/p/{organization_id}"))
            .from_client(
                &self.cipher,
                organization_id,
                client.ip.as_deref(),
                client.user_agent.as_deref(),
            )?;
        ledger::set(
            &txn,
            organization_id,
            vec![Change::new(
                contact_id,
                Channel::Push,
                ConsentState::Granted,
            )],
            &HashMap::from([(contact_id, current)]),
            &provenance,
            now,
        )
        .await?;
        txn.commit().await?;
        tracing::info!(%contact_id, matched, "push subscription saved");
        Ok(Subscribed {
            subscription_id: id,
            contact_id,
            matched,
        })
    }
}

/// Who posted a subscription, kept (encrypted) as the consent's evidence.
#[derive(Clone, Debug, Default)]
pub struct Client {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// The subscriptions of `contacts`, decrypted, by contact.
pub async fn targets(
    db: &DatabaseConnection,
    cipher: &Cipher,
    contacts: &[Uuid],
) -> ServiceResult<HashMap<Uuid, Vec<PushTarget>>> {
    let mut found: HashMap<Uuid, Vec<PushTarget>> = HashMap::new();
    for chunk in contacts.chunks(100) {
        let rows = push_subscription::Entity::find()
            .filter(push_subscription::Column::ContactId.is_in(chunk.iter().copied()))
            .all(db)
            .await?;
        for row in rows {
            let id = row.id.to_string();
            let opened = cipher
                .decrypt(ENDPOINT, &id, &row.endpoint_ciphertext)
                .and_then(|e| Ok((e, cipher.decrypt(KEYS, &id, &row.keys_ciphertext)?)));
            let Ok((endpoint, keys)) = opened else {
                tracing::warn!(subscription_id = %row.id, "a push subscription does not decrypt");
                continue;
            };
            let Ok(keys) = serde_json::from_str::<StoredKeys>(&keys) else {
                continue;
            };
            let (Ok(p256dh), Ok(auth)) = (decode(&keys.p256dh), decode(&keys.auth)) else {
                continue;
            };
            found.entry(row.contact_id).or_default().push(PushTarget {
                subscription_id: row.id,
                endpoint,
                p256dh,
                auth,
            });
        }
    }
    Ok(found)
}

/// Base64url with or without padding (browsers give it without), or standard base64.
fn decode(raw: &str) -> Result<Vec<u8>, ()> {
    let trimmed = raw.trim().trim_end_matches('=');
    general_purpose::URL_SAFE_NO_PAD
        .decode(trimmed)
        .or_else(|_| general_purpose::STANDARD_NO_PAD.decode(trimmed))
        .map_err(|_| ())
}

/// The subscription's endpoint, keys (checked, re-encoded) and normalized email.
fn check(input: SubscriptionInput) -> ServiceResult<(String, StoredKeys, Option<String>)> {
    let mut errors = FieldErrors::new();
    let endpoint = input.endpoint.trim().to_owned();
    match url::Url::parse(&endpoint) {
        Ok(u)
            if endpoint.len() <= 2048 && matches!(u.scheme(), "https" | "http") && u.has_host() => {
        }
        _ => {
            errors.insert(
                "endpoint".into(),
                "the push service's URL (https, at most 2048 characters)".into(),
            );
        }
    }
    let p256dh = decode(&input.keys.p256dh).ok().filter(|k| valid_point(k));
    if p256dh.is_none() {
        errors.insert(
            "keys.p256dh".into(),
            "a P-256 public key, base64url (65 octets, uncompressed)".into(),
        );
    }
    let auth = decode(&input.keys.auth).ok().filter(|a| a.len() == 16);
    if auth.is_none() {
        errors.insert("keys.auth".into(), "16 octets, base64url".into());
    }
    let email = match input
        .email
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty())
    {
        Some(raw) => match normalize::normalize_email(raw) {
            Ok(e) => Some(e),
            Err(why) => {
                errors.insert("email".into(), why);
                None
            }
        },
        None => None,
    };
    if !errors.is_empty() {
        return Err(AppError::fields(errors).into());
    }
    let encode = |b: Vec<u8>| general_purpose::URL_SAFE_NO_PAD.encode(b);
    Ok((
        endpoint,
        StoredKeys {
            p256dh: encode(p256dh.unwrap_or_default()),
            auth: encode(auth.unwrap_or_default()),
        },
        email,
    ))
}

/// Whether `key` is a point on P-256: an agreement with it succeeds.
fn valid_point(key: &[u8]) -> bool {
    use ring::{agreement, rand::SystemRandom};
    if key.len() != 65 || key[0] != 4 {
        return false;
    }
    let Ok(ours) =
        agreement::EphemeralPrivateKey::generate(&agreement::ECDH_P256, &SystemRandom::new())
    else {
        return false;
    };
    let peer = agreement::UnparsedPublicKey::new(&agreement::ECDH_P256, key);
    agreement::agree_ephemeral(ours, &peer, |_| ()).is_ok()
}
