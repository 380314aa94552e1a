//! `/settings` and its sections.

mod audit;
mod channels;
mod members;
mod retention;
mod suppressions;
mod tokens;
mod webhooks;

pub use audit::AuditPage;
pub use channels::ChannelsPage;
pub use members::MembersPage;
pub use retention::RetentionPage;
pub use suppressions::SuppressionsPage;
pub use tokens::TokensPage;
pub use webhooks::{WebhookAttemptsPage, WebhooksPage};

use crate::{
    components::{use_can, use_strings},
    model::Action,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Outlet, A};

#[component]
pub fn SettingsLayout() -> impl IntoView {
    let t = use_strings();
    let channels = use_can(Action::ChannelsRead)
        .then(|| view! { <li><A href="/settings/channels">{t.sending.channels_title}</A></li> });
    let privacy = use_can(Action::AuditRead).then(|| {
        view! {
            <li><A href="/settings/suppressions">{t.privacy.suppressions_title}</A></li>
            <li><A href="/settings/audit">{t.privacy.audit_title}</A></li>
            <li><A href="/settings/retention">{t.privacy.retention_title}</A></li>
        }
    });
    let webhooks = use_can(Action::SettingsManage)
        .then(|| view! { <li><A href="/settings/webhooks">{t.webhooks.title}</A></li> });
    view! {
        <Title text=format!("{} · {}", t.settings_title, t.product)/>
        <h1>{t.settings_title}</h1>
        <nav class="subnav" aria-label=t.settings_nav_label>
            <ul>
                <li><A href="/settings/members">{t.members_title}</A></li>
                <li><A href="/settings/tokens">{t.tokens_title}</A></li>
                {channels}
                {webhooks}
                {privacy}
            </ul>
        </nav>
        <Outlet/>
    }
}

#[component]
pub fn SettingsIndex() -> impl IntoView {
    let t = use_strings();
    let channels = use_can(Action::ChannelsRead)
        .then(|| view! { <li><a href="/settings/channels">{t.sending.channels_title}</a></li> });
    let privacy = use_can(Action::AuditRead).then(|| {
        view! {
            <li><a href="/settings/suppressions">{t.privacy.suppressions_title}</a></li>
            <li><a href="/settings/audit">{t.privacy.audit_title}</a></li>
            <li><a href="/settings/retention">{t.privacy.retention_title}</a></li>
        }
    });
    let webhooks = use_can(Action::SettingsManage)
        .then(|| view! { <li><a href="/settings/webhooks">{t.webhooks.title}</a></li> });
    view! {
        <p class="muted">{t.settings_intro}</p>
        <ul class="link-list">
            <li><a href="/settings/members">{t.members_title}</a></li>
            <li><a href="/settings/tokens">{t.tokens_title}</a></li>
            {channels}
            {webhooks}
            {privacy}
        </ul>
    }
}
