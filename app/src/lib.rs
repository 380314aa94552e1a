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
    path, Lazy, SsrMode,
};
use pages::{layout::AppLayout, not_found::NotFound, routes, settings::SettingsLayout};

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
                <Route path=path!("/login") view={Lazy::<routes::Login>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/signup") view={Lazy::<routes::Signup>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/invite/:token") view={Lazy::<routes::Invite>::new()} ssr=SsrMode::Async/>
                <ParentRoute path=path!("") view=AppLayout ssr=SsrMode::Async>
                    <Route path=path!("") view={Lazy::<routes::Dashboard>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("campaigns") view={Lazy::<routes::Campaigns>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("campaigns/new") view={Lazy::<routes::NewCampaign>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("campaigns/:id") view={Lazy::<routes::CampaignDetail>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("campaigns/:id/edit") view={Lazy::<routes::EditCampaign>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("contacts") view={Lazy::<routes::Contacts>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("contacts/new") view={Lazy::<routes::NewContact>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("contacts/import") view={Lazy::<routes::Import>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("contacts/imports/:id") view={Lazy::<routes::ImportProgress>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("contacts/:id") view={Lazy::<routes::ContactDetail>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("lists") view={Lazy::<routes::Lists>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("lists/:id") view={Lazy::<routes::ListDetail>::new()} ssr=SsrMode::Async/>
                    <ParentRoute path=path!("settings") view=SettingsLayout ssr=SsrMode::Async>
                        <Route path=path!("") view={Lazy::<routes::Settings>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("members") view={Lazy::<routes::Members>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("tokens") view={Lazy::<routes::Tokens>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("audit") view={Lazy::<routes::Audit>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("suppressions") view={Lazy::<routes::Suppressions>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("retention") view={Lazy::<routes::Retention>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("channels") view={Lazy::<routes::Channels>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("webhooks") view={Lazy::<routes::Webhooks>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("webhooks/:id") view={Lazy::<routes::WebhookAttempts>::new()} ssr=SsrMode::Async/>
                    </ParentRoute>
                </ParentRoute>
            </Routes>
        </Router>
    }
}
