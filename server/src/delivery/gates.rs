//! Per organization and channel, in this process: at most `max_in_flight` messages
//! handed to the provider and not yet answered, and at most `rate_per_second` started
//! per second (a token bucket holding one second's worth). Both come from the channel
//! settings; a change takes effect on the next batch.

use crate::channels::Limits;
use app::model::Channel;
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};
use tokio::{
    sync::{OwnedSemaphorePermit, Semaphore},
    time::Instant,
};
use uuid::Uuid;

#[derive(Default)]
pub struct Gates {
    gates: Mutex<HashMap<(Uuid, Channel), Arc<Gate>>>,
}

pub struct Gate {
    limits: Limits,
    in_flight: Arc<Semaphore>,
    bucket: Mutex<Bucket>,
}

struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Gates {
    /// The gate of one organization's channel, made anew when its limits changed.
    pub fn get(&self, organization_id: Uuid, channel: Channel, limits: Limits) -> Arc<Gate> {
        let mut gates = self.gates.lock().unwrap_or_else(|p| p.into_inner());
        let gate = gates
            .entry((organization_id, channel))
            .or_insert_with(|| Arc::new(Gate::new(limits)));
        if gate.limits != limits {
            *gate = Arc::new(Gate::new(limits));
        }
        gate.clone()
    }
}

impl Gate {
    fn new(limits: Limits) -> Self {
        Gate {
            limits,
            in_flight: Arc::new(Semaphore::new(limits.max_in_flight.max(1))),
            bucket: Mutex::new(Bucket {
                tokens: limits.rate_per_second.max(1.0),
                at: Instant::now(),
            }),
        }
    }

    /// Waits for a free slot and a token; the slot is held until the permit drops.
    pub async fn enter(&self) -> Option<OwnedSemaphorePermit> {
        let permit = self.in_flight.clone().acquire_owned().await.ok()?;
        while let Some(wait) = self.take() {
            tokio::time::sleep(wait).await;
        }
        Some(permit)
    }

    /// Takes a token: `None` when one was there, else how long until the next.
    fn take(&self) -> Option<Duration> {
        let rate = self.limits.rate_per_second;
        if rate <= 0.0 {
            return None;
        }
        let mut bucket = self.bucket.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        let refill = now.duration_since(bucket.at).as_secs_f64() * rate;
        bucket.tokens = (bucket.tokens + refill).min(rate.max(1.0));
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            None
        } else {
            Some(
                Duration::try_from_secs_f64((1.0 - bucket.tokens) / rate)
                    .unwrap_or(Duration::from_secs(100)),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_rate_holds_after_the_first_second() {
        let gate = Gate::new(Limits {
            rate_per_second: 50.0,
            max_in_flight: 100,
        });
        let start = Instant::now();
        for _ in 0..75 {
            drop(gate.enter().await);
        }
        // 50 at once (the bucket is full), then 25 more at 50 per second.
        let took = start.elapsed();
        assert!(took >= Duration::from_millis(450), "{took:?}");
        assert!(took < Duration::from_secs(5), "{took:?}");
    }

    #[tokio::test]
    async fn in_flight_is_bounded() {
        let gate = Gate::new(Limits {
            rate_per_second: 0.0,
            max_in_flight: 2,
        });
        let a = gate.enter().await;
        let b = gate.enter().await;
        assert!(
            tokio::time::timeout(Duration::from_millis(20), gate.enter())
                .await
                .is_err()
        );
        drop(a);
        assert!(gate.enter().await.is_some());
        drop(b);
    }
}
