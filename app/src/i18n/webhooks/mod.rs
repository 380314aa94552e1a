//! Settings → Webhooks. Reached through `Strings::webhooks`.

mod en;
mod fr;

pub use en::EN;
pub use fr::FR;

pub struct WebhookStrings {
    pub title: &'static str,
    pub intro: &'static str,
    pub none: &'static str,
    pub col_url: &'static str,
    pub col_events: &'static str,
    pub col_status: &'static str,
    pub col_waiting: &'static str,
    pub enabled: &'static str,
    pub disabled: &'static str,
    pub failing_since: &'static str,
    pub disabled_alert: &'static str,
    pub attempts: &'static str,
    pub disable: &'static str,
    pub enable: &'static str,
    pub delete: &'static str,
    pub new_title: &'static str,
    pub url: &'static str,
    pub url_hint: &'static str,
    pub description: &'static str,
    pub events: &'static str,
    pub add: &'static str,
    pub secret_title: &'static str,
    pub secret_note: &'static str,
    pub attempts_title: &'static str,
    pub attempts_intro: &'static str,
    pub attempts_none: &'static str,
    pub col_when: &'static str,
    pub col_event: &'static str,
    pub col_message: &'static str,
    pub col_trigger: &'static str,
    pub col_result: &'static str,
    pub col_latency: &'static str,
    pub col_error: &'static str,
    pub succeeded: &'static str,
    pub failed: &'static str,
    pub replay: &'static str,
    pub replay_queued: &'static str,
    pub trigger_scheduled: &'static str,
    pub trigger_replay: &'static str,
    pub message_pending: &'static str,
    pub message_delivered: &'static str,
    pub message_failed: &'static str,
    pub back: &'static str,
}

impl WebhookStrings {
    pub fn trigger(&self, trigger: &str) -> &'static str {
        match trigger {
            "replay" => self.trigger_replay,
            _ => self.trigger_scheduled,
        }
    }

    pub fn message_status(&self, status: &str) -> &'static str {
        match status {
            "delivered" => self.message_delivered,
            "failed" => self.message_failed,
            _ => self.message_pending,
        }
    }
}
