//! The loops that run the jobs, their shutdown, and `drain`.

use async_trait::async_trait;
use futures_util::FutureExt;
use std::{panic::AssertUnwindSafe, sync::Arc, time::Duration};
use tokio::sync::{watch, Mutex, Notify};
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

/// What a round found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Round {
    /// Nothing was due: the loop waits for its interval or a [`Wake`].
    Idle,
    /// Something was done: the loop starts another round at once.
    Worked,
}

#[async_trait]
pub trait Job: Send + Sync + 'static {
    /// For logs.
    fn name(&self) -> &'static str;
    /// How long an idle loop waits before it looks again.
    fn every(&self) -> Duration;
    /// Rung by the job's service when it creates work, so the loop need not wait.
    fn wake(&self) -> Option<Wake> {
        None
    }
    /// How many loops of this job a process runs side by side.
    fn loops(&self) -> usize {
        1
    }
    /// Claims what is due and does it. A long round checks `stop` between units of work
    /// and, once stop is requested, leaves what remains to a later round (releasing its
    /// claims) and returns.
    async fn round(&self, stop: &Stop) -> anyhow::Result<Round>;
}

/// Shutdown, as the rounds see it.
#[derive(Clone, Debug, Default)]
pub struct Stop(CancellationToken);

impl Stop {
    pub fn requested(&self) -> bool {
        self.0.is_cancelled()
    }

    /// Resolves once stop is requested.
    pub async fn wait(&self) {
        self.0.cancelled().await
    }

    /// A stop already requested, for tests of what a round does at shutdown.
    #[cfg(test)]
    pub(crate) fn requested_now() -> Self {
        let stop = Stop::default();
        stop.0.cancel();
        stop
    }
}

/// A job's doorbell: the service that queues work rings it.
#[derive(Clone, Debug, Default)]
pub struct Wake(Arc<Notify>);

impl Wake {
    pub fn ring(&self) {
        self.0.notify_one();
    }
}

/// The registered jobs. Cheap to clone.
#[derive(Clone)]
pub struct Jobs {
    inner: Arc<Inner>,
}

struct Inner {
    jobs: Vec<Arc<dyn Job>>,
    stop: Stop,
    /// How many rounds are under way, in the loops and in `drain`.
    busy: watch::Sender<usize>,
    loops: Mutex<Vec<tokio::task::JoinHandle<()>>>,
}

/// Counts a round as under way for as long as it lives (also when it panics or is dropped).
struct Busy<'a>(&'a watch::Sender<usize>);

impl<'a> Busy<'a> {
    fn start(counter: &'a watch::Sender<usize>) -> Self {
        counter.send_modify(|n| *n += 1);
        Busy(counter)
    }
}

impl Drop for Busy<'_> {
    fn drop(&mut self) {
        self.0.send_modify(|n| *n -= 1);
    }
}

impl Jobs {
    pub fn new(jobs: Vec<Arc<dyn Job>>) -> Self {
        Jobs {
            inner: Arc::new(Inner {
                jobs,
                stop: Stop::default(),
                busy: watch::Sender::new(0),
                loops: Mutex::new(Vec::new()),
            }),
        }
    }

    /// The same jobs but those named, for a process that does only part of the work
    /// (`carillon worker` sends; the uploads an import reads are on the web process's disk).
    pub fn only(&self, names: &[&str]) -> Jobs {
        Jobs::new(
            self.inner
                .jobs
                .iter()
                .filter(|j| names.contains(&j.name()))
                .cloned()
                .collect(),
        )
    }

    pub fn names(&self) -> Vec<&'static str> {
        self.inner.jobs.iter().map(|j| j.name()).collect()
    }

    /// Starts one loop per job. Only the commands that do background work call it.
    pub async fn start(&self) {
        let mut loops = self.inner.loops.lock().await;
        for job in &self.inner.jobs {
            for _ in 0..job.loops().max(1) {
                loops.push(tokio::spawn(run_loop(self.inner.clone(), job.clone())));
            }
        }
        tracing::info!(jobs = ?self.names(), "background jobs started");
    }

    /// Does all the work there is, now: waits for the rounds under way, then runs rounds
    /// of every job in this task until a pass finds nothing to do and no round is under
    /// way. Tests call it instead of waiting for the loops. Once the process is stopping
    /// it does nothing: what is left is for the next process.
    pub async fn drain(&self) -> anyhow::Result<()> {
        let mut busy = self.inner.busy.subscribe();
        loop {
            busy.wait_for(|n| *n == 0).await?;
            if self.inner.stop.requested() {
                return Ok(());
            }
            let mut worked = false;
            for job in &self.inner.jobs {
                let _busy = Busy::start(&self.inner.busy);
                worked |= job.round(&self.inner.stop).await? == Round::Worked;
            }
            if !worked && *self.inner.busy.borrow() == 0 {
                return Ok(());
            }
        }
    }

    /// Asks every loop and round to stop (see [`Jobs::shutdown`]) without waiting.
    pub fn request_stop(&self) {
        self.inner.stop.0.cancel();
    }

    /// Asks every loop to stop and waits, at most `grace`, for the rounds under way to
    /// finish their unit of work and release what they hold. What is left is picked up
    /// by the next process (its lease expires, or was released).
    pub async fn shutdown(&self, grace: Duration) {
        self.request_stop();
        let loops = std::mem::take(&mut *self.inner.loops.lock().await);
        let all = futures_util::future::join_all(loops);
        if tokio::time::timeout(grace, all).await.is_err() {
            tracing::warn!(
                ?grace,
                "background jobs did not stop in time; their leases will expire"
            );
        } else {
            tracing::info!("background jobs stopped");
        }
    }
}

