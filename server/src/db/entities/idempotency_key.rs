use sea_orm::entity::prelude::*;

/// How long a key is remembered.
pub const TTL: chrono::Duration = chrono::Duration::hours(24);

/// Forgets keys older than [`TTL`]; they are never used again.
pub async fn delete_expired(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    Entity::delete_many()
        .filter(Column::CreatedAt.lt(chrono::Utc::now() - TTL))
        .exec(db)
        .await?;
    Ok(())
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "idempotency_keys")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    pub user_id: Uuid,
    pub key: String,
    /// SHA-256 (hex) of the credential (session or token) and its authorization: only
    /// they are replayed to.
    pub principal: String,
    /// SHA-256 (hex) of method, path, query and body; empty while a streamed request's
    /// body has not gone by.
    pub request_hash: String,
    /// The stored response's status; `None` while the first request is in flight.
    pub status: Option<i32>,
    pub content_type: Option<String>,
    /// The stored response, encrypted and bound to this row.
    pub body: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
