use crate::{
    accounts::{lock_organization, parse_role},
    audit::{self, Entry},
    auth::require,
    db::entities::{api_token, invitation, membership, user},
    error::{not_found, ServiceResult},
};
use app::{
    error::AppError,
    model::{Action, Actor, MemberDto, Role},
};
use chrono::Utc;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set, TransactionTrait,
};
use serde_json::json;
use std::{sync::Arc, time::Duration};
use uuid::Uuid;

pub struct Members {
    pub(super) db: DatabaseConnection,
    pub(super) accounts: Arc<crate::accounts::Accounts>,
    pub(super) throttle: Arc<crate::auth::throttle::LoginThrottle>,
    pub(super) invitation_ttl: Duration,
}

impl Members {
    pub fn new(
        db: DatabaseConnection,
        accounts: Arc<crate::accounts::Accounts>,
        throttle: Arc<crate::auth::throttle::LoginThrottle>,
        invitation_ttl: Duration,
    ) -> Self {
        Self {
            db,
            accounts,
            throttle,
            invitation_ttl,
        }
    }

    pub async fn list(&self, actor: &Actor) -> ServiceResult<Vec<MemberDto>> {
        require(actor, Action::MembersRead)?;
        let rows = membership::Entity::find()
            .filter(membership::Column::OrganizationId.eq(actor.organization_id))
            .find_also_related(user::Entity)
            .order_by_asc(membership::Column::CreatedAt)
            .all(&self.db)
            .await?;
        rows.into_iter().map(|(m, u)| to_member_dto(m, u)).collect()
    }

    #[tracing::instrument(skip(self, actor), fields(organization_id = %actor.organization_id))]
    pub async fn change_role(
        &self,
        actor: &Actor,
        member_id: Uuid,
        role: Role,
    ) -> ServiceResult<MemberDto> {
        require(actor, Action::MembersManage)?;
        let txn = self.db.begin().await?;
        lock_organization(&txn, actor.organization_id).await?;
        let member = find_member(&txn, actor.organization_id, member_id).await?;
        let from = member.role.clone();
        if parse_role(&member.role)? == Role::Admin && role != Role::Admin {
            ensure_another_admin(&txn, actor.organization_id).await?;
            // Only admins invite: what a former admin issued must not outlive the role.
            revoke_invitations_of(&txn, actor.organization_id, member.user_id).await?;
        }
        let mut active: membership::ActiveModel = member.into();
        active.role = Set(role.as_str().to_owned());
        active.updated_at = Set(Utc::now());
        let updated = sea_orm::ActiveModelTrait::update(active, &txn).await?;
        let owner = user::Entity::find_by_id(updated.user_id).one(&txn).await?;
        audit::record(
            &txn,
            Entry::by(actor, "member.role_changed", "member", member_id)
                .with(json!({"user_id": updated.user_id, "from": from, "to": role.as_str()})),
        )
        .await?;
        txn.commit().await?;
        tracing::info!(%member_id, %role, "member role changed");
        to_member_dto(updated, owner)
    }

    #[tracing::instrument(skip(self, actor), fields(organization_id = %actor.organization_id))]
    pub async fn remove(&self, actor: &Actor, member_id: Uuid) -> ServiceResult<()> {
        require(actor, Action::MembersManage)?;
        let txn = self.db.begin().await?;
        lock_organization(&txn, actor.organization_id).await?;
        let member = find_member(&txn, actor.organization_id, member_id).await?;
        if parse_role(&member.role)? == Role::Admin {
            ensure_another_admin(&txn, actor.organization_id).await?;
        }
        revoke_invitations_of(&txn, actor.organization_id, member.user_id).await?;
        // Their API tokens for this organization die with the membership.
        api_token::Entity::delete_many()
            .filter(api_token::Column::OrganizationId.eq(actor.organization_id))
            .filter(api_token::Column::UserId.eq(member.user_id))
            .exec(&txn)
            .await?;
        membership::Entity::delete_by_id(member.id)
            .exec(&txn)
            .await?;
        audit::record(
            &txn,
            Entry::by(actor, "member.removed", "member", member_id)
                .with(json!({"user_id": member.user_id, "role": member.role})),
        )
        .await?;
        txn.commit().await?;
        tracing::info!(%member_id, "member removed");
        Ok(())
    }
}

/// A membership of the actor's organization; any other id is "not found", whether or not
/// it exists elsewhere.
async fn find_member(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
    member_id: Uuid,
) -> ServiceResult<membership::Model> {
    membership::Entity::find_by_id(member_id)
        .filter(membership::Column::OrganizationId.eq(organization_id))
        .one(db)
        .await?
        .ok_or_else(|| not_found("member"))
}

/// Deletes the pending invitations `user_id` issued in the organization (they could
/// otherwise accept their own admin invitation after losing the role).
async fn revoke_invitations_of(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
    user_id: Uuid,
) -> ServiceResult<()> {
    let revoked = invitation::Entity::delete_many()
        .filter(invitation::Column::OrganizationId.eq(organization_id))
        .filter(invitation::Column::InvitedBy.eq(user_id))
        .filter(invitation::Column::AcceptedAt.is_null())
        .exec(db)
        .await?;
    if revoked.rows_affected > 0 {
        tracing::info!(%user_id, revoked = revoked.rows_affected, "pending invitations of a former admin revoked");
    }
    Ok(())
}

/// Refuses when the member about to lose admin rights is the last admin.
/// Called inside the transaction that makes the change.
async fn ensure_another_admin(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
) -> ServiceResult<()> {
    let admins = membership::Entity::find()
        .filter(membership::Column::OrganizationId.eq(organization_id))
        .filter(membership::Column::Role.eq(Role::Admin.as_str()))
        .count(db)
        .await?;
    if admins <= 1 {
        Err(AppError::Conflict(
            "an organization needs at least one admin: promote someone else first".into(),
        )
        .into())
    } else {
        Ok(())
    }
}

pub(super) fn to_member_dto(
    m: membership::Model,
    u: Option<user::Model>,
) -> ServiceResult<MemberDto> {
    let u = u.ok_or_else(|| anyhow::anyhow!("membership {} has no user", m.id))?;
    Ok(MemberDto {
        id: m.id,
        user_id: u.id,
        email: u.email,
        role: parse_role(&m.role)?,
        joined_at: m.created_at,
    })
}
