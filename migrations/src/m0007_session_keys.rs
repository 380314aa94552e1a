//! Sessions are now stored under a hash of their id, with encrypted data. Rows written
//! before can no longer be found, and their data (one-time flashes) is plaintext: they go.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.exec_stmt(Query::delete().from_table(Sessions::Table).to_owned())
            .await
    }

    async fn down(&self, _: &SchemaManager) -> Result<(), DbErr> {
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
}
