//! Settings → Webhooks: outbound webhook endpoints and their attempts (admins). Each
//! function also serves the page's plain forms, so it works without JavaScript.

use crate::{
    error::AppError,
    model::{CreatedWebhook, Page, WebhookAttemptDto, WebhookDto},
};
use leptos::prelude::*;
use uuid::Uuid;

#[server(prefix = "/api/fn", endpoint = "list_webhooks")]
pub async fn list_webhooks() -> Result<Vec<WebhookDto>, AppError> {
    let ports = crate::ports::ports()?;
    let actor = crate::ports::actor()?;
    ports.webhooks.list(&actor).await
}

/// `events` come from checkboxes (absent when none is ticked).
#[server(prefix = "/api/fn", endpoint = "create_webhook")]
pub async fn create_webhook(
    url: String,
    #[server(default)] events: Vec<String>,
    #[server(default)] description: String,
) -> Result<CreatedWebhook, AppError> {
    let ports = crate::ports::ports()?;
    let actor = crate::ports::actor()?;
    let created = ports
        .webhooks
        .create(
            &actor,
            crate::model::WebhookInput {
                url,
                events,
                description: Some(description),
            },
        )
        .await?;
    super::support::flash_if_plain_form(super::FlashKind::WebhookSecret, &created.secret).await?;
    Ok(created)
}

/// Turns an endpoint off, or back on (its waiting messages then go out).
#[server(prefix = "/api/fn", endpoint = "set_webhook_enabled")]
pub async fn set_webhook_enabled(id: Uuid, enabled: bool) -> Result<WebhookDto, AppError> {
    let ports = crate::ports::ports()?;
    let actor = crate::ports::actor()?;
    let patch = crate::model::WebhookPatch {
        enabled: Some(enabled),
        ..Default::default()
    };
    ports.webhooks.update(&actor, id, patch).await
}

#[server(prefix = "/api/fn", endpoint = "delete_webhook")]
pub async fn delete_webhook(id: Uuid) -> Result<(), AppError> {
    let ports = crate::ports::ports()?;
    let actor = crate::ports::actor()?;
    ports.webhooks.delete(&actor, id).await
}

/// The endpoint (for its heading) and a page of its attempts.
#[server(prefix = "/api/fn", endpoint = "webhook_attempts")]
pub async fn webhook_attempts(
    id: Uuid,
    page: Option<u64>,
) -> Result<(WebhookDto, Page<WebhookAttemptDto>), AppError> {
    let ports = crate::ports::ports()?;
    let actor = crate::ports::actor()?;
    let endpoint = ports.webhooks.show(&actor, id).await?;
    let query = crate::model::AttemptsQuery {
        page,
        per_page: Some(50),
    };
    let attempts = ports.webhooks.attempts(&actor, id, query).await?;
    Ok((endpoint, attempts))
}

#[server(prefix = "/api/fn", endpoint = "replay_webhook")]
pub async fn replay_webhook(id: Uuid, attempt_id: Uuid) -> Result<(), AppError> {
    let ports = crate::ports::ports()?;
    let actor = crate::ports::actor()?;
    ports.webhooks.replay(&actor, id, attempt_id).await
}
