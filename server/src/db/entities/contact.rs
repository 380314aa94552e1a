use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "contacts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    /// AES-256-GCM under `data_key`, bound to (contacts, email, id); never the plain address.
    pub email_ciphertext: Option<String>,
    /// HMAC of the normalized address: lookups and per-organization uniqueness.
    pub email_index: Option<String>,
    pub phone_ciphertext: Option<String>,
    /// HMAC of the E.164 number.
    pub phone_index: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub locale: Option<String>,
    pub time_zone: Option<String>,
    /// A JSON object.
    pub attributes: String,
    /// How `email_index` and `phone_index` were keyed: 2, per organization (1: per
    /// installation, before; re-indexed at start-up).
    pub index_version: i32,
    /// This contact's data key, wrapped by the master key: it seals the personal fields
    /// above, and erasure destroys it. `None` on rows written before data keys, whose
    /// fields are still under the master key.
    pub data_key: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
