//! Suppression entries as the engine, imports and withdrawals need them.

use crate::{
    db::entities::{contact, suppression},
    error::ServiceResult,
};
use app::model::{Channel, SuppressionReason};
use chrono::Utc;
use sea_orm::{sea_query::OnConflict, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use std::collections::HashSet;
use uuid::Uuid;

/// The contact column a channel is suppressed by: the email's index for email (and for
/// push, whose devices have no address of their own), the phone's for SMS.
pub fn address_column(channel: Channel) -> contact::Column {
    match channel {
        Channel::Email | Channel::Push => contact::Column::EmailIndex,
        Channel::Sms => contact::Column::PhoneIndex,
    }
}

/// A contact's value of [`address_column`].
pub fn address_index(channel: Channel, c: &contact::Model) -> Option<&str> {
    match channel {
        Channel::Email | Channel::Push => c.email_index.as_deref(),
        Channel::Sms => c.phone_index.as_deref(),
    }
}

/// Suppresses a contact's address on `channel`; the first reason stays. Nothing when the
/// contact has no such address.
pub async fn suppress_contact(
    db: &impl ConnectionTrait,
    c: &contact::Model,
    channel: Channel,
    reason: SuppressionReason,
) -> ServiceResult<()> {
    let Some(index) = address_index(channel, c) else {
        return Ok(());
    };
    insert(db, c.organization_id, channel, index, reason, Some(c.id)).await
}

pub async fn insert(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
    channel: Channel,
    index: &str,
    reason: SuppressionReason,
    contact_id: Option<Uuid>,
) -> ServiceResult<()> {
    suppression::Entity::insert(suppression::ActiveModel {
        id: Set(Uuid::now_v7()),
        organization_id: Set(organization_id),
        channel: Set(channel.as_str().to_owned()),
        address_index: Set(index.to_owned()),
        reason: Set(reason.as_str().to_owned()),
        contact_id: Set(contact_id),
        created_at: Set(Utc::now()),
    })
    .on_conflict(
        OnConflict::columns([
            suppression::Column::OrganizationId,
            suppression::Column::Channel,
            suppression::Column::AddressIndex,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Which of `indexes` (blind indexes, any channel) are suppressed, as (channel, index).
pub async fn suppressed(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
    indexes: Vec<String>,
) -> ServiceResult<HashSet<(Channel, String)>> {
    let mut found = HashSet::new();
    if indexes.is_empty() {
        return Ok(found);
    }
    for chunk in indexes.chunks(500) {
        let rows = suppression::Entity::find()
            .filter(suppression::Column::OrganizationId.eq(organization_id))
            .filter(suppression::Column::AddressIndex.is_in(chunk.iter().cloned()))
            .all(db)
            .await?;
        found.extend(
            rows.into_iter()
                .filter_map(|r| Some((r.channel.parse().ok()?, r.address_index))),
        );
    }
    Ok(found)
}

/// Why one address is suppressed on `channel` (empty: it is not).
pub async fn reasons(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
    channel: Channel,
    index: &str,
) -> ServiceResult<Vec<SuppressionReason>> {
    Ok(suppression::Entity::find()
        .filter(suppression::Column::OrganizationId.eq(organization_id))
        .filter(suppression::Column::Channel.eq(channel.as_str()))
        .filter(suppression::Column::AddressIndex.eq(index))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|r| SuppressionReason::from_name(&r.reason))
        .collect())
}

/// Lifts the suppression of one address on `channel` when it is for one of `reasons`
/// (a fresh, confirmed consent outweighs an earlier unsubscribe).
pub async fn lift(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
    channel: Channel,
    index: &str,
    reasons: &[SuppressionReason],
) -> ServiceResult<u64> {
    Ok(suppression::Entity::delete_many()
        .filter(suppression::Column::OrganizationId.eq(organization_id))
        .filter(suppression::Column::Channel.eq(channel.as_str()))
        .filter(suppression::Column::AddressIndex.eq(index))
        .filter(suppression::Column::Reason.is_in(reasons.iter().map(|r| r.as_str())))
        .exec(db)
        .await?
        .rows_affected)
}
