//! Tracking a batch of rendered messages: the links each campaign's messages hold are
//! stored once per campaign (a click's target is read back from here), then every
//! trackable link points at `/t/c/{token}` and each HTML email gets the open pixel
//! `/t/o/{token}`. Organizations that turned tracking off get their messages as rendered.

use super::{
    rewrite::{self, trackable},
    token::Token,
};
use crate::{
    channels::{Body, OutboundMessage},
    crypto::{Cipher, Field},
    db::entities::{organization, tracked_link},
    error::ServiceResult,
};
use chrono::Utc;
use ring::hmac;
use sea_orm::{
    sea_query::OnConflict, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait,
    PaginatorTrait, QueryFilter, QuerySelect,
};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use uuid::Uuid;

/// Distinct links stored per campaign; links beyond it are sent as they are.
pub const MAX_LINKS_PER_CAMPAIGN: u64 = 10_000;
/// Rows per insert statement, and hashes per lookup: far below bound-parameter limits.
const PER_INSERT: usize = 200;
const PER_LOOKUP: usize = 500;

/// A link's target: personalised links hold personal data, so it is sealed, and found
/// by a keyed hash (a plain hash of a URL with an address in it would give it away).
pub const URL: Field<'static> = Field {
    table: "tracked_links",
    column: "url",
};

/// Where tracking URLs point, the key that signs their tokens, and the cipher that
/// seals the links' targets.
pub struct Rewriter<'a> {
    pub public_url: &'a str,
    pub key: &'a hmac::Key,
    pub cipher: &'a Cipher,
}

impl Rewriter<'_> {
    /// Ours already (unsubscribe, preferences, tracking): never tracked.
    fn own(&self, url: &str) -> bool {
        url.strip_prefix(self.public_url)
            .is_some_and(|rest| rest.starts_with('/'))
    }

    fn click_url(&self, delivery: Uuid, link: Uuid) -> String {
        format!(
            "{}/t/c/{}",
            self.public_url,
            Token::click(delivery, link).sign(self.key)
        )
    }

    fn pixel_url(&self, delivery: Uuid) -> String {
        format!(
            "{}/t/o/{}",
            self.public_url,
            Token::open(delivery).sign(self.key)
        )
    }

    /// Rewrites the campaign messages of `messages` whose organization tracks.
    #[tracing::instrument(skip_all, fields(messages = messages.len()))]
    pub async fn batch(
        &self,
        db: &impl ConnectionTrait,
        messages: &mut [&mut OutboundMessage],
    ) -> ServiceResult<()> {
        let tracking =
            tracking_organizations(db, messages.iter().map(|m| m.organization_id)).await?;
        // Each tracked message's links, read once: where they sit (for an email) and
        // the URLs that may be tracked.
        let mut found: Vec<(usize, Vec<rewrite::Href>)> = Vec::new();
        let mut wanted: BTreeMap<(Uuid, Uuid), BTreeSet<String>> = BTreeMap::new();
        for (i, m) in messages.iter().enumerate() {
            let Some(campaign) = m
                .campaign_id
                .filter(|_| tracking.contains(&m.organization_id))
            else {
                continue;
            };
            let hrefs = match &m.body {
                Body::Email(email) => rewrite::hrefs(&email.html),
                Body::Push(push) => vec![rewrite::Href {
                    range: 0..0,
                    url: push.url.clone(),
                }],
                // Short links for SMS are not built yet: SMS text goes as written.
                Body::Sms(_) => continue,
            };
            wanted
                .entry((m.organization_id, campaign))
                .or_default()
                .extend(
                    hrefs
                        .iter()
                        .filter(|h| trackable(&h.url) && !self.own(&h.url))
                        .map(|h| h.url.clone()),
                );
            found.push((i, hrefs));
        }
        let mut ids: HashMap<(Uuid, String), Uuid> = HashMap::new();
        for ((org, campaign), urls) in wanted {
            for (url, id) in store(db, self.cipher, org, campaign, urls).await? {
                ids.insert((campaign, url), id);
            }
        }
        for (i, hrefs) in found {
            let m = &mut *messages[i];
            let campaign = m.campaign_id.unwrap_or_default();
            let delivery = m.delivery_id;
            let link = |url: &str| ids.get(&(campaign, url.to_owned())).copied();
            match &mut m.body {
                Body::Email(email) => {
                    let replacements: Vec<_> = hrefs
                        .into_iter()
                        .filter_map(|h| Some((h.range, self.click_url(delivery, link(&h.url)?))))
                        .collect();
                    let html = rewrite::replace(&email.html, &replacements);
                    email.html = rewrite::with_pixel(&html, &self.pixel_url(delivery));
                }
                Body::Push(push) => {
                    if let Some(id) = link(&push.url) {
                        push.url = self.click_url(delivery, id);
                    }
                }
                Body::Sms(_) => {}
            }
        }
        Ok(())
    }
}

