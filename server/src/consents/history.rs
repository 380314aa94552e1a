//! A contact's consent history, as the ledger holds it, for the contact's organization.

use super::provenance::open_client;
use crate::{
    crypto::Cipher,
    db::entities::{consent_record, consent_text},
    error::ServiceResult,
};
use app::model::{ConsentRecordDto, ConsentState, LawfulBasis};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::HashMap;
use uuid::Uuid;

/// Entries returned at most, the newest kept: a contact changing their mind daily for
/// years stays under it.
pub const MAX_ENTRIES: u64 = 1000;

/// The history of a contact the caller checked belongs to `organization_id`.
pub async fn of_contact(
    db: &impl ConnectionTrait,
    cipher: &Cipher,
    organization_id: Uuid,
    contact_id: Uuid,
) -> ServiceResult<Vec<ConsentRecordDto>> {
    let mut rows = consent_record::Entity::find()
        .filter(consent_record::Column::OrganizationId.eq(organization_id))
        .filter(consent_record::Column::ContactId.eq(contact_id))
        .order_by_desc(consent_record::Column::RecordedAt)
        .order_by_desc(consent_record::Column::Id)
        .limit(MAX_ENTRIES)
        .all(db)
        .await?;
    rows.reverse();
    let mut hashes: Vec<String> = rows.iter().filter_map(|r| r.text_hash.clone()).collect();
    hashes.sort_unstable();
    hashes.dedup();
    let wordings: HashMap<String, String> = if hashes.is_empty() {
        HashMap::new()
    } else {
        consent_text::Entity::find()
            .filter(consent_text::Column::OrganizationId.eq(organization_id))
            .filter(consent_text::Column::Hash.is_in(hashes))
            .all(db)
            .await?
            .into_iter()
            .map(|t| (t.hash, t.body))
            .collect()
    };
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let client = open_client(cipher, organization_id, &r);
            Some(ConsentRecordDto {
                id: r.id,
                channel: r.channel.parse().ok()?,
                purpose: r.purpose,
                state: r.state.parse().unwrap_or(ConsentState::Unknown),
                lawful_basis: r.lawful_basis.parse().unwrap_or(LawfulBasis::Consent),
                wording: r.text_hash.as_ref().and_then(|h| wordings.get(h).cloned()),
                wording_hash: r.text_hash,
                source: r.source,
                source_ref: r.source_ref,
                source_line: r.source_line,
                actor_id: r.actor_id,
                ip: client.ip,
                user_agent: client.user_agent,
                confirmed_at: r.confirmed_at,
                confirmed_ip: client.confirmed_ip,
                recorded_at: r.recorded_at,
            })
        })
        .collect())
}
