//! The tracking endpoints' writer. A hit waits in a bounded queue; one task per process
//! takes what has queued up (at most [`MAX_BATCH`]), reads the deliveries of all of it
//! in one query and the links it does not know yet ([`KeptLinks`]) in another, records
//! it in one transaction ([`hits::record`]) and answers each request once that
//! transaction has committed. Under load a batch grows while the previous one commits,
//! so the statements per hit fall as the hits rise; alone, a hit waits for nothing. A
//! request is answered only after its hit is stored: a crash loses no hit that was
//! answered.

use super::{
    hits::{self, Incoming, What},
    kept_links::KeptLinks,
};
use crate::{crypto::Cipher, db::entities::delivery, error::ServiceResult, tracking::machine::Hit};
use anyhow::anyhow;
use futures_util::FutureExt;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, TransactionTrait};
use std::{
    collections::{BTreeSet, HashMap},
    panic::AssertUnwindSafe,
    sync::Arc,
    time::Duration,
};
use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

/// Hits recorded per transaction at most.
pub const MAX_BATCH: usize = 512;
/// Hits waiting at most; past that, requests wait for room (memory stays bounded).
pub const MAX_QUEUED: usize = 10_000;

/// What a verified token names.
#[derive(Clone, Copy, Debug)]
pub enum Job {
    Open { delivery_id: Uuid },
    Click { delivery_id: Uuid, link_id: Uuid },
}

/// A click's target (`None` for an open, or for a click that leads nowhere of ours).
type Answer = ServiceResult<Option<String>>;

struct Queued {
    job: Job,
    hit: Hit,
    answer: oneshot::Sender<Answer>,
}

pub struct Writer {
    queue: mpsc::Sender<Queued>,
}

impl Writer {
    /// Starts the writing task (on the current Tokio runtime).
    pub fn start(db: DatabaseConnection, cipher: Arc<Cipher>, window: Duration) -> Writer {
        let (queue, incoming) = mpsc::channel(MAX_QUEUED);
        tokio::spawn(run(db, cipher, window, incoming));
        Writer { queue }
    }

    /// Records the hit; answers once it is stored, with a click's target.
    pub async fn submit(&self, job: Job, hit: Hit) -> Answer {
        let (answer, answered) = oneshot::channel();
        self.queue
            .send(Queued { job, hit, answer })
            .await
            .map_err(|_| anyhow!("the tracking writer has stopped"))?;
        answered
            .await
            .map_err(|_| anyhow!("the tracking writer dropped a hit"))?
    }
}

async fn run(
    db: DatabaseConnection,
    cipher: Arc<Cipher>,
    window: Duration,
    mut incoming: mpsc::Receiver<Queued>,
) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    let mut links = KeptLinks::default();
    while incoming.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let queued = std::mem::take(&mut batch);
        let jobs: Vec<(Job, Hit)> = queued.iter().map(|q| (q.job, q.hit.clone())).collect();
        // A bug costs its batch, never the writer: every later hit needs it.
        let answers = AssertUnwindSafe(write(&db, &cipher, &mut links, window, jobs))
            .catch_unwind()
            .await
            .unwrap_or_else(|_| {
                tracing::error!(hits = queued.len(), "recording hits panicked");
                Vec::new()
            });
        let mut answers = answers.into_iter();
        for q in queued {
            let answer = answers
                .next()
                .unwrap_or_else(|| Err(anyhow!("the hit could not be recorded").into()));
            // The request may have gone (the client hung up): nothing to tell.
            let _ = q.answer.send(answer);
        }
    }
}

/// Tries to record a batch: a deadlock with another writer of the same rows (the
/// engine recording reports) rolls it back whole, and it is tried again.
const ATTEMPTS: u32 = 3;

