//! Server functions: thin shims over the ports, one per file. All live under
//! `/api/fn/<name>` with explicit endpoints, so URLs are stable across builds; the REST
//! API owns the rest of `/api/`.

mod accept_invitation;
mod campaign_editor;
mod campaign_view;
mod cancel_campaign;
mod change_member_role;
mod create_token;
mod delete_campaign;
mod duplicate_campaign;
mod get_session_info;
mod invite_member;
mod list_campaigns;
mod list_members;
mod list_pending_invitations;
mod list_tokens;
mod login;
mod logout;
mod preview_campaign;
mod preview_invitation;
mod remove_member;
mod revoke_invitation;
mod revoke_token;
mod save_campaign;
mod schedule_campaign;
mod set_locale;
mod signup;
mod switch_organization;
mod take_flash;
mod unschedule_campaign;
// Contacts, lists and imports.
mod add_to_list;
mod create_list;
mod delete_contact;
mod delete_list;
mod get_contact;
mod get_import;
mod list_contacts;
mod list_lists;
mod list_options;
mod preview_import;
mod remove_from_list;
mod rename_list;
mod save_contact;
// Sending.
mod campaign_progress;
mod get_channels;
mod pause_campaign;
mod resume_campaign;
mod save_channel;
mod send_campaign;
mod test_campaign;
mod test_channel;

/// Server-side helpers shared by several server functions.
#[cfg(feature = "ssr")]
mod support;

pub use accept_invitation::*;
pub use add_to_list::*;
pub use campaign_editor::*;
pub use campaign_progress::*;
pub use campaign_view::*;
pub use cancel_campaign::*;
pub use change_member_role::*;
pub use create_list::*;
pub use create_token::*;
pub use delete_campaign::*;
pub use delete_contact::*;
pub use delete_list::*;
pub use duplicate_campaign::*;
pub use get_channels::*;
pub use get_contact::*;
pub use get_import::*;
pub use get_session_info::*;
pub use invite_member::*;
pub use list_campaigns::*;
pub use list_contacts::*;
pub use list_lists::*;
pub use list_members::*;
pub use list_options::*;
pub use list_pending_invitations::*;
pub use list_tokens::*;
pub use login::*;
pub use logout::*;
pub use pause_campaign::*;
pub use preview_campaign::*;
pub use preview_import::*;
pub use preview_invitation::*;
pub use remove_from_list::*;
pub use remove_member::*;
pub use rename_list::*;
pub use resume_campaign::*;
pub use revoke_invitation::*;
pub use revoke_token::*;
pub use save_campaign::*;
pub use save_channel::*;
pub use save_contact::*;
pub use schedule_campaign::*;
pub use send_campaign::*;
pub use set_locale::*;
pub use signup::*;
pub use switch_organization::*;
pub use take_flash::*;
pub use test_campaign::*;
pub use test_channel::*;
pub use unschedule_campaign::*;
