//! The application state: configuration, the database, and every service, built once.
//! Handlers and middleware take what they need from it; the UI's server functions get
//! the same services as [`Ports`].
//!
//! A new service: one field below and one line in the `AppState` literal of
//! [`AppState::build`] (and one in [`AppState::ports`] when the UI calls it). A new
//! background job: one line in the `Jobs::new` list.

use crate::{
    accounts::Accounts,
    audit::Audit,
    auth::{
        session_store::DbSessionStore,
        throttle::{Limits, LoginThrottle},
    },
    campaigns::Campaigns,
    channels::Channels,
    config::Config,
    contacts::Contacts,
    crypto::Cipher,
    delivery::{self, engagement::Tracking, record::RetryPolicy, Engine, Sending},
    events::Events,
    imports::Imports,
    jobs::{self, Jobs},
    lists::Lists,
    members::Members,
    outbound_webhooks::{self, OutboundWebhooks},
    privacy::Privacy,
    push::Push,
    retention::Retention,
    signups::Signups,
    stats::Stats,
    suppressions::Suppressions,
    telemetry::metrics::Metrics,
    tokens::Tokens,
    webhooks::Webhooks,
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
    pub channels: Arc<Channels>,
    pub sending: Arc<Sending>,
    pub events: Arc<Events>,
    pub webhooks: Arc<Webhooks>,
    pub outbound_webhooks: Arc<OutboundWebhooks>,
    pub push: Arc<Push>,
    pub suppressions: Arc<Suppressions>,
    pub privacy: Arc<Privacy>,
    pub signups: Arc<Signups>,
    pub retention: Arc<Retention>,
    pub audit: Arc<Audit>,
    pub tracking: Arc<Tracking>,
    pub stats: Arc<Stats>,
}

impl AppState {
    /// Wires the services over a connected, migrated database. Starts nothing: the
    /// background jobs run only once a command starts them ([`Jobs::start`]).
    pub fn build(
        config: Config,
        db: DatabaseConnection,
        cipher: Cipher,
        leptos_options: LeptosOptions,
    ) -> anyhow::Result<Self> {
        let cipher = Arc::new(cipher);
        let public = public_url(&config, &leptos_options);
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
        let campaigns = Arc::new(Campaigns::new(db.clone()));
        let channels = Arc::new(Channels::new(
            db.clone(),
            cipher.clone(),
            config.outbound_allow.clone(),
            public.clone(),
        ));
        let engine = Engine::new(
            db.clone(),
            cipher.clone(),
            channels.clone(),
            delivery::Settings {
                public_url: public.clone(),
                workers: config.workers,
                retry: RetryPolicy {
                    max_attempts: i32::try_from(config.max_attempts).unwrap_or(5),
                    base: config.retry_base,
                },
                batch: 200,
                lease: config.delivery_lease,
                machine_window: config.machine_window,
            },
        );
        let retention = Arc::new(Retention::new(db.clone()));
        let signups = Arc::new(Signups::new(
            db.clone(),
            cipher.clone(),
            channels.clone(),
            public.clone(),
        ));
        let outbound_webhooks = Arc::new(OutboundWebhooks::new(
            db.clone(),
            cipher.clone(),
            config.outbound_allow.clone(),
            outbound_webhooks::Settings {
                retry_base: config.webhook_retry_base,
                disable_after: config.webhook_disable_after,
                timeout: config.webhook_timeout,
            },
        )?);
        let mut background: Vec<Arc<dyn jobs::Job>> = vec![
            Arc::new(imports.job()),
            Arc::new(outbound_webhooks.job()),
            Arc::new(outbound_webhooks.prune_job()),
            Arc::new(signups.mailer()),
            Arc::new(retention.job()),
            Arc::new(imports.file_sweep()),
            Arc::new(jobs::Cleanup {
                sessions: sessions.clone(),
                db: db.clone(),
            }),
        ];
        // CARILLON_WORKERS=0: a web-only process; other processes send.
        if config.workers > 0 {
            background.extend([
                Arc::new(engine.scheduler()) as Arc<dyn jobs::Job>,
                Arc::new(engine.worker()),
                Arc::new(engine.simulator_reports()),
            ]);
        }
        let jobs = Jobs::new(background);
        let webhooks = Arc::new(Webhooks::new(db.clone(), cipher.clone(), channels.clone()));
        let push = Arc::new(Push::new(db.clone(), cipher.clone(), channels.clone()));
        let config_machine_window = config.machine_window;
        Ok(AppState {
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
            lists: Arc::new(Lists::new(db.clone(), public.clone())),
            imports,
            sending: Arc::new(Sending::new(engine, campaigns.clone())),
            campaigns,
            channels,
            events: Arc::new(Events::new(db.clone())),
            webhooks,
            outbound_webhooks,
            push,
            suppressions: Arc::new(Suppressions::new(db.clone(), cipher.clone())),
            privacy: Arc::new(Privacy::new(db.clone(), cipher.clone())),
            signups,
            retention,
            audit: Arc::new(Audit::new(db.clone(), cipher.clone())),
            tracking: Arc::new(Tracking::new(
                db.clone(),
                cipher.clone(),
                config_machine_window,
            )),
            stats: Arc::new(Stats::new(db.clone(), cipher.clone())),
        })
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
            sending: self.sending.clone(),
            channels: self.channels.clone(),
            audit: self.audit.clone(),
            suppressions: self.suppressions.clone(),
            privacy: self.privacy.clone(),
            retention: self.retention.clone(),
            stats: self.stats.clone(),
            webhooks: self.outbound_webhooks.clone(),
        }
    }
}

/// Where links in messages point: the configured public URL, else the address served.
fn public_url(config: &Config, options: &LeptosOptions) -> String {
    match &config.public_url {
        Some(url) => url.as_str().trim_end_matches('/').to_owned(),
        None => format!("http://{}", options.site_addr),
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
