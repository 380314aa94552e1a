//! Per-organization settings that campaigns and contacts need: the time zone in which
//! times without an offset are read and shown, and the region for national phone numbers.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite's ALTER TABLE adds one at a time.
        m.alter_table(
            Table::alter()
                .table(Organizations::Table)
                .add_column(string_len(Organizations::TimeZone, 64).default("UTC"))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Organizations::Table)
                .add_column(string_len(Organizations::DefaultRegion, 2).default("FR"))
                .to_owned(),
        )
        .await
    }
}

#[derive(DeriveIden)]
enum Organizations {
    Table,
    TimeZone,
    DefaultRegion,
}
