//! Blind indexes used to be keyed per installation, so equal addresses in two
//! organizations had equal indexes and a database dump linked one person across them.
//! They are now keyed per organization (`Cipher::index_key`). Contacts indexed the old
//! way (`index_version` 1) are re-indexed at start-up, before the server answers: a
//! batch at a time, each in its own transaction, so a stop resumes where it was; several
//! instances starting together share the batches (`SKIP LOCKED` on PostgreSQL).

use super::{
    normalize::{EMAIL, PHONE},
    store::{email_index, phone_index, INDEX_VERSION},
};
use crate::{
    crypto::{Cipher, Field, IndexKey},
    db::entities::contact,
    error::ServiceResult,
};
use sea_orm::{
    sea_query::{Expr, LockBehavior, LockType},
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};
use std::collections::HashMap;
use uuid::Uuid;

const BATCH: u64 = 500;

/// Re-indexes every contact still on an older index version; returns how many.
#[tracing::instrument(skip_all)]
pub async fn run(db: &DatabaseConnection, cipher: &Cipher) -> ServiceResult<u64> {
    let older = || contact::Entity::find().filter(contact::Column::IndexVersion.lt(INDEX_VERSION));
    let left = older().count(db).await?;
    if left == 0 {
        return Ok(0);
    }
    tracing::info!(
        contacts = left,
        "re-indexing contacts with per-organization keys"
    );
    let mut keys: HashMap<Uuid, IndexKey> = HashMap::new();
    let mut done = 0;
    // Skip what another instance holds while there is other work; then wait for it, so
    // this instance never answers with rows left on the old key.
    let mut skip_locked = true;
    loop {
        let txn = db.begin().await?;
        let mut batch = older().order_by_asc(contact::Column::Id).limit(BATCH);
        if txn.get_database_backend() == DbBackend::Postgres {
            batch = if skip_locked {
                batch.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
            } else {
                batch.lock_exclusive()
            };
        }
        let rows = batch.all(&txn).await?;
        if rows.is_empty() {
            txn.commit().await?;
            if skip_locked && older().count(db).await? > 0 {
                skip_locked = false;
                continue;
            }
            break;
        }
        for row in &rows {
            let key = keys
                .entry(row.organization_id)
                .or_insert_with(|| cipher.index_key(row.organization_id));
            let data_key = super::store::data_key(cipher, row)?;
            let open = |field: Field<'_>, sealed: &Option<String>| {
                sealed
                    .as_deref()
                    .map(|s| super::store::open(cipher, data_key.as_ref(), field, row.id, s))
                    .transpose()
            };
            let email = open(EMAIL, &row.email_ciphertext)?.map(|e| email_index(key, &e));
            let phone = open(PHONE, &row.phone_ciphertext)?.map(|p| phone_index(key, &p));
            contact::Entity::update_many()
                .col_expr(contact::Column::EmailIndex, Expr::value(email))
                .col_expr(contact::Column::PhoneIndex, Expr::value(phone))
                .col_expr(contact::Column::IndexVersion, Expr::value(INDEX_VERSION))
                .filter(contact::Column::Id.eq(row.id))
                .exec(&txn)
                .await?;
        }
        txn.commit().await?;
        done += rows.len() as u64;
        tracing::info!(done, of = left, "contacts re-indexed");
    }
    tracing::info!(contacts = done, "re-index finished");
    Ok(done)
}
