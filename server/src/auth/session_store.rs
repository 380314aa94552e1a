//! A tower-sessions store over SeaORM, so sessions live in our one database on either
//! backend (no second sqlx or pool for a session crate).
//!
//! A row is keyed by a SHA-256 of the session id and its data is encrypted, bound to
//! that key: a copy of the table opens no session and shows no flash (a new token's
//! secret, the fields of a refused contact form).

use crate::{
    crypto::{Cipher, Field},
    db::entities::session,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::OnConflict, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set,
};
use std::{collections::HashMap, sync::Arc};
use tower_sessions::{
    session::{Id, Record},
    session_store::{self, ExpiredDeletion, SessionStore},
};

#[derive(Clone, Debug)]
pub struct DbSessionStore {
    db: DatabaseConnection,
    cipher: Arc<Cipher>,
}

pub(crate) const DATA: Field<'static> = Field {
    table: "sessions",
    column: "data",
};

impl DbSessionStore {
    pub fn new(db: DatabaseConnection, cipher: Arc<Cipher>) -> Self {
        Self { db, cipher }
    }

    fn active_model(&self, record: &Record) -> session_store::Result<session::ActiveModel> {
        let json = serde_json::to_string(&record.data)
            .map_err(|e| session_store::Error::Encode(e.to_string()))?;
        let key = key(&record.id);
        let data = self
            .cipher
            .encrypt(DATA, &key, &json)
            .map_err(|e| session_store::Error::Encode(e.to_string()))?;
        Ok(session::ActiveModel {
            id: Set(key),
            data: Set(data),
            expires_at: Set(to_chrono(record.expiry_date)),
        })
    }
}

/// The row key of a session: the cookie's id is a bearer secret, so only its hash is stored.
fn key(id: &Id) -> String {
    crate::auth::secret::sha256_hex(&id.to_string())
}

fn backend(e: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}

fn to_chrono(t: time::OffsetDateTime) -> DateTime<Utc> {
    DateTime::from_timestamp(t.unix_timestamp(), t.nanosecond()).unwrap_or_default()
}

fn to_time(t: DateTime<Utc>) -> Result<time::OffsetDateTime, session_store::Error> {
    time::OffsetDateTime::from_unix_timestamp(t.timestamp()).map_err(backend)
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // Ids are 128 random bits; a collision is near impossible, but a plain insert
        // (never an upsert) guarantees we cannot take over someone else's session.
        loop {
            let inserted = session::Entity::insert(self.active_model(record)?)
                .on_conflict(
                    OnConflict::column(session::Column::Id)
                        .do_nothing()
                        .to_owned(),
                )
                .exec_without_returning(&self.db)
                .await
                .map_err(backend)?;
            if inserted == 1 {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        session::Entity::insert(self.active_model(record)?)
            .on_conflict(
                OnConflict::column(session::Column::Id)
                    .update_columns([session::Column::Data, session::Column::ExpiresAt])
                    .to_owned(),
            )
            .exec_without_returning(&self.db)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let key = key(id);
        let Some(row) = session::Entity::find_by_id(key.clone())
            .filter(session::Column::ExpiresAt.gt(Utc::now()))
            .one(&self.db)
            .await
            .map_err(backend)?
        else {
            return Ok(None);
        };
        // A row this key cannot open (another master key, or tampered with) is no
        // session; it goes, so its cookie does not bring the warning back every time.
        let Ok(json) = self.cipher.decrypt(DATA, &key, &row.data) else {
            tracing::warn!("a stored session could not be decrypted; treating it as signed out");
            session::Entity::delete_by_id(key)
                .exec(&self.db)
                .await
                .map_err(backend)?;
            return Ok(None);
        };
        let data: HashMap<String, serde_json::Value> =
            serde_json::from_str(&json).map_err(|e| session_store::Error::Decode(e.to_string()))?;
        Ok(Some(Record {
            id: *id,
            data,
            expiry_date: to_time(row.expires_at)?,
        }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        session::Entity::delete_by_id(key(id))
            .exec(&self.db)
            .await
            .map_err(backend)?;
        Ok(())
    }
}

#[async_trait]
impl ExpiredDeletion for DbSessionStore {
    async fn delete_expired(&self) -> session_store::Result<()> {
        session::Entity::delete_many()
            .filter(session::Column::ExpiresAt.lte(Utc::now()))
            .exec(&self.db)
            .await
            .map_err(backend)?;
        Ok(())
    }
}
