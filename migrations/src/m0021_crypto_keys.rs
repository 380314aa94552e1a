//! Keys that must outlive any master key, kept sealed under the current one. Today one:
//! the index root, which keys blind indexes and signed links; were it derived from the
//! master key, rotating that key would orphan every index and every link already sent.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(CryptoKeys::Table)
                .col(string_len(CryptoKeys::Name, 40).primary_key())
                // `v1.<master key id>.<sealed>`: which master key seals it shows in the value.
                .col(text(CryptoKeys::Sealed))
                .col(timestamp_with_time_zone(CryptoKeys::UpdatedAt))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(CryptoKeys::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum CryptoKeys {
    Table,
    Name,
    Sealed,
    UpdatedAt,
}
