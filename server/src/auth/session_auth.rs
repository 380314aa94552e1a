//! What a signed-in session holds, and signing in and out.

use crate::error::ServiceResult;
use anyhow::Context;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;
use uuid::Uuid;

const KEY: &str = "auth";

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SessionAuth {
    pub user_id: Uuid,
    pub organization_id: Uuid,
    /// For the absolute timeout: a session ends this long after login, used or not.
    pub authenticated_at: DateTime<Utc>,
}

/// Signs `user_id` in, in a fresh session id (so an id planted before login is useless).
pub async fn sign_in(session: &Session, user_id: Uuid, organization_id: Uuid) -> ServiceResult<()> {
    session
        .cycle_id()
        .await
        .context("Failed to cycle the session id")?;
    let auth = SessionAuth {
        user_id,
        organization_id,
        authenticated_at: Utc::now(),
    };
    session
        .insert(KEY, auth)
        .await
        .context("Failed to write the session")?;
    Ok(())
}

pub async fn current(session: &Session) -> ServiceResult<Option<SessionAuth>> {
    Ok(session
        .get::<SessionAuth>(KEY)
        .await
        .context("Failed to read the session")?)
}

pub async fn set_organization(session: &Session, organization_id: Uuid) -> ServiceResult<()> {
    if let Some(mut auth) = current(session).await? {
        auth.organization_id = organization_id;
        session
            .insert(KEY, auth)
            .await
            .context("Failed to write the session")?;
    }
    Ok(())
}

/// Ends the session: the record is deleted, so the old cookie is worthless.
pub async fn sign_out(session: &Session) -> ServiceResult<()> {
    session
        .flush()
        .await
        .context("Failed to delete the session")?;
    Ok(())
}
