//! The `simulator_reports` job: what the simulator's "provider" says a moment after it
//! took a message — delivered, or failed for the share `failure_rate` of messages chosen
//! by [`simulator::fails`]. Reports go through [`record::reports`], the path a real
//! provider's status webhooks take.

use super::{completion, record, Engine};
use crate::{
    campaigns::System,
    channels::simulator,
    db::entities::delivery::{self, DeliveryStatus},
    jobs::{Job, Round, Stop},
};
use app::model::Channel;
use async_trait::async_trait;
use sea_orm::{EntityTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait};
use serde_json::Value;
use std::{collections::HashMap, sync::Arc, time::Duration};
use uuid::Uuid;

/// Reports applied per transaction.
const CHUNK: u64 = 500;

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
        let mut rates: HashMap<(Uuid, Channel), f64> = HashMap::new();
        let mut reports = Vec::with_capacity(sent.len());
        for (id, organization_id, campaign_id, contact_id, channel) in sent {
            let Ok(channel) = channel.parse::<Channel>() else {
                continue;
            };
            let rate = match rates.get(&(organization_id, channel)) {
                Some(r) => *r,
                None => {
                    // Settings that no longer resolve: reported delivered, rather than
                    // stalling every organization's reports behind this one.
                    let r = match engine.channels.resolve(organization_id, channel).await {
                        Ok(resolved) => resolved
                            .settings
                            .get("failure_rate")
                            .and_then(Value::as_f64)
                            .unwrap_or(0.0),
                        Err(e) => {
                            tracing::warn!(error = ?e, %organization_id, %channel, "channel settings unusable");
                            0.0
                        }
                    };
                    rates.insert((organization_id, channel), r);
                    r
                }
            };
            let report = if simulator::fails(id, rate) {
                record::Report::Failed(simulator::FAILURE_REASON.into())
            } else {
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
        txn.commit().await?;
        completion::complete_finished(&engine.db, System::Webhook, touched.0).await;
        Ok(Round::Worked)
    }
}
