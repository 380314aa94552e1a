//! The consent ledger: one row per change of a contact's consent, never updated.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "consent_records")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    pub contact_id: Uuid,
    pub channel: String,
    /// `marketing`, or `list:<id>`.
    pub purpose: String,
    pub state: String,
    pub lawful_basis: String,
    /// The wording shown, in `consent_texts`.
    pub text_hash: Option<String>,
    pub source: String,
    /// What the source names: an import id, a form's URL, a campaign id.
    pub source_ref: Option<String>,
    /// The import file's line.
    pub source_line: Option<i64>,
    /// The member who made the change, when one did.
    pub actor_id: Option<Uuid>,
    pub ip_ciphertext: Option<String>,
    pub user_agent_ciphertext: Option<String>,
    pub confirmed_at: Option<DateTimeUtc>,
    pub confirmed_ip_ciphertext: Option<String>,
    pub recorded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
