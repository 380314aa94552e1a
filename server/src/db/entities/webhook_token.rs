use sea_orm::entity::prelude::*;

/// How long a token is remembered: a signed request older than this is refused anyway.
pub const TTL: chrono::Duration = chrono::Duration::minutes(15);

/// Forgets tokens older than [`TTL`].
pub async fn delete_expired(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    Entity::delete_many()
        .filter(Column::SeenAt.lt(chrono::Utc::now() - TTL))
        .exec(db)
        .await?;
    Ok(())
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_tokens")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub organization_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub provider: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub token: String,
    pub seen_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
