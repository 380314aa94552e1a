//! The campaign screens' text, kept apart from the shell's table so that each feature's
//! strings stay together. Reached through `Strings::campaigns`.

mod en;
mod fr;

pub use en::EN;
pub use fr::FR;

use crate::model::{CampaignStatus, Channel};

pub struct CampaignStrings {
    // List
    pub new_campaign: &'static str,
    pub search: &'static str,
    pub status: &'static str,
    pub channel: &'static str,
    pub any: &'static str,
    pub filter: &'static str,
    pub none_yet: &'static str,
    pub none_match: &'static str,
    pub col_title: &'static str,
    pub col_status: &'static str,
    pub col_channels: &'static str,
    pub col_scheduled: &'static str,
    pub col_updated: &'static str,
    pub not_scheduled: &'static str,

    // Statuses and channels
    pub status_draft: &'static str,
    pub status_scheduled: &'static str,
    pub status_running: &'static str,
    pub status_paused: &'static str,
    pub status_completed: &'static str,
    pub status_cancelled: &'static str,
    pub status_failed: &'static str,
    pub channel_email: &'static str,
    pub channel_sms: &'static str,
    pub channel_push: &'static str,

    // Detail
    pub back: &'static str,
    pub description: &'static str,
    pub recipients: &'static str,
    pub excluded: &'static str,
    pub scheduled_for: &'static str,
    pub actions: &'static str,
    pub edit: &'static str,
    pub schedule: &'static str,
    pub unschedule: &'static str,
    pub cancel: &'static str,
    pub duplicate: &'static str,
    pub delete: &'static str,
    pub read_only: &'static str,
    pub not_editable: &'static str,
    pub content: &'static str,
    pub nothing: &'static str,

    // Editor
    pub edit_title: &'static str,
    pub title: &'static str,
    pub channels: &'static str,
    pub lists: &'static str,
    pub exclusions: &'static str,
    pub contacts_count: &'static str,
    pub no_lists: &'static str,
    pub no_lists_link: &'static str,
    pub send_at: &'static str,
    pub time_zone: &'static str,
    pub time_zone_unknown: &'static str,
    pub send_at_hint: &'static str,
    pub save: &'static str,
    pub save_schedule: &'static str,
    pub update_preview: &'static str,
    pub saved: &'static str,
    pub content_tabs: &'static str,
    pub subject: &'static str,
    pub from_name: &'static str,
    pub from_email: &'static str,
    pub preheader: &'static str,
    pub html: &'static str,
    pub text: &'static str,
    pub text_hint: &'static str,
    pub sms_text: &'static str,
    pub sender_id: &'static str,
    pub sender_id_hint: &'static str,
    pub units: &'static str,
    pub segments: &'static str,
    pub remaining: &'static str,
    pub push_title: &'static str,
    pub push_body: &'static str,
    pub push_url: &'static str,
    pub push_icon: &'static str,

    // Personalization help
    pub vars_title: &'static str,
    pub vars_intro: &'static str,
    pub var_first_name: &'static str,
    pub var_last_name: &'static str,
    pub var_email: &'static str,
    pub var_unsubscribe: &'static str,
    pub var_custom: &'static str,
    pub var_default: &'static str,

    // Preview
    pub preview: &'static str,
    pub preview_sample: &'static str,
    pub preview_email_frame: &'static str,
    pub preview_empty: &'static str,
    pub from: &'static str,
}

impl CampaignStrings {
    pub fn status_name(&self, status: CampaignStatus) -> &'static str {
        match status {
            CampaignStatus::Draft => self.status_draft,
            CampaignStatus::Scheduled => self.status_scheduled,
            CampaignStatus::Running => self.status_running,
            CampaignStatus::Paused => self.status_paused,
            CampaignStatus::Completed => self.status_completed,
            CampaignStatus::Cancelled => self.status_cancelled,
            CampaignStatus::Failed => self.status_failed,
        }
    }

    pub fn channel_name(&self, channel: Channel) -> &'static str {
        match channel {
            Channel::Email => self.channel_email,
            Channel::Sms => self.channel_sms,
            Channel::Push => self.channel_push,
        }
    }
}
