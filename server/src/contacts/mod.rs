//! Contacts: personal data encrypted at rest, found through blind indexes; consent per channel.

use crate::crypto::Cipher;
use sea_orm::DatabaseConnection;
use std::sync::Arc;

pub struct Contacts {
    #[allow(dead_code)]
    db: DatabaseConnection,
    #[allow(dead_code)]
    cipher: Arc<Cipher>,
}

impl Contacts {
    pub fn new(db: DatabaseConnection, cipher: Arc<Cipher>) -> Self {
        Self { db, cipher }
    }
}
