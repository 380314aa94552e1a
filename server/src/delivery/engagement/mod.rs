//! Opens and clicks of delivered messages: [`Tracking`] takes a hit on a tracking URL
//! and hands it to the [`writer`], which records hits many at once through [`hits`].
//! An open or click proves the message arrived, so a `sent` delivery becomes
//! `delivered` with it. A machine's hit moves only its own counter (and the event says
//! why), so the rates stay about people.

mod hits;
mod kept_links;
pub mod writer;

pub use hits::{record, Incoming, What};

use crate::{
    crypto::Cipher,
    error::ServiceResult,
    tracking::{
        machine::Hit,
        token::{self, Token},
    },
};
use ring::hmac;
use sea_orm::DatabaseConnection;
use std::{sync::Arc, time::Duration};
use writer::{Job, Writer};

pub struct Tracking {
    key: hmac::Key,
    writer: Writer,
}

impl Tracking {
    /// Starts the writer: call on a Tokio runtime.
    pub fn new(db: DatabaseConnection, cipher: Arc<Cipher>, machine_window: Duration) -> Self {
        Tracking {
            key: crate::tracking::key(&cipher),
            writer: Writer::start(db, cipher, machine_window),
        }
    }

    /// Records the open `token` names; anything else (not ours, a deleted delivery) is
    /// ignored: the pixel answers the same either way.
    #[tracing::instrument(skip_all)]
    pub async fn open(&self, token: &str, hit: Hit) -> ServiceResult<()> {
        let Some(t) = Token::verify(token::Kind::Open, token, &self.key) else {
            return Ok(());
        };
        let job = Job::Open {
            delivery_id: t.delivery_id,
        };
        self.writer.submit(job, hit).await.map(|_| ())
    }

    /// Records the click `token` names: where it goes (an `http(s)` URL of the
    /// delivery's own campaign), or `None` for a token that names nothing of ours.
    /// The person gets to the link even when the click cannot be recorded (a database
    /// error, logged; a delivery deleted by the retention policy).
    #[tracing::instrument(skip_all)]
    pub async fn click(&self, token: &str, hit: Hit) -> ServiceResult<Option<String>> {
        let Some(t) = Token::verify(token::Kind::Click, token, &self.key) else {
            return Ok(None);
        };
        let job = Job::Click {
            delivery_id: t.delivery_id,
            link_id: t.link_id,
        };
        self.writer.submit(job, hit).await
    }
}