/// Records a batch; one answer per job, in order.
#[tracing::instrument(skip_all, fields(hits = jobs.len()))]
async fn write(
    db: &DatabaseConnection,
    cipher: &Cipher,
    links: &mut KeptLinks,
    window: Duration,
    jobs: Vec<(Job, Hit)>,
) -> Vec<Answer> {
    let mut targets = None;
    for tries in 1..=ATTEMPTS {
        match attempt(db, cipher, links, window, &jobs).await {
            Ok(targets) => return targets.into_iter().map(Ok).collect(),
            Err((read, error)) => {
                targets = read.or(targets);
                if tries < ATTEMPTS {
                    tracing::warn!(?error, tries, "recording hits failed; trying again");
                    tokio::time::sleep(Duration::from_millis(10 * u64::from(tries))).await;
                } else {
                    tracing::error!(?error, hits = jobs.len(), "hits could not be recorded");
                }
            }
        }
    }
    // A person still gets to the link when the click cannot be counted.
    let targets = targets.unwrap_or_else(|| vec![None; jobs.len()]);
    jobs.iter()
        .zip(targets)
        .map(|((job, _), target)| match (job, target) {
            (Job::Click { .. }, Some(target)) => Ok(Some(target)),
            _ => Err(anyhow!("the hit could not be recorded").into()),
        })
        .collect()
}

/// One transaction: the targets, or the error with the targets if they were read.
async fn attempt(
    db: &DatabaseConnection,
    cipher: &Cipher,
    links: &mut KeptLinks,
    window: Duration,
    jobs: &[(Job, Hit)],
) -> Result<Vec<Option<String>>, (Option<Vec<Option<String>>>, crate::error::ServiceError)> {
    let txn = db.begin().await.map_err(|e| (None, e.into()))?;
    let (targets, incoming) = read(&txn, cipher, links, jobs)
        .await
        .map_err(|e| (None, e))?;
    let recorded = async {
        hits::record(&txn, incoming, window).await?;
        txn.commit().await?;
        ServiceResult::Ok(())
    }
    .await;
    match recorded {
        Ok(()) => Ok(targets),
        Err(e) => Err((Some(targets), e)),
    }
}

/// The jobs' deliveries and links, in at most two queries: each click's target and the
/// hits to record. A delivery that is gone (retention) records nothing; a click on a
/// link of another campaign than its delivery's, or on one that does not open, leads
/// nowhere.
async fn read(
    txn: &sea_orm::DatabaseTransaction,
    cipher: &Cipher,
    links: &mut KeptLinks,
    jobs: &[(Job, Hit)],
) -> ServiceResult<(Vec<Option<String>>, Vec<Incoming>)> {
    let delivery_ids: BTreeSet<Uuid> = jobs
        .iter()
        .map(|(job, _)| match job {
            Job::Open { delivery_id } | Job::Click { delivery_id, .. } => *delivery_id,
        })
        .collect();
    let deliveries: HashMap<Uuid, delivery::Model> = delivery::Entity::find()
        .filter(delivery::Column::Id.is_in(delivery_ids))
        .all(txn)
        .await?
        .into_iter()
        .map(|d| (d.id, d))
        .collect();
    let wanted: HashMap<Uuid, Option<Uuid>> = jobs
        .iter()
        .filter_map(|(job, _)| match job {
            Job::Click {
                delivery_id,
                link_id,
            } => Some((*link_id, deliveries.get(delivery_id).map(|d| d.campaign_id))),
            Job::Open { .. } => None,
        })
        .collect();
    let links = links.get(txn, &wanted).await?;
    let mut targets = Vec::with_capacity(jobs.len());
    let mut incoming = Vec::with_capacity(jobs.len());
    for (job, hit) in jobs {
        match *job {
            Job::Open { delivery_id } => {
                targets.push(None);
                if let Some(d) = deliveries.get(&delivery_id) {
                    incoming.push(Incoming {
                        delivery: d.clone(),
                        what: What::Open,
                        hit: hit.clone(),
                    });
                }
            }
            Job::Click {
                delivery_id,
                link_id,
            } => {
                let delivery = deliveries.get(&delivery_id);
                let link = links.get(&link_id).filter(|l| {
                    // We signed this pair, so a delivery of another campaign is not
                    // ours to follow.
                    delivery.is_none_or(|d| d.campaign_id == l.campaign_id)
                });
                let target = link.and_then(|l| l.target(cipher));
                if let (Some(d), Some(_), Some(_)) = (delivery, link, &target) {
                    incoming.push(Incoming {
                        delivery: d.clone(),
                        what: What::Click(link_id),
                        hit: hit.clone(),
                    });
                }
                targets.push(target);
            }
        }
    }
    Ok((targets, incoming))
}
