//! Deleting expired sessions, idempotency keys and webhook tokens. They are never used once expired;
//! this only keeps the tables small. Any process may do it, so it claims nothing.

use super::{Job, Round, Stop};
use crate::{
    auth::session_store::DbSessionStore,
    db::entities::{idempotency_key, webhook_token},
};
use async_trait::async_trait;
use sea_orm::DatabaseConnection;
use std::time::Duration;
use tower_sessions::session_store::ExpiredDeletion;

pub struct Cleanup {
    pub sessions: DbSessionStore,
    pub db: DatabaseConnection,
}

#[async_trait]
impl Job for Cleanup {
    fn name(&self) -> &'static str {
        "cleanup"
    }

    fn every(&self) -> Duration {
        Duration::from_secs(3600)
    }

    async fn round(&self, _stop: &Stop) -> anyhow::Result<Round> {
        self.sessions.delete_expired().await?;
        idempotency_key::delete_expired(&self.db).await?;
        webhook_token::delete_expired(&self.db).await?;
        Ok(Round::Idle)
    }
}
