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
    pub tracking_title: &'static str,
    pub tracking_intro: &'static str,
    pub tracking_label: &'static str,
    pub tracking_on: &'static str,
    pub tracking_off: &'static str,
    pub tracking_save: &'static str,
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
    pub push_optin_page: &'static str,
    pub push_public_key: &'static str,
    pub push_snippet: &'static str,
    pub push_snippet_text: &'static str,

    // Provider names and setting labels, by name (a new provider adds lines here, not
    // fields).
    pub provider_names: &'static [(&'static str, &'static str)],
    pub setting_labels: &'static [(&'static str, &'static str)],
}

impl SendingStrings {
    /// A provider's name as the page shows it; an unknown one as it is spelled.
    pub fn provider_name<'a>(&self, name: &'a str) -> &'a str {
        lookup(self.provider_names, name)
    }

    /// A setting's label; a setting without one shows its key.
    pub fn setting_label<'a>(&self, key: &'a str) -> &'a str {
        lookup(self.setting_labels, key)
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

/// The entry for `key`, or the key itself.
fn lookup<'a>(table: &'static [(&'static str, &'static str)], key: &'a str) -> &'a str {
    table
        .iter()
        .find(|(k, _)| *k == key)
        .map_or(key, |(_, label)| label)
}
