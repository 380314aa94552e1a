//! CSV import of contacts: streamed, in the background, with progress and a report.

use crate::crypto::Cipher;
use sea_orm::DatabaseConnection;
use std::sync::Arc;

pub struct Imports {
    #[allow(dead_code)]
    db: DatabaseConnection,
    #[allow(dead_code)]
    cipher: Arc<Cipher>,
}

impl Imports {
    pub fn new(db: DatabaseConnection, cipher: Arc<Cipher>) -> Self {
        Self { db, cipher }
    }
}
