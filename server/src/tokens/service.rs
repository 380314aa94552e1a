use crate::{
    accounts::parse_role,
    audit::{self, Entry},
    auth::require,
    auth::secret,
    db::entities::{api_token, membership},
    error::{not_found, ServiceResult},
};
use app::{
    error::AppError,
    model::{
        authorize, validate_name, Ability, Action, Actor, CreatedToken, NewTokenInput, TokenDto,
        Via,
    },
};
use chrono::{Duration, Utc};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait,
};
use serde_json::json;
use uuid::Uuid;

/// Makes leaked tokens easy to spot (secret scanners, logs, code review).
const SECRET_PREFIX: &str = "crln_";
/// `last_used_at` is written at most this often per token, to keep reads read-only.
const LAST_USED_GRANULARITY: Duration = Duration::seconds(60);

pub struct Tokens {
    db: DatabaseConnection,
}

impl Tokens {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    pub async fn list(&self, actor: &Actor, all: bool) -> ServiceResult<Vec<TokenDto>> {
        require(
            actor,
            if all {
                Action::TokensManageAll
            } else {
                Action::TokensManageOwn
            },
        )?;
        let mut query = api_token::Entity::find()
            .filter(api_token::Column::OrganizationId.eq(actor.organization_id));
        if !all {
            query = query.filter(api_token::Column::UserId.eq(actor.user_id));
        }
        query
            .order_by_desc(api_token::Column::CreatedAt)
            .all(&self.db)
            .await?
            .into_iter()
            .map(to_dto)
            .collect()
    }

    #[tracing::instrument(skip_all, fields(organization_id = %actor.organization_id))]
    pub async fn create(&self, actor: &Actor, input: NewTokenInput) -> ServiceResult<CreatedToken> {
        require(actor, Action::TokensManageOwn)?;
        let name =
            validate_name(&input.name, "token name").map_err(|e| AppError::field("name", e))?;
        let mut abilities = Vec::with_capacity(input.abilities.len());
        for raw in &input.abilities {
            let ability = raw.trim().parse::<Ability>().map_err(|e| {
                AppError::field(
                    "abilities",
                    format!("{e}; known abilities: {}", known_abilities()),
                )
            })?;
            if !abilities.contains(&ability) {
                abilities.push(ability);
            }
        }
        if abilities.is_empty() {
            return Err(AppError::field("abilities", "choose at least one ability").into());
        }
        // A token may not mint a token stronger than itself.
        if let Via::Token {
            abilities: held, ..
        } = &actor.via
        {
            if let Some(extra) = abilities
                .iter()
                .find(|want| !held.iter().any(|h| h.grants(**want)))
            {
                return Err(AppError::field(
                    "abilities",
                    format!("this token cannot grant `{extra}`"),
                )
                .into());
            }
        }
        if input.expires_at.is_some_and(|at| at <= Utc::now()) {
            return Err(AppError::field("expires_at", "the expiry must be in the future").into());
        }
        abilities.sort();

        let id = Uuid::now_v7();
        let token_secret = secret::generate(SECRET_PREFIX)?;
        let now = Utc::now();
        let row = api_token::ActiveModel {
            id: Set(id),
            organization_id: Set(actor.organization_id),
            user_id: Set(actor.user_id),
            name: Set(name),
            token_hash: Set(secret::sha256_hex(&token_secret)),
            abilities: Set(serde_json::to_string(&abilities).map_err(anyhow::Error::new)?),
            expires_at: Set(input.expires_at),
            last_used_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        };
        let txn = self.db.begin().await?;
        let row = sea_orm::ActiveModelTrait::insert(row, &txn).await?;
        audit::record(
            &txn,
            Entry::by(actor, "token.created", "token", id).with(json!({
                "name": row.name, "abilities": abilities, "expires_at": row.expires_at,
            })),
        )
        .await?;
        txn.commit().await?;
        tracing::info!(token_id = %id, "API token created");
        Ok(CreatedToken {
            token: to_dto(row)?,
            plain_text_token: format!("{id}|{token_secret}"),
        })
    }

    pub async fn revoke(&self, actor: &Actor, token_id: Uuid) -> ServiceResult<()> {
        require(actor, Action::TokensManageOwn)?;
        let token = api_token::Entity::find_by_id(token_id)
            .filter(api_token::Column::OrganizationId.eq(actor.organization_id))
            .one(&self.db)
            .await?
            // Other members' tokens do not exist for those who may not manage them.
            .filter(|t| t.user_id == actor.user_id || authorize(actor, Action::TokensManageAll))
            .ok_or_else(|| not_found("token"))?;
        let txn = self.db.begin().await?;
        api_token::Entity::delete_by_id(token.id).exec(&txn).await?;
        audit::record(
            &txn,
            Entry::by(actor, "token.revoked", "token", token_id)
                .with(json!({"name": token.name, "owner_id": token.user_id})),
        )
        .await?;
        txn.commit().await?;
        tracing::info!(%token_id, "API token revoked");
        Ok(())
    }

    /// The actor behind `Authorization: Bearer <id>|<secret>`, or 401.
    pub async fn authenticate(&self, presented: &str) -> ServiceResult<Actor> {
        let unauthorized = |why: &str| AppError::Unauthorized(why.to_owned());
        let (id, token_secret) = presented
            .split_once('|')
            .and_then(|(id, s)| Some((id.parse::<Uuid>().ok()?, s)))
            .ok_or_else(|| unauthorized("malformed API token: expected `<id>|<secret>`"))?;
        let token = api_token::Entity::find_by_id(id).one(&self.db).await?;
        let token = token
            .filter(|t| secret::constant_time_eq(&t.token_hash, &secret::sha256_hex(token_secret)))
            .ok_or_else(|| unauthorized("invalid or revoked API token"))?;
        let now = Utc::now();
        if token.expires_at.is_some_and(|at| at <= now) {
            return Err(unauthorized("this API token has expired").into());
        }
        let member = membership::Entity::find()
            .filter(membership::Column::OrganizationId.eq(token.organization_id))
            .filter(membership::Column::UserId.eq(token.user_id))
            .one(&self.db)
            .await?
            .ok_or_else(|| unauthorized("the owner of this API token is no longer a member"))?;
        if token
            .last_used_at
            .is_none_or(|at| now - at > LAST_USED_GRANULARITY)
        {
            api_token::Entity::update_many()
                .col_expr(
                    api_token::Column::LastUsedAt,
                    sea_orm::sea_query::Expr::value(now),
                )
                .filter(api_token::Column::Id.eq(token.id))
                .exec(&self.db)
                .await?;
        }
        Ok(Actor {
            user_id: token.user_id,
            organization_id: token.organization_id,
            role: parse_role(&member.role)?,
            via: Via::Token {
                token_id: token.id,
                abilities: parse_abilities(&token.abilities)?,
            },
        })
    }
}

fn known_abilities() -> String {
    Ability::ALL
        .iter()
        .map(|a| a.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn parse_abilities(raw: &str) -> ServiceResult<Vec<Ability>> {
    serde_json::from_str(raw)
        .map_err(|e| anyhow::anyhow!("stored abilities are invalid: {e}").into())
}

fn to_dto(t: api_token::Model) -> ServiceResult<TokenDto> {
    Ok(TokenDto {
        id: t.id,
        user_id: t.user_id,
        name: t.name,
        abilities: parse_abilities(&t.abilities)?,
        expires_at: t.expires_at,
        last_used_at: t.last_used_at,
        created_at: t.created_at,
    })
}
