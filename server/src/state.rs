//! The application state: configuration, the database, and every service, built once.
//! Handlers and middleware take what they need from it; the UI's server functions get
//! the same services as [`Ports`].
//!
//! A new service: one field below and one line in the `AppState` literal of
//! [`AppState::build`] (and one in [`AppState::ports`] when the UI calls it). A new
//! background job: one line in the `Jobs::new` list.

use crate::{
    accounts::Accounts,
    auth::{
        session_store::DbSessionStore,
        throttle::{Limits, LoginThrottle},
    },
    campaigns::Campaigns,
    config::Config,
    contacts::Contacts,
    crypto::Cipher,
    imports::Imports,
    jobs::{self, Jobs},
    lists::Lists,
    members::Members,
    telemetry::metrics::Metrics,
    tokens::Tokens,
};
use app::ports::Ports;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use sea_orm::DatabaseConnection;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub db: DatabaseConnection,
    pub cipher: Arc<Cipher>,
    pub sessions: DbSessionStore,
    pub metrics: Arc<Metrics>,
    pub leptos_options: LeptosOptions,
    pub jobs: Jobs,
    pub accounts: Arc<Accounts>,
    pub members: Arc<Members>,
    pub tokens: Arc<Tokens>,
    pub contacts: Arc<Contacts>,
    pub lists: Arc<Lists>,
    pub imports: Arc<Imports>,
    pub campaigns: Arc<Campaigns>,
}

impl AppState {
    /// Wires the services over a connected, migrated database. Starts nothing: the
    /// background jobs run only once a command starts them ([`Jobs::start`]).
    pub fn build(
        config: Config,
        db: DatabaseConnection,
        cipher: Cipher,
        leptos_options: LeptosOptions,
    ) -> Self {
        let cipher = Arc::new(cipher);
        let throttle = Arc::new(LoginThrottle::new(Limits {
            failures_per_account: config.login_max_failures_per_account,
            failures_per_ip: config.login_max_failures_per_ip,
            signups_per_ip: config.signup_max_per_ip,
            window: config.login_window,
        }));
        let sessions = DbSessionStore::new(db.clone(), cipher.clone());
        let accounts = Arc::new(Accounts::new(db.clone(), throttle.clone()));
        let members = Arc::new(Members::new(
            db.clone(),
            accounts.clone(),
            throttle,
            config.invitation_ttl,
        ));
        let imports = Arc::new(Imports::new(
            db.clone(),
            cipher.clone(),
            config.data_dir.join("imports"),
        ));
        let jobs = Jobs::new(vec![
            Arc::new(imports.job()),
            Arc::new(imports.file_sweep()),
            Arc::new(jobs::Cleanup {
                sessions: sessions.clone(),
                db: db.clone(),
            }),
        ]);
        AppState {
            config: Arc::new(config),
            db: db.clone(),
            cipher: cipher.clone(),
            sessions,
            metrics: Arc::new(Metrics::default()),
            leptos_options,
            jobs,
            accounts,
            members,
            tokens: Arc::new(Tokens::new(db.clone())),
            contacts: Arc::new(Contacts::new(db.clone(), cipher.clone())),
            lists: Arc::new(Lists::new(db.clone())),
            imports,
            campaigns: Arc::new(Campaigns::new(db.clone())),
        }
    }

    /// The services the UI's server functions call.
    pub fn ports(&self) -> Ports {
        Ports {
            accounts: self.accounts.clone(),
            members: self.members.clone(),
            tokens: self.tokens.clone(),
            campaigns: self.campaigns.clone(),
            contacts: self.contacts.clone(),
            lists: self.lists.clone(),
            imports: self.imports.clone(),
        }
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
