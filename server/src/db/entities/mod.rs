//! SeaORM entities, one per table.

pub mod api_token;
pub mod audit_entry;
pub mod campaign;
pub mod campaign_list;
pub mod campaign_status_change;
pub mod channel_setting;
pub mod consent_record;
pub mod consent_text;
pub mod contact;
pub mod contact_consent;
pub mod delivery;
pub mod delivery_counter;
pub mod event;
pub mod idempotency_key;
pub mod import;
pub mod import_row;
pub mod invitation;
pub mod list;
pub mod list_member;
pub mod membership;
pub mod organization;
pub mod push_subscription;
pub mod session;
pub mod suppression;
pub mod user;
pub mod webhook_token;
