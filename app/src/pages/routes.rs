//! The routes, each page in a WASM chunk of its own (Leptos' lazy routes, split by
//! `cargo leptos build --split`): the browser downloads the code of the pages it visits,
//! not of all of them. On the server nothing changes: every page renders whole, with or
//! without JavaScript in the browser.
//!
//! One type per page, each its own split point; the `#[lazy_route]` macro names a chunk
//! after where it is written, so these are written out one by one.

use super::{
    auth::{LoginPage, SignupPage},
    campaigns::{CampaignDetailPage, CampaignsPage, EditCampaignPage, NewCampaignPage},
    contacts::{ContactDetailPage, ContactsPage, NewContactPage},
    dashboard::DashboardPage,
    imports::{ImportPage, ImportProgressPage},
    invite::InvitePage,
    lists::{ListDetailPage, ListsPage},
    settings::{
        AuditPage, ChannelsPage, MembersPage, RetentionPage, SettingsIndex, SuppressionsPage,
        TokensPage, WebhookAttemptsPage, WebhooksPage,
    },
};
use leptos::prelude::*;
use leptos_router::{lazy_route, LazyRoute};

pub struct Login;

#[lazy_route]
impl LazyRoute for Login {
    fn data() -> Self {
        Login
    }
    fn view(_this: Self) -> AnyView {
        view! { <LoginPage/> }.into_any()
    }
}

pub struct Signup;

#[lazy_route]
impl LazyRoute for Signup {
    fn data() -> Self {
        Signup
    }
    fn view(_this: Self) -> AnyView {
        view! { <SignupPage/> }.into_any()
    }
}

pub struct Invite;

#[lazy_route]
impl LazyRoute for Invite {
    fn data() -> Self {
        Invite
    }
    fn view(_this: Self) -> AnyView {
        view! { <InvitePage/> }.into_any()
    }
}

pub struct Dashboard;

#[lazy_route]
impl LazyRoute for Dashboard {
    fn data() -> Self {
        Dashboard
    }
    fn view(_this: Self) -> AnyView {
        view! { <DashboardPage/> }.into_any()
    }
}

pub struct Campaigns;

#[lazy_route]
impl LazyRoute for Campaigns {
    fn data() -> Self {
        Campaigns
    }
    fn view(_this: Self) -> AnyView {
        view! { <CampaignsPage/> }.into_any()
    }
}

pub struct NewCampaign;

#[lazy_route]
impl LazyRoute for NewCampaign {
    fn data() -> Self {
        NewCampaign
    }
    fn view(_this: Self) -> AnyView {
        view! { <NewCampaignPage/> }.into_any()
    }
}

pub struct CampaignDetail;

#[lazy_route]
impl LazyRoute for CampaignDetail {
    fn data() -> Self {
        CampaignDetail
    }
    fn view(_this: Self) -> AnyView {
        view! { <CampaignDetailPage/> }.into_any()
    }
}

pub struct EditCampaign;

#[lazy_route]
impl LazyRoute for EditCampaign {
    fn data() -> Self {
        EditCampaign
    }
    fn view(_this: Self) -> AnyView {
        view! { <EditCampaignPage/> }.into_any()
    }
}

pub struct Contacts;

#[lazy_route]
impl LazyRoute for Contacts {
    fn data() -> Self {
        Contacts
    }
    fn view(_this: Self) -> AnyView {
        view! { <ContactsPage/> }.into_any()
    }
}

pub struct NewContact;

#[lazy_route]
impl LazyRoute for NewContact {
    fn data() -> Self {
        NewContact
    }
    fn view(_this: Self) -> AnyView {
        view! { <NewContactPage/> }.into_any()
    }
}

pub struct Import;

#[lazy_route]
impl LazyRoute for Import {
    fn data() -> Self {
        Import
    }
    fn view(_this: Self) -> AnyView {
        view! { <ImportPage/> }.into_any()
    }
}

pub struct ImportProgress;

#[lazy_route]
impl LazyRoute for ImportProgress {
    fn data() -> Self {
        ImportProgress
    }
    fn view(_this: Self) -> AnyView {
        view! { <ImportProgressPage/> }.into_any()
    }
}

pub struct ContactDetail;

#[lazy_route]
impl LazyRoute for ContactDetail {
    fn data() -> Self {
        ContactDetail
    }
    fn view(_this: Self) -> AnyView {
        view! { <ContactDetailPage/> }.into_any()
    }
}

pub struct Lists;

#[lazy_route]
impl LazyRoute for Lists {
    fn data() -> Self {
        Lists
    }
    fn view(_this: Self) -> AnyView {
        view! { <ListsPage/> }.into_any()
    }
}

pub struct ListDetail;

#[lazy_route]
impl LazyRoute for ListDetail {
    fn data() -> Self {
        ListDetail
    }
    fn view(_this: Self) -> AnyView {
        view! { <ListDetailPage/> }.into_any()
    }
}

pub struct Settings;

#[lazy_route]
impl LazyRoute for Settings {
    fn data() -> Self {
        Settings
    }
    fn view(_this: Self) -> AnyView {
        view! { <SettingsIndex/> }.into_any()
    }
}

pub struct Members;

#[lazy_route]
impl LazyRoute for Members {
    fn data() -> Self {
        Members
    }
    fn view(_this: Self) -> AnyView {
        view! { <MembersPage/> }.into_any()
    }
}

pub struct Tokens;

#[lazy_route]
impl LazyRoute for Tokens {
    fn data() -> Self {
        Tokens
    }
    fn view(_this: Self) -> AnyView {
        view! { <TokensPage/> }.into_any()
    }
}

pub struct Audit;

#[lazy_route]
impl LazyRoute for Audit {
    fn data() -> Self {
        Audit
    }
    fn view(_this: Self) -> AnyView {
        view! { <AuditPage/> }.into_any()
    }
}

pub struct Suppressions;

#[lazy_route]
impl LazyRoute for Suppressions {
    fn data() -> Self {
        Suppressions
    }
    fn view(_this: Self) -> AnyView {
        view! { <SuppressionsPage/> }.into_any()
    }
}

pub struct Retention;

#[lazy_route]
impl LazyRoute for Retention {
    fn data() -> Self {
        Retention
    }
    fn view(_this: Self) -> AnyView {
        view! { <RetentionPage/> }.into_any()
    }
}

pub struct Channels;

#[lazy_route]
impl LazyRoute for Channels {
    fn data() -> Self {
        Channels
    }
    fn view(_this: Self) -> AnyView {
        view! { <ChannelsPage/> }.into_any()
    }
}

pub struct Webhooks;

#[lazy_route]
impl LazyRoute for Webhooks {
    fn data() -> Self {
        Webhooks
    }
    fn view(_this: Self) -> AnyView {
        view! { <WebhooksPage/> }.into_any()
    }
}

pub struct WebhookAttempts;

#[lazy_route]
impl LazyRoute for WebhookAttempts {
    fn data() -> Self {
        WebhookAttempts
    }
    fn view(_this: Self) -> AnyView {
        view! { <WebhookAttemptsPage/> }.into_any()
    }
}
