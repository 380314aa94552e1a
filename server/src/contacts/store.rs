//! Reading and writing contact rows: encryption of personal fields, consents, DTOs.

use super::normalize::{self, EMAIL, PHONE};
use crate::{
    crypto::{open_personal, Cipher, DataKey, Field, IndexKey},
    db::entities::{contact, contact_consent, list, list_member, organization},
    error::ServiceResult,
};
use anyhow::Context;
use app::model::{Channel, ConsentDto, ConsentState, ContactDto, LawfulBasis, ListRef};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, JoinType, QueryFilter, QueryOrder, QuerySelect,
    RelationTrait,
};
use std::collections::HashMap;
use uuid::Uuid;

/// How blind indexes are keyed now: per organization (see `Cipher::index_key`).
pub const INDEX_VERSION: i32 = 2;

/// Ciphertext and blind index of one personal value, bound to its row.
pub struct Sealed {
    pub ciphertext: String,
    pub index: String,
}

pub fn seal_email(
    key: &DataKey,
    index: &IndexKey,
    row: Uuid,
    normalized: &str,
) -> ServiceResult<Sealed> {
    seal(key, index, EMAIL, row, normalized)
}

pub fn seal_phone(key: &DataKey, index: &IndexKey, row: Uuid, e164: &str) -> ServiceResult<Sealed> {
    seal(key, index, PHONE, row, e164)
}

fn seal(
    key: &DataKey,
    index: &IndexKey,
    field: Field<'_>,
    row: Uuid,
    value: &str,
) -> ServiceResult<Sealed> {
    let ciphertext = key
        .encrypt(field, &row.to_string(), value)
        .context("Failed to encrypt a contact field")?;
    Ok(Sealed {
        ciphertext,
        index: index.blind_index(field, value),
    })
}

/// A new contact's data key, and its wrapping to store in `data_key`.
pub fn new_data_key(cipher: &Cipher, row: Uuid) -> ServiceResult<(DataKey, String)> {
    Ok(cipher
        .new_data_key(&row.to_string())
        .context("Failed to make a contact's data key")?)
}

/// The data key of a stored contact; `None` for a row written before data keys.
pub fn data_key(cipher: &Cipher, c: &contact::Model) -> ServiceResult<Option<DataKey>> {
    c.data_key
        .as_deref()
        .map(|wrapped| {
            cipher
                .open_data_key(&c.id.to_string(), wrapped)
                .with_context(|| format!("Failed to open the data key of contact {}", c.id))
        })
        .transpose()
        .map_err(Into::into)
}

/// The key a write to `c` seals under: its own, or, for a row from before data keys, a
/// new one, with the row's sealed fields moved under it (which changes `c`).
///
/// After a key rotation, the wrapping is moved under the current master key too (lazy
/// re-encryption: every contact written is one `carillon rekey` has no more to do).
pub fn data_key_for_write(cipher: &Cipher, c: &mut contact::Model) -> ServiceResult<DataKey> {
    if let Some(wrapped) = c.data_key.as_deref() {
        if let Some(rewrapped) = cipher
            .rewrap_data_key(&c.id.to_string(), wrapped)
            .with_context(|| format!("Failed to rewrap the data key of contact {}", c.id))?
        {
            c.data_key = Some(rewrapped);
        }
    }
    if let Some(key) = data_key(cipher, c)? {
        return Ok(key);
    }
    let (key, wrapped) = new_data_key(cipher, c.id)?;
    let row = c.id.to_string();
    for (field, slot) in [
        (EMAIL, &mut c.email_ciphertext),
        (PHONE, &mut c.phone_ciphertext),
    ] {
        if let Some(stored) = slot.as_deref() {
            let plain = open(cipher, None, field, c.id, stored)?;
            *slot = Some(
                key.encrypt(field, &row, &plain)
                    .context("Failed to encrypt a contact field")?,
            );
        }
    }
    c.data_key = Some(wrapped);
    Ok(key)
}

/// One of a contact's sealed values, under its data key or (written before data keys)
/// the master key.
pub fn open(
    cipher: &Cipher,
    key: Option<&DataKey>,
    field: Field<'_>,
    row: Uuid,
    stored: &str,
) -> ServiceResult<String> {
    Ok(open_personal(cipher, key, field, &row.to_string(), stored)
        .with_context(|| format!("Failed to decrypt contact {row}"))?)
}

