//! Per organization, channel and UTC hour: what the deliveries and the tracking did, kept
//! in the transactions that change them (as the campaign counters are), so the dashboard
//! reads a period without scanning deliveries.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create();
        table
            .table(ChannelHours::Table)
            .col(uuid(ChannelHours::OrganizationId))
            .col(string_len(ChannelHours::Channel, 10))
            // The hour's start, UTC.
            .col(timestamp_with_time_zone(ChannelHours::Hour));
        for column in COUNTS {
            table.col(big_integer(column).default(0));
        }
        m.create_table(
            table
                .primary_key(
                    Index::create()
                        .col(ChannelHours::OrganizationId)
                        .col(ChannelHours::Hour)
                        .col(ChannelHours::Channel),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(ChannelHours::Table).to_owned())
            .await
    }
}

const COUNTS: [ChannelHours; 11] = [
    ChannelHours::Sent,
    ChannelHours::Delivered,
    ChannelHours::Failed,
    ChannelHours::Skipped,
    ChannelHours::UniqueOpens,
    ChannelHours::UniqueClicks,
    ChannelHours::MachineOpens,
    ChannelHours::MachineClicks,
    ChannelHours::Bounced,
    ChannelHours::Complained,
    ChannelHours::Unsubscribed,
];

#[derive(DeriveIden, Clone, Copy)]
enum ChannelHours {
    Table,
    OrganizationId,
    Channel,
    Hour,
    Sent,
    Delivered,
    Failed,
    Skipped,
    UniqueOpens,
    UniqueClicks,
    MachineOpens,
    MachineClicks,
    Bounced,
    Complained,
    Unsubscribed,
}
