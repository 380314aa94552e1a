//! Claiming work rows under a lease. A claim marks rows with a deadline and a fresh
//! owner token in one statement: on PostgreSQL the rows are picked with
//! `FOR UPDATE SKIP LOCKED`, so concurrent claimers take different rows without
//! waiting; on SQLite the single writer makes the `UPDATE … WHERE id IN (SELECT …)`
//! atomic. A holder renews its lease while it works; every renewal and the release
//! match the owner token, so a holder whose lease expired and was claimed again
//! finds out instead of overwriting the new holder's work.

use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::{Expr, LockBehavior, LockType, Query},
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, ModelTrait, Order, QueryFilter,
    UpdateMany,
};
use std::marker::PhantomData;
use uuid::Uuid;

/// A table whose rows are claimed as work: a UUID key and two lease columns
/// (`lease_until` timestamp, `lease_owner` UUID, both nullable).
pub trait Leased: EntityTrait {
    const ID: Self::Column;
    const LEASE_UNTIL: Self::Column;
    const LEASE_OWNER: Self::Column;
}

/// One claimed row, held until `until` unless renewed.
#[derive(Debug)]
pub struct Lease<E> {
    pub id: Uuid,
    pub owner: Uuid,
    pub until: DateTime<Utc>,
    ttl: chrono::Duration,
    entity: PhantomData<fn() -> E>,
}

/// Claims up to `limit` rows matching `ready` whose lease is free (never taken, released,
/// or expired), oldest `order_by` first, for `ttl`. `update` may set more columns in
/// the same statement (a status, say). Returns the rows as updated, with their leases.
pub async fn claim<E: Leased>(
    db: &impl ConnectionTrait,
    ready: Condition,
    order_by: E::Column,
    limit: u64,
    ttl: chrono::Duration,
    update: impl FnOnce(UpdateMany<E>) -> UpdateMany<E>,
) -> Result<Vec<(E::Model, Lease<E>)>, DbErr> {
    let now = Utc::now();
    let until = now + ttl;
    let owner = Uuid::now_v7();
    let pick = Query::select()
        .column(E::ID)
        .from(E::default())
        .cond_where(Condition::all().add(ready).add(free(now, E::LEASE_UNTIL)))
        .order_by(order_by, Order::Asc)
        .order_by(E::ID, Order::Asc)
        .limit(limit)
        .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
        .to_owned();
    let rows = update(E::update_many())
        .col_expr(E::LEASE_UNTIL, Expr::value(until))
        .col_expr(E::LEASE_OWNER, Expr::value(owner))
        .filter(E::ID.in_subquery(pick))
        .exec_with_returning(db)
        .await?;
    rows.into_iter()
        .map(|row| {
            let id = <Uuid as sea_orm::sea_query::ValueType>::try_from(row.get(E::ID))
                .map_err(|_| DbErr::Custom("a leased table's id is not a UUID".into()))?;
            let lease = Lease {
                id,
                owner,
                until,
                ttl,
                entity: PhantomData,
            };
            Ok((row, lease))
        })
        .collect()
}

/// Not held: never claimed, released, or expired.
fn free<C: ColumnTrait>(now: DateTime<Utc>, lease_until: C) -> Condition {
    Condition::any()
        .add(lease_until.is_null())
        .add(lease_until.lt(now))
}

impl<E: Leased> Lease<E> {
    /// Extends the lease by its length, while this holder still holds it and the row
    /// also matches `also`. `false`: the row is no longer this holder's to work on.
    pub async fn renew(
        &mut self,
        db: &impl ConnectionTrait,
        also: Condition,
    ) -> Result<bool, DbErr> {
        self.renew_with(db, also, |update| update).await
    }

    /// [`Lease::renew`], with `update` applied in the same statement.
    pub async fn renew_with(
        &mut self,
        db: &impl ConnectionTrait,
        also: Condition,
        update: impl FnOnce(UpdateMany<E>) -> UpdateMany<E>,
    ) -> Result<bool, DbErr> {
        let until = Utc::now() + self.ttl;
        let held = update(E::update_many())
            .col_expr(E::LEASE_UNTIL, Expr::value(until))
            .filter(self.mine())
            .filter(also)
            .exec(db)
            .await?
            .rows_affected
            == 1;
        if held {
            self.until = until;
        }
        Ok(held)
    }

    /// Gives the row up, with `update` applied in the same statement, while this holder
    /// still holds it and the row matches `also`. A released row can be claimed again at
    /// once (when it still matches the claimer's `ready`). `false`: it was no longer held.
    pub async fn release(
        self,
        db: &impl ConnectionTrait,
        also: Condition,
        update: impl FnOnce(UpdateMany<E>) -> UpdateMany<E>,
    ) -> Result<bool, DbErr> {
        Ok(update(E::update_many())
            .col_expr(E::LEASE_UNTIL, Expr::value(Option::<DateTime<Utc>>::None))
            .col_expr(E::LEASE_OWNER, Expr::value(Option::<Uuid>::None))
            .filter(self.mine())
            .filter(also)
            .exec(db)
            .await?
            .rows_affected
            == 1)
    }

    fn mine(&self) -> Condition {
        Condition::all()
            .add(E::ID.eq(self.id))
            .add(E::LEASE_OWNER.eq(self.owner))
    }
}
