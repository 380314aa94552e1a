//! Static recipient lists and their members.

use sea_orm::DatabaseConnection;

pub struct Lists {
    #[allow(dead_code)]
    db: DatabaseConnection,
}

impl Lists {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}
