//! The privacy screens' text: Settings → Audit log and Settings → Suppression list.
//! Reached through `Strings::privacy`.

mod en;
mod fr;

pub use en::EN;
pub use fr::FR;

use crate::model::SuppressionReason;

pub struct PrivacyStrings {
    pub audit_title: &'static str,
    pub audit_intro: &'static str,
    pub audit_action: &'static str,
    pub audit_all: &'static str,
    pub audit_from: &'static str,
    pub audit_to: &'static str,
    pub audit_filter: &'static str,
    pub audit_csv: &'static str,
    pub audit_none: &'static str,
    pub col_at: &'static str,
    pub col_who: &'static str,
    pub col_action: &'static str,
    pub col_target: &'static str,
    pub col_ip: &'static str,
    pub col_details: &'static str,
    pub retention_title: &'static str,
    pub retention_intro: &'static str,
    pub retention_deliveries: &'static str,
    pub retention_contacts: &'static str,
    pub retention_hint: &'static str,
    pub retention_save: &'static str,
    pub retention_runs: &'static str,
    pub retention_no_runs: &'static str,
    pub retention_day: &'static str,
    pub retention_status: &'static str,
    pub retention_deliveries_deleted: &'static str,
    pub retention_events_deleted: &'static str,
    pub retention_contacts_deleted: &'static str,
    pub retention_done: &'static str,
    pub retention_running: &'static str,
    pub retention_retrying: &'static str,
    pub suppressions_title: &'static str,
    pub suppressions_intro: &'static str,
    pub suppressions_none: &'static str,
    pub col_channel: &'static str,
    pub col_reason: &'static str,
    pub col_contact: &'static str,
    pub col_added: &'static str,
    pub add_title: &'static str,
    pub channel: &'static str,
    pub address: &'static str,
    pub add: &'static str,
    pub remove: &'static str,
    pub search: &'static str,
    pub find: &'static str,
    pub reason_unsubscribe: &'static str,
    pub reason_bounce: &'static str,
    pub reason_complaint: &'static str,
    pub reason_stop: &'static str,
    pub reason_erasure: &'static str,
    pub reason_admin: &'static str,
}

impl PrivacyStrings {
    pub fn reason_name(&self, reason: SuppressionReason) -> &'static str {
        match reason {
            SuppressionReason::Unsubscribe => self.reason_unsubscribe,
            SuppressionReason::Bounce => self.reason_bounce,
            SuppressionReason::Complaint => self.reason_complaint,
            SuppressionReason::Stop => self.reason_stop,
            SuppressionReason::Erasure => self.reason_erasure,
            SuppressionReason::Admin => self.reason_admin,
        }
    }
}
