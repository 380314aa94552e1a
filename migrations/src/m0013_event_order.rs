//! Events read in commit order. An event's id is taken when it is written, not when its
//! transaction commits: on PostgreSQL two transactions can commit in the other order,
//! and a reader going by id alone could step over the slower one's events for good.
//! Each event now also keeps the id of the transaction that wrote it (`tx`); readers
//! go by `(tx, id)` and only as far as the oldest transaction still running (see
//! `events::Events::list`). SQLite writes one transaction at a time, so there `tx` is
//! always 0 and the order is the ids'.

use sea_orm_migration::{prelude::*, sea_orm::DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// One transaction on SQLite too: all or nothing, and every statement on the same
    /// connection (on a pooled one, an index just dropped could still be seen).
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let column = match m.get_database_backend() {
            DbBackend::Postgres => {
                "ALTER TABLE events ADD COLUMN tx bigint NOT NULL \
                 DEFAULT (pg_current_xact_id()::text::bigint)"
            }
            _ => "ALTER TABLE events ADD COLUMN tx bigint NOT NULL DEFAULT 0",
        };
        db.execute_unprepared(column).await?;
        db.execute_unprepared("DROP INDEX ix_events_organization_id")
            .await?;
        db.execute_unprepared(
            "CREATE INDEX ix_events_organization_order ON events (organization_id, tx, id)",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        db.execute_unprepared("DROP INDEX ix_events_organization_order")
            .await?;
        db.execute_unprepared(
            "CREATE INDEX ix_events_organization_id ON events (organization_id, id)",
        )
        .await?;
        db.execute_unprepared("ALTER TABLE events DROP COLUMN tx")
            .await?;
        Ok(())
    }
}
