//! The one writer of consent: the current state (`contact_consents`) and, for each state
//! that changes, a ledger row (`consent_records`), in the caller's transaction. A state
//! written again unchanged records nothing: the ledger holds changes, not repetitions.

use super::provenance::Provenance;
use crate::{
    db::{
        entities::{consent_record, consent_text, contact_consent},
        shape::pow2_chunks,
    },
    error::ServiceResult,
};
use app::model::{Channel, ConsentState};
use chrono::{DateTime, Utc};
use ring::digest;
use sea_orm::{sea_query::OnConflict, ConnectionTrait, DbBackend, EntityTrait, Set, Statement};
use std::collections::HashMap;
use uuid::Uuid;

/// The only purpose so far; per-list purposes come with double opt-in.
pub const MARKETING: &str = "marketing";

/// Bound of a consent wording kept in the ledger.
pub const MAX_WORDING: usize = 10 * 1024;

/// One wanted state; `line` is the import file's line when the change comes from one.
#[derive(Clone, Copy, Debug)]
pub struct Change {
    pub contact_id: Uuid,
    pub channel: Channel,
    pub state: ConsentState,
    pub line: Option<i64>,
}

impl Change {
    pub fn new(contact_id: Uuid, channel: Channel, state: ConsentState) -> Self {
        Change {
            contact_id,
            channel,
            state,
            line: None,
        }
    }
}

/// The hex SHA-256 naming a wording.
pub fn wording_hash(text: &str) -> String {
    let d = digest::digest(&digest::SHA256, text.as_bytes());
    d.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// Sets each contact's state per channel where it changes (`existing`: the current rows
/// of those contacts, absent for new contacts) and appends the ledger rows.
pub async fn set(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
    changes: Vec<Change>,
    existing: &HashMap<Uuid, Vec<contact_consent::Model>>,
    provenance: &Provenance,
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    let changed: Vec<Change> = changes
        .into_iter()
        .filter(|c| {
            let current = existing
                .get(&c.contact_id)
                .and_then(|v| v.iter().find(|r| r.channel == c.channel.as_str()));
            current.map_or(c.state != ConsentState::Unknown, |r| {
                r.state != c.state.as_str() || r.lawful_basis != provenance.basis.as_str()
            })
        })
        .collect();
    if changed.is_empty() {
        return Ok(());
    }
    let current: Vec<_> = changed
        .iter()
        .map(|c| contact_consent::ActiveModel {
            contact_id: Set(c.contact_id),
            channel: Set(c.channel.as_str().to_owned()),
            state: Set(c.state.as_str().to_owned()),
            source: Set(provenance.current_source().to_owned()),
            lawful_basis: Set(provenance.basis.as_str().to_owned()),
            updated_at: Set(now),
        })
        .collect();
    for chunk in pow2_chunks(current) {
        contact_consent::Entity::insert_many(chunk)
            .on_conflict(
                OnConflict::columns([
                    contact_consent::Column::ContactId,
                    contact_consent::Column::Channel,
                ])
                .update_columns([
                    contact_consent::Column::State,
                    contact_consent::Column::Source,
                    contact_consent::Column::LawfulBasis,
                    contact_consent::Column::UpdatedAt,
                ])
                .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
    }
    append(db, organization_id, &changed, provenance, now).await
}

/// Ledger rows only, for states the caller wrote itself (the import's bulk insert of
/// new contacts' consents).
pub async fn append(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
    changes: &[Change],
    provenance: &Provenance,
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    if changes.is_empty() {
        return Ok(());
    }
    let text_hash = match &provenance.wording {
        Some(text) => Some(keep_wording(db, organization_id, text, now).await?),
        None => None,
    };
    if db.get_database_backend() == DbBackend::Postgres {
        // One statement whatever the number of rows (an import batch holds thousands).
        let values: Vec<sea_orm::Value> = vec![
            organization_id.into(),
            MARKETING.into(),
            provenance.basis.as_str().into(),
            text_hash.into(),
            provenance.source.clone().into(),
            provenance.source_ref.clone().into(),
            provenance.actor_id.into(),
            provenance.ip_ciphertext.clone().into(),
            provenance.user_agent_ciphertext.clone().into(),
            now.into(),
            provenance.confirmed_at.into(),
            provenance.confirmed_ip_ciphertext.clone().into(),
            changes
                .iter()
                .map(|_| Uuid::now_v7())
                .collect::<Vec<_>>()
                .into(),
            changes
                .iter()
                .map(|c| c.contact_id)
                .collect::<Vec<_>>()
                .into(),
            changes
                .iter()
                .map(|c| c.channel.as_str().to_owned())
                .collect::<Vec<_>>()
                .into(),
            changes
                .iter()
                .map(|c| c.state.as_str().to_owned())
                .collect::<Vec<_>>()
                .into(),
            changes
                .iter()
                .map(|c| c.line.unwrap_or(NO_LINE))
                .collect::<Vec<_>>()
                .into(),
        ];
        db.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            PG_APPEND,
            values,
        ))
        .await?;
        return Ok(());
    }
    let rows: Vec<_> = changes
        .iter()
        .map(|c| consent_record::ActiveModel {
            id: Set(Uuid::now_v7()),
            organization_id: Set(organization_id),
            contact_id: Set(c.contact_id),
            channel: Set(c.channel.as_str().to_owned()),
            purpose: Set(MARKETING.to_owned()),
            state: Set(c.state.as_str().to_owned()),
            lawful_basis: Set(provenance.basis.as_str().to_owned()),
            text_hash: Set(text_hash.clone()),
            source: Set(provenance.source.clone()),
            source_ref: Set(provenance.source_ref.clone()),
            source_line: Set(c.line),
            actor_id: Set(provenance.actor_id),
            ip_ciphertext: Set(provenance.ip_ciphertext.clone()),
            user_agent_ciphertext: Set(provenance.user_agent_ciphertext.clone()),
            confirmed_at: Set(provenance.confirmed_at),
            confirmed_ip_ciphertext: Set(provenance.confirmed_ip_ciphertext.clone()),
            recorded_at: Set(now),
        })
        .collect();
    for chunk in pow2_chunks(rows) {
        consent_record::Entity::insert_many(chunk)
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// Stands for "no line" in the statement's array (lines start at 2, the header is 1).
const NO_LINE: i64 = -1;

const PG_APPEND: &str = "INSERT INTO consent_records (id, organization_id, contact_id, channel, purpose, \
state, lawful_basis, text_hash, source, source_ref, source_line, actor_id, ip_ciphertext, \
user_agent_ciphertext, recorded_at, confirmed_at, confirmed_ip_ciphertext) \
SELECT t.id, $1, t.contact_id, t.channel, $2, t.state, $3, $4, $5, $6, NULLIF(t.line, -1), $7, $8, $9, $10, $11, $12 \
FROM UNNEST($13::uuid[], $14::uuid[], $15::text[], $16::text[], $17::int8[]) AS t(id, contact_id, channel, state, line)";

/// Keeps a wording once per organization; its hash names it in the ledger.
async fn keep_wording(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
    text: &str,
    now: DateTime<Utc>,
) -> ServiceResult<String> {
    let hash = wording_hash(text);
    consent_text::Entity::insert(consent_text::ActiveModel {
        organization_id: Set(organization_id),
        hash: Set(hash.clone()),
        body: Set(text.to_owned()),
        created_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([
            consent_text::Column::OrganizationId,
            consent_text::Column::Hash,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(hash)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wording_hash_is_sha256_hex() {
        assert_eq!(
            wording_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
