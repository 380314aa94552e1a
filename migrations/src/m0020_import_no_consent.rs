//! An import counts, per channel, the rows that brought neither a consent nor a lawful
//! basis for it: they come in as "no consent" and the report says how many.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters a table one column at a time.
        for column in [Imports::NoConsentEmail, Imports::NoConsentSms] {
            m.alter_table(
                Table::alter()
                    .table(Imports::Table)
                    .add_column(big_integer(column).default(0))
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in [Imports::NoConsentEmail, Imports::NoConsentSms] {
            m.alter_table(
                Table::alter()
                    .table(Imports::Table)
                    .drop_column(column)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Imports {
    Table,
    NoConsentEmail,
    NoConsentSms,
}
