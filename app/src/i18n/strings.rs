use crate::model::Role;

/// Every piece of text the UI shows, for one language. A missing translation is a
/// compile error, not a blank on screen.
pub struct Strings {
    // Shell
    pub product: &'static str,
    pub skip_to_content: &'static str,
    pub nav_label: &'static str,
    pub nav_dashboard: &'static str,
    pub nav_campaigns: &'static str,
    pub nav_contacts: &'static str,
    pub nav_lists: &'static str,
    pub nav_settings: &'static str,
    // Pager of paged lists
    pub pager_label: &'static str,
    pub pager_previous: &'static str,
    pub pager_next: &'static str,
    pub pager_page: &'static str,
    pub pager_of: &'static str,
    pub organization: &'static str,
    pub switch_organization: &'static str,
    pub language: &'static str,
    pub change_language: &'static str,
    pub log_out: &'static str,
    pub signed_in_as: &'static str,

    // Roles
    pub role_admin: &'static str,
    pub role_contributor: &'static str,
    pub role_reader: &'static str,

    // Sign-up and login
    pub login_title: &'static str,
    pub login_submit: &'static str,
    pub signup_title: &'static str,
    pub signup_intro: &'static str,
    pub signup_submit: &'static str,
    pub email: &'static str,
    pub password: &'static str,
    pub password_hint: &'static str,
    pub organization_name: &'static str,
    pub no_account: &'static str,
    pub signup_link: &'static str,
    pub have_account: &'static str,
    pub login_link: &'static str,

    // Placeholder pages
    pub dashboard_title: &'static str,
    pub campaigns_title: &'static str,
    pub campaigns_soon: &'static str,
    pub contacts_title: &'static str,
    pub contacts_soon: &'static str,

    // Settings
    pub settings_title: &'static str,
    pub settings_nav_label: &'static str,
    pub settings_intro: &'static str,

    // Members
    pub members_title: &'static str,
    pub members_read_only: &'static str,
    pub col_email: &'static str,
    pub col_role: &'static str,
    pub col_joined: &'static str,
    pub col_actions: &'static str,
    pub you: &'static str,
    pub role: &'static str,
    pub role_for: &'static str,
    pub change_role: &'static str,
    pub remove: &'static str,
    pub invite_title: &'static str,
    pub invite_submit: &'static str,
    pub invite_link_title: &'static str,
    pub invite_link_once: &'static str,
    pub pending_title: &'static str,
    pub pending_none: &'static str,
    pub col_expires: &'static str,
    pub revoke: &'static str,

    // API tokens
    pub tokens_title: &'static str,
    pub tokens_intro: &'static str,
    pub tokens_none: &'static str,
    pub col_name: &'static str,
    pub col_abilities: &'static str,
    pub col_created: &'static str,
    pub col_last_used: &'static str,
    pub token_new_title: &'static str,
    pub token_name: &'static str,
    pub token_abilities: &'static str,
    pub ability_all: &'static str,
    pub token_expires_on: &'static str,
    pub token_expires_hint: &'static str,
    pub token_create: &'static str,
    pub token_created_title: &'static str,
    pub token_once: &'static str,
    pub copy: &'static str,
    pub copied: &'static str,
    pub never: &'static str,

    // Invitation page
    pub invitation_title: &'static str,
    pub invitation_intro: &'static str,
    pub choose_password: &'static str,
    pub your_password: &'static str,
    pub accept_invitation: &'static str,
    pub invite_invalid: &'static str,

    // Errors and fallbacks
    pub err_validation: &'static str,
    pub err_unauthorized: &'static str,
    pub err_forbidden: &'static str,
    pub err_not_found: &'static str,
    pub err_conflict: &'static str,
    pub err_too_many: &'static str,
    pub err_internal: &'static str,
    pub err_transport: &'static str,
    pub not_found_title: &'static str,
    pub not_found_body: &'static str,
    pub back_home: &'static str,
    pub loading: &'static str,

    /// The campaign screens.
    pub campaigns: &'static super::campaigns::CampaignStrings,
    /// The contact, list and import screens.
    pub contacts: &'static super::contacts::ContactStrings,
    /// A campaign's progress and actions, and Settings → Channels.
    pub sending: &'static super::sending::SendingStrings,
    /// Settings → Audit log and Settings → Suppression list.
    pub privacy: &'static super::privacy::PrivacyStrings,
    /// The dashboard.
    pub dashboard: &'static super::dashboard::DashboardStrings,
    /// Settings → Webhooks.
    pub webhooks: &'static super::webhooks::WebhookStrings,
}

impl Strings {
    pub fn role_name(&self, role: Role) -> &'static str {
        match role {
            Role::Admin => self.role_admin,
            Role::Contributor => self.role_contributor,
            Role::Reader => self.role_reader,
        }
    }
}
