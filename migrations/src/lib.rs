//! Schema migrations. Backend-neutral: every migration runs on SQLite and PostgreSQL.

pub use sea_orm_migration::prelude::*;

mod m0001_accounts;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![Box::new(m0001_accounts::Migration)]
    }
}
