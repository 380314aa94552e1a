//! The contact, list and import screens' text, kept apart from the shell's table.
//! Reached through `Strings::contacts`.

mod en;
mod fr;

pub use en::EN;
pub use fr::FR;

use crate::model::{Channel, ConsentState, ImportStatus, LawfulBasis};

pub struct ContactStrings {
    // Contacts list
    pub new_contact: &'static str,
    pub import: &'static str,
    pub search: &'static str,
    pub search_hint: &'static str,
    pub list: &'static str,
    pub all_lists: &'static str,
    pub filter: &'static str,
    pub none_yet: &'static str,
    pub none_match: &'static str,
    pub col_name: &'static str,
    pub col_email: &'static str,
    pub col_phone: &'static str,
    pub col_updated: &'static str,
    pub no_name: &'static str,

    // Contact detail and form
    pub back: &'static str,
    pub edit_title: &'static str,
    pub email: &'static str,
    pub phone: &'static str,
    pub phone_hint: &'static str,
    pub first_name: &'static str,
    pub last_name: &'static str,
    pub locale: &'static str,
    pub locale_hint: &'static str,
    pub time_zone: &'static str,
    pub time_zone_hint: &'static str,
    pub consents: &'static str,
    pub consent_history: &'static str,
    pub consent_history_empty: &'static str,
    pub history_when: &'static str,
    pub history_channel: &'static str,
    pub history_state: &'static str,
    pub history_basis: &'static str,
    pub history_source: &'static str,
    pub history_wording: &'static str,
    pub basis_consent: &'static str,
    pub basis_contract: &'static str,
    pub basis_legitimate_interest: &'static str,
    pub export_json: &'static str,
    pub channel_email: &'static str,
    pub channel_sms: &'static str,
    pub channel_push: &'static str,
    pub granted: &'static str,
    pub withdrawn: &'static str,
    pub unknown: &'static str,
    pub attributes: &'static str,
    pub attributes_hint: &'static str,
    pub create: &'static str,
    pub save: &'static str,
    pub saved: &'static str,
    pub delete: &'static str,
    pub erase_title: &'static str,
    pub erase_hint: &'static str,
    pub erase_confirm: &'static str,
    pub read_only: &'static str,
    pub created_at: &'static str,
    pub updated_at: &'static str,

    // Memberships
    pub memberships: &'static str,
    pub memberships_hint: &'static str,
    pub add_to_list: &'static str,
    /// The button on each list holding the contact.
    pub remove: &'static str,
    /// Followed by the list's name: the accessible name of that button.
    pub remove_from: &'static str,
    pub in_no_list: &'static str,
    pub in_every_list: &'static str,
    pub added: &'static str,
    pub removed: &'static str,
    pub no_lists: &'static str,

    // Lists
    pub lists_title: &'static str,
    pub new_list: &'static str,
    pub list_name: &'static str,
    pub list_description: &'static str,
    pub create_list: &'static str,
    pub col_members: &'static str,
    pub col_actions: &'static str,
    pub rename: &'static str,
    pub new_name: &'static str,
    pub delete_list: &'static str,
    pub view_contacts: &'static str,
    pub lists_none: &'static str,
    pub signup_title: &'static str,
    pub signup_hint: &'static str,
    pub signup_enabled: &'static str,
    pub signup_wording: &'static str,
    pub signup_wording_hint: &'static str,
    pub signup_save: &'static str,
    pub signup_address: &'static str,
    pub signup_snippet: &'static str,
    pub signup_snippet_hint: &'static str,
    pub signup_subscribe: &'static str,
    pub lists_read_only: &'static str,

    // Import wizard
    pub import_title: &'static str,
    pub file: &'static str,
    pub file_hint: &'static str,
    pub nojs_hint: &'static str,
    pub start_import: &'static str,
    pub reading: &'static str,
    pub delimiter: &'static str,
    pub first_rows: &'static str,
    pub mapping: &'static str,
    pub not_imported: &'static str,
    pub keep_attributes: &'static str,
    pub consent_column: &'static str,
    pub basis_title: &'static str,
    pub basis_intro: &'static str,
    pub basis_from_column: &'static str,
    pub basis_none: &'static str,
    pub basis_all_consented: &'static str,
    pub basis_wording: &'static str,
    pub basis_wording_hint: &'static str,
    pub upload_refused: &'static str,
    pub import_read_only: &'static str,

    // Import progress
    pub progress_title: &'static str,
    pub status: &'static str,
    pub progress: &'static str,
    pub rows: &'static str,
    pub created: &'static str,
    pub updated: &'static str,
    pub unchanged: &'static str,
    pub skipped: &'static str,
    pub no_consent: &'static str,
    pub no_consent_hint: &'static str,
    pub failed_because: &'static str,
    pub report: &'static str,
    pub download_report: &'static str,
    pub import_another: &'static str,
    pub status_queued: &'static str,
    pub status_running: &'static str,
    pub status_completed: &'static str,
    pub status_failed: &'static str,
}

impl ContactStrings {
    pub fn channel_name(&self, channel: Channel) -> &'static str {
        match channel {
            Channel::Email => self.channel_email,
            Channel::Sms => self.channel_sms,
            Channel::Push => self.channel_push,
        }
    }

    pub fn consent_name(&self, state: ConsentState) -> &'static str {
        match state {
            ConsentState::Granted => self.granted,
            ConsentState::Withdrawn => self.withdrawn,
            ConsentState::Unknown => self.unknown,
        }
    }

    pub fn basis_name(&self, basis: LawfulBasis) -> &'static str {
        match basis {
            LawfulBasis::Consent => self.basis_consent,
            LawfulBasis::Contract => self.basis_contract,
            LawfulBasis::LegitimateInterest => self.basis_legitimate_interest,
        }
    }

    pub fn import_status(&self, status: ImportStatus) -> &'static str {
        match status {
            ImportStatus::Queued => self.status_queued,
            ImportStatus::Running => self.status_running,
            ImportStatus::Completed => self.status_completed,
            ImportStatus::Failed => self.status_failed,
        }
    }
}
