//! Campaigns and the lists they target (or exclude).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Campaigns::Table)
                .col(uuid(Campaigns::Id).primary_key())
                .col(uuid(Campaigns::OrganizationId))
                .col(string_len(Campaigns::Title, 200))
                .col(text(Campaigns::Description))
                .col(string_len(Campaigns::Channels, 64))
                .col(string_len(Campaigns::Status, 20))
                .col(timestamp_with_time_zone_null(Campaigns::ScheduledAt))
                .col(text(Campaigns::Content))
                .col(uuid_null(Campaigns::CreatedBy))
                .col(timestamp_with_time_zone(Campaigns::CreatedAt))
                .col(timestamp_with_time_zone(Campaigns::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Campaigns::Table, Campaigns::OrganizationId)
                        .to(Organizations::Table, Organizations::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        // Listing by organization, newest first, and the scheduler's "due" scan.
        m.create_index(
            Index::create()
                .name("ix_campaigns_org_created")
                .table(Campaigns::Table)
                .col(Campaigns::OrganizationId)
                .col(Campaigns::CreatedAt)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_campaigns_status_scheduled")
                .table(Campaigns::Table)
                .col(Campaigns::Status)
                .col(Campaigns::ScheduledAt)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(CampaignLists::Table)
                .col(uuid(CampaignLists::CampaignId))
                .col(uuid(CampaignLists::ListId))
                .col(boolean(CampaignLists::Excluded))
                .primary_key(
                    Index::create()
                        .col(CampaignLists::CampaignId)
                        .col(CampaignLists::ListId),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(CampaignLists::Table, CampaignLists::CampaignId)
                        .to(Campaigns::Table, Campaigns::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_campaign_lists_list")
                .table(CampaignLists::Table)
                .col(CampaignLists::ListId)
                .to_owned(),
        )
        .await
    }
}

#[derive(DeriveIden)]
enum Organizations {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Campaigns {
    Table,
    Id,
    OrganizationId,
    Title,
    Description,
    Channels,
    Status,
    ScheduledAt,
    Content,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CampaignLists {
    Table,
    CampaignId,
    ListId,
    Excluded,
}
