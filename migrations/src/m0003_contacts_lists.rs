//! Contacts (personal data encrypted, found through blind indexes), their consent per
//! channel, static lists, and CSV imports with their per-row report.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Contacts::Table)
                .col(uuid(Contacts::Id).primary_key())
                .col(uuid(Contacts::OrganizationId))
                // `v1.<key id>.<base64>` ciphertexts; the HMAC indexes are hex SHA-256.
                .col(text_null(Contacts::EmailCiphertext))
                .col(string_len_null(Contacts::EmailIndex, 64))
                .col(text_null(Contacts::PhoneCiphertext))
                .col(string_len_null(Contacts::PhoneIndex, 64))
                .col(string_len_null(Contacts::FirstName, 100))
                .col(string_len_null(Contacts::LastName, 100))
                .col(string_len_null(Contacts::Locale, 35))
                .col(string_len_null(Contacts::TimeZone, 64))
                .col(text(Contacts::Attributes))
                .col(timestamp_with_time_zone(Contacts::CreatedAt))
                .col(timestamp_with_time_zone(Contacts::UpdatedAt))
                .foreign_key(&mut cascade(
                    Contacts::Table,
                    Contacts::OrganizationId,
                    Organizations::Table,
                    Organizations::Id,
                ))
                .to_owned(),
        )
        .await?;
        // NULLs are distinct on both backends, so contacts without an email (or phone) coexist.
        unique(
            m,
            "ux_contacts_org_email_index",
            Contacts::Table,
            [Contacts::OrganizationId, Contacts::EmailIndex],
        )
        .await?;
        unique(
            m,
            "ux_contacts_org_phone_index",
            Contacts::Table,
            [Contacts::OrganizationId, Contacts::PhoneIndex],
        )
        .await?;
        index(
            m,
            "ix_contacts_org_created",
            Contacts::Table,
            [Contacts::OrganizationId, Contacts::CreatedAt],
        )
        .await?;
        index(
            m,
            "ix_contacts_org_last_name",
            Contacts::Table,
            [Contacts::OrganizationId, Contacts::LastName],
        )
        .await?;

        m.create_table(
            Table::create()
                .table(ContactConsents::Table)
                .col(uuid(ContactConsents::ContactId))
                .col(string_len(ContactConsents::Channel, 10))
                .col(string_len(ContactConsents::State, 10))
                .col(string_len(ContactConsents::Source, 64))
                .col(timestamp_with_time_zone(ContactConsents::UpdatedAt))
                .primary_key(
                    Index::create()
                        .col(ContactConsents::ContactId)
                        .col(ContactConsents::Channel),
                )
                .foreign_key(&mut cascade(
                    ContactConsents::Table,
                    ContactConsents::ContactId,
                    Contacts::Table,
                    Contacts::Id,
                ))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Lists::Table)
                .col(uuid(Lists::Id).primary_key())
                .col(uuid(Lists::OrganizationId))
                .col(string_len(Lists::Name, 100))
                .col(text(Lists::Description))
                .col(timestamp_with_time_zone(Lists::CreatedAt))
                .col(timestamp_with_time_zone(Lists::UpdatedAt))
                .foreign_key(&mut cascade(
                    Lists::Table,
                    Lists::OrganizationId,
                    Organizations::Table,
                    Organizations::Id,
                ))
                .to_owned(),
        )
        .await?;
        unique(
            m,
            "ux_lists_org_name",
            Lists::Table,
            [Lists::OrganizationId, Lists::Name],
        )
        .await?;

        m.create_table(
            Table::create()
                .table(ListMembers::Table)
                .col(uuid(ListMembers::ListId))
                .col(uuid(ListMembers::ContactId))
                .col(timestamp_with_time_zone(ListMembers::CreatedAt))
                .primary_key(
                    Index::create()
                        .col(ListMembers::ListId)
                        .col(ListMembers::ContactId),
                )
                .foreign_key(&mut cascade(
                    ListMembers::Table,
                    ListMembers::ListId,
                    Lists::Table,
                    Lists::Id,
                ))
                .foreign_key(&mut cascade(
                    ListMembers::Table,
                    ListMembers::ContactId,
                    Contacts::Table,
                    Contacts::Id,
                ))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ix_list_members_contact",
            ListMembers::Table,
            [ListMembers::ContactId],
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Imports::Table)
                .col(uuid(Imports::Id).primary_key())
                .col(uuid(Imports::OrganizationId))
                .col(uuid_null(Imports::CreatedBy))
                .col(string_len(Imports::Status, 16))
                .col(string_len(Imports::FileName, 255))
                .col(string_len(Imports::Delimiter, 1))
                .col(text(Imports::Mapping))
                .col(big_integer(Imports::RowsTotal))
                .col(big_integer(Imports::RowsDone))
                // The last file line whose outcome is committed: where a resumed run starts.
                .col(big_integer(Imports::LastLine))
                .col(big_integer(Imports::Created))
                .col(big_integer(Imports::Updated))
                .col(big_integer(Imports::Unchanged))
                .col(big_integer(Imports::Skipped))
                .col(text_null(Imports::Error))
                // Whoever runs the import renews this; an expired lease means the runner died.
                .col(timestamp_with_time_zone_null(Imports::LeaseUntil))
                .col(timestamp_with_time_zone(Imports::CreatedAt))
                .col(timestamp_with_time_zone(Imports::UpdatedAt))
                .col(timestamp_with_time_zone_null(Imports::FinishedAt))
                .foreign_key(&mut cascade(
                    Imports::Table,
                    Imports::OrganizationId,
                    Organizations::Table,
                    Organizations::Id,
                ))
                .to_owned(),
        )
        .await?;
        index(m, "ix_imports_status", Imports::Table, [Imports::Status]).await?;

        m.create_table(
            Table::create()
                .table(ImportRows::Table)
                .col(uuid(ImportRows::ImportId))
                .col(big_integer(ImportRows::Line))
                .col(string_len(ImportRows::Outcome, 16))
                .col(text_null(ImportRows::Reason))
                .col(uuid_null(ImportRows::ContactId))
                .primary_key(
                    Index::create()
                        .col(ImportRows::ImportId)
                        .col(ImportRows::Line),
                )
                .foreign_key(&mut cascade(
                    ImportRows::Table,
                    ImportRows::ImportId,
                    Imports::Table,
                    Imports::Id,
                ))
                .to_owned(),
        )
        .await?;
        // "Duplicate in file" = the matched contact was already touched by this import.
        index(
            m,
            "ix_import_rows_import_contact",
            ImportRows::Table,
            [ImportRows::ImportId, ImportRows::ContactId],
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ImportRows::Table.into_iden(),
            Imports::Table.into_iden(),
            ListMembers::Table.into_iden(),
            Lists::Table.into_iden(),
            ContactConsents::Table.into_iden(),
            Contacts::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

async fn unique<const N: usize>(
    m: &SchemaManager<'_>,
    name: &str,
    table: impl IntoIden,
    cols: [impl IntoIden; N],
) -> Result<(), DbErr> {
    let mut stmt = Index::create().name(name).table(table).unique().to_owned();
    for c in cols {
        stmt.col(c);
    }
    m.create_index(stmt).await
}

async fn index<const N: usize>(
    m: &SchemaManager<'_>,
    name: &str,
    table: impl IntoIden,
    cols: [impl IntoIden; N],
) -> Result<(), DbErr> {
    let mut stmt = Index::create().name(name).table(table).to_owned();
    for c in cols {
        stmt.col(c);
    }
    m.create_index(stmt).await
}

fn cascade(
    from: impl IntoIden,
    from_col: impl IntoIden,
    to: impl IntoIden,
    to_col: impl IntoIden,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from, from_col)
        .to(to, to_col)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[derive(DeriveIden)]
enum Organizations {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Contacts {
    Table,
    Id,
    OrganizationId,
    EmailCiphertext,
    EmailIndex,
    PhoneCiphertext,
    PhoneIndex,
    FirstName,
    LastName,
    Locale,
    TimeZone,
    Attributes,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ContactConsents {
    Table,
    ContactId,
    Channel,
    State,
    Source,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Lists {
    Table,
    Id,
    OrganizationId,
    Name,
    Description,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ListMembers {
    Table,
    ListId,
    ContactId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Imports {
    Table,
    Id,
    OrganizationId,
    CreatedBy,
    Status,
    FileName,
    Delimiter,
    Mapping,
    RowsTotal,
    RowsDone,
    LastLine,
    Created,
    Updated,
    Unchanged,
    Skipped,
    Error,
    LeaseUntil,
    CreatedAt,
    UpdatedAt,
    FinishedAt,
}

#[derive(DeriveIden)]
enum ImportRows {
    Table,
    ImportId,
    Line,
    Outcome,
    Reason,
    ContactId,
}