async fn run_loop(inner: Arc<Inner>, job: Arc<dyn Job>) {
    let wake = job.wake().unwrap_or_default();
    let span = tracing::info_span!("job", name = job.name());
    while !inner.stop.requested() {
        let round = {
            let _busy = Busy::start(&inner.busy);
            AssertUnwindSafe(job.round(&inner.stop).instrument(span.clone()))
                .catch_unwind()
                .await
        };
        match round {
            Ok(Ok(Round::Worked)) => continue,
            Ok(Ok(Round::Idle)) => {}
            Ok(Err(e)) => tracing::warn!(job = job.name(), error = ?e, "a job round failed"),
            Err(_) => tracing::error!(job = job.name(), "a job round panicked"),
        }
        tokio::select! {
            () = inner.stop.wait() => break,
            () = wake.0.notified() => {}
            () = tokio::time::sleep(job.every()) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// `units` pieces of work, done one per round.
    struct Countdown {
        units: AtomicUsize,
        done: AtomicUsize,
    }

    #[async_trait]
    impl Job for Countdown {
        fn name(&self) -> &'static str {
            "countdown"
        }
        fn every(&self) -> Duration {
            Duration::from_secs(3600)
        }
        async fn round(&self, _stop: &Stop) -> anyhow::Result<Round> {
            let left = self.units.load(Ordering::SeqCst);
            if left == 0 {
                return Ok(Round::Idle);
            }
            tokio::task::yield_now().await;
            self.units.store(left - 1, Ordering::SeqCst);
            self.done.fetch_add(1, Ordering::SeqCst);
            Ok(Round::Worked)
        }
    }

    /// Holds its round until stop is requested, like an import between two batches.
    #[derive(Default)]
    struct Holder {
        started: Notify,
        saw_stop: AtomicUsize,
    }

    #[async_trait]
    impl Job for Holder {
        fn name(&self) -> &'static str {
            "holder"
        }
        fn every(&self) -> Duration {
            Duration::from_secs(3600)
        }
        async fn round(&self, stop: &Stop) -> anyhow::Result<Round> {
            self.started.notify_one();
            stop.wait().await;
            self.saw_stop.fetch_add(1, Ordering::SeqCst);
            Ok(Round::Idle)
        }
    }

    #[tokio::test]
    async fn drain_does_all_the_work_without_the_loops() {
        let job = Arc::new(Countdown {
            units: AtomicUsize::new(5),
            done: AtomicUsize::new(0),
        });
        let jobs = Jobs::new(vec![job.clone()]);
        jobs.drain().await.unwrap();
        assert_eq!(job.done.load(Ordering::SeqCst), 5);
        jobs.drain().await.unwrap();
        assert_eq!(
            job.done.load(Ordering::SeqCst),
            5,
            "nothing left, nothing done"
        );
    }

    /// Holds its first round until released; later rounds find nothing.
    #[derive(Default)]
    struct FirstHeld {
        started: Notify,
        release: Notify,
        rounds: AtomicUsize,
        running: AtomicUsize,
        most_running: AtomicUsize,
    }

    #[async_trait]
    impl Job for FirstHeld {
        fn name(&self) -> &'static str {
            "first-held"
        }
        fn every(&self) -> Duration {
            Duration::from_secs(3600)
        }
        async fn round(&self, _stop: &Stop) -> anyhow::Result<Round> {
            let running = self.running.fetch_add(1, Ordering::SeqCst) + 1;
            self.most_running.fetch_max(running, Ordering::SeqCst);
            if self.rounds.fetch_add(1, Ordering::SeqCst) == 0 {
                self.started.notify_one();
                self.release.notified().await;
            }
            self.running.fetch_sub(1, Ordering::SeqCst);
            Ok(Round::Idle)
        }
    }

    #[tokio::test]
    async fn drain_waits_for_rounds_under_way_in_the_loops() {
        let job = Arc::new(FirstHeld::default());
        let jobs = Jobs::new(vec![job.clone()]);
        jobs.start().await;
        job.started.notified().await;
        let drain = tokio::spawn({
            let jobs = jobs.clone();
            async move { jobs.drain().await }
        });
        for _ in 0..10 {
            tokio::task::yield_now().await;
        }
        assert!(!drain.is_finished(), "the loop's round is still under way");
        assert_eq!(
            job.rounds.load(Ordering::SeqCst),
            1,
            "and drain has not started one beside it"
        );
        job.release.notify_one();
        drain.await.unwrap().unwrap();
        assert_eq!(
            job.rounds.load(Ordering::SeqCst),
            2,
            "the loop's round, then drain's"
        );
        assert_eq!(
            job.most_running.load(Ordering::SeqCst),
            1,
            "never side by side"
        );
        jobs.shutdown(Duration::from_secs(5)).await;
    }

    #[tokio::test]
    async fn shutdown_lets_the_round_under_way_finish_and_stops_the_loops() {
        let holder = Arc::new(Holder::default());
        let jobs = Jobs::new(vec![holder.clone()]);
        jobs.start().await;
        holder.started.notified().await;
        jobs.shutdown(Duration::from_secs(5)).await;
        assert_eq!(holder.saw_stop.load(Ordering::SeqCst), 1);
        assert!(jobs.inner.loops.lock().await.is_empty());
        assert_eq!(*jobs.inner.busy.borrow(), 0);
    }

    #[tokio::test]
    async fn once_stopping_drain_does_nothing() {
        let job = Arc::new(Countdown {
            units: AtomicUsize::new(5),
            done: AtomicUsize::new(0),
        });
        let jobs = Jobs::new(vec![job.clone()]);
        jobs.shutdown(Duration::from_secs(5)).await;
        jobs.drain().await.unwrap();
        assert_eq!(
            job.done.load(Ordering::SeqCst),
            0,
            "left for the next process"
        );
    }

    #[tokio::test]
    async fn a_wake_starts_a_round_before_the_interval() {
        struct Rung {
            wake: Wake,
            rounds: AtomicUsize,
            ran: Notify,
        }
        #[async_trait]
        impl Job for Rung {
            fn name(&self) -> &'static str {
                "rung"
            }
            fn every(&self) -> Duration {
                Duration::from_secs(3600)
            }
            fn wake(&self) -> Option<Wake> {
                Some(self.wake.clone())
            }
            async fn round(&self, _stop: &Stop) -> anyhow::Result<Round> {
                self.rounds.fetch_add(1, Ordering::SeqCst);
                self.ran.notify_one();
                Ok(Round::Idle)
            }
        }
        let job = Arc::new(Rung {
            wake: Wake::default(),
            rounds: AtomicUsize::new(0),
            ran: Notify::new(),
        });
        let jobs = Jobs::new(vec![job.clone()]);
        jobs.start().await;
        job.ran.notified().await;
        job.wake.ring();
        job.ran.notified().await;
        assert_eq!(job.rounds.load(Ordering::SeqCst), 2);
        jobs.shutdown(Duration::from_secs(5)).await;
    }

    #[tokio::test]
    async fn a_panicking_round_does_not_end_its_loop() {
        struct Flaky {
            rounds: AtomicUsize,
            ran: Notify,
            wake: Wake,
        }
        #[async_trait]
        impl Job for Flaky {
            fn name(&self) -> &'static str {
                "flaky"
            }
            fn every(&self) -> Duration {
                Duration::from_secs(3600)
            }
            fn wake(&self) -> Option<Wake> {
                Some(self.wake.clone())
            }
            async fn round(&self, _stop: &Stop) -> anyhow::Result<Round> {
                let n = self.rounds.fetch_add(1, Ordering::SeqCst);
                self.ran.notify_one();
                if n == 0 {
                    panic!("a bug in one round");
                }
                Ok(Round::Idle)
            }
        }
        let job = Arc::new(Flaky {
            rounds: AtomicUsize::new(0),
            ran: Notify::new(),
            wake: Wake::default(),
        });
        let jobs = Jobs::new(vec![job.clone()]);
        jobs.start().await;
        job.ran.notified().await;
        job.wake.ring();
        job.ran.notified().await;
        assert_eq!(job.rounds.load(Ordering::SeqCst), 2);
        jobs.shutdown(Duration::from_secs(5)).await;
    }
}
