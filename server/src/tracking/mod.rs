//! Open and click tracking. At render time ([`links::Rewriter`]) the links of a campaign's
//! emails and its push URL point at `{public URL}/t/c/{token}`, and HTML emails get the
//! pixel `{public URL}/t/o/{token}`; the token is signed and names the delivery and the
//! link, whose target is stored with the campaign. A hit ([`Tracking::open`],
//! [`Tracking::click`]) is recorded in one transaction: first open or click, counters,
//! event. Machines' hits ([`machine`]) are counted apart.

pub mod links;
pub mod machine;
mod record;
pub mod rewrite;
pub mod token;

use crate::{
    crypto::Cipher,
    db::entities::{delivery, tracked_link},
    error::ServiceResult,
};
use machine::Hit;
use ring::hmac;
use sea_orm::{DatabaseConnection, EntityTrait, TransactionTrait};
use std::time::Duration;
use token::{Kind, Token};

/// What signs tracking tokens (derived from the index root, like every link key).
pub fn key(cipher: &Cipher) -> hmac::Key {
    cipher.link_key("tracking")
}

pub struct Tracking {
    db: DatabaseConnection,
    key: hmac::Key,
    /// A hit sooner than this after the send is a machine's.
    machine_window: Duration,
}

impl Tracking {
    pub fn new(db: DatabaseConnection, cipher: &Cipher, machine_window: Duration) -> Self {
        Tracking {
            db,
            key: key(cipher),
            machine_window,
        }
    }

    /// Records the open `token` names; anything else (not ours, a deleted delivery) is
    /// ignored: the pixel answers the same either way.
    #[tracing::instrument(skip_all)]
    pub async fn open(&self, token: &str, hit: Hit) -> ServiceResult<()> {
        let Some(t) = Token::verify(Kind::Open, token, &self.key) else {
            return Ok(());
        };
        let Some(d) = delivery::Entity::find_by_id(t.delivery_id)
            .one(&self.db)
            .await?
        else {
            return Ok(());
        };
        let txn = self.db.begin().await?;
        record::open(&txn, &d, hit, self.machine_window).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Records the click `token` names: where it goes (an `http(s)` URL of the
    /// delivery's own campaign), or `None` for a token that names nothing of ours.
    #[tracing::instrument(skip_all)]
    pub async fn click(&self, token: &str, hit: Hit) -> ServiceResult<Option<String>> {
        let Some(t) = Token::verify(Kind::Click, token, &self.key) else {
            return Ok(None);
        };
        let Some(d) = delivery::Entity::find_by_id(t.delivery_id)
            .one(&self.db)
            .await?
        else {
            return Ok(None);
        };
        let Some(link) = tracked_link::Entity::find_by_id(t.link_id)
            .one(&self.db)
            .await?
            .filter(|l| l.campaign_id == d.campaign_id && rewrite::trackable(&l.url))
        else {
            return Ok(None);
        };
        let txn = self.db.begin().await?;
        record::click(&txn, &d, &link, hit, self.machine_window).await?;
        txn.commit().await?;
        Ok(Some(link.url))
    }
}
