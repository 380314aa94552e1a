//! Erasure (the right to be forgotten) by crypto-shredding. The contact's row goes, and
//! with it the only copy of its data key: the personal fields in any backup or replica,
//! sealed under that key, can no longer be read by anyone. What the statistics need
//! stays: deliveries and events name the contact only by an id that now leads nowhere
//! (failure reasons never hold the address: see `delivery::worker`), so a campaign's
//! counters do not move. Its addresses stay suppressed, as blind indexes, so the person
//! is never imported back as subscribed.

use super::Privacy;
use crate::{
    audit::{self, Entry},
    auth::require,
    db::entities::{
        consent_record, contact, contact_consent, list_member, list_signup, push_subscription,
    },
    error::{not_found, ServiceResult},
    suppressions,
};
use app::model::{Action, Actor, Channel, SuppressionReason};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, TransactionTrait};
use uuid::Uuid;

impl Privacy {
    #[tracing::instrument(skip_all, fields(organization_id = %actor.organization_id, %contact_id))]
    pub async fn erase(&self, actor: &Actor, contact_id: Uuid) -> ServiceResult<()> {
        require(actor, Action::ContactsWrite)?;
        let txn = self.db.begin().await?;
        let c = contact::Entity::find_by_id(contact_id)
            .filter(contact::Column::OrganizationId.eq(actor.organization_id))
            .one(&txn)
            .await?
            .ok_or_else(|| not_found("contact"))?;
        for channel in Channel::ALL {
            suppressions::store::suppress_contact(&txn, &c, channel, SuppressionReason::Erasure)
                .await?;
        }
        remove(&txn, actor.organization_id, contact_id).await?;
        audit::record(
            &txn,
            Entry::by(actor, "contact.erased", "contact", contact_id),
        )
        .await?;
        txn.commit().await?;
        tracing::info!("contact erased");
        Ok(())
    }
}

/// Deletes a contact and everything personal tied to it (its row holds its data key, so
/// the sealed fields go unreadable everywhere): for an erasure, and for retention.
pub(crate) async fn remove(
    txn: &impl ConnectionTrait,
    organization_id: Uuid,
    contact_id: Uuid,
) -> ServiceResult<()> {
    // Explicit rather than relying on SQLite honouring cascades.
    list_member::Entity::delete_many()
        .filter(list_member::Column::ContactId.eq(contact_id))
        .exec(txn)
        .await?;
    contact_consent::Entity::delete_many()
        .filter(contact_consent::Column::ContactId.eq(contact_id))
        .exec(txn)
        .await?;
    consent_record::Entity::delete_many()
        .filter(consent_record::Column::ContactId.eq(contact_id))
        .exec(txn)
        .await?;
    list_signup::Entity::delete_many()
        .filter(list_signup::Column::ContactId.eq(contact_id))
        .exec(txn)
        .await?;
    push_subscription::Entity::delete_many()
        .filter(push_subscription::Column::OrganizationId.eq(organization_id))
        .filter(push_subscription::Column::ContactId.eq(contact_id))
        .exec(txn)
        .await?;
    contact::Entity::delete_many()
        .filter(contact::Column::OrganizationId.eq(organization_id))
        .filter(contact::Column::Id.eq(contact_id))
        .exec(txn)
        .await?;
    Ok(())
}
