//! One line of an organization's audit log, never updated.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    pub at: DateTimeUtc,
    /// The member; none for an attempt by an unknown party.
    pub actor_id: Option<Uuid>,
    /// The API token the member used, if any.
    pub token_id: Option<Uuid>,
    pub ip_ciphertext: Option<String>,
    /// `auth.sign_in`, `member.role_changed`, `campaign.scheduled`, ...
    pub action: String,
    pub target_kind: String,
    pub target_id: Option<String>,
    /// JSON: what changed, never secrets or personal data.
    pub details: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
