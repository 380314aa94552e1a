//! Turning claimed deliveries into messages: each contact's address (decrypted) and the
//! campaign's templates rendered for that contact, with the unsubscribe link. Consent
//! and address are checked again at this moment, not only at the fan-out: a contact who
//! withdrew consent (through the API, an import, a link) or lost the address after the
//! campaign started is skipped, and so is one erased since (`suppressed`: its addresses
//! are). A delivery that cannot become a message (a template fails on the contact's
//! data, the campaign was deleted) fails with the reason.

use super::{
    fanout::{NO_ADDRESS, NO_CONSENT, SUPPRESSED, UNSUBSCRIBED, UNSUBSCRIBE_SOURCE},
    links::{Preferences, Unsubscribe},
    templates::Templates,
    Engine,
};
use crate::{
    channels::{Body, OutboundMessage, PushTarget},
    contacts::{
        normalize::{EMAIL, PHONE},
        store as contact_store,
    },
    db::entities::{campaign, contact, contact_consent},
    error::ServiceResult,
    suppressions,
    tracking::links::Rewriter,
};
use app::model::{CampaignContent, Channel, ConsentState};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{json, Map, Value};
use std::{collections::HashMap, sync::Arc};
use uuid::Uuid;

/// A delivery a worker holds.
#[derive(Clone, Debug)]
pub struct Claimed {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub campaign_id: Uuid,
    pub contact_id: Uuid,
    pub channel: Channel,
    /// Including the one under way.
    pub attempts: i32,
}

