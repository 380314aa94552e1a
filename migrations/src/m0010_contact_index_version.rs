//! Blind indexes are now keyed per organization. Contacts indexed before carry
//! `index_version = 1` and are re-indexed at start-up (see the server's
//! `contacts::reindex`); rows written from now on get version 2 by default.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Contacts::Table)
                .add_column(integer(Contacts::IndexVersion).default(2))
                .to_owned(),
        )
        .await?;
        m.exec_stmt(
            Query::update()
                .table(Contacts::Table)
                .value(Contacts::IndexVersion, 1)
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
