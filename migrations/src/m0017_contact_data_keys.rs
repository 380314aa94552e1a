//! Each contact's personal fields are sealed under a data key of its own, kept here
//! wrapped by the master key; erasing the contact destroys it (crypto-shredding). Rows
//! written before have none: their fields stay under the master key until the contact is
//! next written or `carillon rekey` moves them.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Contacts::Table)
                .add_column(text_null(Contacts::DataKey))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Contacts::Table)
                .drop_column(Contacts::DataKey)
                .to_owned(),
        )
        .await
    }
}

#[derive(DeriveIden)]
enum Contacts {
    Table,
    DataKey,
}
