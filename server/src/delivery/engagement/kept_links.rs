//! The links the tracking writer has read lately. A link never changes (only its
//! counters do, which are not kept here), so a click on a known one costs no query; its
//! target stays encrypted here as in the database. A kept link is trusted only for an
//! existing delivery of its campaign: one whose campaign was deleted since is read
//! again, and found gone.

use crate::{
    crypto::Cipher,
    db::entities::tracked_link,
    error::ServiceResult,
    tracking::{links, rewrite},
};
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter};
use std::collections::{BTreeSet, HashMap};
use uuid::Uuid;

/// Links kept at most; past that all are forgotten and read again as needed.
pub const MAX_KEPT: usize = 10_000;

#[derive(Default)]
pub struct KeptLinks {
    kept: HashMap<Uuid, Link>,
}

#[derive(Clone)]
pub struct Link {
    pub id: Uuid,
    pub campaign_id: Uuid,
    /// The target, encrypted.
    url: String,
}

impl From<tracked_link::Model> for Link {
    fn from(l: tracked_link::Model) -> Self {
        Link {
            id: l.id,
            campaign_id: l.campaign_id,
            url: l.url,
        }
    }
}

impl Link {
    /// The stored target, if it opens and may be followed (`http(s)` only).
    pub fn target(&self, cipher: &Cipher) -> Option<String> {
        let url = cipher
            .decrypt(links::URL, &self.id.to_string(), &self.url)
            .map_err(|e| tracing::warn!(link_id = %self.id, error = %e, "a link does not decrypt"))
            .ok()?;
        rewrite::trackable(&url).then_some(url)
    }
}

impl KeptLinks {
    /// The links `wanted` (link → the campaign of its click's delivery, if that
    /// delivery exists): those kept for that campaign, the others read in one query.
    pub async fn get(
        &mut self,
        txn: &DatabaseTransaction,
        wanted: &HashMap<Uuid, Option<Uuid>>,
    ) -> ServiceResult<HashMap<Uuid, Link>> {
        let mut found = HashMap::new();
        let mut missing = BTreeSet::new();
        for (id, campaign) in wanted {
            match self.kept.get(id) {
                Some(l) if Some(l.campaign_id) == *campaign => {
                    found.insert(*id, l.clone());
                }
                _ => {
                    missing.insert(*id);
                }
            }
        }
        if missing.is_empty() {
            return Ok(found);
        }
        let read = tracked_link::Entity::find()
            .filter(tracked_link::Column::Id.is_in(missing))
            .all(txn)
            .await?;
        if self.kept.len() + read.len() > MAX_KEPT {
            self.kept.clear();
        }
        for l in read.into_iter().map(Link::from) {
            self.kept.insert(l.id, l.clone());
            found.insert(l.id, l);
        }
        Ok(found)
    }
}
