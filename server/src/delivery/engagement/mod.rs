//! Opens and clicks of delivered messages: [`Tracking`] takes a hit on a tracking URL,
//! [`hits`] records it in one transaction. An open or click proves the message arrived,
//! so a `sent` delivery becomes `delivered` with it. A machine's hit moves only its own
//! counter (and the event says why), so the rates stay about people.

mod hits;

pub use hits::{click, open};

use crate::{
    crypto::Cipher,
    db::entities::{delivery, tracked_link},
    error::ServiceResult,
    tracking::{
        links,
        machine::Hit,
        rewrite,
        token::{self, Token},
    },
};
use ring::hmac;
use sea_orm::{DatabaseConnection, EntityTrait, TransactionTrait};
use std::{sync::Arc, time::Duration};

pub struct Tracking {
    db: DatabaseConnection,
    cipher: Arc<Cipher>,
    key: hmac::Key,
    /// A hit sooner than this after the send is a machine's.
    machine_window: Duration,
}

impl Tracking {
    pub fn new(db: DatabaseConnection, cipher: Arc<Cipher>, machine_window: Duration) -> Self {
        Tracking {
            db,
            key: crate::tracking::key(&cipher),
            cipher,
            machine_window,
        }
    }

    /// Records the open `token` names; anything else (not ours, a deleted delivery) is
    /// ignored: the pixel answers the same either way.
    #[tracing::instrument(skip_all)]
    pub async fn open(&self, token: &str, hit: Hit) -> ServiceResult<()> {
        let Some(t) = Token::verify(token::Kind::Open, token, &self.key) else {
            return Ok(());
        };
        let Some(d) = delivery::Entity::find_by_id(t.delivery_id)
            .one(&self.db)
            .await?
        else {
            return Ok(());
        };
        let txn = self.db.begin().await?;
        open(&txn, &d, hit, self.machine_window).await?;
        txn.commit().await?;
        Ok(())
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
        let Some(link) = tracked_link::Entity::find_by_id(t.link_id)
            .one(&self.db)
            .await?
        else {
            return Ok(None);
        };
        let delivery = delivery::Entity::find_by_id(t.delivery_id)
            .one(&self.db)
            .await?;
        // We signed this pair, so a delivery of another campaign is not ours to follow.
        if delivery
            .as_ref()
            .is_some_and(|d| d.campaign_id != link.campaign_id)
        {
            return Ok(None);
        }
        let target = self
            .cipher
            .decrypt(links::URL, &link.id.to_string(), &link.url)
            .map_err(anyhow::Error::new)?;
        if !rewrite::trackable(&target) {
            return Ok(None);
        }
        if let Some(d) = delivery {
            if let Err(error) = self.record_click(&d, &link, hit).await {
                tracing::error!(?error, delivery_id = %d.id, "a click could not be recorded");
            }
        }
        Ok(Some(target))
    }

    async fn record_click(
        &self,
        d: &delivery::Model,
        link: &tracked_link::Model,
        hit: Hit,
    ) -> ServiceResult<()> {
        let txn = self.db.begin().await?;
        click(&txn, d, link, hit, self.machine_window).await?;
        txn.commit().await?;
        Ok(())
    }
}
