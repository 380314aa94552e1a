//! Double opt-in: a list may have a public sign-up form (`signup_enabled`, with the
//! consent wording it shows). Each sign-up waits in `list_signups` until the person
//! follows the link mailed to them: one row per list and contact, so a form posted twice
//! is one pending confirmation. The confirmation mail is background work (`lease_*`):
//! `mail_due` is set while a mail is owed, and cleared once it has left.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Lists::Table)
                .add_column(boolean(Lists::SignupEnabled).default(false))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Lists::Table)
                .add_column(text_null(Lists::SignupWording))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ListSignups::Table)
                .col(uuid(ListSignups::Id).primary_key())
                .col(uuid(ListSignups::OrganizationId))
                .col(uuid(ListSignups::ListId))
                .col(uuid(ListSignups::ContactId))
                // `pending` or `confirmed`.
                .col(string_len(ListSignups::Status, 10))
                .col(text(ListSignups::Wording))
                .col(text_null(ListSignups::IpCiphertext))
                .col(text_null(ListSignups::UserAgentCiphertext))
                .col(timestamp_with_time_zone(ListSignups::RequestedAt))
                .col(timestamp_with_time_zone(ListSignups::ExpiresAt))
                .col(timestamp_with_time_zone_null(ListSignups::MailDue))
                .col(timestamp_with_time_zone_null(ListSignups::MailedAt))
                .col(integer(ListSignups::MailAttempts).default(0))
                .col(text_null(ListSignups::MailError))
                .col(timestamp_with_time_zone_null(ListSignups::LeaseUntil))
                .col(uuid_null(ListSignups::LeaseOwner))
                .col(timestamp_with_time_zone_null(ListSignups::ConfirmedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(ListSignups::Table, ListSignups::ListId)
                        .to(Lists::Table, Lists::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_list_signups_list_contact")
                .table(ListSignups::Table)
                .col(ListSignups::ListId)
                .col(ListSignups::ContactId)
                .unique()
                .to_owned(),
        )
        .await?;
        // The mailer's queue, and the erasure's lookup.
        m.create_index(
            Index::create()
                .name("ix_list_signups_mail_due")
                .table(ListSignups::Table)
                .col(ListSignups::MailDue)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_list_signups_contact")
                .table(ListSignups::Table)
                .col(ListSignups::ContactId)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(ListSignups::Table).to_owned())
            .await?;
        for column in [Lists::SignupWording, Lists::SignupEnabled] {
            m.alter_table(
                Table::alter()
                    .table(Lists::Table)
                    .drop_column(column)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Lists {
    Table,
    Id,
    SignupEnabled,
    SignupWording,
}

#[derive(DeriveIden)]
enum ListSignups {
    Table,
    Id,
    OrganizationId,
    ListId,
    ContactId,
    Status,
    Wording,
    IpCiphertext,
    UserAgentCiphertext,
    RequestedAt,
    ExpiresAt,
    MailDue,
    MailedAt,
    MailAttempts,
    MailError,
    LeaseUntil,
    LeaseOwner,
    ConfirmedAt,
}
