//! A sign-up through a list's public form, waiting for (or past) its confirmation.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "list_signups")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    pub list_id: Uuid,
    pub contact_id: Uuid,
    /// `pending` or `confirmed`.
    pub status: String,
    /// The consent wording the form showed.
    pub wording: String,
    /// The visitor's address and browser, under the contact's data key.
    pub ip_ciphertext: Option<String>,
    pub user_agent_ciphertext: Option<String>,
    pub requested_at: DateTimeUtc,
    /// The link works until then.
    pub expires_at: DateTimeUtc,
    /// A confirmation mail is owed from then (`None`: none owed).
    pub mail_due: Option<DateTimeUtc>,
    pub mailed_at: Option<DateTimeUtc>,
    pub mail_attempts: i32,
    pub mail_error: Option<String>,
    pub lease_until: Option<DateTimeUtc>,
    pub lease_owner: Option<Uuid>,
    pub confirmed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
