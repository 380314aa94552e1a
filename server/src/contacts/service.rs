use super::{
    fields::{apply, merge_attributes, validate_input, validate_patch, Change, Validated},
    store::{self, duplicate_field},
};
use crate::{
    auth::require,
    consents::{history, ledger, Change as ConsentChange, Provenance},
    crypto::{Cipher, DataKey},
    db::entities::contact,
    error::{not_found, ServiceError, ServiceResult},
};
use app::{
    error::AppError,
    model::{Action, Actor, ConsentRecordDto, ContactDto, ContactInput, ContactPatch, LawfulBasis},
};
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    Set, TransactionTrait,
};
use serde_json::Map;
use std::sync::Arc;
use uuid::Uuid;

pub struct Contacts {
    pub(super) db: DatabaseConnection,
    pub(super) cipher: Arc<Cipher>,
}

const API_SOURCE: &str = "api";

/// An API call's changes: by the member or token's owner, with the basis and wording given.
fn provenance(actor: &Actor, basis: Option<LawfulBasis>, wording: &Option<String>) -> Provenance {
    Provenance {
        basis: basis.unwrap_or_default(),
        wording: wording.clone().filter(|w| !w.trim().is_empty()),
        ..Provenance::new(API_SOURCE).by(actor.user_id)
    }
}

fn check_wording(wording: &Option<String>) -> ServiceResult<()> {
    match wording {
        Some(w) if w.len() > ledger::MAX_WORDING => Err(AppError::field(
            "consent_wording",
            format!("at most {} bytes", ledger::MAX_WORDING),
        )
        .into()),
        _ => Ok(()),
    }
}

impl Contacts {
    pub fn new(db: DatabaseConnection, cipher: Arc<Cipher>) -> Self {
        Self { db, cipher }
    }

    #[tracing::instrument(skip_all, fields(organization_id = %actor.organization_id))]
    pub async fn create(&self, actor: &Actor, input: ContactInput) -> ServiceResult<ContactDto> {
        require(actor, Action::ContactsWrite)?;
        check_wording(&input.consent_wording)?;
        let region = store::region(&self.db, actor.organization_id).await?;
        let v = validate_input(&input, region)?;
        let id = Uuid::now_v7();
        let now = Utc::now();
        let (key, wrapped) = store::new_data_key(&self.cipher, id)?;
        let mut row = contact::ActiveModel {
            id: Set(id),
            organization_id: Set(actor.organization_id),
            email_ciphertext: Set(None),
            email_index: Set(None),
            phone_ciphertext: Set(None),
            phone_index: Set(None),
            first_name: Set(apply(None, &v.first_name)),
            last_name: Set(apply(None, &v.last_name)),
            locale: Set(apply(None, &v.locale)),
            time_zone: Set(apply(None, &v.time_zone)),
            attributes: Set(serde_json::to_string(&input.attributes.unwrap_or_default())
                .map_err(anyhow::Error::new)?),
            index_version: Set(store::INDEX_VERSION),
            data_key: Set(Some(wrapped)),
            created_at: Set(now),
            updated_at: Set(now),
        };
        self.seal_personal(&mut row, &key, actor.organization_id, id, &v)?;
        let txn = self.db.begin().await?;
        ensure_free(&txn, actor.organization_id, None, &row).await?;
        let saved = row.insert(&txn).await.map_err(unique_to_field)?;
        let consents = input
            .consents
            .iter()
            .map(|(ch, st)| ConsentChange::new(id, *ch, *st))
            .collect();
        let provenance = provenance(actor, input.lawful_basis, &input.consent_wording);
        ledger::set(
            &txn,
            actor.organization_id,
            consents,
            &Default::default(),
            &provenance,
            now,
        )
        .await?;
        let consents = store::consents_of(&txn, &[id]).await?;
        txn.commit().await?;
        tracing::info!(contact_id = %id, "contact created");
        // A new contact is in no list yet.
        store::to_dto(
            &self.cipher,
            saved,
            consents.get(&id).map_or(&[], Vec::as_slice),
            vec![],
        )
    }

    pub async fn get(&self, actor: &Actor, id: Uuid) -> ServiceResult<ContactDto> {
        require(actor, Action::ContactsRead)?;
        let c = find(&self.db, actor.organization_id, id).await?;
        let consents = store::consents_of(&self.db, &[id]).await?;
        let mut lists = store::lists_of(&self.db, actor.organization_id, &[id]).await?;
        store::to_dto(
            &self.cipher,
            c,
            consents.get(&id).map_or(&[], Vec::as_slice),
            lists.remove(&id).unwrap_or_default(),
        )
    }

    /// The contact's consent ledger, oldest first.
    pub async fn consent_history(
        &self,
        actor: &Actor,
        id: Uuid,
    ) -> ServiceResult<Vec<ConsentRecordDto>> {
        require(actor, Action::ContactsRead)?;
        find(&self.db, actor.organization_id, id).await?;
        history::of_contact(&self.db, &self.cipher, actor.organization_id, id).await
    }

