//! Counter changes gathered while a transaction moves deliveries, written at its end in
//! one update per (campaign, channel): the counters move by exactly the deltas of the
//! rows moved, so `total` = pending + sent + delivered + failed + skipped + cancelled
//! holds at every commit.

use super::{
    completion::Touched,
    fanout::{NO_ADDRESS, NO_CONSENT, SUPPRESSED},
};
use crate::{
    db::entities::{delivery::DeliveryStatus, delivery_counter},
    error::ServiceResult,
    stats::hourly,
};
use app::model::Channel;
use sea_orm::{
    sea_query::{Expr, ExprTrait},
    ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter,
};
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

/// How many deliveries of one campaign's channel moved into and out of each status, and
/// the skip reasons of those that became skipped.
#[derive(Default, Clone, Copy)]
struct Delta {
    organization_id: Uuid,
    pending: i64,
    sent: i64,
    delivered: i64,
    failed: i64,
    skipped: i64,
    cancelled: i64,
    skipped_no_consent: i64,
    skipped_no_address: i64,
    skipped_unsubscribed: i64,
    skipped_suppressed: i64,
}

impl Delta {
    fn slot(&mut self, status: DeliveryStatus) -> &mut i64 {
        match status {
            DeliveryStatus::Pending => &mut self.pending,
            DeliveryStatus::Sent => &mut self.sent,
            DeliveryStatus::Delivered => &mut self.delivered,
            DeliveryStatus::Failed => &mut self.failed,
            DeliveryStatus::Skipped => &mut self.skipped,
            DeliveryStatus::Cancelled => &mut self.cancelled,
        }
    }

    fn reason(&mut self, reason: &str) -> &mut i64 {
        match reason {
            NO_CONSENT => &mut self.skipped_no_consent,
            NO_ADDRESS => &mut self.skipped_no_address,
            SUPPRESSED => &mut self.skipped_suppressed,
            _ => &mut self.skipped_unsubscribed,
        }
    }

    fn moved(&mut self, from: DeliveryStatus, to: DeliveryStatus) {
        *self.slot(from) -= 1;
        *self.slot(to) += 1;
    }
}

/// Counter changes, per (campaign, channel), applied at the end of a transaction.
#[derive(Default)]
pub struct Tally {
    deltas: BTreeMap<(Uuid, Channel), Delta>,
    campaigns: BTreeSet<(Uuid, Uuid)>,
}

impl Tally {
    fn delta(&mut self, org: Uuid, campaign: Uuid, channel: Channel) -> &mut Delta {
        self.campaigns.insert((org, campaign));
        let delta = self.deltas.entry((campaign, channel)).or_default();
        delta.organization_id = org;
        delta
    }

    pub fn moved(
        &mut self,
        org: Uuid,
        campaign: Uuid,
        channel: Channel,
        from: DeliveryStatus,
        to: DeliveryStatus,
    ) {
        if from != to {
            self.delta(org, campaign, channel).moved(from, to);
        }
    }

    /// A delivery became skipped, for `reason` (one of `fanout`'s).
    pub fn skipped(
        &mut self,
        org: Uuid,
        campaign: Uuid,
        channel: Channel,
        from: DeliveryStatus,
        reason: &str,
    ) {
        if from == DeliveryStatus::Skipped {
            return;
        }
        let delta = self.delta(org, campaign, channel);
        delta.moved(from, DeliveryStatus::Skipped);
        *delta.reason(reason) += 1;
    }

    /// A delivery skipped for `reason` moved on after all (the provider had taken it).
    pub fn unskipped(
        &mut self,
        org: Uuid,
        campaign: Uuid,
        channel: Channel,
        reason: &str,
        to: DeliveryStatus,
    ) {
        if to == DeliveryStatus::Skipped {
            return;
        }
        let delta = self.delta(org, campaign, channel);
        delta.moved(DeliveryStatus::Skipped, to);
        *delta.reason(reason) -= 1;
    }

    /// Writes the deltas; returns the campaigns they moved, to complete once committed.
    pub async fn apply(self, db: &DatabaseTransaction) -> ServiceResult<Touched> {
        let mut flows: BTreeMap<(Uuid, Channel), hourly::Flow> = BTreeMap::new();
        for ((campaign_id, channel), d) in self.deltas {
            let flow = flows.entry((d.organization_id, channel)).or_default();
            // `sent` as the stats count it: taken by the provider, delivered or not yet.
            flow.sent += d.sent + d.delivered;
            flow.delivered += d.delivered;
            flow.failed += d.failed;
            flow.skipped += d.skipped;
            use delivery_counter::Column as C;
            let add = |col: C, n: i64| (col, Expr::col(col).add(n));
            let mut update = delivery_counter::Entity::update_many();
            for (col, expr) in [
                add(C::Pending, d.pending),
                add(C::Sent, d.sent),
                add(C::Delivered, d.delivered),
                add(C::Failed, d.failed),
                add(C::Skipped, d.skipped),
                add(C::Cancelled, d.cancelled),
                add(C::SkippedNoConsent, d.skipped_no_consent),
                add(C::SkippedNoAddress, d.skipped_no_address),
                add(C::SkippedUnsubscribed, d.skipped_unsubscribed),
                add(C::SkippedSuppressed, d.skipped_suppressed),
            ] {
                update = update.col_expr(col, expr);
            }
            update
                .filter(C::CampaignId.eq(campaign_id))
                .filter(C::Channel.eq(channel.as_str()))
                .exec(db)
                .await?;
        }
        for ((organization_id, channel), flow) in flows {
            hourly::add(db, organization_id, channel, flow).await?;
        }
        Ok(Touched(self.campaigns.into_iter().collect()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::delivery::fanout::UNSUBSCRIBED;

    #[test]
    fn skips_move_one_status_and_count_their_reason() {
        let (org, campaign) = (Uuid::now_v7(), Uuid::now_v7());
        let mut tally = Tally::default();
        tally.skipped(
            org,
            campaign,
            Channel::Email,
            DeliveryStatus::Pending,
            NO_CONSENT,
        );
        tally.skipped(
            org,
            campaign,
            Channel::Email,
            DeliveryStatus::Pending,
            UNSUBSCRIBED,
        );
        tally.unskipped(
            org,
            campaign,
            Channel::Email,
            UNSUBSCRIBED,
            DeliveryStatus::Sent,
        );
        tally.skipped(
            org,
            campaign,
            Channel::Email,
            DeliveryStatus::Skipped,
            NO_ADDRESS,
        );
        let d = tally.deltas[&(campaign, Channel::Email)];
        assert_eq!((d.pending, d.skipped, d.sent), (-2, 1, 1));
        assert_eq!(
            (
                d.skipped_no_consent,
                d.skipped_unsubscribed,
                d.skipped_no_address
            ),
            (1, 0, 0)
        );
        assert_eq!(
            d.pending + d.sent + d.delivered + d.failed + d.skipped + d.cancelled,
            0
        );
    }
}
