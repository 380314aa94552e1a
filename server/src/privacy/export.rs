//! One contact's data as a single JSON document: profile, consent history, lists, push
//! devices, and every delivery with its events. Bounded: the newest
//! [`MAX_DELIVERIES`] deliveries and [`MAX_EVENTS`] events, with `truncated` set beyond.

use crate::{
    audit::{self, Entry},
    auth::require,
    consents::history,
    contacts::store as contact_store,
    crypto::Cipher,
    db::entities::{campaign, contact, delivery, event},
    delivery::sending,
    error::{not_found, ServiceResult},
    events, push,
};
use app::model::{Action, Actor, ContactExport, ExportedDelivery, ExportedPushSubscription};
use chrono::Utc;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::{collections::HashMap, sync::Arc};
use uuid::Uuid;

pub const MAX_DELIVERIES: u64 = 10_000;
pub const MAX_EVENTS: u64 = 50_000;

pub struct Privacy {
    pub(super) db: DatabaseConnection,
    pub(super) cipher: Arc<Cipher>,
    /// Signs the preference centre's links (`delivery::links::Preferences`).
    pub(super) preferences_key: ring::hmac::Key,
}

impl Privacy {
    pub fn new(db: DatabaseConnection, cipher: Arc<Cipher>) -> Self {
        let preferences_key = crate::delivery::links::Preferences::key(&cipher);
        Self {
            db,
            cipher,
            preferences_key,
        }
    }

    #[tracing::instrument(skip_all, fields(organization_id = %actor.organization_id, %contact_id))]
    pub async fn export(&self, actor: &Actor, contact_id: Uuid) -> ServiceResult<ContactExport> {
        require(actor, Action::ContactsRead)?;
        let org = actor.organization_id;
        let row = contact::Entity::find_by_id(contact_id)
            .filter(contact::Column::OrganizationId.eq(org))
            .one(&self.db)
            .await?
            .ok_or_else(|| not_found("contact"))?;
        let consents = contact_store::consents_of(&self.db, &[contact_id]).await?;
        let mut lists = contact_store::lists_of(&self.db, org, &[contact_id]).await?;
        let profile = contact_store::to_dto(
            &self.cipher,
            row,
            consents.get(&contact_id).map_or(&[], Vec::as_slice),
            lists.remove(&contact_id).unwrap_or_default(),
        )?;
        let consent_history = history::of_contact(&self.db, &self.cipher, org, contact_id).await?;
        let push_subscriptions = push::targets(&self.db, &self.cipher, &[contact_id])
            .await?
            .remove(&contact_id)
            .unwrap_or_default()
            .into_iter()
            .map(|t| ExportedPushSubscription {
                id: t.subscription_id,
                endpoint: t.endpoint,
            })
            .collect();
        let rows = delivery::Entity::find()
            .filter(delivery::Column::OrganizationId.eq(org))
            .filter(delivery::Column::ContactId.eq(contact_id))
            .order_by_desc(delivery::Column::CreatedAt)
            .order_by_desc(delivery::Column::Id)
            .limit(MAX_DELIVERIES + 1)
            .all(&self.db)
            .await?;
        let mut truncated = rows.len() as u64 > MAX_DELIVERIES;
        let rows: Vec<_> = rows.into_iter().take(MAX_DELIVERIES as usize).collect();
        let events = event::Entity::find()
            .filter(event::Column::OrganizationId.eq(org))
            .filter(event::Column::ContactId.eq(contact_id))
            .order_by_desc(event::Column::Id)
            .limit(MAX_EVENTS + 1)
            .all(&self.db)
            .await?;
        truncated |= events.len() as u64 > MAX_EVENTS;
        let mut by_delivery: HashMap<Uuid, Vec<app::model::EventDto>> = HashMap::new();
        for e in events.into_iter().take(MAX_EVENTS as usize).rev() {
            if let Some(d) = e.delivery_id {
                by_delivery.entry(d).or_default().push(events::dto(e));
            }
        }
        let mut campaign_ids: Vec<Uuid> = rows.iter().map(|d| d.campaign_id).collect();
        campaign_ids.sort_unstable();
        campaign_ids.dedup();
        let mut titles: HashMap<Uuid, String> = HashMap::new();
        for chunk in campaign_ids.chunks(500) {
            let found: Vec<(Uuid, String)> = campaign::Entity::find()
                .select_only()
                .column(campaign::Column::Id)
                .column(campaign::Column::Title)
                .filter(campaign::Column::OrganizationId.eq(org))
                .filter(campaign::Column::Id.is_in(chunk.iter().copied()))
                .into_tuple()
                .all(&self.db)
                .await?;
            titles.extend(found);
        }
        let deliveries: Vec<ExportedDelivery> = rows
            .into_iter()
            .map(|d| ExportedDelivery {
                campaign_id: d.campaign_id,
                campaign_title: titles.get(&d.campaign_id).cloned(),
                events: by_delivery.remove(&d.id).unwrap_or_default(),
                delivery: sending::dto(d),
            })
            .collect();
        audit::record(
            &self.db,
            Entry::by(actor, "contact.exported", "contact", contact_id)
                .with(serde_json::json!({"deliveries": deliveries.len(), "truncated": truncated})),
        )
        .await?;
        tracing::info!("contact exported");
        Ok(ContactExport {
            exported_at: Utc::now(),
            organization_id: org,
            contact: profile,
            consent_history,
            push_subscriptions,
            deliveries,
            truncated,
        })
    }
}
