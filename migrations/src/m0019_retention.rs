//! Retention: an organization's policy (delete delivery details and tracking events
//! older than N months, contacts inactive for M months), applied once a day by the
//! `retention` job, each run recorded with what it deleted. A run is claimed under a
//! lease, so a process that dies mid-run leaves it to another, which resumes it.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(RetentionPolicies::Table)
                .col(uuid(RetentionPolicies::OrganizationId).primary_key())
                .col(integer_null(RetentionPolicies::DeliveryMonths))
                .col(integer_null(RetentionPolicies::ContactMonths))
                .col(timestamp_with_time_zone(RetentionPolicies::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(RetentionPolicies::Table, RetentionPolicies::OrganizationId)
                        .to(Organizations::Table, Organizations::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(RetentionRuns::Table)
                .col(uuid(RetentionRuns::Id).primary_key())
                .col(uuid(RetentionRuns::OrganizationId))
                // The UTC day it is the run of, `YYYY-MM-DD`: one run per day.
                .col(string_len(RetentionRuns::Day, 10))
                // `running` or `done`.
                .col(string_len(RetentionRuns::Status, 10))
                .col(integer_null(RetentionRuns::DeliveryMonths))
                .col(integer_null(RetentionRuns::ContactMonths))
                .col(big_integer(RetentionRuns::DeliveriesDeleted).default(0))
                .col(big_integer(RetentionRuns::EventsDeleted).default(0))
                .col(big_integer(RetentionRuns::ContactsDeleted).default(0))
                .col(text_null(RetentionRuns::Error))
                .col(timestamp_with_time_zone_null(RetentionRuns::LeaseUntil))
                .col(uuid_null(RetentionRuns::LeaseOwner))
                .col(timestamp_with_time_zone(RetentionRuns::StartedAt))
                .col(timestamp_with_time_zone_null(RetentionRuns::FinishedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(RetentionRuns::Table, RetentionRuns::OrganizationId)
                        .to(Organizations::Table, Organizations::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_retention_runs_organization_day")
                .table(RetentionRuns::Table)
                .col(RetentionRuns::OrganizationId)
                .col(RetentionRuns::Day)
                .unique()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(RetentionRuns::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(RetentionPolicies::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Organizations {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum RetentionPolicies {
    Table,
    OrganizationId,
    DeliveryMonths,
    ContactMonths,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum RetentionRuns {
    Table,
    Id,
    OrganizationId,
    Day,
    Status,
    DeliveryMonths,
    ContactMonths,
    DeliveriesDeleted,
    EventsDeleted,
    ContactsDeleted,
    Error,
    LeaseUntil,
    LeaseOwner,
    StartedAt,
    FinishedAt,
}
