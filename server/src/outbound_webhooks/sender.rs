//! The `outbound_webhooks` job: each round fans new events out, then POSTs the messages
//! that are due, each under a lease, a few at a time (`post`), and records each attempt
//! (`settle`).

use super::{post::Outcome, OutboundWebhooks, PENDING, SECRET, URL};
use crate::{
    db::entities::{webhook_endpoint, webhook_message},
    jobs::{self, Job, Round, Stop, Wake},
};
use async_trait::async_trait;
use base64::{engine::general_purpose::STANDARD, Engine};
use chrono::Utc;
use futures_util::{stream, StreamExt};
use sea_orm::{sea_query::Query, ColumnTrait, Condition, EntityTrait, QueryFilter};
use std::{sync::Arc, time::Duration};
use uuid::Uuid;

/// Messages claimed per round, and POSTed at once.
const BATCH: u64 = 32;
const CONCURRENCY: usize = 8;
const LEASE: chrono::Duration = chrono::Duration::seconds(120);

impl jobs::Leased for webhook_message::Entity {
    const ID: webhook_message::Column = webhook_message::Column::Id;
    const LEASE_UNTIL: webhook_message::Column = webhook_message::Column::LeaseUntil;
    const LEASE_OWNER: webhook_message::Column = webhook_message::Column::LeaseOwner;
}

pub struct Sender {
    pub(super) hooks: Arc<OutboundWebhooks>,
}

#[async_trait]
impl Job for Sender {
    fn name(&self) -> &'static str {
        "outbound_webhooks"
    }

    fn every(&self) -> Duration {
        Duration::from_secs(2)
    }

    fn wake(&self) -> Option<Wake> {
        Some(self.hooks.wake.clone())
    }

    async fn round(&self, stop: &Stop) -> anyhow::Result<Round> {
        let read = self.hooks.fan_out().await?;
        let sent = self.hooks.send_due(stop).await?;
        Ok(if read + sent > 0 {
            Round::Worked
        } else {
            Round::Idle
        })
    }
}

/// An endpoint's address (checked against the private-network guard) and key, opened
/// once per round.
pub(super) struct Target {
    pub url: url::Url,
    pub secret: Vec<u8>,
}

impl OutboundWebhooks {
    /// POSTs the due messages of enabled endpoints; returns how many were tried.
    async fn send_due(&self, stop: &Stop) -> anyhow::Result<usize> {
        let now = Utc::now();
        let enabled = Query::select()
            .column(webhook_endpoint::Column::Id)
            .from(webhook_endpoint::Entity)
            .and_where(webhook_endpoint::Column::Enabled.eq(true))
            .to_owned();
        let claimed = jobs::claim::<webhook_message::Entity>(
            &self.db,
            Condition::all()
                .add(webhook_message::Column::Status.eq(PENDING))
                .add(webhook_message::Column::NextAttemptAt.lte(now))
                .add(webhook_message::Column::EndpointId.in_subquery(enabled)),
            webhook_message::Column::NextAttemptAt,
            BATCH,
            LEASE,
            |u| u,
        )
        .await?;
        let tried = claimed.len();
        if tried == 0 {
            return Ok(0);
        }
        let mut ids: Vec<Uuid> = claimed.iter().map(|(m, _)| m.endpoint_id).collect();
        ids.sort();
        ids.dedup();
        let targets: Vec<(webhook_endpoint::Model, Result<Target, String>)> =
            webhook_endpoint::Entity::find()
                .filter(webhook_endpoint::Column::Id.is_in(ids))
                .all(&self.db)
                .await?
                .into_iter()
                .map(|e| {
                    let target = self.target(&e);
                    (e, target)
                })
                .collect();
        let results: Vec<anyhow::Result<()>> = stream::iter(claimed)
            .map(|(message, lease)| {
                let found = targets.iter().find(|(e, _)| e.id == message.endpoint_id);
                async move {
                    let Some((endpoint, target)) = found else {
                        // Deleted meanwhile: its messages went with it.
                        return Ok(());
                    };
                    if stop.requested() {
                        lease.release(&self.db, Condition::all(), |u| u).await?;
                        return Ok(());
                    }
                    let outcome = match target {
                        Ok(target) => self.post(target, &message).await,
                        Err(why) => Outcome::failed(why.clone()),
                    };
                    self.settle(endpoint, &message, lease, outcome).await
                }
            })
            .buffer_unordered(CONCURRENCY)
            .collect()
            .await;
        for r in results {
            r?;
        }
        Ok(tried)
    }

    /// The endpoint's URL and key; why it cannot be called, if it cannot.
    fn target(&self, e: &webhook_endpoint::Model) -> Result<Target, String> {
        let row = e.id.to_string();
        let unreadable = |what: &str| format!("the endpoint's {what} cannot be read");
        let url = self
            .cipher
            .decrypt(URL, &row, &e.url)
            .map_err(|_| unreadable("URL"))?;
        let url = url::Url::parse(&url).map_err(|e| format!("not a URL: {e}"))?;
        // The resolver checks names; an address in the URL is checked here.
        self.egress.check_url(&url).map_err(|why| why.to_string())?;
        let secret = self
            .cipher
            .decrypt(SECRET, &row, &e.secret)
            .ok()
            .and_then(|s| STANDARD.decode(s).ok())
            .ok_or_else(|| unreadable("secret"))?;
        Ok(Target { url, secret })
    }
}
