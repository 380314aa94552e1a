//! The sending screens' text: a campaign's progress and actions, and Settings →
//! Channels. Reached through `Strings::sending`.

mod en;
mod fr;

pub use en::EN;
pub use fr::FR;

use crate::model::SendResult;

pub struct SendingStrings {
    // Campaign page: progress
    pub progress_title: &'static str,
    pub progress_label: &'static str,
    pub not_started: &'static str,
    pub started_at: &'static str,
    pub completed_at: &'static str,
    pub col_channel: &'static str,
    pub total: &'static str,
    pub pending: &'static str,
    pub sent: &'static str,
    pub delivered: &'static str,
    pub failed: &'static str,
    pub skipped: &'static str,
    pub cancelled: &'static str,
    pub all_channels: &'static str,
    pub skipped_title: &'static str,
    pub no_consent: &'static str,
    pub no_address: &'static str,
    pub unsubscribed: &'static str,
    pub failures_title: &'static str,
    pub failures_shown: &'static str,
    pub col_contact: &'static str,
    pub col_reason: &'static str,
    pub col_attempts: &'static str,
    pub no_reason: &'static str,

    // Campaign page: actions
    pub send_now: &'static str,
    pub pause: &'static str,
    pub resume: &'static str,
    pub test_title: &'static str,
    pub test_hint: &'static str,
    pub test_email: &'static str,
    pub test_phone: &'static str,
    pub test_send: &'static str,
    pub outcome_accepted: &'static str,
    pub outcome_retry: &'static str,
    pub outcome_failed: &'static str,
    pub message_id: &'static str,

    // Settings → Channels
    pub channels_title: &'static str,
    pub channels_intro: &'static str,
    pub provider: &'static str,
    pub change_provider: &'static str,
    pub simulator_note: &'static str,
    pub not_saved: &'static str,
    pub unsaved_provider: &'static str,
    pub save: &'static str,
    pub saved: &'static str,
    pub secret_set: &'static str,
    pub secret_unset: &'static str,
    pub test_to: &'static str,
    pub test_to_hint_email: &'static str,
    pub test_to_hint_sms: &'static str,
    pub test_channel: &'static str,
    pub push_test_note: &'static str,

    // Provider names and setting labels
    pub provider_simulator: &'static str,
    pub provider_smtp: &'static str,
    pub setting_latency_ms: &'static str,
    pub setting_failure_rate: &'static str,
    pub setting_host: &'static str,
    pub setting_security: &'static str,
    pub setting_port: &'static str,
    pub setting_username: &'static str,
    pub setting_password: &'static str,
    pub setting_from_email: &'static str,
    pub setting_max_connections: &'static str,
    pub setting_timeout_seconds: &'static str,
    pub setting_dkim_domain: &'static str,
    pub setting_dkim_selector: &'static str,
    pub setting_dkim_private_key: &'static str,
    pub setting_rate_per_second: &'static str,
    pub setting_max_in_flight: &'static str,
}

impl SendingStrings {
    /// A provider's name as the page shows it; an unknown one as it is spelled.
    pub fn provider_name<'a>(&self, name: &'a str) -> &'a str {
        match name {
            "simulator" => self.provider_simulator,
            "smtp" => self.provider_smtp,
            other => other,
        }
    }

    /// A setting's label; a setting without one shows its key.
    pub fn setting_label<'a>(&self, key: &'a str) -> &'a str {
        match key {
            "latency_ms" => self.setting_latency_ms,
            "failure_rate" => self.setting_failure_rate,
            "host" => self.setting_host,
            "security" => self.setting_security,
            "port" => self.setting_port,
            "username" => self.setting_username,
            "password" => self.setting_password,
            "from_email" => self.setting_from_email,
            "max_connections" => self.setting_max_connections,
            "timeout_seconds" => self.setting_timeout_seconds,
            "dkim.domain" => self.setting_dkim_domain,
            "dkim.selector" => self.setting_dkim_selector,
            "dkim.private_key" => self.setting_dkim_private_key,
            "rate_per_second" => self.setting_rate_per_second,
            "max_in_flight" => self.setting_max_in_flight,
            other => other,
        }
    }

    /// What a provider said, in words.
    pub fn outcome(&self, result: &SendResult) -> &'static str {
        match result.outcome.as_str() {
            "accepted" => self.outcome_accepted,
            "retry" => self.outcome_retry,
            _ => self.outcome_failed,
        }
    }
}