/// What a claimed delivery becomes.
#[derive(Debug)]
pub enum Composed {
    Message(OutboundMessage),
    /// Not to be sent: one of `fanout`'s skip reasons.
    Skip(&'static str),
    Fail(String),
}

/// What a contact's templates see.
struct Recipient {
    address: Option<String>,
    vars: Value,
}

/// One message per claimed delivery, or why there is none.
pub async fn compose(engine: &Engine, claimed: &[Claimed]) -> ServiceResult<Vec<Composed>> {
    let campaign_ids: Vec<Uuid> = unique(claimed.iter().map(|c| c.campaign_id));
    let contact_ids: Vec<Uuid> = unique(claimed.iter().map(|c| c.contact_id));
    let campaigns: HashMap<Uuid, Arc<CampaignContent>> = campaign::Entity::find()
        .filter(campaign::Column::Id.is_in(campaign_ids))
        .all(&engine.db)
        .await?
        .into_iter()
        .map(|c| (c.id, Arc::new(c.content.0)))
        .collect();
    let contacts: Vec<contact::Model> = contact::Entity::find()
        .filter(contact::Column::Id.is_in(contact_ids.clone()))
        .all(&engine.db)
        .await?;
    let consents: HashMap<(Uuid, String), contact_consent::Model> = contact_consent::Entity::find()
        .filter(contact_consent::Column::ContactId.is_in(contact_ids))
        .all(&engine.db)
        .await?
        .into_iter()
        .map(|c| ((c.contact_id, c.channel.clone()), c))
        .collect();
    let push_contacts: Vec<Uuid> = unique(
        claimed
            .iter()
            .filter(|c| c.channel == Channel::Push)
            .map(|c| c.contact_id),
    );
    let mut targets = if push_contacts.is_empty() {
        HashMap::new()
    } else {
        crate::push::targets(&engine.db, &engine.cipher, &push_contacts).await?
    };
    let contacts: HashMap<Uuid, contact::Model> = contacts.into_iter().map(|c| (c.id, c)).collect();
    let suppressed = suppressed(engine, claimed, &contacts).await?;
    let now = chrono::Utc::now();
    // Only what the batch needs: each contact's data is decrypted once per channel.
    let mut recipients: HashMap<(Uuid, Channel), Recipient> = HashMap::new();
    for d in claimed {
        let (Some(c), std::collections::hash_map::Entry::Vacant(slot)) = (
            contacts.get(&d.contact_id),
            recipients.entry((d.contact_id, d.channel)),
        ) else {
            continue;
        };
        let mut r = recipient(engine, c, d.channel);
        if d.channel == Channel::Push {
            // A push "address" is the contact's subscriptions: none, no address.
            r.address = targets
                .get(&c.id)
                .filter(|t| !t.is_empty())
                .map(|t| format!("{} push subscription(s)", t.len()));
        }
        slot.insert(r);
    }
    // Boxed: a refusal is rare and small, a message is large.
    let jobs: Vec<Result<Job, Box<Composed>>> = claimed
        .iter()
        .map(|d| {
            let fail = |why: &str| Box::new(Composed::Fail(why.to_owned()));
            let content = campaigns
                .get(&d.campaign_id)
                .cloned()
                .ok_or_else(|| fail("the campaign was deleted"))?;
            // Gone: erased, and its addresses are suppressed.
            let recipient = recipients
                .get(&(d.contact_id, d.channel))
                .ok_or_else(|| Box::new(Composed::Skip(SUPPRESSED)))?;
            let consent = consents.get(&(d.contact_id, d.channel.as_str().to_owned()));
            let reason = match unsendable(consent) {
                Some(UNSUBSCRIBED) => Some(UNSUBSCRIBED),
                _ if suppressed.contains(&(d.contact_id, d.channel)) => Some(SUPPRESSED),
                other => other,
            };
            if let Some(reason) = reason {
                return Err(Box::new(Composed::Skip(reason)));
            }
            let to = recipient
                .address
                .clone()
                .ok_or_else(|| Box::new(Composed::Skip(NO_ADDRESS)))?;
            let unsubscribe_url = format!(
                "{}/u/{}",
                engine.settings.public_url,
                Unsubscribe {
                    organization_id: d.organization_id,
                    contact_id: d.contact_id,
                    campaign_id: d.campaign_id,
                    channel: d.channel,
                }
                .token(&engine.unsubscribe_key)
            );
            let preferences_url = format!(
                "{}/pref/{}",
                engine.settings.public_url,
                Preferences::new(d.organization_id, d.contact_id, now)
                    .token(&engine.preferences_key)
            );
            let mut vars = recipient.vars.clone();
            if let Value::Object(map) = &mut vars {
                map.insert(
                    "unsubscribe_url".into(),
                    Value::String(unsubscribe_url.clone()),
                );
                map.insert("preferences_url".into(), Value::String(preferences_url));
            }
            let targets = match d.channel {
                Channel::Push => targets.remove(&d.contact_id).unwrap_or_default(),
                _ => Vec::new(),
            };
            Ok(Job {
                delivery: d.clone(),
                content,
                to,
                vars,
                unsubscribe_url,
                targets,
            })
        })
        .collect();
    // Rendering is CPU work: the whole batch on one blocking thread, each campaign's
    // templates compiled once.
    let messages = tokio::task::spawn_blocking(move || {
        let mut templates: HashMap<(Uuid, Channel), Result<Templates, String>> = HashMap::new();
        jobs.into_iter()
            .map(|job| match job.map(|job| job.message(&mut templates)) {
                Ok(Ok(message)) => Composed::Message(message),
                Ok(Err(reason)) => Composed::Fail(reason),
                Err(composed) => *composed,
            })
            .collect::<Vec<_>>()
    })
    .await
    .map_err(|e| anyhow::anyhow!("rendering stopped: {e}"))?;
    let mut messages = messages;
    let mut rendered: Vec<&mut OutboundMessage> = messages
        .iter_mut()
        .filter_map(|c| match c {
            Composed::Message(m) => Some(m),
            _ => None,
        })
        .collect();
    Rewriter {
        public_url: &engine.settings.public_url,
        key: &engine.tracking_key,
        cipher: &engine.cipher,
    }
    .batch(&engine.db, &mut rendered)
    .await?;
    Ok(messages)
}

/// The (contact, channel) pairs of the batch whose address is suppressed now: one
/// query per organization in the batch (usually one).
async fn suppressed(
    engine: &Engine,
    claimed: &[Claimed],
    contacts: &HashMap<Uuid, contact::Model>,
) -> ServiceResult<std::collections::HashSet<(Uuid, Channel)>> {
    // (organization, contact, channel, the address's index) of each claimed delivery.
    let addressed: Vec<(Uuid, Uuid, Channel, &str)> = claimed
        .iter()
        .filter_map(|d| {
            let c = contacts.get(&d.contact_id)?;
            let index = suppressions::store::address_index(d.channel, c)?;
            Some((d.organization_id, d.contact_id, d.channel, index))
        })
        .collect();
    let mut by_org: HashMap<Uuid, Vec<String>> = HashMap::new();
    for (org, _, _, index) in &addressed {
        by_org.entry(*org).or_default().push((*index).to_owned());
    }
    let mut out = std::collections::HashSet::new();
    for (org, mut indexes) in by_org {
        indexes.sort_unstable();
        indexes.dedup();
        let found = suppressions::store::suppressed(&engine.db, org, indexes).await?;
        out.extend(
            addressed
                .iter()
                .filter(|(o, _, ch, index)| {
                    *o == org && found.contains(&(*ch, (*index).to_owned()))
                })
                .map(|(_, contact, ch, _)| (*contact, *ch)),
        );
    }
    Ok(out)
}

/// Why a contact with this consent (none: never asked) may not be sent to, as the
/// fan-out would say it.
fn unsendable(consent: Option<&contact_consent::Model>) -> Option<&'static str> {
    match consent {
        Some(c) if c.state == ConsentState::Granted.as_str() => None,
        Some(c)
            if c.state == ConsentState::Withdrawn.as_str() && c.source == UNSUBSCRIBE_SOURCE =>
        {
            Some(UNSUBSCRIBED)
        }
        _ => Some(NO_CONSENT),
    }
}

