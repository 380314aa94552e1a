//! Idempotency records are now replayed only to the credential that made the first call,
//! and their stored responses are encrypted. Rows written before hold plaintext
//! responses (new tokens' secrets, invitation links, addresses): they go.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.exec_stmt(
            Query::delete()
                .from_table(IdempotencyKeys::Table)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(IdempotencyKeys::Table)
                .add_column(string_len(IdempotencyKeys::Principal, 64).default(""))
                .to_owned(),
        )
        .await
    }
}

#[derive(DeriveIden)]
enum IdempotencyKeys {
    Table,
    Principal,
}