    #[tracing::instrument(skip_all, fields(organization_id = %actor.organization_id, contact_id = %id))]
    pub async fn update(
        &self,
        actor: &Actor,
        id: Uuid,
        patch: ContactPatch,
    ) -> ServiceResult<ContactDto> {
        require(actor, Action::ContactsWrite)?;
        check_wording(&patch.consent_wording)?;
        let region = store::region(&self.db, actor.organization_id).await?;
        let v = validate_patch(&patch, region)?;
        let txn = self.db.begin().await?;
        let current = find(&txn, actor.organization_id, id).await?;
        let now = Utc::now();
        let mut attributes: Map<String, serde_json::Value> =
            serde_json::from_str(&current.attributes).map_err(anyhow::Error::new)?;
        if let Some(changes) = &patch.attributes {
            merge_attributes(&mut attributes, changes);
        }
        let clears = |c: &Option<Change<String>>, present: bool| match c {
            Some(Change::Clear) => false,
            Some(Change::Set(_)) => true,
            _ => present,
        };
        if !clears(&v.email, current.email_index.is_some())
            && !clears(&v.phone, current.phone_index.is_some())
        {
            return Err(
                AppError::field("email", "a contact keeps an email or a phone number").into(),
            );
        }
        let mut keyed = current.clone();
        let key = store::data_key_for_write(&self.cipher, &mut keyed)?;
        let mut row: contact::ActiveModel = current.clone().into();
        // Set even when unchanged: a row from before data keys has just been moved under one.
        row.data_key = Set(keyed.data_key);
        row.email_ciphertext = Set(keyed.email_ciphertext);
        row.phone_ciphertext = Set(keyed.phone_ciphertext);
        row.first_name = Set(apply(current.first_name.clone(), &v.first_name));
        row.last_name = Set(apply(current.last_name.clone(), &v.last_name));
        row.locale = Set(apply(current.locale.clone(), &v.locale));
        row.time_zone = Set(apply(current.time_zone.clone(), &v.time_zone));
        row.attributes = Set(serde_json::to_string(&attributes).map_err(anyhow::Error::new)?);
        row.updated_at = Set(now);
        self.seal_personal(&mut row, &key, actor.organization_id, id, &v)?;
        ensure_free(&txn, actor.organization_id, Some(id), &row).await?;
        let saved = row.update(&txn).await.map_err(unique_to_field)?;
        let existing = store::consents_of(&txn, &[id]).await?;
        let consents = patch
            .consents
            .iter()
            .map(|(ch, st)| ConsentChange::new(id, *ch, *st))
            .collect();
        let provenance = provenance(actor, patch.lawful_basis, &patch.consent_wording);
        ledger::set(
            &txn,
            actor.organization_id,
            consents,
            &existing,
            &provenance,
            now,
        )
        .await?;
        let consents = store::consents_of(&txn, &[id]).await?;
        let mut lists = store::lists_of(&txn, actor.organization_id, &[id]).await?;
        txn.commit().await?;
        tracing::info!("contact updated");
        store::to_dto(
            &self.cipher,
            saved,
            consents.get(&id).map_or(&[], Vec::as_slice),
            lists.remove(&id).unwrap_or_default(),
        )
    }

    /// Encrypts the email and phone being set, bound to this row; clears the cleared ones.
    fn seal_personal(
        &self,
        row: &mut contact::ActiveModel,
        key: &DataKey,
        organization_id: Uuid,
        id: Uuid,
        v: &Validated,
    ) -> ServiceResult<()> {
        let index = self.cipher.index_key(organization_id);
        match &v.email {
            Some(Change::Set(email)) => {
                let sealed = store::seal_email(key, &index, id, email)?;
                row.email_ciphertext = Set(Some(sealed.ciphertext));
                row.email_index = Set(Some(sealed.index));
            }
            Some(Change::Clear) => {
                row.email_ciphertext = Set(None);
                row.email_index = Set(None);
            }
            _ => {}
        }
        match &v.phone {
            Some(Change::Set(phone)) => {
                let sealed = store::seal_phone(key, &index, id, phone)?;
                row.phone_ciphertext = Set(Some(sealed.ciphertext));
                row.phone_index = Set(Some(sealed.index));
            }
            Some(Change::Clear) => {
                row.phone_ciphertext = Set(None);
                row.phone_index = Set(None);
            }
            _ => {}
        }
        Ok(())
    }
}

/// A contact of the organization; any other id is "not found".
pub(super) async fn find(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
    id: Uuid,
) -> ServiceResult<contact::Model> {
    contact::Entity::find_by_id(id)
        .filter(contact::Column::OrganizationId.eq(organization_id))
        .one(db)
        .await?
        .ok_or_else(|| not_found("contact"))
}

/// A clear 422 when the email or phone already belongs to another contact (the unique
/// index is the final word; this names the field).
async fn ensure_free(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
    this: Option<Uuid>,
    row: &contact::ActiveModel,
) -> ServiceResult<()> {
    let checks = [
        (
            "email",
            contact::Column::EmailIndex,
            row.email_index.clone().into_value(),
        ),
        (
            "phone",
            contact::Column::PhoneIndex,
            row.phone_index.clone().into_value(),
        ),
    ];
    for (field, column, value) in checks {
        let Some(value) = value.filter(|v| !matches!(v, sea_orm::Value::String(None))) else {
            continue;
        };
        let mut q = contact::Entity::find()
            .filter(contact::Column::OrganizationId.eq(organization_id))
            .filter(column.eq(value));
        if let Some(id) = this {
            q = q.filter(contact::Column::Id.ne(id));
        }
        if q.one(db).await?.is_some() {
            return Err(AppError::field(
                field,
                format!("another contact already has this {field}"),
            )
            .into());
        }
    }
    Ok(())
}

fn unique_to_field(e: sea_orm::DbErr) -> ServiceError {
    match duplicate_field(&e) {
        Some(field) => {
            AppError::field(field, format!("another contact already has this {field}")).into()
        }
        None => e.into(),
    }
}
