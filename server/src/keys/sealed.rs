//! Re-encrypting one column sealed under the master key, in batches: each batch one
//! transaction, each row updated only if it still holds what was read (a write since
//! then has sealed it under the current key already). Rows already under the current
//! key are not selected, so a run that is interrupted resumes where it stopped.

use super::progress::Progress;
use crate::crypto::{Cipher, CryptoError, Field};
use async_trait::async_trait;
use sea_orm::{
    sea_query::Expr, ColumnTrait, Condition, DatabaseConnection, EntityTrait, Iterable, ModelTrait,
    PaginatorTrait, PrimaryKeyToColumn, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};
use std::ops::ControlFlow;

/// What a pass over one kind of value did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub resealed: u64,
    /// Values no configured key opens as they are (tampered with, or malformed): left
    /// alone and counted, never a reason to stop the others.
    pub unreadable: u64,
}

/// Something `carillon rekey` moves under the current master key.
#[async_trait]
pub trait Resealable: Send + Sync {
    fn name(&self) -> &'static str;

    /// Re-encrypts what is not yet under the current key; `Break` when `progress`
    /// stopped it (what was done so far is committed).
    async fn reseal(
        &self,
        db: &DatabaseConnection,
        cipher: &Cipher,
        batch: u64,
        progress: &mut (dyn Progress + Send),
    ) -> anyhow::Result<ControlFlow<Tally, Tally>>;
}

/// One column of entity `E` holding values sealed under the master key.
pub struct Column<E: EntityTrait> {
    pub name: &'static str,
    pub column: E::Column,
    /// The field the values are bound to (as the module that writes them seals them).
    pub field: Field<'static>,
    /// The row id the values are bound to.
    pub row: fn(&E::Model) -> String,
    pub value: fn(&E::Model) -> Option<&str>,
    /// The most rows read at once, whatever the run's batch: bounds the memory a batch
    /// of large values takes.
    pub max_batch: u64,
}

/// The refusal for a value under a key we do not have: stopping is the only safe thing,
/// since nothing can be re-encrypted without that key.
pub fn unknown_key(id: &str, cipher: &Cipher) -> anyhow::Error {
    anyhow::anyhow!(
        "a value is sealed under master key {id}, which is not configured (key ids \
         configured: {}): add that key to CARILLON_PREVIOUS_MASTER_KEYS and run again",
        cipher.key_ids().join(", ")
    )
}

#[async_trait]
impl<E> Resealable for Column<E>
where
    E: EntityTrait + Sync,
    E::Model: Sync + Send,
    E::Column: Send + Sync,
{
    fn name(&self) -> &'static str {
        self.name
    }

    async fn reseal(
        &self,
        db: &DatabaseConnection,
        cipher: &Cipher,
        batch: u64,
        progress: &mut (dyn Progress + Send),
    ) -> anyhow::Result<ControlFlow<Tally, Tally>> {
        let stale = || {
            Condition::all().add(self.column.is_not_null()).add(
                self.column
                    .not_like(format!("{}%", cipher.current_prefix())),
            )
        };
        progress.start(self.name, E::find().filter(stale()).count(db).await?);
        let batch = batch.min(self.max_batch);
        let mut tally = Tally::default();
        loop {
            let mut page = E::find().filter(stale());
            for key in E::PrimaryKey::iter() {
                page = page.order_by_asc(key.into_column());
            }
            // What could not be read stays stale, and ahead of the rest: skip past it.
            let rows = page.offset(tally.unreadable).limit(batch).all(db).await?;
            if rows.is_empty() {
                break;
            }
            let txn = db.begin().await?;
            for row in &rows {
                let Some(stored) = (self.value)(row) else {
                    continue;
                };
                let resealed = match cipher.reseal(self.field, &(self.row)(row), stored) {
                    Ok(Some(resealed)) => resealed,
                    Ok(None) => continue,
                    Err(CryptoError::UnknownKey(id)) => return Err(unknown_key(&id, cipher)),
                    Err(error) => {
                        tracing::warn!(column = self.name, %error, "a value cannot be re-encrypted");
                        tally.unreadable += 1;
                        continue;
                    }
                };
                let mut update = E::update_many()
                    .col_expr(self.column, Expr::value(resealed))
                    .filter(self.column.eq(stored));
                for key in E::PrimaryKey::iter() {
                    let column = key.into_column();
                    update = update.filter(column.eq(row.get(column)));
                }
                tally.resealed += update.exec(&txn).await?.rows_affected;
            }
            txn.commit().await?;
            if progress
                .advance(tally.resealed + tally.unreadable)
                .is_break()
            {
                return Ok(ControlFlow::Break(tally));
            }
        }
        progress.finish(self.name, tally.resealed, tally.unreadable);
        Ok(ControlFlow::Continue(tally))
    }
}
