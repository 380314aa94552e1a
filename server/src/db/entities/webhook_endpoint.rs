//! An outbound webhook endpoint: where an organization wants its events POSTed.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_endpoints")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    /// Sealed under the master key: such URLs often carry a token of their own.
    pub url: String,
    pub description: Option<String>,
    /// A JSON array of event type names.
    pub events: String,
    /// The signing key's bytes, base64, sealed under the master key.
    pub secret: String,
    pub enabled: bool,
    pub disabled_at: Option<DateTimeUtc>,
    pub disabled_reason: Option<String>,
    /// Since when every attempt has failed (`None`: the last one succeeded).
    pub failing_since: Option<DateTimeUtc>,
    pub cursor_tx: i64,
    pub cursor_id: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub lease_until: Option<DateTimeUtc>,
    pub lease_owner: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
