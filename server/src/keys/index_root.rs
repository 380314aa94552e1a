//! The index root in the database (`crypto_keys`, row `index_root`), sealed under the
//! current master key. Stored once, on the first start that finds none, from the root
//! indexes have been keyed with so far.

use crate::{
    crypto::{Cipher, CryptoError},
    db::entities::crypto_key,
};
use anyhow::Context;
use chrono::Utc;
use sea_orm::{
    sea_query::{Expr, OnConflict},
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
};

const NAME: &str = "index_root";

/// `cipher` with the root the database keeps.
pub async fn attach(db: &impl ConnectionTrait, cipher: Cipher) -> anyhow::Result<Cipher> {
    let row = crypto_key::ActiveModel {
        name: Set(NAME.to_owned()),
        sealed: Set(cipher
            .sealed_index_root()
            .context("Failed to seal the index root")?),
        updated_at: Set(Utc::now()),
    };
    // Two processes starting together store the same root: the first one wins.
    crypto_key::Entity::insert(row)
        .on_conflict(
            OnConflict::column(crypto_key::Column::Name)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await
        .context("Failed to store the index root")?;
    let stored = crypto_key::Entity::find_by_id(NAME)
        .one(db)
        .await?
        .context("the index root is missing right after being stored")?;
    let ids = cipher.key_ids().join(", ");
    cipher
        .with_sealed_index_root(&stored.sealed)
        .map_err(|e| match e {
            CryptoError::UnknownKey(id) => anyhow::anyhow!(
                "this database's keys are sealed under master key {id}, which is neither \
                 CARILLON_MASTER_KEY nor one of CARILLON_PREVIOUS_MASTER_KEYS (key ids \
                 configured: {ids}): start with the key it was written with, listed in \
                 CARILLON_PREVIOUS_MASTER_KEYS after a rotation"
            ),
            other => anyhow::anyhow!("Failed to open the database's index root: {other}"),
        })
}

/// Seals the root under the current key, unless it already is; whether it was moved.
pub async fn rewrap(db: &impl ConnectionTrait, cipher: &Cipher) -> anyhow::Result<bool> {
    let Some(stored) = crypto_key::Entity::find_by_id(NAME).one(db).await? else {
        return Ok(false);
    };
    if Cipher::sealed_with(&stored.sealed) == Some(cipher.key_id()) {
        return Ok(false);
    }
    let moved = crypto_key::Entity::update_many()
        .col_expr(
            crypto_key::Column::Sealed,
            Expr::value(cipher.sealed_index_root()?),
        )
        .col_expr(crypto_key::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(crypto_key::Column::Name.eq(NAME))
        .filter(crypto_key::Column::Sealed.eq(stored.sealed))
        .exec(db)
        .await?;
    Ok(moved.rows_affected == 1)
}
