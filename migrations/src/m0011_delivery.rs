//! The sending engine: one delivery per (campaign, contact, channel), counters kept with
//! the outcomes, the events table, channel settings per organization, and when a
//! campaign started and completed.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Campaigns::Table)
                .add_column(timestamp_with_time_zone_null(Campaigns::StartedAt))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Campaigns::Table)
                .add_column(timestamp_with_time_zone_null(Campaigns::CompletedAt))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Deliveries::Table)
                .col(uuid(Deliveries::Id).primary_key())
                .col(uuid(Deliveries::OrganizationId))
                .col(uuid(Deliveries::CampaignId))
                // No foreign key: a delivery outlives its contact (statistics stay).
                .col(uuid(Deliveries::ContactId))
                .col(string_len(Deliveries::Channel, 10))
                .col(string_len(Deliveries::Status, 10))
                .col(string_len_null(Deliveries::SkipReason, 20))
                .col(integer(Deliveries::Attempts).default(0))
                .col(timestamp_with_time_zone(Deliveries::NextAttemptAt))
                .col(timestamp_with_time_zone_null(Deliveries::ClaimedUntil))
                .col(uuid_null(Deliveries::LeaseOwner))
                .col(string_len_null(Deliveries::Provider, 32))
                .col(string_len_null(Deliveries::ProviderMessageId, 255))
                .col(text_null(Deliveries::Error))
                .col(timestamp_with_time_zone_null(Deliveries::SentAt))
                .col(timestamp_with_time_zone(Deliveries::CreatedAt))
                .col(timestamp_with_time_zone(Deliveries::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Deliveries::Table, Deliveries::CampaignId)
                        .to(Campaigns::Table, Campaigns::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        // Once per contact and channel: the fan-out may run again after a crash.
        index(
            m,
            "ux_deliveries_campaign_contact_channel",
            Deliveries::Table,
            &[
                Deliveries::CampaignId,
                Deliveries::ContactId,
                Deliveries::Channel,
            ],
            true,
        )
        .await?;
        // What workers claim: pending, due.
        index(
            m,
            "ix_deliveries_status_due",
            Deliveries::Table,
            &[Deliveries::Status, Deliveries::NextAttemptAt],
            false,
        )
        .await?;
        // The campaign page's list and the cancel of what is pending.
        index(
            m,
            "ix_deliveries_campaign_status",
            Deliveries::Table,
            &[Deliveries::CampaignId, Deliveries::Status],
            false,
        )
        .await?;
        index(
            m,
            "ix_deliveries_contact",
            Deliveries::Table,
            &[Deliveries::ContactId],
            false,
        )
        .await?;
        index(
            m,
            "ix_deliveries_provider_message",
            Deliveries::Table,
            &[Deliveries::ProviderMessageId],
            false,
        )
        .await?;

        m.create_table(
            Table::create()
                .table(DeliveryCounters::Table)
                .col(uuid(DeliveryCounters::CampaignId))
                .col(string_len(DeliveryCounters::Channel, 10))
                .col(uuid(DeliveryCounters::OrganizationId))
                .col(big_integer(DeliveryCounters::Total).default(0))
                .col(big_integer(DeliveryCounters::Pending).default(0))
                .col(big_integer(DeliveryCounters::Sent).default(0))
                .col(big_integer(DeliveryCounters::Delivered).default(0))
                .col(big_integer(DeliveryCounters::Failed).default(0))
                .col(big_integer(DeliveryCounters::Skipped).default(0))
                .col(big_integer(DeliveryCounters::Cancelled).default(0))
                .col(big_integer(DeliveryCounters::SkippedNoConsent).default(0))
                .col(big_integer(DeliveryCounters::SkippedNoAddress).default(0))
                .col(big_integer(DeliveryCounters::SkippedUnsubscribed).default(0))
                .primary_key(
                    Index::create()
                        .col(DeliveryCounters::CampaignId)
                        .col(DeliveryCounters::Channel),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(DeliveryCounters::Table, DeliveryCounters::CampaignId)
                        .to(Campaigns::Table, Campaigns::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Events::Table)
                .col(big_pk_auto(Events::Id))
                .col(uuid(Events::OrganizationId))
                .col(string_len(Events::Kind, 40))
                .col(timestamp_with_time_zone(Events::OccurredAt))
                .col(uuid_null(Events::CampaignId))
                .col(uuid_null(Events::ContactId))
                .col(uuid_null(Events::DeliveryId))
                .col(string_len_null(Events::Channel, 10))
                .col(text(Events::Data))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ix_events_organization_id",
            Events::Table,
            &[Events::OrganizationId, Events::Id],
            false,
        )
        .await?;

        m.create_table(
            Table::create()
                .table(ChannelSettings::Table)
                .col(uuid(ChannelSettings::OrganizationId))
                .col(string_len(ChannelSettings::Channel, 10))
                .col(string_len(ChannelSettings::Provider, 32))
                // JSON without the secrets.
                .col(text(ChannelSettings::Settings))
                // The secrets' JSON, encrypted with the master key (bound to the row).
                .col(text_null(ChannelSettings::Secrets))
                .col(timestamp_with_time_zone(ChannelSettings::UpdatedAt))
                .primary_key(
                    Index::create()
                        .col(ChannelSettings::OrganizationId)
                        .col(ChannelSettings::Channel),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(ChannelSettings::Table, ChannelSettings::OrganizationId)
                        .to(Organizations::Table, Organizations::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await
    }
}

async fn index<T: IntoIden + Copy + 'static>(
    m: &SchemaManager<'_>,
    name: &str,
    table: T,
    cols: &[T],
    unique: bool,
) -> Result<(), DbErr> {
    let mut index = Index::create();
    index.name(name).table(table);
    for col in cols {
        index.col(*col);
    }
    if unique {
        index.unique();
    }
    m.create_index(index.to_owned()).await
}

#[derive(DeriveIden, Clone, Copy)]
enum Campaigns {
    Table,
    Id,
    StartedAt,
    CompletedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Organizations {
    Table,
    Id,
}

#[derive(DeriveIden, Clone, Copy)]
enum Deliveries {
    Table,
    Id,
    OrganizationId,
    CampaignId,
    ContactId,
    Channel,
    Status,
    SkipReason,
    Attempts,
    NextAttemptAt,
    ClaimedUntil,
    LeaseOwner,
    Provider,
    ProviderMessageId,
    Error,
    SentAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum DeliveryCounters {
    Table,
    CampaignId,
    Channel,
    OrganizationId,
    Total,
    Pending,
    Sent,
    Delivered,
    Failed,
    Skipped,
    Cancelled,
    SkippedNoConsent,
    SkippedNoAddress,
    SkippedUnsubscribed,
}

#[derive(DeriveIden, Clone, Copy)]
enum Events {
    Table,
    Id,
    OrganizationId,
    Kind,
    OccurredAt,
    CampaignId,
    ContactId,
    DeliveryId,
    Channel,
    Data,
}

#[derive(DeriveIden, Clone, Copy)]
enum ChannelSettings {
    Table,
    OrganizationId,
    Channel,
    Provider,
    Settings,
    Secrets,
    UpdatedAt,
}
