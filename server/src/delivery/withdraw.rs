//! Withdrawing a contact's consent for one channel, for whatever reason the contact or
//! their provider gave (an unsubscribe link, a hard bounce, a spam complaint, an SMS
//! "STOP"): the consent (with its ledger entry), the address suppressed, a
//! `ContactUnsubscribed` event with its source, the contact's pending deliveries on
//! that channel skipped, and the campaign that caused it counting the loss, in the
//! caller's transaction.

use super::{completion::Touched, record};
use crate::{
    consents::{ledger, Change, Provenance},
    db::entities::{contact, contact_consent, delivery_counter},
    error::ServiceResult,
    events::{self, Kind},
    stats::hourly,
    suppressions,
};
use app::model::{Channel, ConsentState, SuppressionReason};
use chrono::Utc;
use sea_orm::{
    sea_query::{Expr, ExprTrait},
    ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter,
};
use serde_json::json;
use std::collections::HashMap;
use uuid::Uuid;

/// What the withdrawal did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unsubscribed {
    Now,
    /// Withdrawn before (what was still pending is skipped all the same).
    Already,
}

/// The contact must belong to `organization_id` (the caller checked).
pub async fn withdraw(
    txn: &DatabaseTransaction,
    organization_id: Uuid,
    contact_id: Uuid,
    channel: Channel,
    source: &str,
    campaign_id: Option<Uuid>,
) -> ServiceResult<(Unsubscribed, Touched)> {
    let mut provenance = Provenance::new(source);
    provenance.source_ref = campaign_id.map(|c| c.to_string());
    withdraw_as(
        txn,
        organization_id,
        contact_id,
        channel,
        &provenance,
        campaign_id,
    )
    .await
}

/// [`withdraw`], with the whole provenance (the client's address, say) for the ledger.
pub async fn withdraw_as(
    txn: &DatabaseTransaction,
    organization_id: Uuid,
    contact_id: Uuid,
    channel: Channel,
    provenance: &Provenance,
    campaign_id: Option<Uuid>,
) -> ServiceResult<(Unsubscribed, Touched)> {
    let source = provenance.source.as_str();
    // A withdrawal for a reason that suppresses keeps the address out for good, even
    // from a later import or a new contact with the same address.
    if let Some(reason) = SuppressionReason::from_name(source) {
        if let Some(c) = contact::Entity::find_by_id(contact_id).one(txn).await? {
            suppressions::store::suppress_contact(txn, &c, channel, reason).await?;
        }
    }
    let current = contact_consent::Entity::find_by_id((contact_id, channel.as_str().to_owned()))
        .one(txn)
        .await?;
    if current
        .as_ref()
        .is_some_and(|c| c.state == ConsentState::Withdrawn.as_str())
    {
        // Withdrawn elsewhere (the API, an import): what is pending still must not go.
        let (_, touched) =
            record::skip_unsubscribed(txn, organization_id, contact_id, channel).await?;
        return Ok((Unsubscribed::Already, touched));
    }
    let existing = HashMap::from([(contact_id, current.into_iter().collect())]);
    ledger::set(
        txn,
        organization_id,
        vec![Change::new(contact_id, channel, ConsentState::Withdrawn)],
        &existing,
        provenance,
        Utc::now(),
    )
    .await?;
    let (skipped, touched) =
        record::skip_unsubscribed(txn, organization_id, contact_id, channel).await?;
    if let Some(campaign_id) = campaign_id {
        count_loss(txn, organization_id, campaign_id, channel, source).await?;
    }
    events::record(
        txn,
        vec![events::New {
            organization_id,
            kind: Kind::ContactUnsubscribed,
            campaign_id,
            contact_id: Some(contact_id),
            delivery_id: None,
            channel: Some(channel),
            data: json!({"source": source, "skipped_deliveries": skipped}),
        }],
    )
    .await?;
    tracing::info!(%contact_id, %channel, source, skipped, "consent withdrawn");
    Ok((Unsubscribed::Now, touched))
}

/// The campaign's counter of contacts lost for `source` (a bounce, a complaint, its
/// unsubscribe link), if it keeps one.
async fn count_loss(
    txn: &DatabaseTransaction,
    organization_id: Uuid,
    campaign_id: Uuid,
    channel: Channel,
    source: &str,
) -> ServiceResult<()> {
    use delivery_counter::Column as C;
    let mut flow = hourly::Flow::default();
    let column = match SuppressionReason::from_name(source) {
        Some(SuppressionReason::Bounce) => {
            flow.bounced = 1;
            C::Bounced
        }
        Some(SuppressionReason::Complaint) => {
            flow.complained = 1;
            C::Complained
        }
        Some(SuppressionReason::Unsubscribe) => {
            flow.unsubscribed = 1;
            C::Unsubscribed
        }
        _ => return Ok(()),
    };
    hourly::add(txn, organization_id, channel, flow).await?;
    delivery_counter::Entity::update_many()
        .col_expr(column, Expr::col(column).add(1))
        .filter(C::CampaignId.eq(campaign_id))
        .filter(C::Channel.eq(channel.as_str()))
        .exec(txn)
        .await?;
    Ok(())
}
