//! The sending engine. The scheduler claims due campaigns and fans each out into one
//! delivery per (contact, channel); workers claim pending deliveries in batches under
//! a lease, render them, hand them to the channel's adapter (within the channel's rate
//! and in-flight limits) and record the outcomes, counters and events in one
//! transaction per batch. Several processes share the work through the database.
//!
//! - [`scheduler`]: due campaigns → running, with their deliveries ([`fanout`]);
//! - [`worker`]: pending deliveries → sent / failed / retried later ([`compose`],
//!   [`gates`], [`record`]);
//! - [`reports`]: the simulator's delivery reports, through the same path as a
//!   provider's status webhooks;
//! - [`Sending`]: the service behind the API (send now, pause, resume, cancel, test,
//!   progress, deliveries, unsubscribe).

pub mod completion;
mod compose;
pub mod engagement;
pub mod fanout;
mod gates;
pub mod links;
pub mod record;
mod reports;
mod scheduler;
pub mod sending;
mod tally;
mod templates;
mod updates;
pub mod withdraw;
mod worker;

pub use compose::Claimed;
pub use reports::SimulatorReports;
pub use scheduler::Scheduler;
pub use sending::Sending;
pub use worker::Worker;

use crate::{
    channels::Channels,
    crypto::Cipher,
    db::entities::campaign::{self, Status},
    jobs::Wake,
};
use app::model::CampaignStatus;
use ring::hmac;
use sea_orm::{DatabaseConnection, EntityTrait, QuerySelect};
use std::{
    collections::HashMap,
    sync::{atomic::AtomicUsize, Arc},
    time::Duration,
};
use tokio::{sync::Mutex, time::Instant};
use uuid::Uuid;

/// The engine's settings (from [`crate::config::Config`]).
#[derive(Clone, Debug)]
pub struct Settings {
    /// Where links in messages point: `CARILLON_PUBLIC_URL`, without a trailing slash.
    pub public_url: String,
    /// Worker loops per process (`CARILLON_WORKERS`; 0: this process sends nothing).
    pub workers: usize,
    pub retry: record::RetryPolicy,
    /// Deliveries a worker claims at once.
    pub batch: u64,
    /// How long a claim holds without renewal: a worker that died is replaced after it.
    pub lease: Duration,
    /// A hit sooner than this after the send is a machine's (see `tracking::machine`).
    pub machine_window: Duration,
}

/// What the engine's parts share.
pub struct Engine {
    pub(crate) db: DatabaseConnection,
    pub(crate) cipher: Arc<Cipher>,
    pub(crate) channels: Arc<Channels>,
    pub(crate) settings: Settings,
    pub(crate) unsubscribe_key: hmac::Key,
    pub(crate) preferences_key: hmac::Key,
    pub(crate) tracking_key: hmac::Key,
    pub(crate) gates: gates::Gates,
    /// Rung when a campaign is due now (sent now, resumed).
    pub(crate) scheduler_wake: Wake,
    /// Rung when deliveries are ready (a campaign started or resumed).
    pub(crate) worker_wake: Wake,
    /// Recently read campaign states, so a batch notices a pause within
    /// [`STATUS_FRESH`] without a query per message.
    statuses: Mutex<HashMap<Uuid, (Instant, CampaignStatus)>>,
    /// Which campaign with work the next claim starts at (they take turns).
    pub(crate) turn: AtomicUsize,
}

const STATUS_FRESH: Duration = Duration::from_millis(250);

impl Engine {
    pub fn new(
        db: DatabaseConnection,
        cipher: Arc<Cipher>,
        channels: Arc<Channels>,
        settings: Settings,
    ) -> Arc<Self> {
        Arc::new(Engine {
            unsubscribe_key: cipher.link_key("unsubscribe"),
            preferences_key: links::Preferences::key(&cipher),
            tracking_key: crate::tracking::key(&cipher),
            db,
            cipher,
            channels,
            settings,
            gates: gates::Gates::default(),
            scheduler_wake: Wake::default(),
            worker_wake: Wake::default(),
            statuses: Mutex::new(HashMap::new()),
            turn: AtomicUsize::new(0),
        })
    }

    /// Whether the campaign is still running (read at most every [`STATUS_FRESH`]). A
    /// failed read says yes: the record step checks again.
    pub(crate) async fn still_running(&self, campaign_id: Uuid) -> bool {
        // Held across the read: when the cached status goes stale, the hundreds of
        // messages in flight wait for one read instead of each taking a connection
        // (and starving the transactions that record outcomes).
        let mut statuses = self.statuses.lock().await;
        if let Some((at, status)) = statuses.get(&campaign_id) {
            if at.elapsed() < STATUS_FRESH {
                return *status == CampaignStatus::Running;
            }
        }
        let status: Option<Status> = campaign::Entity::find_by_id(campaign_id)
            .select_only()
            .column(campaign::Column::Status)
            .into_tuple()
            .one(&self.db)
            .await
            .unwrap_or(Some(Status(CampaignStatus::Running)));
        let status = status.map_or(CampaignStatus::Cancelled, |s| s.0);
        if statuses.len() > 10_000 {
            statuses.clear();
        }
        statuses.insert(campaign_id, (Instant::now(), status));
        status == CampaignStatus::Running
    }

    pub fn scheduler(self: &Arc<Self>) -> Scheduler {
        Scheduler(self.clone())
    }

    pub fn worker(self: &Arc<Self>) -> Worker {
        Worker(self.clone())
    }

    pub fn simulator_reports(self: &Arc<Self>) -> SimulatorReports {
        SimulatorReports(self.clone())
    }
}
