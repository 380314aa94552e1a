//! Contacts: their data key's wrapping is what the master key seals (the email and phone
//! are under the data key, which a rotation does not change). A contact from before
//! data keys, its fields still under the master key, gets a data key of its own here,
//! as any write to it would give it.

use super::{
    progress::Progress,
    sealed::{unknown_key, Resealable, Tally},
};
use crate::{
    contacts::store,
    crypto::{Cipher, CryptoError},
    db::entities::contact,
    error::ServiceError,
};
use async_trait::async_trait;
use sea_orm::{
    sea_query::Expr, ColumnTrait, Condition, DatabaseConnection, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};
use std::ops::ControlFlow;

pub struct Contacts;

/// `column` still holds `value` (which may be none).
fn holds(column: contact::Column, value: &Option<String>) -> Condition {
    match value {
        Some(v) => Condition::all().add(column.eq(v.as_str())),
        None => Condition::all().add(column.is_null()),
    }
}

#[async_trait]
impl Resealable for Contacts {
    fn name(&self) -> &'static str {
        "contacts"
    }

    async fn reseal(
        &self,
        db: &DatabaseConnection,
        cipher: &Cipher,
        batch: u64,
        progress: &mut (dyn Progress + Send),
    ) -> anyhow::Result<ControlFlow<Tally, Tally>> {
        let stale = || {
            Condition::any()
                .add(contact::Column::DataKey.is_null())
                .add(contact::Column::DataKey.not_like(format!("{}%", cipher.current_prefix())))
                .add(contact::Column::EmailCiphertext.like("v1.%"))
                .add(contact::Column::PhoneCiphertext.like("v1.%"))
        };
        progress.start(
            self.name(),
            contact::Entity::find().filter(stale()).count(db).await?,
        );
        let mut tally = Tally::default();
        loop {
            let rows = contact::Entity::find()
                .filter(stale())
                .order_by_asc(contact::Column::Id)
                .offset(tally.unreadable)
                .limit(batch)
                .all(db)
                .await?;
            if rows.is_empty() {
                break;
            }
            let txn = db.begin().await?;
            for row in rows {
                let mut moved = row.clone();
                if let Err(error) = store::data_key_for_write(cipher, &mut moved) {
                    if let ServiceError::Internal(cause) = &error {
                        if let Some(CryptoError::UnknownKey(id)) = cause.downcast_ref() {
                            return Err(unknown_key(id, cipher));
                        }
                    }
                    tracing::warn!(contact_id = %row.id, ?error, "a contact cannot be re-encrypted");
                    tally.unreadable += 1;
                    continue;
                }
                tally.resealed += contact::Entity::update_many()
                    .col_expr(contact::Column::DataKey, Expr::value(moved.data_key))
                    .col_expr(
                        contact::Column::EmailCiphertext,
                        Expr::value(moved.email_ciphertext),
                    )
                    .col_expr(
                        contact::Column::PhoneCiphertext,
                        Expr::value(moved.phone_ciphertext),
                    )
                    .filter(contact::Column::Id.eq(row.id))
                    .filter(holds(contact::Column::DataKey, &row.data_key))
                    .filter(holds(
                        contact::Column::EmailCiphertext,
                        &row.email_ciphertext,
                    ))
                    .filter(holds(
                        contact::Column::PhoneCiphertext,
                        &row.phone_ciphertext,
                    ))
                    .exec(&txn)
                    .await?
                    .rows_affected;
            }
            txn.commit().await?;
            if progress
                .advance(tally.resealed + tally.unreadable)
                .is_break()
            {
                return Ok(ControlFlow::Break(tally));
            }
        }
        progress.finish(self.name(), tally.resealed, tally.unreadable);
        Ok(ControlFlow::Continue(tally))
    }
}
