//! The audit log: what members (and tokens) did in an organization, append-only. The
//! client's IP is encrypted (personal data); details never hold secrets or personal
//! data in clear.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(AuditLog::Table)
                .col(uuid(AuditLog::Id).primary_key())
                .col(uuid(AuditLog::OrganizationId))
                .col(timestamp_with_time_zone(AuditLog::At))
                .col(uuid_null(AuditLog::ActorId))
                .col(uuid_null(AuditLog::TokenId))
                .col(text_null(AuditLog::IpCiphertext))
                .col(string_len(AuditLog::Action, 64))
                .col(string_len(AuditLog::TargetKind, 32))
                .col(string_len_null(AuditLog::TargetId, 64))
                .col(text(AuditLog::Details))
                .foreign_key(
                    ForeignKey::create()
                        .from(AuditLog::Table, AuditLog::OrganizationId)
                        .to(Organizations::Table, Organizations::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_audit_log_org_at")
                .table(AuditLog::Table)
                .col(AuditLog::OrganizationId)
                .col(AuditLog::At)
                .col(AuditLog::Id)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(AuditLog::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Organizations {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    OrganizationId,
    At,
    ActorId,
    TokenId,
    IpCiphertext,
    Action,
    TargetKind,
    TargetId,
    Details,
}