/// The blind index of a normalized address, with the organization's key.
pub fn email_index(key: &IndexKey, normalized: &str) -> String {
    key.blind_index(EMAIL, normalized)
}

/// The blind index of an E.164 number, with the organization's key.
pub fn phone_index(key: &IndexKey, e164: &str) -> String {
    key.blind_index(PHONE, e164)
}

/// The organization's region for national phone numbers.
pub async fn region(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
) -> ServiceResult<Option<phonenumber::country::Id>> {
    let org = organization::Entity::find_by_id(organization_id)
        .one(db)
        .await?;
    Ok(org.and_then(|o| normalize::region(&o.default_region)))
}

pub async fn consents_of(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> ServiceResult<HashMap<Uuid, Vec<contact_consent::Model>>> {
    let mut by_contact: HashMap<Uuid, Vec<contact_consent::Model>> = HashMap::new();
    if ids.is_empty() {
        return Ok(by_contact);
    }
    let rows = contact_consent::Entity::find()
        .filter(contact_consent::Column::ContactId.is_in(ids.iter().copied()))
        .all(db)
        .await?;
    for row in rows {
        by_contact.entry(row.contact_id).or_default().push(row);
    }
    Ok(by_contact)
}

/// The lists holding each of `ids`, by name, in one query whatever the number of
/// contacts. Joined through the organization's own lists, so a stray membership row can
/// never name another organization's list.
pub async fn lists_of(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
    ids: &[Uuid],
) -> ServiceResult<HashMap<Uuid, Vec<ListRef>>> {
    let mut by_contact: HashMap<Uuid, Vec<ListRef>> = HashMap::new();
    if ids.is_empty() {
        return Ok(by_contact);
    }
    let rows: Vec<(Uuid, Uuid, String)> = list_member::Entity::find()
        .select_only()
        .column(list_member::Column::ContactId)
        .column(list::Column::Id)
        .column(list::Column::Name)
        .join(JoinType::InnerJoin, list_member::Relation::List.def())
        .filter(list::Column::OrganizationId.eq(organization_id))
        .filter(list_member::Column::ContactId.is_in(ids.iter().copied()))
        .order_by_asc(list::Column::Name)
        .order_by_asc(list::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    for (contact_id, id, name) in rows {
        by_contact
            .entry(contact_id)
            .or_default()
            .push(ListRef { id, name });
    }
    Ok(by_contact)
}

pub fn to_dto(
    cipher: &Cipher,
    c: contact::Model,
    consents: &[contact_consent::Model],
    lists: Vec<ListRef>,
) -> ServiceResult<ContactDto> {
    let key = data_key(cipher, &c)?;
    let open = |field, value: &Option<String>| -> ServiceResult<Option<String>> {
        value
            .as_deref()
            .map(|v| open(cipher, key.as_ref(), field, c.id, v))
            .transpose()
    };
    let attributes = serde_json::from_str(&c.attributes)
        .with_context(|| format!("contact {} has invalid attributes", c.id))?;
    let consents = Channel::ALL
        .into_iter()
        .map(
            |channel| match consents.iter().find(|r| r.channel == channel.as_str()) {
                Some(r) => ConsentDto {
                    channel,
                    state: r.state.parse().unwrap_or(ConsentState::Unknown),
                    lawful_basis: r.lawful_basis.parse().unwrap_or_default(),
                    source: r.source.clone(),
                    updated_at: r.updated_at,
                },
                None => ConsentDto {
                    channel,
                    state: ConsentState::Unknown,
                    lawful_basis: LawfulBasis::Consent,
                    source: "none".into(),
                    updated_at: c.created_at,
                },
            },
        )
        .collect();
    Ok(ContactDto {
        id: c.id,
        email: open(EMAIL, &c.email_ciphertext)?,
        phone: open(PHONE, &c.phone_ciphertext)?,
        first_name: c.first_name,
        last_name: c.last_name,
        locale: c.locale,
        time_zone: c.time_zone,
        attributes,
        consents,
        lists,
        created_at: c.created_at,
        updated_at: c.updated_at,
    })
}

/// A unique-index violation on the blind indexes: the address or number is taken.
pub fn duplicate_field(e: &sea_orm::DbErr) -> Option<&'static str> {
    match e.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(msg)) if msg.contains("phone_index") => {
            Some("phone")
        }
        Some(sea_orm::SqlErr::UniqueConstraintViolation(msg)) if msg.contains("email_index") => {
            Some("email")
        }
        _ => None,
    }
}
