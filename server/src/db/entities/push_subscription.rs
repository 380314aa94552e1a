//! A browser's push subscription (RFC 8030): where its push service takes messages for
//! it, and the keys that encrypt them (RFC 8291). A contact may have several (devices).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "push_subscriptions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    pub contact_id: Uuid,
    /// AES-256-GCM, bound to (push_subscriptions, endpoint, id).
    pub endpoint_ciphertext: String,
    /// HMAC of the endpoint, keyed per organization: finds a subscription again.
    pub endpoint_index: String,
    /// `{"p256dh", "auth"}`, encrypted like the endpoint.
    pub keys_ciphertext: String,
    /// Where it came from: `optin` (the opt-in page), `api`.
    pub source: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
