//! Delivery and engagement figures, read from the counters the engine and the tracking
//! keep in the transactions that change them: per campaign (`delivery_counters`) and per
//! organization, channel and hour ([`hourly`], read over a period by `period`). A page
//! view never scans deliveries.

mod deliveries_csv;
mod failures;
pub mod hourly;
mod period;

use crate::{
    auth::require,
    campaigns::store,
    crypto::Cipher,
    db::entities::{delivery_counter, tracked_link},
    error::ServiceResult,
    tracking::links::URL,
};
use app::model::{Action, Actor, CampaignStats, ChannelStats, Counts, LinkStats, Rates};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::sync::Arc;
use uuid::Uuid;

/// Links listed per campaign, most clicked first.
pub const MAX_LINKS: u64 = 1000;

pub struct Stats {
    db: DatabaseConnection,
    cipher: Arc<Cipher>,
}

pub(crate) fn n(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

pub(crate) fn counts(c: &delivery_counter::Model) -> Counts {
    Counts {
        sent: n(c.sent) + n(c.delivered),
        delivered: n(c.delivered),
        failed: n(c.failed),
        skipped: n(c.skipped),
        unique_opens: n(c.unique_opens),
        unique_clicks: n(c.unique_clicks),
        machine_opens: n(c.machine_opens),
        machine_clicks: n(c.machine_clicks),
        bounced: n(c.bounced),
        complained: n(c.complained),
        unsubscribed: n(c.unsubscribed),
    }
}

impl Stats {
    pub fn new(db: DatabaseConnection, cipher: Arc<Cipher>) -> Self {
        Stats { db, cipher }
    }

    /// A campaign's figures per channel, and its rates over all of them.
    #[tracing::instrument(skip_all, fields(organization_id = %actor.organization_id, %id))]
    pub async fn campaign(&self, actor: &Actor, id: Uuid) -> ServiceResult<CampaignStats> {
        require(actor, Action::CampaignsRead)?;
        let campaign = store::find(&self.db, actor.organization_id, id).await?;
        let counters = delivery_counter::Entity::find()
            .filter(delivery_counter::Column::CampaignId.eq(id))
            .all(&self.db)
            .await?;
        let channels: Vec<ChannelStats> = campaign
            .channels
            .0
            .iter()
            .map(|channel| ChannelStats {
                channel: *channel,
                counts: counters
                    .iter()
                    .find(|c| c.channel == channel.as_str())
                    .map(counts)
                    .unwrap_or_default(),
            })
            .collect();
        let mut all = Counts::default();
        for c in &channels {
            all += c.counts;
        }
        Ok(CampaignStats {
            campaign_id: id,
            rates: Rates::of(&all),
            channels,
        })
    }

    /// The links of a campaign's messages with their clicks, most clicked first (at
    /// most [`MAX_LINKS`]).
    #[tracing::instrument(skip_all, fields(organization_id = %actor.organization_id, %id))]
    pub async fn links(&self, actor: &Actor, id: Uuid) -> ServiceResult<Vec<LinkStats>> {
        require(actor, Action::CampaignsRead)?;
        store::find(&self.db, actor.organization_id, id).await?;
        let rows = tracked_link::Entity::find()
            .filter(tracked_link::Column::CampaignId.eq(id))
            .filter(tracked_link::Column::OrganizationId.eq(actor.organization_id))
            .order_by_desc(tracked_link::Column::Clicks)
            .order_by_asc(tracked_link::Column::CreatedAt)
            .limit(MAX_LINKS)
            .all(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .filter_map(|l| {
                // A link that does not open (tampered with) is left out, and logged.
                let url = self
                    .cipher
                    .decrypt(URL, &l.id.to_string(), &l.url)
                    .map_err(
                        |e| tracing::warn!(link_id = %l.id, error = %e, "a link does not decrypt"),
                    )
                    .ok()?;
                Some(LinkStats {
                    id: l.id,
                    url,
                    clicks: n(l.clicks),
                    unique_clicks: n(l.unique_clicks),
                })
            })
            .collect())
    }
}
