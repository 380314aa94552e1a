use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "imports")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    pub created_by: Option<Uuid>,
    /// `queued`, `running`, `completed` or `failed`.
    pub status: String,
    pub file_name: String,
    pub delimiter: String,
    /// The `ImportMapping`, as JSON.
    pub mapping: String,
    pub rows_total: i64,
    pub rows_done: i64,
    /// The last row whose outcome is committed (the header is row 1).
    pub last_line: i64,
    pub created: i64,
    pub updated: i64,
    pub unchanged: i64,
    pub skipped: i64,
    /// Rows with an email address (a phone number) but no consent or lawful basis for it.
    pub no_consent_email: i64,
    pub no_consent_sms: i64,
    pub error: Option<String>,
    pub lease_until: Option<DateTimeUtc>,
    /// Who holds the lease (see `jobs::Lease`).
    pub lease_owner: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
