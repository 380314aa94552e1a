//! Invitations: an admin invites an address with a role; the holder of the link joins
//! (creating an account if the address has none). Links are single-use and expire;
//! only a hash of the secret in them is stored.

use super::service::Members;
use crate::{
    accounts::{insert_membership, parse_role},
    audit::{self, Entry},
    auth::{password, require, secret, session_auth},
    db::entities::{invitation, membership, organization, user},
    error::{not_found, ServiceResult},
};
use app::{
    error::AppError,
    model::{
        normalize_email, validate_password, AcceptInvitationInput, Action, Actor,
        InvitationCreated, InvitationDto, InvitationInput, InvitationPreview, Me, Role,
    },
    ports::RequestContext,
};
use chrono::Utc;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait,
};
use serde_json::json;
use tower_sessions::Session;
use uuid::Uuid;

const LINK_PREFIX: &str = "inv_";

impl Members {
    #[tracing::instrument(skip_all, fields(organization_id = %actor.organization_id))]
    pub async fn invite(
        &self,
        actor: &Actor,
        ctx: &RequestContext,
        input: InvitationInput,
    ) -> ServiceResult<InvitationCreated> {
        require(actor, Action::MembersManage)?;
        let email = normalize_email(&input.email).map_err(|e| AppError::field("email", e))?;
        // Under the organization's lock, like role changes: an admin demoted meanwhile
        // (whose pending invitations that change revoked) issues none after it.
        let txn = self.db.begin().await?;
        crate::accounts::lock_organization(&txn, actor.organization_id).await?;
        let still_admin = membership::Entity::find()
            .filter(membership::Column::OrganizationId.eq(actor.organization_id))
            .filter(membership::Column::UserId.eq(actor.user_id))
            .filter(membership::Column::Role.eq(app::model::Role::Admin.as_str()))
            .one(&txn)
            .await?
            .is_some();
        if !still_admin {
            return Err(crate::error::forbidden());
        }
        let already_member = membership::Entity::find()
            .filter(membership::Column::OrganizationId.eq(actor.organization_id))
            .inner_join(user::Entity)
            .filter(user::Column::Email.eq(&email))
            .one(&txn)
            .await?
            .is_some();
        if already_member {
            return Err(AppError::field("email", "this address is already a member").into());
        }
        let link_secret = secret::generate(LINK_PREFIX)?;
        let now = Utc::now();
        let row = invitation::ActiveModel {
            id: Set(Uuid::now_v7()),
            organization_id: Set(actor.organization_id),
            email: Set(email),
            role: Set(input.role.as_str().to_owned()),
            token_hash: Set(secret::sha256_hex(&link_secret)),
            invited_by: Set(Some(actor.user_id)),
            expires_at: Set(now + self.invitation_ttl),
            accepted_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        };
        let row = sea_orm::ActiveModelTrait::insert(row, &txn).await?;
        // The invitee's address is personal data: the line names the invitation.
        audit::record(
            &txn,
            Entry::by(actor, "invitation.created", "invitation", row.id)
                .with(json!({"role": row.role})),
        )
        .await?;
        txn.commit().await?;
        let accept_url = format!("{}/invite/{link_secret}", ctx.base_url);
        // Until the email channel exists, the log is how the link reaches the invitee.
        tracing::info!(invitation_id = %row.id, %accept_url, "invitation created");
        Ok(InvitationCreated {
            invitation: to_dto(row)?,
            accept_url,
        })
    }

    pub async fn pending_invitations(&self, actor: &Actor) -> ServiceResult<Vec<InvitationDto>> {
        require(actor, Action::MembersManage)?;
        invitation::Entity::find()
            .filter(invitation::Column::OrganizationId.eq(actor.organization_id))
            .filter(invitation::Column::AcceptedAt.is_null())
            .filter(invitation::Column::ExpiresAt.gt(Utc::now()))
            .order_by_desc(invitation::Column::CreatedAt)
            .all(&self.db)
            .await?
            .into_iter()
            .map(to_dto)
            .collect()
    }

