//! The simulator: sends nothing. It "accepts" every message after `latency_ms`, and a
//! moment later reports it delivered, or failed for a share of `failure_rate` — chosen
//! from the delivery id, so the same delivery always has the same fate and tests can
//! count on it. A new organization starts with it on every channel.

use super::{check::Check, registry::Provider, ChannelAdapter, OutboundMessage, SendOutcome};
use app::model::{Channel, FieldErrors, SettingField, SettingKind};
use async_trait::async_trait;
use ring::digest;
use serde_json::{Map, Value};
use std::{sync::Arc, time::Duration};
use uuid::Uuid;

pub const NAME: &str = "simulator";

pub struct Simulator;

impl Provider for Simulator {
    fn name(&self) -> &'static str {
        NAME
    }

    fn channels(&self) -> &'static [Channel] {
        &Channel::ALL
    }

    fn form(&self) -> Vec<SettingField> {
        vec![
            SettingField::new("latency_ms", SettingKind::Number),
            SettingField::new("failure_rate", SettingKind::Number),
            SettingField::new("open_rate", SettingKind::Number),
            SettingField::new("click_rate", SettingKind::Number),
        ]
    }

    fn validate(&self, settings: &mut Map<String, Value>) -> Result<(), FieldErrors> {
        let mut check = Check::new(settings);
        check.whole("latency_ms", 0, 60_000, 50);
        check.number("failure_rate", 0.0, 1.0, 0.02);
        check.number("open_rate", 0.0, 1.0, 0.0);
        check.number("click_rate", 0.0, 1.0, 0.0);
        check.finish()
    }

    fn adapter(
        &self,
        _channel: Channel,
        settings: &Map<String, Value>,
        _context: &super::Context,
    ) -> anyhow::Result<Arc<dyn ChannelAdapter>> {
        Ok(Arc::new(SimulatorAdapter {
            latency: Duration::from_millis(
                settings
                    .get("latency_ms")
                    .and_then(Value::as_u64)
                    .unwrap_or(0),
            ),
        }))
    }
}

struct SimulatorAdapter {
    latency: Duration,
}

#[async_trait]
impl ChannelAdapter for SimulatorAdapter {
    async fn send(&self, message: &OutboundMessage) -> SendOutcome {
        if !self.latency.is_zero() {
            tokio::time::sleep(self.latency).await;
        }
        SendOutcome::Accepted {
            provider_message_id: Some(format!("sim-{}", message.delivery_id.simple())),
        }
    }

    async fn verify(&self) -> Result<(), String> {
        Ok(())
    }
}

/// Whether the simulator reports this delivery failed (else delivered): the first 64
/// bits of SHA-256 of the id, as a fraction of 2⁶⁴, below `failure_rate`.
pub fn fails(delivery_id: Uuid, failure_rate: f64) -> bool {
    let hash = digest::digest(&digest::SHA256, delivery_id.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&hash.as_ref()[..8]);
    (u64::from_be_bytes(first) as f64 / 2f64.powi(64)) < failure_rate
}

/// Whether the simulator's person behind this delivery does `what` (`open`, `click`):
/// like [`fails`], a fixed fate per delivery, drawn apart for each `what`.
pub fn engages(delivery_id: Uuid, what: &str, rate: f64) -> bool {
    let mut ctx = digest::Context::new(&digest::SHA256);
    ctx.update(delivery_id.as_bytes());
    ctx.update(what.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&ctx.finish().as_ref()[..8]);
    (u64::from_be_bytes(first) as f64 / 2f64.powi(64)) < rate
}

/// What the simulator reports for a failed message.
pub const FAILURE_REASON: &str =
    "simulated bounce: the simulator reports a share of `failure_rate` of messages as failed";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fates_follow_the_rate_and_never_change() {
        let ids: Vec<Uuid> = (0..10_000u128).map(Uuid::from_u128).collect();
        assert!(ids.iter().all(|id| !fails(*id, 0.0)));
        assert!(ids.iter().all(|id| fails(*id, 1.0)));
        let failed = ids.iter().filter(|id| fails(**id, 0.1)).count();
        assert!((800..1200).contains(&failed), "{failed}");
        assert_eq!(fails(ids[7], 0.5), fails(ids[7], 0.5));
    }
}
