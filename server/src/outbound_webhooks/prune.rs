//! The `outbound_webhooks_prune` job: settled messages and every attempt are deleted
//! after [`KEEP_FOR`]. Any process may do it, so it claims nothing.

use super::{KEEP_FOR, PENDING};
use crate::{
    db::entities::{webhook_attempt, webhook_message},
    jobs::{Job, Round, Stop},
};
use async_trait::async_trait;
use chrono::Utc;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use std::time::Duration;

pub struct Prune {
    pub(super) db: DatabaseConnection,
}

#[async_trait]
impl Job for Prune {
    fn name(&self) -> &'static str {
        "outbound_webhooks_prune"
    }

    fn every(&self) -> Duration {
        Duration::from_secs(3600)
    }

    async fn round(&self, _stop: &Stop) -> anyhow::Result<Round> {
        let before = Utc::now() - KEEP_FOR;
        webhook_attempt::Entity::delete_many()
            .filter(webhook_attempt::Column::AttemptedAt.lt(before))
            .exec(&self.db)
            .await?;
        webhook_message::Entity::delete_many()
            .filter(webhook_message::Column::Status.ne(PENDING))
            .filter(webhook_message::Column::CreatedAt.lt(before))
            .exec(&self.db)
            .await?;
        Ok(Round::Idle)
    }
}
