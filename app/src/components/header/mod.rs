//! The app's header: product, navigation, organization, user, language, log-out.

mod locale_switcher;
mod logout_button;
mod org_switcher;

pub use locale_switcher::LocaleSwitcher;

use super::{use_me, use_strings};
use leptos::prelude::*;
use leptos_router::components::A;
use logout_button::LogoutButton;
use org_switcher::OrgSwitcher;

#[component]
pub fn AppHeader() -> impl IntoView {
    let t = use_strings();
    let me = use_me();
    let account = me.map(|me| {
        let several = me.organizations.len() > 1;
        let role = t.role_name(me.organization.role);
        view! {
            <div class="account">
                {several.then(|| view! { <OrgSwitcher me=me.clone()/> })}
                <p class="whoami">
                    <span class="visually-hidden">{t.signed_in_as}" "</span>
                    <span class="email" data-testid="user-email">{me.user.email.clone()}</span>
                    <span class="badge" data-testid="user-role">{role}</span>
                    {(!several).then(|| view! { <span class="org-name">{me.organization.organization_name.clone()}</span> })}
                </p>
                <LocaleSwitcher/>
                <LogoutButton/>
            </div>
        }
    });
    view! {
        <a class="skip-link" href="#main">{t.skip_to_content}</a>
        <header class="topbar">
            <a class="brand" href="/">{t.product}</a>
            <nav class="mainnav" aria-label=t.nav_label>
                <ul>
                    <li><A href="/" exact=true>{t.nav_dashboard}</A></li>
                    <li><A href="/campaigns">{t.nav_campaigns}</A></li>
                    <li><A href="/contacts">{t.nav_contacts}</A></li>
                    <li><A href="/lists">{t.nav_lists}</A></li>
                    <li><A href="/settings">{t.nav_settings}</A></li>
                </ul>
            </nav>
            {account}
        </header>
    }
}

/// The header of pages for signed-out visitors: product and language only.
#[component]
pub fn PublicHeader() -> impl IntoView {
    let t = use_strings();
    view! {
        <a class="skip-link" href="#main">{t.skip_to_content}</a>
        <header class="topbar">
            <a class="brand" href="/">{t.product}</a>
            <div class="account">
                <LocaleSwitcher/>
            </div>
        </header>
    }
}