    pub async fn revoke_invitation(&self, actor: &Actor, invitation_id: Uuid) -> ServiceResult<()> {
        require(actor, Action::MembersManage)?;
        let txn = self.db.begin().await?;
        let deleted = invitation::Entity::delete_many()
            .filter(invitation::Column::Id.eq(invitation_id))
            .filter(invitation::Column::OrganizationId.eq(actor.organization_id))
            .filter(invitation::Column::AcceptedAt.is_null())
            .exec(&txn)
            .await?;
        if deleted.rows_affected == 0 {
            return Err(not_found("invitation"));
        }
        audit::record(
            &txn,
            Entry::by(actor, "invitation.revoked", "invitation", invitation_id),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    pub async fn preview_invitation(&self, link_secret: &str) -> ServiceResult<InvitationPreview> {
        let invitation = find_open(&self.db, link_secret).await?;
        let organization = organization::Entity::find_by_id(invitation.organization_id)
            .one(&self.db)
            .await?
            .ok_or_else(|| not_found("organization"))?;
        let account_exists = user::Entity::find()
            .filter(user::Column::Email.eq(&invitation.email))
            .one(&self.db)
            .await?
            .is_some();
        Ok(InvitationPreview {
            organization_name: organization.name,
            email: invitation.email,
            role: parse_role(&invitation.role)?,
            account_exists,
        })
    }

    #[tracing::instrument(skip_all)]
    pub async fn accept_invitation(
        &self,
        session: &Session,
        ctx: &RequestContext,
        input: AcceptInvitationInput,
    ) -> ServiceResult<Me> {
        let invitation = find_open(&self.db, &input.token).await?;
        let existing = user::Entity::find()
            .filter(user::Column::Email.eq(&invitation.email))
            .one(&self.db)
            .await?;
        let new_user_hash = match &existing {
            Some(_) => {
                // An existing account proves itself with its password, under login throttling.
                let attempt = self
                    .throttle
                    .attempt(ctx.client_ip, &invitation.email)
                    .map_err(|retry_after_secs| AppError::TooManyRequests { retry_after_secs })?;
                let (_, ok) = self
                    .accounts
                    .verify_credentials(&invitation.email, input.password)
                    .await?;
                if !ok {
                    return Err(AppError::field(
                        "password",
                        "this is not the password of that account",
                    )
                    .into());
                }
                attempt.succeeded();
                None
            }
            None => {
                validate_password(&input.password).map_err(|e| AppError::field("password", e))?;
                Some(password::hash(input.password).await?)
            }
        };

        let txn = self.db.begin().await?;
        // Claiming the invitation first makes it single-use even under concurrent accepts.
        let claimed = invitation::Entity::update_many()
            .col_expr(
                invitation::Column::AcceptedAt,
                sea_orm::sea_query::Expr::value(Utc::now()),
            )
            .filter(invitation::Column::Id.eq(invitation.id))
            .filter(invitation::Column::AcceptedAt.is_null())
            .exec(&txn)
            .await?;
        if claimed.rows_affected != 1 {
            return Err(gone());
        }
        let user_id = match (&existing, new_user_hash) {
            (Some(u), _) => u.id,
            (None, Some(hash)) => create_user(&txn, &invitation.email, hash).await?,
            (None, None) => return Err(anyhow::anyhow!("no password hash for a new user").into()),
        };
        let is_member = membership::Entity::find()
            .filter(membership::Column::OrganizationId.eq(invitation.organization_id))
            .filter(membership::Column::UserId.eq(user_id))
            .one(&txn)
            .await?
            .is_some();
        if !is_member {
            let role: Role = parse_role(&invitation.role)?;
            insert_membership(&txn, invitation.organization_id, user_id, role).await?;
        }
        audit::record(
            &txn,
            Entry {
                target_id: Some(invitation.id.to_string()),
                ..Entry::account(
                    invitation.organization_id,
                    Some(user_id),
                    "invitation.accepted",
                    "invitation",
                )
            }
            .with(json!({"role": invitation.role, "new_account": existing.is_none()})),
        )
        .await?;
        txn.commit().await?;

        session_auth::sign_in(session, user_id, invitation.organization_id).await?;
        tracing::info!(invitation_id = %invitation.id, %user_id, "invitation accepted");
        let actor = Actor {
            user_id,
            organization_id: invitation.organization_id,
            role: Role::Reader,
            via: app::model::Via::Session,
        };
        self.accounts.me(&actor).await
    }
}

async fn find_open(
    db: &impl ConnectionTrait,
    link_secret: &str,
) -> ServiceResult<invitation::Model> {
    if !link_secret.starts_with(LINK_PREFIX) {
        return Err(gone());
    }
    invitation::Entity::find()
        .filter(invitation::Column::TokenHash.eq(secret::sha256_hex(link_secret)))
        .filter(invitation::Column::AcceptedAt.is_null())
        .filter(invitation::Column::ExpiresAt.gt(Utc::now()))
        .one(db)
        .await?
        .ok_or_else(gone)
}

fn gone() -> crate::error::ServiceError {
    AppError::NotFound("this invitation link is unknown, already used or expired".into()).into()
}

async fn create_user(
    db: &impl ConnectionTrait,
    email: &str,
    password_hash: String,
) -> ServiceResult<Uuid> {
    let now = Utc::now();
    let id = Uuid::now_v7();
    user::Entity::insert(user::ActiveModel {
        id: Set(id),
        email: Set(email.to_owned()),
        password_hash: Set(password_hash),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_without_returning(db)
    .await?;
    Ok(id)
}

fn to_dto(row: invitation::Model) -> ServiceResult<InvitationDto> {
    Ok(InvitationDto {
        id: row.id,
        email: row.email,
        role: parse_role(&row.role)?,
        expires_at: row.expires_at,
        created_at: row.created_at,
    })
}
