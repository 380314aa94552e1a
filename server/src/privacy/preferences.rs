//! The preference centre behind every message's `{{ preferences_url }}`: the contact
//! sees which channels they receive and which lists hold them, and changes both. A
//! channel withdrawn goes through `delivery::withdraw` (what is pending is skipped); a
//! channel granted is a fresh consent, recorded with the visitor's address and browser.
//! No login: the signed, expiring link is the proof.

use super::export::Privacy;
use crate::{
    consents::{ledger, Change, Provenance},
    contacts::store as contact_store,
    db::entities::{
        contact, contact_consent, list_member, organization, push_subscription, suppression,
    },
    delivery::{
        completion::{self, Touched},
        links::{LinkError, Preferences},
        withdraw,
    },
    error::{not_found, ServiceResult},
};
use app::model::{Channel, ConsentState, ListRef, SuppressionReason};
use chrono::Utc;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, TransactionTrait,
};
use std::collections::{BTreeSet, HashMap};
use uuid::Uuid;

/// The source the ledger records for changes made here.
pub const SOURCE: &str = "preference_centre";

/// What the page shows.
#[derive(Clone, Debug)]
pub struct PreferencesView {
    pub organization: String,
    /// The channels the contact can be reached on, and whether they receive them.
    pub channels: Vec<(Channel, bool)>,
    pub lists: Vec<ListRef>,
}

/// What the form asks for: the channels to receive, the lists to stay in (`None`: the
/// lists stay as they are).
#[derive(Clone, Debug, Default)]
pub struct Wanted {
    pub channels: BTreeSet<Channel>,
    pub lists: Option<BTreeSet<Uuid>>,
}

/// Who submitted the form.
#[derive(Clone, Debug, Default)]
pub struct Visitor {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl Privacy {
    pub fn preferences_link(&self, token: &str) -> Result<Preferences, LinkError> {
        Preferences::verify(token, &self.preferences_key, Utc::now())
    }

    pub async fn preferences(&self, link: Preferences) -> ServiceResult<PreferencesView> {
        view(&self.db, link).await
    }

    #[tracing::instrument(skip_all, fields(organization_id = %link.organization_id, contact_id = %link.contact_id))]
    pub async fn set_preferences(
        &self,
        link: Preferences,
        wanted: Wanted,
        visitor: Visitor,
    ) -> ServiceResult<PreferencesView> {
        let (org, contact_id) = (link.organization_id, link.contact_id);
        let provenance = Provenance::new(SOURCE).from_client(
            &self.cipher,
            org,
            visitor.ip.as_deref(),
            visitor.user_agent.as_deref(),
        )?;
        let txn = self.db.begin().await?;
        let row = find(&txn, link).await?;
        let current = contact_store::consents_of(&txn, &[contact_id]).await?;
        let mut touched = Touched(Vec::new());
        for channel in reachable(&txn, &row).await? {
            match (
                granted(&current, contact_id, channel),
                wanted.channels.contains(&channel),
            ) {
                (false, true) => {
                    ledger::set(
                        &txn,
                        org,
                        vec![Change::new(contact_id, channel, ConsentState::Granted)],
                        &current,
                        &provenance,
                        Utc::now(),
                    )
                    .await?;
                    // Their own fresh consent lifts their own unsubscribe (not a bounce
                    // or a complaint, which the provider reported).
                    if let Some(index) = crate::suppressions::store::address_index(channel, &row) {
                        suppression::Entity::delete_many()
                            .filter(suppression::Column::OrganizationId.eq(org))
                            .filter(suppression::Column::Channel.eq(channel.as_str()))
                            .filter(suppression::Column::AddressIndex.eq(index))
                            .filter(
                                suppression::Column::Reason
                                    .eq(SuppressionReason::Unsubscribe.as_str()),
                            )
                            .exec(&txn)
                            .await?;
                    }
                }
                (true, false) => {
                    let (_, t) =
                        withdraw::withdraw_as(&txn, org, contact_id, channel, &provenance, None)
                            .await?;
                    touched.0.extend(t.0);
                }
                _ => {}
            }
        }
        let held = contact_store::lists_of(&txn, org, &[contact_id])
            .await?
            .remove(&contact_id)
            .unwrap_or_default();
        let leave: Vec<Uuid> = match &wanted.lists {
            Some(stay) => held
                .iter()
                .map(|l| l.id)
                .filter(|id| !stay.contains(id))
                .collect(),
            None => Vec::new(),
        };
        if !leave.is_empty() {
            list_member::Entity::delete_many()
                .filter(list_member::Column::ContactId.eq(contact_id))
                .filter(list_member::Column::ListId.is_in(leave))
                .exec(&txn)
                .await?;
        }
        txn.commit().await?;
        completion::complete_finished(&self.db, crate::campaigns::System::Webhook, touched.0).await;
        tracing::info!("preferences saved");
        view(&self.db, link).await
    }
}

fn granted(
    consents: &HashMap<Uuid, Vec<contact_consent::Model>>,
    contact_id: Uuid,
    channel: Channel,
) -> bool {
    consents.get(&contact_id).is_some_and(|rows| {
        rows.iter()
            .any(|r| r.channel == channel.as_str() && r.state == ConsentState::Granted.as_str())
    })
}

async fn find(db: &impl ConnectionTrait, link: Preferences) -> ServiceResult<contact::Model> {
    contact::Entity::find_by_id(link.contact_id)
        .filter(contact::Column::OrganizationId.eq(link.organization_id))
        .one(db)
        .await?
        .ok_or_else(|| not_found("contact"))
}

/// The channels the contact has an address (or a device) for.
async fn reachable(db: &impl ConnectionTrait, c: &contact::Model) -> ServiceResult<Vec<Channel>> {
    let devices = push_subscription::Entity::find()
        .filter(push_subscription::Column::ContactId.eq(c.id))
        .count(db)
        .await?;
    Ok(Channel::ALL
        .into_iter()
        .filter(|ch| match ch {
            Channel::Email => c.email_index.is_some(),
            Channel::Sms => c.phone_index.is_some(),
            Channel::Push => devices > 0,
        })
        .collect())
}

async fn view(db: &impl ConnectionTrait, link: Preferences) -> ServiceResult<PreferencesView> {
    let row = find(db, link).await?;
    let organization = organization::Entity::find_by_id(link.organization_id)
        .one(db)
        .await?
        .map(|o| o.name)
        .unwrap_or_default();
    let consents = contact_store::consents_of(db, &[row.id]).await?;
    let channels = reachable(db, &row)
        .await?
        .into_iter()
        .map(|ch| (ch, granted(&consents, row.id, ch)))
        .collect();
    let lists = contact_store::lists_of(db, link.organization_id, &[row.id])
        .await?
        .remove(&row.id)
        .unwrap_or_default();
    Ok(PreferencesView {
        organization,
        channels,
        lists,
    })
}
