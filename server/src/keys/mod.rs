//! Master keys over time: the cipher a process works with (the current master key, the
//! rotated-out ones still configured, and the index root kept in the database), and
//! `carillon rekey`, which moves everything sealed under an old key to the current one.
//!
//! Rotating: set the new key as `CARILLON_MASTER_KEY` and the old one in
//! `CARILLON_PREVIOUS_MASTER_KEYS`, restart, run `carillon rekey`; once it reports
//! nothing left, the old key can go. Every write in between already seals under the new
//! key (lazy re-encryption), and a contact's data key is rewrapped when the contact is.

mod contacts;
mod index_root;
pub mod progress;
pub mod rekey;
mod sealed;

use crate::{config::Config, crypto::Cipher};
use sea_orm::DatabaseConnection;

/// The cipher of this process: the configured master keys, and the index root the
/// database keeps (stored on first start, from the key that has been keying indexes).
pub async fn open(config: &Config, db: &DatabaseConnection) -> anyhow::Result<Cipher> {
    let (current, previous) = config.load_master_keys()?;
    index_root::attach(db, Cipher::with_previous(&current, &previous)).await
}
