//! The `simulator_reports` job: what the simulator's "provider" says a moment after it
//! took a message — delivered, or failed for the share `failure_rate` of messages chosen
//! by [`simulator::fails`]. Reports go through [`record::reports`], the path a real
//! provider's status webhooks take. Then the simulator's people open a share
//! `open_rate` of the delivered messages and click a share `click_rate` of those
//! opened (the campaign's first link), through [`engagement`], the path of a hit on a
//! tracking URL; where the organization turned tracking off, nobody opens anything.

use super::{completion, engagement, record, Engine};
use crate::{
    campaigns::System,
    channels::simulator,
    db::entities::{
        delivery::{self, DeliveryStatus},
        tracked_link,
    },
    error::ServiceResult,
    jobs::{Job, Round, Stop},
    tracking::{links::tracking_organizations, machine::Hit},
};
use app::model::Channel;
use async_trait::async_trait;
use sea_orm::{
    ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    TransactionTrait,
};
use serde_json::Value;
use std::{collections::HashMap, sync::Arc, time::Duration};
use uuid::Uuid;

/// Reports applied per transaction.
const CHUNK: u64 = 500;

/// The simulator's shares for one organization's channel.
#[derive(Clone, Copy, Default)]
struct Fates {
    failure: f64,
    open: f64,
    click: f64,
}

pub struct SimulatorReports(pub(super) Arc<Engine>);

#[async_trait]
impl Job for SimulatorReports {
    fn name(&self) -> &'static str {
        "simulator_reports"
    }

    fn every(&self) -> Duration {
        Duration::from_secs(1)
    }

    async fn round(&self, stop: &Stop) -> anyhow::Result<Round> {
        let engine = &self.0;
        let sent: Vec<(Uuid, Uuid, Uuid, Uuid, String)> = delivery::Entity::find()
            .select_only()
            .column(delivery::Column::Id)
            .column(delivery::Column::OrganizationId)
            .column(delivery::Column::CampaignId)
            .column(delivery::Column::ContactId)
            .column(delivery::Column::Channel)
            // Literals: the index of the simulator's sent rows walks them in order.
            .filter(delivery::literal(
                delivery::Column::Provider,
                simulator::NAME,
            ))
            .filter(delivery::literal(
                delivery::Column::Status,
                DeliveryStatus::Sent.as_str(),
            ))
            .order_by_asc(delivery::Column::NextAttemptAt)
            .order_by_asc(delivery::Column::Id)
            .limit(CHUNK)
            .into_tuple()
            .all(&engine.db)
            .await?;
        if sent.is_empty() || stop.requested() {
            return Ok(Round::Idle);
        }
        let mut fates: HashMap<(Uuid, Channel), Fates> = HashMap::new();
        let mut reports = Vec::with_capacity(sent.len());
        let mut opened = Vec::new();
        for (id, organization_id, campaign_id, contact_id, channel) in sent {
            let Ok(channel) = channel.parse::<Channel>() else {
                continue;
            };
            let fate = match fates.get(&(organization_id, channel)) {
                Some(f) => *f,
                None => {
                    // Settings that no longer resolve: reported delivered, rather than
                    // stalling every organization's reports behind this one.
                    let f = match engine.channels.resolve(organization_id, channel).await {
                        Ok(resolved) => {
                            let share = |k: &str| resolved.settings.get(k).and_then(Value::as_f64);
                            Fates {
                                failure: share("failure_rate").unwrap_or(0.0),
                                open: share("open_rate").unwrap_or(0.0),
                                click: share("click_rate").unwrap_or(0.0),
                            }
                        }
                        Err(e) => {
                            tracing::warn!(error = ?e, %organization_id, %channel, "channel settings unusable");
                            Fates::default()
                        }
                    };
                    fates.insert((organization_id, channel), f);
                    f
                }
            };
            let report = if simulator::fails(id, fate.failure) {
                record::Report::Failed(simulator::FAILURE_REASON.into())
            } else {
                if simulator::engages(id, "open", fate.open) {
                    opened.push((id, simulator::engages(id, "click", fate.click)));
                }
                record::Report::Delivered
            };
            let reported = record::Reported {
                id,
                organization_id,
                campaign_id,
                contact_id,
                channel,
            };
            reports.push((reported, report));
        }
        let txn = engine.db.begin().await?;
        let (_, touched) = record::reports(&txn, reports).await?;
        engage(&txn, engine, opened).await?;
        txn.commit().await?;
        completion::complete_finished(&engine.db, System::Webhook, touched.0).await;
        Ok(Round::Worked)
    }
}

/// The simulator's people open (and some click) the delivered messages `opened` names,
/// as a person would some time later (never a machine's hit, however soon this is).
async fn engage(
    txn: &DatabaseTransaction,
    engine: &Engine,
    opened: Vec<(Uuid, bool)>,
) -> ServiceResult<()> {
    if opened.is_empty() {
        return Ok(());
    }
    let clicks: HashMap<Uuid, bool> = opened.iter().copied().collect();
    let rows = delivery::Entity::find()
        .filter(delivery::Column::Id.is_in(clicks.keys().copied()))
        .filter(delivery::Column::Status.eq(DeliveryStatus::Delivered))
        .all(txn)
        .await?;
    let tracking = tracking_organizations(txn, rows.iter().map(|d| d.organization_id)).await?;
    // Each campaign's first link is where its clicks go.
    let mut first_links: HashMap<Uuid, Option<tracked_link::Model>> = HashMap::new();
    let person = || Hit {
        user_agent: Some("Mozilla/5.0 (Carillon simulator)".into()),
        head: false,
        since_sent: Some(Duration::MAX),
    };
    let mut hits = Vec::new();
    for d in rows
        .into_iter()
        .filter(|d| tracking.contains(&d.organization_id))
    {
        let clicks_too = clicks.get(&d.id).copied().unwrap_or(false);
        if clicks_too {
            if let std::collections::hash_map::Entry::Vacant(slot) =
                first_links.entry(d.campaign_id)
            {
                let link = tracked_link::Entity::find()
                    .filter(tracked_link::Column::CampaignId.eq(d.campaign_id))
                    .order_by_asc(tracked_link::Column::CreatedAt)
                    .order_by_asc(tracked_link::Column::Id)
                    .one(txn)
                    .await?;
                slot.insert(link);
            }
        }
        let link = first_links
            .get(&d.campaign_id)
            .cloned()
            .flatten()
            .filter(|_| clicks_too);
        hits.push(engagement::Incoming {
            delivery: d.clone(),
            what: engagement::What::Open,
            hit: person(),
        });
        if let Some(link) = link {
            hits.push(engagement::Incoming {
                delivery: d,
                what: engagement::What::Click(link.id),
                hit: person(),
            });
        }
    }
    engagement::record(txn, hits, engine.settings.machine_window).await?;
    Ok(())
}
