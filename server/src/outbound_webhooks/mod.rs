//! Outbound webhooks: an organization registers endpoints and the event types each
//! wants; every such event (from the events table) becomes one message per endpoint,
//! POSTed as JSON signed per Standard Webhooks, retried with exponential back-off for
//! [`RETRY_FOR`], each attempt logged, replayable by hand. An endpoint that has failed
//! every attempt for `disable_after` is disabled, and the audit log says so.
//!
//! The endpoint's URL and secret are sealed under the master key. Every call goes
//! through [`Egress`]: an endpoint cannot reach the servers beside Carillon.

mod attempts;
mod endpoints;
mod fanout;
mod input;
mod post;
mod prune;
mod sender;
mod settle;
pub mod signature;

use crate::{
    crypto::{Cipher, Field},
    egress::Egress,
    jobs::Wake,
};
use anyhow::Context;
use sea_orm::DatabaseConnection;
use std::{sync::Arc, time::Duration};
use uuid::Uuid;

pub use prune::Prune;
pub use sender::Sender;

pub const URL: Field<'static> = Field {
    table: "webhook_endpoints",
    column: "url",
};
pub const SECRET: Field<'static> = Field {
    table: "webhook_endpoints",
    column: "secret",
};

/// Endpoints per organization.
pub const MAX_ENDPOINTS: u64 = 20;
pub const MAX_URL: usize = 2048;
pub const MAX_DESCRIPTION: usize = 500;
/// A message is retried until this long after it was queued (or replayed).
pub const RETRY_FOR: chrono::Duration = chrono::Duration::hours(24);
/// Messages an endpoint may have waiting; past it, new events wait in the events table
/// until the endpoint catches up.
pub const MAX_PENDING: u64 = 100_000;
/// Delivered and given-up messages, and their attempts, are kept this long.
pub const KEEP_FOR: chrono::Duration = chrono::Duration::days(30);

pub const PENDING: &str = "pending";
pub const DELIVERED: &str = "delivered";
pub const FAILED: &str = "failed";

#[derive(Clone, Debug)]
pub struct Settings {
    /// The first retry's wait; it doubles with each failure, up to an hour.
    pub retry_base: Duration,
    /// An endpoint failing every attempt for this long is disabled.
    pub disable_after: Duration,
    /// How long one POST may take, connection included.
    pub timeout: Duration,
}

pub struct OutboundWebhooks {
    db: DatabaseConnection,
    cipher: Arc<Cipher>,
    egress: Egress,
    client: reqwest::Client,
    settings: Settings,
    wake: Wake,
}

impl OutboundWebhooks {
    pub fn new(
        db: DatabaseConnection,
        cipher: Arc<Cipher>,
        egress: Egress,
        settings: Settings,
    ) -> anyhow::Result<Self> {
        let client = egress
            .http_client(settings.timeout)
            .context("building the outbound webhooks' HTTP client")?;
        Ok(OutboundWebhooks {
            db,
            cipher,
            egress,
            client,
            settings,
            wake: Wake::default(),
        })
    }

    /// The background job that deletes settled messages and old attempts.
    pub fn prune_job(&self) -> Prune {
        Prune {
            db: self.db.clone(),
        }
    }

    /// The background job that fans events out and sends them.
    pub fn job(self: &Arc<Self>) -> Sender {
        Sender {
            hooks: self.clone(),
        }
    }
}

/// The `webhook-id` of a message.
pub fn message_id(id: Uuid) -> String {
    format!("msg_{}", id.simple())
}
