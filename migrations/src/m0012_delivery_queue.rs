//! The delivery queue's indexes, shaped for how workers read it. Before, claiming walked
//! `(status, next_attempt_at)` and then sorted every pending row by id (a fan-out gives
//! them all the same `next_attempt_at`): at 100,000 pending deliveries, one claim spent
//! 150 ms in a sort. Now:
//!
//! - workers claim per running campaign, in `(next_attempt_at, id)` order, from one index
//!   that gives that order after `(campaign_id, status)`: a claim reads only the rows it
//!   takes (and those other workers hold), a paused campaign's backlog costs the others
//!   nothing, and the plan does not depend on fresh statistics (right after a fan-out,
//!   PostgreSQL still believes the campaign has no deliveries). The same index serves
//!   the campaign page's lists and the cancel of what is pending;
//! - the simulator's reports read its sent rows from a partial index of those alone (its
//!   query states the predicate's literals: neither database matches a bound parameter
//!   to a partial index);
//! - provider message ids are indexed once set (a pending row has none);
//! - no index by contact: each sent message would keep it up, for the rare unsubscribe
//!   that looks for a contact's pending deliveries, which finds them campaign by
//!   campaign through the (campaign, contact, channel) key instead.
//!
//! On PostgreSQL the table keeps free room in each page (`fillfactor`), so that a claim,
//! which changes only unindexed columns, rewrites its row in place (a HOT update)
//! instead of adding an entry to every index.

use sea_orm_migration::{prelude::*, sea_orm::DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &[&str] = &[
    "DROP INDEX ix_deliveries_status_due",
    "DROP INDEX ix_deliveries_campaign_status",
    "CREATE INDEX ix_deliveries_queue ON deliveries (campaign_id, status, next_attempt_at, id)",
    "CREATE INDEX ix_deliveries_simulated ON deliveries (next_attempt_at, id) \
     WHERE status = 'sent' AND provider = 'simulator'",
    "DROP INDEX ix_deliveries_provider_message",
    "CREATE INDEX ix_deliveries_provider_message ON deliveries (provider_message_id) \
     WHERE provider_message_id IS NOT NULL",
    "DROP INDEX ix_deliveries_contact",
];

const DOWN: &[&str] = &[
    "CREATE INDEX ix_deliveries_contact ON deliveries (contact_id)",
    "DROP INDEX ix_deliveries_provider_message",
    "CREATE INDEX ix_deliveries_provider_message ON deliveries (provider_message_id)",
    "DROP INDEX ix_deliveries_simulated",
    "DROP INDEX ix_deliveries_queue",
    "CREATE INDEX ix_deliveries_campaign_status ON deliveries (campaign_id, status)",
    "CREATE INDEX ix_deliveries_status_due ON deliveries (status, next_attempt_at)",
];

/// How full PostgreSQL fills each page of `deliveries`, in percent: the rest is room
/// for the rows' next versions.
const FILLFACTOR: u8 = 85;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// One transaction on SQLite too: all or nothing, and every statement on the same
    /// connection (on a pooled one, an index just dropped could still be seen).
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        for sql in UP {
            db.execute_unprepared(sql).await?;
        }
        if m.get_database_backend() == DbBackend::Postgres {
            db.execute_unprepared(&format!(
                "ALTER TABLE deliveries SET (fillfactor = {FILLFACTOR})"
            ))
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        for sql in DOWN {
            db.execute_unprepared(sql).await?;
        }
        if m.get_database_backend() == DbBackend::Postgres {
            db.execute_unprepared("ALTER TABLE deliveries RESET (fillfactor)")
                .await?;
        }
        Ok(())
    }
}
