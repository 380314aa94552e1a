//! Campaigns: content per channel, audience, schedule, and the transitions between states.

use sea_orm::DatabaseConnection;

pub struct Campaigns {
    #[allow(dead_code)]
    db: DatabaseConnection,
}

impl Campaigns {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}
