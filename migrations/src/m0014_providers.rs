//! What the real providers need: tokens of signed webhooks already accepted (Mailgun
//! signs a timestamp and a one-time token: a captured request replayed within the
//! freshness window is refused; older rows are deleted by the cleanup job), and the
//! browsers' push subscriptions (endpoint and keys encrypted; a keyed hash of the
//! endpoint finds one again), several per contact.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(WebhookTokens::Table)
                .col(uuid(WebhookTokens::OrganizationId))
                .col(string_len(WebhookTokens::Provider, 32))
                .col(string_len(WebhookTokens::Token, 128))
                .col(timestamp_with_time_zone(WebhookTokens::SeenAt))
                .primary_key(
                    Index::create()
                        .col(WebhookTokens::OrganizationId)
                        .col(WebhookTokens::Provider)
                        .col(WebhookTokens::Token),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_webhook_tokens_seen")
                .table(WebhookTokens::Table)
                .col(WebhookTokens::SeenAt)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(PushSubscriptions::Table)
                .col(uuid(PushSubscriptions::Id).primary_key())
                .col(uuid(PushSubscriptions::OrganizationId))
                .col(uuid(PushSubscriptions::ContactId))
                .col(text(PushSubscriptions::EndpointCiphertext))
                .col(string_len(PushSubscriptions::EndpointIndex, 64))
                .col(text(PushSubscriptions::KeysCiphertext))
                .col(string_len(PushSubscriptions::Source, 64))
                .col(timestamp_with_time_zone(PushSubscriptions::CreatedAt))
                .col(timestamp_with_time_zone(PushSubscriptions::UpdatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_push_subscriptions_endpoint")
                .table(PushSubscriptions::Table)
                .col(PushSubscriptions::OrganizationId)
                .col(PushSubscriptions::EndpointIndex)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_push_subscriptions_contact")
                .table(PushSubscriptions::Table)
                .col(PushSubscriptions::ContactId)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(PushSubscriptions::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(WebhookTokens::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum WebhookTokens {
    Table,
    OrganizationId,
    Provider,
    Token,
    SeenAt,
}

#[derive(DeriveIden)]
enum PushSubscriptions {
    Table,
    Id,
    OrganizationId,
    ContactId,
    EndpointCiphertext,
    EndpointIndex,
    KeysCiphertext,
    Source,
    CreatedAt,
    UpdatedAt,
}
