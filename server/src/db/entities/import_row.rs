use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "import_rows")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub import_id: Uuid,
    /// The row in the uploaded file as a spreadsheet numbers it (the header is row 1).
    #[sea_orm(primary_key, auto_increment = false)]
    pub line: i64,
    /// `created`, `updated`, `unchanged` or `skipped`.
    pub outcome: String,
    /// Why a row was skipped; never contains the row's personal data.
    pub reason: Option<String>,
    pub contact_id: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