/// Which of `organizations` track opens and clicks (tracking is on unless turned off).
pub async fn tracking_organizations(
    db: &impl ConnectionTrait,
    organizations: impl IntoIterator<Item = Uuid>,
) -> ServiceResult<HashSet<Uuid>> {
    let ids: BTreeSet<Uuid> = organizations.into_iter().collect();
    Ok(organization::Entity::find()
        .select_only()
        .column(organization::Column::Id)
        .filter(organization::Column::Id.is_in(ids))
        .filter(organization::Column::Tracking.eq(true))
        .into_tuple::<Uuid>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

/// The ids of `urls` among the campaign's links, storing the new ones (within
/// [`MAX_LINKS_PER_CAMPAIGN`]).
async fn store(
    db: &impl ConnectionTrait,
    cipher: &Cipher,
    organization_id: Uuid,
    campaign_id: Uuid,
    urls: BTreeSet<String>,
) -> ServiceResult<Vec<(String, Uuid)>> {
    let index = cipher.index_key(organization_id);
    let by_hash: HashMap<String, String> = urls
        .into_iter()
        .map(|u| (index.blind_index(URL, &u), u))
        .collect();
    let hashes: Vec<String> = by_hash.keys().cloned().collect();
    let mut found = known(db, campaign_id, &hashes).await?;
    let missing: Vec<&String> = hashes.iter().filter(|h| !found.contains_key(*h)).collect();
    if !missing.is_empty() {
        let stored = tracked_link::Entity::find()
            .filter(tracked_link::Column::CampaignId.eq(campaign_id))
            .count(db)
            .await?;
        let room = usize::try_from(MAX_LINKS_PER_CAMPAIGN.saturating_sub(stored)).unwrap_or(0);
        if missing.len() > room {
            tracing::warn!(%campaign_id, "the campaign has too many distinct links: the rest are not tracked");
        }
        let now = Utc::now();
        let mut rows = Vec::new();
        for hash in missing.into_iter().take(room) {
            let id = Uuid::now_v7();
            let sealed = cipher
                .encrypt(URL, &id.to_string(), &by_hash[hash])
                .map_err(anyhow::Error::new)?;
            rows.push(tracked_link::ActiveModel {
                id: Set(id),
                organization_id: Set(organization_id),
                campaign_id: Set(campaign_id),
                url_hash: Set(hash.clone()),
                url: Set(sealed),
                clicks: Set(0),
                unique_clicks: Set(0),
                created_at: Set(now),
            });
        }
        for chunk in rows.chunks(PER_INSERT) {
            // Another worker may store the same link at the same time: theirs stands.
            tracked_link::Entity::insert_many(chunk.to_vec())
                .on_conflict(
                    OnConflict::columns([
                        tracked_link::Column::CampaignId,
                        tracked_link::Column::UrlHash,
                    ])
                    .do_nothing()
                    .to_owned(),
                )
                .exec_without_returning(db)
                .await?;
        }
        found = known(db, campaign_id, &hashes).await?;
    }
    Ok(found
        .into_iter()
        .filter_map(|(hash, id)| Some((by_hash.get(&hash)?.clone(), id)))
        .collect())
}

/// The stored ids of the campaign's links among `hashes`, by hash.
async fn known(
    db: &impl ConnectionTrait,
    campaign_id: Uuid,
    hashes: &[String],
) -> ServiceResult<HashMap<String, Uuid>> {
    let mut found = HashMap::new();
    for chunk in hashes.chunks(PER_LOOKUP) {
        found.extend(
            tracked_link::Entity::find()
                .select_only()
                .column(tracked_link::Column::UrlHash)
                .column(tracked_link::Column::Id)
                .filter(tracked_link::Column::CampaignId.eq(campaign_id))
                .filter(tracked_link::Column::UrlHash.is_in(chunk.to_vec()))
                .into_tuple::<(String, Uuid)>()
                .all(db)
                .await?,
        );
    }
    Ok(found)
}
