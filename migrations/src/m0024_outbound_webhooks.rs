//! Outbound webhooks: the endpoints an organization registers (URL and signing secret
//! sealed, the event types it wants, where it stands in the events table), one message
//! per endpoint and event (sent, retried, given up or replayed), and every attempt.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(WebhookEndpoints::Table)
                .col(uuid(WebhookEndpoints::Id).primary_key())
                .col(uuid(WebhookEndpoints::OrganizationId))
                .col(text(WebhookEndpoints::Url))
                .col(text_null(WebhookEndpoints::Description))
                // A JSON array of event type names.
                .col(text(WebhookEndpoints::Events))
                .col(text(WebhookEndpoints::Secret))
                .col(boolean(WebhookEndpoints::Enabled).default(true))
                .col(timestamp_with_time_zone_null(WebhookEndpoints::DisabledAt))
                .col(text_null(WebhookEndpoints::DisabledReason))
                .col(timestamp_with_time_zone_null(
                    WebhookEndpoints::FailingSince,
                ))
                // The last event fanned out to it: `(tx, id)`, the events' read order.
                .col(big_integer(WebhookEndpoints::CursorTx).default(0))
                .col(big_integer(WebhookEndpoints::CursorId).default(0))
                .col(timestamp_with_time_zone(WebhookEndpoints::CreatedAt))
                .col(timestamp_with_time_zone(WebhookEndpoints::UpdatedAt))
                .col(timestamp_with_time_zone_null(WebhookEndpoints::LeaseUntil))
                .col(uuid_null(WebhookEndpoints::LeaseOwner))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_webhook_endpoints_organization")
                .table(WebhookEndpoints::Table)
                .col(WebhookEndpoints::OrganizationId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(WebhookMessages::Table)
                .col(uuid(WebhookMessages::Id).primary_key())
                .col(uuid(WebhookMessages::OrganizationId))
                .col(uuid(WebhookMessages::EndpointId))
                .col(big_integer(WebhookMessages::EventId))
                .col(string_len(WebhookMessages::EventType, 64))
                .col(text(WebhookMessages::Payload))
                // `pending`, `delivered` or `failed` (given up).
                .col(string_len(WebhookMessages::Status, 16))
                .col(integer(WebhookMessages::Attempts).default(0))
                // What asked for the next attempt: `scheduled` or `replay` (by hand).
                .col(string_len(WebhookMessages::Trigger, 16).default("scheduled"))
                .col(timestamp_with_time_zone_null(
                    WebhookMessages::NextAttemptAt,
                ))
                .col(timestamp_with_time_zone(WebhookMessages::GiveUpAt))
                .col(timestamp_with_time_zone(WebhookMessages::CreatedAt))
                .col(timestamp_with_time_zone_null(WebhookMessages::DeliveredAt))
                .col(timestamp_with_time_zone_null(WebhookMessages::LeaseUntil))
                .col(uuid_null(WebhookMessages::LeaseOwner))
                .to_owned(),
        )
        .await?;
        // One message per endpoint and event, so a fan-out done twice sends nothing twice.
        m.create_index(
            Index::create()
                .name("ux_webhook_messages_endpoint_event")
                .table(WebhookMessages::Table)
                .col(WebhookMessages::EndpointId)
                .col(WebhookMessages::EventId)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_webhook_messages_due")
                .table(WebhookMessages::Table)
                .col(WebhookMessages::Status)
                .col(WebhookMessages::NextAttemptAt)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(WebhookAttempts::Table)
                .col(uuid(WebhookAttempts::Id).primary_key())
                .col(uuid(WebhookAttempts::OrganizationId))
                .col(uuid(WebhookAttempts::EndpointId))
                .col(uuid(WebhookAttempts::MessageId))
                .col(timestamp_with_time_zone(WebhookAttempts::AttemptedAt))
                // `scheduled` or `replay`.
                .col(string_len(WebhookAttempts::Trigger, 16))
                .col(boolean(WebhookAttempts::Succeeded))
                .col(integer_null(WebhookAttempts::ResponseCode))
                .col(integer(WebhookAttempts::LatencyMs))
                .col(text_null(WebhookAttempts::Error))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_webhook_attempts_endpoint")
                .table(WebhookAttempts::Table)
                .col(WebhookAttempts::EndpointId)
                .col(WebhookAttempts::AttemptedAt)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(WebhookAttempts::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(WebhookMessages::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(WebhookEndpoints::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum WebhookEndpoints {
    Table,
    Id,
    OrganizationId,
    Url,
    Description,
    Events,
    Secret,
    Enabled,
    DisabledAt,
    DisabledReason,
    FailingSince,
    CursorTx,
    CursorId,
    CreatedAt,
    UpdatedAt,
    LeaseUntil,
    LeaseOwner,
}

#[derive(DeriveIden)]
enum WebhookMessages {
    Table,
    Id,
    OrganizationId,
    EndpointId,
    EventId,
    EventType,
    Payload,
    Status,
    Attempts,
    Trigger,
    NextAttemptAt,
    GiveUpAt,
    CreatedAt,
    DeliveredAt,
    LeaseUntil,
    LeaseOwner,
}

#[derive(DeriveIden)]
enum WebhookAttempts {
    Table,
    Id,
    OrganizationId,
    EndpointId,
    MessageId,
    AttemptedAt,
    Trigger,
    Succeeded,
    ResponseCode,
    LatencyMs,
    Error,
}
