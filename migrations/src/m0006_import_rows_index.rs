//! Imports find duplicates in a file in memory now; the index that answered "which
//! contacts has this import touched" for every batch only slowed the report's writes.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEX: &str = "ix_import_rows_import_contact";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name(INDEX)
                .table(ImportRows::Table)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(
            Index::create()
                .name(INDEX)
                .table(ImportRows::Table)
                .col(ImportRows::ImportId)
                .col(ImportRows::ContactId)
                .to_owned(),
        )
        .await
    }
}

#[derive(DeriveIden)]
enum ImportRows {
    Table,
    ImportId,
    ContactId,
}
