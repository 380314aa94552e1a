//! Room for background work: who moved a campaign from one state to another (a user,
//! or the system: the scheduler, a worker, a webhook), and an owner token on the
//! imports' lease so a runner whose lease was taken over finds out.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(CampaignStatusChanges::Table)
                .col(uuid(CampaignStatusChanges::Id).primary_key())
                .col(uuid(CampaignStatusChanges::CampaignId))
                .col(uuid(CampaignStatusChanges::OrganizationId))
                .col(string_len(CampaignStatusChanges::FromStatus, 20))
                .col(string_len(CampaignStatusChanges::ToStatus, 20))
                .col(uuid_null(CampaignStatusChanges::ByUserId))
                .col(string_len_null(CampaignStatusChanges::BySystem, 32))
                .col(timestamp_with_time_zone(CampaignStatusChanges::At))
                .foreign_key(
                    ForeignKey::create()
                        .from(
                            CampaignStatusChanges::Table,
                            CampaignStatusChanges::CampaignId,
                        )
                        .to(Campaigns::Table, Campaigns::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_campaign_status_changes_campaign")
                .table(CampaignStatusChanges::Table)
                .col(CampaignStatusChanges::CampaignId)
                .col(CampaignStatusChanges::At)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Imports::Table)
                .add_column(uuid_null(Imports::LeaseOwner))
                .to_owned(),
        )
        .await
    }
}

#[derive(DeriveIden)]
enum CampaignStatusChanges {
    Table,
    Id,
    CampaignId,
    OrganizationId,
    FromStatus,
    ToStatus,
    ByUserId,
    BySystem,
    At,
}

#[derive(DeriveIden)]
enum Campaigns {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Imports {
    Table,
    LeaseOwner,
}
