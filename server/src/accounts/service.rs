use crate::{
    audit::{self, Entry},
    auth::{password, session_auth, session_auth::SessionAuth, throttle::LoginThrottle},
    db::entities::{membership, organization, user},
    error::{not_found, ServiceResult},
};
use app::{
    error::AppError,
    model::{
        normalize_email, validate_name, validate_password, Actor, FieldErrors, LoginInput, Me,
        MembershipDto, Role, SignupInput, UserDto, Via,
    },
    ports::RequestContext,
};
use chrono::Utc;
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    TransactionTrait,
};
use std::sync::Arc;
use tower_sessions::Session;
use uuid::Uuid;

pub struct Accounts {
    pub(super) db: DatabaseConnection,
    throttle: Arc<LoginThrottle>,
}

impl Accounts {
    pub fn new(db: DatabaseConnection, throttle: Arc<LoginThrottle>) -> Self {
        Self { db, throttle }
    }

    #[tracing::instrument(skip_all)]
    pub async fn signup(
        &self,
        session: &Session,
        ctx: &RequestContext,
        input: SignupInput,
    ) -> ServiceResult<Me> {
        self.throttle
            .signup(ctx.client_ip)
            .map_err(|retry_after_secs| AppError::TooManyRequests { retry_after_secs })?;
        let (user_id, org_id) = self.register(input).await?;
        session_auth::sign_in(session, user_id, org_id).await?;
        self.me_for(user_id, org_id, Via::Session).await
    }

