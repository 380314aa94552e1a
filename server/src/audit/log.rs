//! Writing audit lines.

use super::context;
use crate::{db::entities::audit_entry, error::ServiceResult};
use app::model::{Actor, Via};
use chrono::Utc;
use sea_orm::{ConnectionTrait, EntityTrait, Set};
use serde_json::{json, Value};
use uuid::Uuid;

/// One audited action.
#[derive(Clone, Debug)]
pub struct Entry {
    pub organization_id: Uuid,
    pub actor_id: Option<Uuid>,
    pub token_id: Option<Uuid>,
    /// `<target kind>.<what happened>`: `member.role_changed`, `campaign.scheduled`, ...
    pub action: &'static str,
    pub target_kind: &'static str,
    pub target_id: Option<String>,
    /// What changed: names and non-personal values only.
    pub details: Value,
}

impl Entry {
    /// An action of a member (through a session or one of their tokens).
    pub fn by(
        actor: &Actor,
        action: &'static str,
        target_kind: &'static str,
        target_id: impl ToString,
    ) -> Self {
        Entry {
            organization_id: actor.organization_id,
            actor_id: Some(actor.user_id),
            token_id: match &actor.via {
                Via::Token { token_id, .. } => Some(*token_id),
                Via::Session => None,
            },
            action,
            target_kind,
            target_id: Some(target_id.to_string()),
            details: json!({}),
        }
    }

    /// An action of an account outside a signed-in request (a sign-in, an invitation
    /// accepted); `user_id` is none when no account is known.
    pub fn account(
        organization_id: Uuid,
        user_id: Option<Uuid>,
        action: &'static str,
        target_kind: &'static str,
    ) -> Self {
        Entry {
            organization_id,
            actor_id: user_id,
            token_id: None,
            action,
            target_kind,
            target_id: user_id.map(|u| u.to_string()),
            details: json!({}),
        }
    }

    pub fn with(mut self, details: Value) -> Self {
        self.details = details;
        self
    }
}

/// Appends `entry`, in the caller's transaction when it has one.
pub async fn record(db: &impl ConnectionTrait, entry: Entry) -> ServiceResult<()> {
    audit_entry::Entity::insert(audit_entry::ActiveModel {
        id: Set(Uuid::now_v7()),
        organization_id: Set(entry.organization_id),
        at: Set(Utc::now()),
        actor_id: Set(entry.actor_id),
        token_id: Set(entry.token_id),
        ip_ciphertext: Set(context::current_ip()),
        action: Set(entry.action.to_owned()),
        target_kind: Set(entry.target_kind.to_owned()),
        target_id: Set(entry.target_id),
        details: Set(entry.details.to_string()),
    })
    .exec_without_returning(db)
    .await?;
    tracing::info!(action = entry.action, "audited");
    Ok(())
}
