//! Open and click tracking: the links of each campaign (a click's target comes from
//! here, never from the request), the first click of each delivery on each link, a
//! delivery's first human open and click, the engagement counters beside the delivery
//! counters (and the contacts each campaign lost to a bounce, a complaint or its
//! unsubscribe link), and the organization's switch.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(TrackedLinks::Table)
                .col(uuid(TrackedLinks::Id).primary_key())
                .col(uuid(TrackedLinks::OrganizationId))
                .col(uuid(TrackedLinks::CampaignId))
                // The URL's blind index: the unique key (a URL may be long, and may hold
                // personal data, which is why the URL itself is sealed).
                .col(string_len(TrackedLinks::UrlHash, 64))
                .col(text(TrackedLinks::Url))
                .col(big_integer(TrackedLinks::Clicks).default(0))
                .col(big_integer(TrackedLinks::UniqueClicks).default(0))
                .col(timestamp_with_time_zone(TrackedLinks::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_tracked_links_campaign_url")
                .table(TrackedLinks::Table)
                .col(TrackedLinks::CampaignId)
                .col(TrackedLinks::UrlHash)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(LinkClicks::Table)
                .col(uuid(LinkClicks::DeliveryId))
                .col(uuid(LinkClicks::LinkId))
                .col(timestamp_with_time_zone(LinkClicks::FirstAt))
                .primary_key(
                    Index::create()
                        .col(LinkClicks::DeliveryId)
                        .col(LinkClicks::LinkId),
                )
                .to_owned(),
        )
        .await?;
        // One column per statement: SQLite alters a table one column at a time.
        for column in [Deliveries::OpenedAt, Deliveries::ClickedAt] {
            m.alter_table(
                Table::alter()
                    .table(Deliveries::Table)
                    .add_column(timestamp_with_time_zone_null(column))
                    .to_owned(),
            )
            .await?;
        }
        for column in COUNTERS {
            m.alter_table(
                Table::alter()
                    .table(DeliveryCounters::Table)
                    .add_column(big_integer(column).default(0))
                    .to_owned(),
            )
            .await?;
        }
        m.alter_table(
            Table::alter()
                .table(Organizations::Table)
                .add_column(boolean(Organizations::Tracking).default(true))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Organizations::Table)
                .drop_column(Organizations::Tracking)
                .to_owned(),
        )
        .await?;
        for column in COUNTERS {
            m.alter_table(
                Table::alter()
                    .table(DeliveryCounters::Table)
                    .drop_column(column)
                    .to_owned(),
            )
            .await?;
        }
        for column in [Deliveries::OpenedAt, Deliveries::ClickedAt] {
            m.alter_table(
                Table::alter()
                    .table(Deliveries::Table)
                    .drop_column(column)
                    .to_owned(),
            )
            .await?;
        }
        m.drop_table(Table::drop().table(LinkClicks::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(TrackedLinks::Table).to_owned())
            .await
    }
}

const COUNTERS: [DeliveryCounters; 9] = [
    DeliveryCounters::Opens,
    DeliveryCounters::UniqueOpens,
    DeliveryCounters::MachineOpens,
    DeliveryCounters::Clicks,
    DeliveryCounters::UniqueClicks,
    DeliveryCounters::MachineClicks,
    DeliveryCounters::Bounced,
    DeliveryCounters::Complained,
    DeliveryCounters::Unsubscribed,
];

#[derive(DeriveIden, Clone, Copy)]
enum TrackedLinks {
    Table,
    Id,
    OrganizationId,
    CampaignId,
    UrlHash,
    Url,
    Clicks,
    UniqueClicks,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum LinkClicks {
    Table,
    DeliveryId,
    LinkId,
    FirstAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Deliveries {
    Table,
    OpenedAt,
    ClickedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum DeliveryCounters {
    Table,
    Opens,
    UniqueOpens,
    MachineOpens,
    Clicks,
    UniqueClicks,
    MachineClicks,
    Bounced,
    Complained,
    Unsubscribed,
}

#[derive(DeriveIden, Clone, Copy)]
enum Organizations {
    Table,
    Tracking,
}
