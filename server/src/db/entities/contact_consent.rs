use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "contact_consents")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub contact_id: Uuid,
    /// `email`, `sms` or `push`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub channel: String,
    /// `granted`, `withdrawn` or `unknown`.
    pub state: String,
    pub source: String,
    /// `consent`, `contract` or `legitimate_interest`.
    pub lawful_basis: String,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
