//! Carillon's shared crate: the UI (SSR + hydration), the server functions, and the
//! types both sides agree on.

// Deep view types (the import wizard) exceed the default when building the tests.
#![recursion_limit = "256"]

pub mod api;
#[cfg(feature = "ssr")]
pub mod charts;
pub mod components;
pub mod error;
pub mod i18n;
pub mod model;
pub mod pages;

#[cfg(feature = "ssr")]
pub mod ports;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{ParentRoute, Route, Router, Routes},
    path, SsrMode,
};
use pages::{
    auth::{LoginPage, SignupPage},
    campaigns::{CampaignDetailPage, CampaignsPage, EditCampaignPage, NewCampaignPage},
    contacts::{ContactDetailPage, ContactsPage, NewContactPage},
    dashboard::DashboardPage,
    imports::{ImportPage, ImportProgressPage},
    invite::InvitePage,
    layout::AppLayout,
    lists::{ListDetailPage, ListsPage},
    not_found::NotFound,
    settings::{
        AuditPage, ChannelsPage, MembersPage, RetentionPage, SettingsIndex, SettingsLayout,
        SuppressionsPage, TokensPage, WebhookAttemptsPage, WebhooksPage,
    },
};

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    // Decided from the same cookie and header as the session info the app renders with.
    let lang = i18n::request_locale().code();
    view! {
        <!DOCTYPE html>
        <html lang=lang>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <HydrationScripts options/>
                // Draws the charts a page has (loading ECharts then, and only then).
                <script src="/charts.js" defer></script>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    components::provide_session();
    provide_context(api::FlashCache::default());
    view! {
        <Stylesheet id="leptos" href="/pkg/carillon.css"/>
        <Title text="Carillon"/>
        // Every page is rendered whole before it is sent (`SsrMode::Async`): without
        // JavaScript, streamed fragments could never be put in place, and redirects need
        // the headers still unsent.
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async/>
                <Route path=path!("/signup") view=SignupPage ssr=SsrMode::Async/>
                <Route path=path!("/invite/:token") view=InvitePage ssr=SsrMode::Async/>
                <ParentRoute path=path!("") view=AppLayout ssr=SsrMode::Async>
                    <Route path=path!("") view=DashboardPage ssr=SsrMode::Async/>
                    <Route path=path!("campaigns") view=CampaignsPage ssr=SsrMode::Async/>
                    <Route path=path!("campaigns/new") view=NewCampaignPage ssr=SsrMode::Async/>
                    <Route path=path!("campaigns/:id") view=CampaignDetailPage ssr=SsrMode::Async/>
                    <Route path=path!("campaigns/:id/edit") view=EditCampaignPage ssr=SsrMode::Async/>
                    <Route path=path!("contacts") view=ContactsPage ssr=SsrMode::Async/>
                    <Route path=path!("contacts/new") view=NewContactPage ssr=SsrMode::Async/>
                    <Route path=path!("contacts/import") view=ImportPage ssr=SsrMode::Async/>
                    <Route path=path!("contacts/imports/:id") view=ImportProgressPage ssr=SsrMode::Async/>
                    <Route path=path!("contacts/:id") view=ContactDetailPage ssr=SsrMode::Async/>
                    <Route path=path!("lists") view=ListsPage ssr=SsrMode::Async/>
                    <Route path=path!("lists/:id") view=ListDetailPage ssr=SsrMode::Async/>
                    <ParentRoute path=path!("settings") view=SettingsLayout ssr=SsrMode::Async>
                        <Route path=path!("") view=SettingsIndex ssr=SsrMode::Async/>
                        <Route path=path!("members") view=MembersPage ssr=SsrMode::Async/>
                        <Route path=path!("tokens") view=TokensPage ssr=SsrMode::Async/>
                        <Route path=path!("audit") view=AuditPage ssr=SsrMode::Async/>
                        <Route path=path!("suppressions") view=SuppressionsPage ssr=SsrMode::Async/>
                        <Route path=path!("retention") view=RetentionPage ssr=SsrMode::Async/>
                        <Route path=path!("channels") view=ChannelsPage ssr=SsrMode::Async/>
                        <Route path=path!("webhooks") view=WebhooksPage ssr=SsrMode::Async/>
                        <Route path=path!("webhooks/:id") view=WebhookAttemptsPage ssr=SsrMode::Async/>
                    </ParentRoute>
                </ParentRoute>
            </Routes>
        </Router>
    }
}
