//! Blind indexes are now keyed per organization. Contacts indexed before get
//! `index_version = 1` (the default, also for rows an older instance writes during a
//! rolling upgrade) and are re-indexed at start-up (see the server's
//! `contacts::reindex`); this version writes 2.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Contacts::Table)
                .add_column(integer(Contacts::IndexVersion).default(1))
                .to_owned(),
        )
        .await?;
        // The re-index finds what is left to do without scanning the table.
        m.create_index(
            Index::create()
                .name("ix_contacts_index_version")
                .table(Contacts::Table)
                .col(Contacts::IndexVersion)
                .to_owned(),
        )
        .await
    }
}

#[derive(DeriveIden)]
enum Contacts {
    Table,
    IndexVersion,
}