    /// Creates a user and an organization with that user as its admin (sign-up and the
    /// `create-admin` command). Returns (user id, organization id).
    #[tracing::instrument(skip_all)]
    pub async fn register(&self, input: SignupInput) -> ServiceResult<(Uuid, Uuid)> {
        let mut errors = FieldErrors::new();
        let email = normalize_email(&input.email)
            .map_err(|e| errors.insert("email".into(), e))
            .ok();
        let org_name = validate_name(&input.organization, "organization name")
            .map_err(|e| errors.insert("organization".into(), e))
            .ok();
        if let Err(e) = validate_password(&input.password) {
            errors.insert("password".into(), e);
        }
        let (Some(email), Some(org_name), true) = (email, org_name, errors.is_empty()) else {
            return Err(AppError::fields(errors).into());
        };
        let hash = password::hash(input.password).await?;
        let now = Utc::now();
        let (user_id, org_id) = (Uuid::now_v7(), Uuid::now_v7());
        let email_taken =
            || AppError::field("email", "an account with this address already exists");

        let txn = self.db.begin().await?;
        if user::Entity::find()
            .filter(user::Column::Email.eq(&email))
            .one(&txn)
            .await?
            .is_some()
        {
            return Err(email_taken().into());
        }
        organization::Entity::insert(organization::ActiveModel {
            id: Set(org_id),
            name: Set(org_name),
            time_zone: Set("UTC".into()),
            default_region: Set("FR".into()),
            tracking: Set(true),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .exec_without_returning(&txn)
        .await?;
        let inserted = user::Entity::insert(user::ActiveModel {
            id: Set(user_id),
            email: Set(email),
            password_hash: Set(hash),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .exec_without_returning(&txn)
        .await;
        match inserted {
            // A concurrent sign-up with the same address won the race.
            Err(e)
                if matches!(
                    e.sql_err(),
                    Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
                ) =>
            {
                return Err(email_taken().into())
            }
            other => other?,
        };
        insert_membership(&txn, org_id, user_id, Role::Admin).await?;
        txn.commit().await?;
        tracing::info!(%user_id, organization_id = %org_id, "account created");
        Ok((user_id, org_id))
    }

    #[tracing::instrument(skip_all)]
    pub async fn login(
        &self,
        session: &Session,
        ctx: &RequestContext,
        input: LoginInput,
    ) -> ServiceResult<Me> {
        let email = normalize_email(&input.email).map_err(|e| AppError::field("email", e))?;
        if input.password.is_empty() {
            return Err(AppError::field("password", "a password is required").into());
        }
        let attempt = self
            .throttle
            .attempt(ctx.client_ip, &email)
            .map_err(|retry_after_secs| AppError::TooManyRequests { retry_after_secs })?;
        let (user_id, ok) = self.verify_credentials(&email, input.password).await?;
        let Some(user_id) = user_id.filter(|_| ok) else {
            tracing::info!("login failed");
            if let Some(user_id) = user_id {
                self.audit_everywhere(user_id, "auth.sign_in_failed")
                    .await?;
            }
            return Err(AppError::Unauthorized("invalid email or password".into()).into());
        };
        attempt.succeeded();
        let first = membership::Entity::find()
            .filter(membership::Column::UserId.eq(user_id))
            .order_by_asc(membership::Column::CreatedAt)
            .one(&self.db)
            .await?
            .ok_or_else(|| {
                AppError::Forbidden("this account is not a member of any organization".into())
            })?;
        session_auth::sign_in(session, user_id, first.organization_id).await?;
        audit::record(
            &self.db,
            Entry::account(first.organization_id, Some(user_id), "auth.sign_in", "user"),
        )
        .await?;
        tracing::info!(%user_id, "logged in");
        self.me_for(user_id, first.organization_id, Via::Session)
            .await
    }

    /// A line in each organization the account belongs to (a failed sign-in concerns
    /// them all: the session would have opened in any).
    async fn audit_everywhere(&self, user_id: Uuid, action: &'static str) -> ServiceResult<()> {
        let orgs: Vec<Uuid> = membership::Entity::find()
            .select_only()
            .column(membership::Column::OrganizationId)
            .filter(membership::Column::UserId.eq(user_id))
            .into_tuple()
            .all(&self.db)
            .await?;
        for org in orgs {
            audit::record(&self.db, Entry::account(org, Some(user_id), action, "user")).await?;
        }
        Ok(())
    }

    /// The user with this address (if any) and whether the password matches. Takes the
    /// same time whether or not the account exists.
    pub async fn verify_credentials(
        &self,
        email: &str,
        password: String,
    ) -> ServiceResult<(Option<Uuid>, bool)> {
        let found = user::Entity::find()
            .filter(user::Column::Email.eq(email))
            .one(&self.db)
            .await?;
        let ok =
            password::verify(password, found.as_ref().map(|u| u.password_hash.clone())).await?;
        Ok((found.map(|u| u.id), ok))
    }

    pub async fn logout(&self, session: &Session) -> ServiceResult<()> {
        session_auth::sign_out(session).await
    }

    pub async fn me(&self, actor: &Actor) -> ServiceResult<Me> {
        self.me_for(actor.user_id, actor.organization_id, actor.via.clone())
            .await
    }

    pub async fn switch_organization(
        &self,
        session: &Session,
        actor: &Actor,
        organization_id: Uuid,
    ) -> ServiceResult<Me> {
        if !matches!(actor.via, Via::Session) {
            return Err(
                AppError::Forbidden("an API token is bound to its organization".into()).into(),
            );
        }
        membership::Entity::find()
            .filter(membership::Column::UserId.eq(actor.user_id))
            .filter(membership::Column::OrganizationId.eq(organization_id))
            .one(&self.db)
            .await?
            .ok_or_else(|| not_found("organization"))?;
        session_auth::set_organization(session, organization_id).await?;
        self.me_for(actor.user_id, organization_id, Via::Session)
            .await
    }

    /// The actor behind a signed-in session: the membership it names, or, if that one is
    /// gone, the user's oldest remaining one. `None` when the user has none left.
    pub async fn actor_for_session(&self, auth: &SessionAuth) -> ServiceResult<Option<Actor>> {
        let memberships = membership::Entity::find()
            .filter(membership::Column::UserId.eq(auth.user_id))
            .order_by_asc(membership::Column::CreatedAt)
            .all(&self.db)
            .await?;
        let chosen = memberships
            .iter()
            .find(|m| m.organization_id == auth.organization_id)
            .or(memberships.first());
        chosen
            .map(|m| {
                Ok(Actor {
                    user_id: m.user_id,
                    organization_id: m.organization_id,
                    role: parse_role(&m.role)?,
                    via: Via::Session,
                })
            })
            .transpose()
    }

    async fn me_for(&self, user_id: Uuid, organization_id: Uuid, via: Via) -> ServiceResult<Me> {
        let user = user::Entity::find_by_id(user_id)
            .one(&self.db)
            .await?
            .ok_or_else(|| not_found("user"))?;
        let rows = membership::Entity::find()
            .filter(membership::Column::UserId.eq(user_id))
            .find_also_related(organization::Entity)
            .order_by_asc(membership::Column::CreatedAt)
            .all(&self.db)
            .await?;
        let mut organizations = Vec::with_capacity(rows.len());
        for (m, org) in rows {
            let org =
                org.ok_or_else(|| anyhow::anyhow!("membership {} has no organization", m.id))?;
            organizations.push(MembershipDto {
                organization_id: org.id,
                organization_name: org.name,
                role: parse_role(&m.role)?,
            });
        }
        let organization = organizations
            .iter()
            .find(|m| m.organization_id == organization_id)
            .cloned()
            .ok_or_else(|| not_found("organization"))?;
        let (authenticated_via, abilities) = match via {
            Via::Session => ("session".to_owned(), None),
            Via::Token { abilities, .. } => ("token".to_owned(), Some(abilities)),
        };
        Ok(Me {
            user: UserDto {
                id: user.id,
                email: user.email,
            },
            organization,
            organizations,
            authenticated_via,
            abilities,
        })
    }
}

pub(crate) async fn insert_membership(
    db: &impl sea_orm::ConnectionTrait,
    organization_id: Uuid,
    user_id: Uuid,
    role: Role,
) -> ServiceResult<Uuid> {
    let now = Utc::now();
    let id = Uuid::now_v7();
    membership::Entity::insert(membership::ActiveModel {
        id: Set(id),
        organization_id: Set(organization_id),
        user_id: Set(user_id),
        role: Set(role.as_str().to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_without_returning(db)
    .await?;
    Ok(id)
}

/// Roles in the database are written by us; an unknown one is a bug, not user input.
pub(crate) fn parse_role(raw: &str) -> ServiceResult<Role> {
    raw.parse::<Role>()
        .map_err(|e| anyhow::anyhow!("stored role is invalid: {e}").into())
}

/// Serializes changes to one organization's memberships (last-admin checks, who may
/// invite), until the transaction ends.
pub(crate) async fn lock_organization(
    db: &impl sea_orm::ConnectionTrait,
    organization_id: Uuid,
) -> ServiceResult<()> {
    if db.get_database_backend() == sea_orm::DbBackend::Postgres {
        use sea_orm::QuerySelect;
        organization::Entity::find_by_id(organization_id)
            .lock_exclusive()
            .one(db)
            .await?;
    } else {
        // SQLite: a no-op write takes the database's write lock now, so the reads that
        // follow cannot go stale before this transaction writes.
        organization::Entity::update_many()
            .col_expr(
                organization::Column::UpdatedAt,
                sea_orm::sea_query::Expr::col(organization::Column::UpdatedAt),
            )
            .filter(organization::Column::Id.eq(organization_id))
            .exec(db)
            .await?;
    }
    Ok(())
}
