//! Connecting to the database (embedded SQLite or PostgreSQL) and migrating it.

pub mod entities;
pub mod shape;

use anyhow::Context;
use migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, Database, DatabaseConnection};
use std::time::Duration;

#[tracing::instrument(skip_all, fields(backend = backend_name(url)))]
pub async fn connect(url: &str) -> anyhow::Result<DatabaseConnection> {
    if let Some(path) = sqlite_path(url) {
        if let Some(dir) = std::path::Path::new(path)
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
        {
            std::fs::create_dir_all(dir).with_context(|| {
                format!("Failed to create the database directory {}", dir.display())
            })?;
        }
    }
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(if sqlite_path(url).is_some() { 4 } else { 10 })
        .acquire_timeout(Duration::from_secs(10))
        // No ping before each use on PostgreSQL: it doubled the round trips of every
        // short query. A connection that broke while idle (the server restarted) fails
        // its next query instead, and is closed; jobs and the tracking writer try again.
        // SQLite is in-process: its ping costs nothing, so it keeps it.
        .test_before_acquire(backend_name(url) == "sqlite")
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|o| {
            // WAL lets readers run beside the one writer; the busy timeout makes writers
            // queue instead of failing with "database is locked". A 16 MiB page cache
            // per connection (SQLite's default is 2 MiB) keeps the blind-index B-trees
            // of a large contact base in memory while an import inserts at random
            // places in them. `synchronous` stays FULL: a power loss must not undo a
            // committed password change or token revocation.
            o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .pragma("cache_size", "-16384")
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
        });
    Database::connect(options)
        .await
        .context("Failed to connect to the database")
}

#[tracing::instrument(skip_all)]
pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<()> {
    Migrator::up(db, None)
        .await
        .context("Failed to run the database migrations")
}

pub fn sqlite_path(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && path != ":memory:").then_some(path)
}

fn backend_name(url: &str) -> &'static str {
    if url.starts_with("sqlite:") {
        "sqlite"
    } else {
        "postgres"
    }
}