fn unique(ids: impl Iterator<Item = Uuid>) -> Vec<Uuid> {
    let mut ids: Vec<Uuid> = ids.collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

fn recipient(engine: &Engine, c: &contact::Model, channel: Channel) -> Recipient {
    // An unreadable value is no address: the delivery is skipped, not failed over and over.
    let key = contact_store::data_key(&engine.cipher, c).ok().flatten();
    let open = |field, stored: &Option<String>| {
        stored
            .as_ref()
            .and_then(|s| contact_store::open(&engine.cipher, key.as_ref(), field, c.id, s).ok())
    };
    let email = open(EMAIL, &c.email_ciphertext);
    let phone = open(PHONE, &c.phone_ciphertext);
    let address = match channel {
        Channel::Email => email.clone(),
        Channel::Sms => phone.clone(),
        Channel::Push => None,
    };
    let attributes: Map<String, Value> = serde_json::from_str(&c.attributes).unwrap_or_default();
    let mut vars = Map::new();
    // Custom attributes by their own names too, but never over the contact's fields.
    for (k, v) in &attributes {
        vars.insert(k.clone(), v.clone());
    }
    for (k, v) in [
        ("first_name", json!(c.first_name)),
        ("last_name", json!(c.last_name)),
        ("email", json!(email)),
        ("phone", json!(phone)),
        ("locale", json!(c.locale)),
        ("time_zone", json!(c.time_zone)),
        ("attributes", Value::Object(attributes)),
    ] {
        vars.insert(k.into(), v);
    }
    Recipient {
        address,
        vars: Value::Object(vars),
    }
}

struct Job {
    delivery: Claimed,
    content: Arc<CampaignContent>,
    to: String,
    vars: Value,
    unsubscribe_url: String,
    /// A push delivery's subscriptions.
    targets: Vec<PushTarget>,
}

impl Job {
    fn message(
        self,
        templates: &mut HashMap<(Uuid, Channel), Result<Templates, String>>,
    ) -> Result<OutboundMessage, String> {
        let d = &self.delivery;
        let mut body = templates
            .entry((d.campaign_id, d.channel))
            .or_insert_with(|| Templates::new(d.channel, &self.content))
            .as_ref()
            .map_err(Clone::clone)?
            .body(&self.vars, Some(&self.unsubscribe_url))?;
        if let Body::Push(push) = &mut body {
            push.targets = self.targets;
        }
        Ok(OutboundMessage {
            delivery_id: self.delivery.id,
            organization_id: self.delivery.organization_id,
            campaign_id: Some(self.delivery.campaign_id),
            to: self.to,
            body,
        })
    }
}
