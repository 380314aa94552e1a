//! Idempotency keys: the first response to a POST carrying `Idempotency-Key`, replayed
//! for retries of the same request.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(IdempotencyKeys::Table)
                .col(uuid(IdempotencyKeys::Id).primary_key())
                .col(uuid(IdempotencyKeys::OrganizationId))
                .col(uuid(IdempotencyKeys::UserId))
                .col(string_len(IdempotencyKeys::Key, 255))
                .col(string_len(IdempotencyKeys::RequestHash, 64))
                // Null while the first request is still being handled.
                .col(integer_null(IdempotencyKeys::Status))
                .col(string_len_null(IdempotencyKeys::ContentType, 255))
                .col(text_null(IdempotencyKeys::Body))
                .col(timestamp_with_time_zone(IdempotencyKeys::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_idempotency_keys_owner_key")
                .table(IdempotencyKeys::Table)
                .col(IdempotencyKeys::OrganizationId)
                .col(IdempotencyKeys::UserId)
                .col(IdempotencyKeys::Key)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_idempotency_keys_created")
                .table(IdempotencyKeys::Table)
                .col(IdempotencyKeys::CreatedAt)
                .to_owned(),
        )
        .await
    }
}

#[derive(DeriveIden)]
enum IdempotencyKeys {
    Table,
    Id,
    OrganizationId,
    UserId,
    Key,
    RequestHash,
    Status,
    ContentType,
    Body,
    CreatedAt,
}
