//! GDPR, first part: the consent ledger and the suppression list.
//!
//! - `consent_records` is append-only: every change of a contact's consent, with its
//!   lawful basis, the wording shown (kept once in `consent_texts`, named by its hash),
//!   its source, and the IP and user agent where known (encrypted: they are personal
//!   data). `contact_consents` stays as the current state, derived from it, and gains
//!   the lawful basis. The existing current states are copied into the ledger once.
//! - `suppressions` holds blind indexes of addresses that must never be sent to again
//!   (unsubscribed, bounced, complained, erased, added by an admin), per organization and
//!   channel, so they survive the contact and block a re-import.
//! - `delivery_counters.skipped_suppressed` counts the deliveries the engine skipped for it.

use sea_orm_migration::{prelude::*, schema::*, sea_orm::DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(ConsentTexts::Table)
                .col(uuid(ConsentTexts::OrganizationId))
                .col(string_len(ConsentTexts::Hash, 64))
                .col(text(ConsentTexts::Body))
                .col(timestamp_with_time_zone(ConsentTexts::CreatedAt))
                .primary_key(
                    Index::create()
                        .col(ConsentTexts::OrganizationId)
                        .col(ConsentTexts::Hash),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(ConsentTexts::Table, ConsentTexts::OrganizationId)
                        .to(Organizations::Table, Organizations::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ConsentRecords::Table)
                .col(uuid(ConsentRecords::Id).primary_key())
                .col(uuid(ConsentRecords::OrganizationId))
                .col(uuid(ConsentRecords::ContactId))
                .col(string_len(ConsentRecords::Channel, 10))
                .col(string_len(ConsentRecords::Purpose, 64))
                .col(string_len(ConsentRecords::State, 10))
                .col(string_len(ConsentRecords::LawfulBasis, 24))
                .col(string_len_null(ConsentRecords::TextHash, 64))
                .col(string_len(ConsentRecords::Source, 32))
                .col(text_null(ConsentRecords::SourceRef))
                .col(big_integer_null(ConsentRecords::SourceLine))
                .col(uuid_null(ConsentRecords::ActorId))
                .col(text_null(ConsentRecords::IpCiphertext))
                .col(text_null(ConsentRecords::UserAgentCiphertext))
                .col(timestamp_with_time_zone_null(ConsentRecords::ConfirmedAt))
                .col(text_null(ConsentRecords::ConfirmedIpCiphertext))
                .col(timestamp_with_time_zone(ConsentRecords::RecordedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(ConsentRecords::Table, ConsentRecords::ContactId)
                        .to(Contacts::Table, Contacts::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_consent_records_contact")
                .table(ConsentRecords::Table)
                .col(ConsentRecords::ContactId)
                .col(ConsentRecords::RecordedAt)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(ContactConsents::Table)
                .add_column(string_len(ContactConsents::LawfulBasis, 24).default("consent"))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(DeliveryCounters::Table)
                .add_column(big_integer(DeliveryCounters::SkippedSuppressed).default(0))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Suppressions::Table)
                .col(uuid(Suppressions::Id).primary_key())
                .col(uuid(Suppressions::OrganizationId))
                .col(string_len(Suppressions::Channel, 10))
                .col(string_len(Suppressions::AddressIndex, 64))
                .col(string_len(Suppressions::Reason, 24))
                .col(uuid_null(Suppressions::ContactId))
                .col(timestamp_with_time_zone(Suppressions::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Suppressions::Table, Suppressions::OrganizationId)
                        .to(Organizations::Table, Organizations::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_suppressions_address")
                .table(Suppressions::Table)
                .col(Suppressions::OrganizationId)
                .col(Suppressions::Channel)
                .col(Suppressions::AddressIndex)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_suppressions_org_created")
                .table(Suppressions::Table)
                .col(Suppressions::OrganizationId)
                .col(Suppressions::CreatedAt)
                .to_owned(),
        )
        .await?;
        // The states recorded so far become the ledger's first entries; their wording
        // was not kept, so the basis is `consent` and the text unknown.
        let id = match m.get_database_backend() {
            DbBackend::Sqlite => "randomblob(16)",
            _ => "gen_random_uuid()",
        };
        m.get_connection()
            .execute_unprepared(&format!(
                "INSERT INTO consent_records (id, organization_id, contact_id, channel, purpose, \
                 state, lawful_basis, source, recorded_at) \
                 SELECT {id}, c.organization_id, cc.contact_id, cc.channel, 'marketing', cc.state, \
                 'consent', cc.source, cc.updated_at \
                 FROM contact_consents cc JOIN contacts c ON c.id = cc.contact_id"
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Suppressions::Table).to_owned())
            .await?;
        m.alter_table(
            Table::alter()
                .table(DeliveryCounters::Table)
                .drop_column(DeliveryCounters::SkippedSuppressed)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(ContactConsents::Table)
                .drop_column(ContactConsents::LawfulBasis)
                .to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table(ConsentRecords::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(ConsentTexts::Table).to_owned())
            .await
    }
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
}

#[derive(DeriveIden)]
enum ConsentTexts {
    Table,
    OrganizationId,
    Hash,
    Body,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ConsentRecords {
    Table,
    Id,
    OrganizationId,
    ContactId,
    Channel,
    Purpose,
    State,
    LawfulBasis,
    TextHash,
    Source,
    SourceRef,
    SourceLine,
    ActorId,
    IpCiphertext,
    UserAgentCiphertext,
    ConfirmedAt,
    ConfirmedIpCiphertext,
    RecordedAt,
}

#[derive(DeriveIden)]
enum ContactConsents {
    Table,
    LawfulBasis,
}

#[derive(DeriveIden)]
enum DeliveryCounters {
    Table,
    SkippedSuppressed,
}

#[derive(DeriveIden)]
enum Suppressions {
    Table,
    Id,
    OrganizationId,
    Channel,
    AddressIndex,
    Reason,
    ContactId,
    CreatedAt,
}
