//! A server's state on a fresh database, an organization, its contacts in one list,
//! and a campaign to them.

use anyhow::{anyhow, Context, Result};
use app::model::{
    Actor, CampaignContent, ChannelSettingsInput, EmailContent, ListInput, NewCampaign, Role,
    SignupInput, Via,
};
use carillon::{
    config::Config,
    contacts::store::{new_data_key, seal_email, INDEX_VERSION},
    db::entities::{campaign, contact, delivery_counter},
    startup::Application,
    state::AppState,
};
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde_json::json;
use std::{collections::HashMap, path::Path, time::Duration};
use uuid::Uuid;

pub struct Bench {
    pub state: AppState,
    pub actor: Actor,
    list: Uuid,
}

/// The campaign's email body: plain by default, with a link to track where asked.
pub const PLAIN: &str = "<p>Hello {{ first_name }}, this is the news.</p>";
pub const WITH_LINK: &str =
    "<p>Hello {{ first_name }}, this is the <a href=\"https://shop.example.org/news\">news</a>.</p>";

pub struct Done {
    pub started_at: DateTime<Utc>,
    pub completed_at: DateTime<Utc>,
    pub sent: u64,
    pub failed: u64,
}

fn service(e: impl std::fmt::Debug) -> anyhow::Error {
    anyhow!("{e:?}")
}

impl Bench {
    pub async fn new(url: &str, dir: &Path) -> Result<Bench> {
        Ok(Bench::build(url, dir, &[]).await?.0)
    }

    /// The same, serving HTTP (and running the background jobs) on a loopback port.
    pub async fn serving(
        url: &str,
        dir: &Path,
        env: &[(&'static str, &str)],
    ) -> Result<(Bench, std::net::SocketAddr)> {
        let (bench, app) = Bench::build(url, dir, env).await?;
        let addr = app.local_addr()?;
        tokio::spawn(app.run_until(std::future::pending()));
        Ok((bench, addr))
    }

    async fn build(
        url: &str,
        dir: &Path,
        env: &[(&'static str, &str)],
    ) -> Result<(Bench, Application)> {
        let key = {
            use base64::Engine;
            base64::engine::general_purpose::STANDARD.encode(Uuid::new_v4().as_bytes().repeat(2))
        };
        let mut vars: HashMap<&str, String> = HashMap::from([
            ("DATABASE_URL", url.to_owned()),
            ("CARILLON_MASTER_KEY", key),
            ("CARILLON_DATA_DIR", dir.display().to_string()),
            (
                "CARILLON_OUTBOUND_ALLOW",
                "127.0.0.0/8, ::1, localhost".into(),
            ),
        ]);
        // Unset: the server's default.
        if let Ok(workers) = std::env::var("CARILLON_WORKERS") {
            vars.insert("CARILLON_WORKERS", workers);
        }
        for (k, v) in env {
            vars.insert(k, (*v).to_owned());
        }
        let config = Config::from_lookup(|k| vars.get(k).cloned()).map_err(service)?;
        let mut options = carillon::leptos_options()?;
        options.site_addr = "127.0.0.1:0".parse()?;
        let app = Application::build(config, options).await?;
        let state = app.state().clone();
        let (user_id, organization_id) = state
            .accounts
            .register(SignupInput {
                email: "bench@example.org".into(),
                password: "correct horse battery".into(),
                organization: "Bench".into(),
            })
            .await
            .map_err(service)?;
        let actor = Actor {
            user_id,
            organization_id,
            role: Role::Admin,
            via: Via::Session,
        };
        let list = state
            .lists
            .create(
                &actor,
                ListInput {
                    name: "Everyone".into(),
                    description: String::new(),
                },
            )
            .await
            .map_err(service)?
            .id;
        Ok((Bench { state, actor, list }, app))
    }

    /// `n` contacts made by the database itself (their emails are placeholders: the
    /// fan-out only needs to know that there is one).
    pub async fn placeholder_contacts(&self, n: u64) -> Result<()> {
        let org = self.actor.organization_id;
        self.state
            .db
            .execute_unprepared(&format!(
                "INSERT INTO contacts (id, organization_id, email_ciphertext, email_index, first_name, attributes, index_version, created_at, updated_at)
                 SELECT gen_random_uuid(), '{org}', 'placeholder', md5(i::text) || md5((i + 1)::text), 'P' || i, '{{}}', {INDEX_VERSION}, now(), now()
                 FROM generate_series(1, {n}) AS i"
            ))
            .await?;
        self.consent_and_join().await
    }

    /// `n` contacts encrypted as the application does it.
    pub async fn real_contacts(&self, n: u64) -> Result<()> {
        let org = self.actor.organization_id;
        let key = self.state.cipher.index_key(org);
        let now = Utc::now();
        for start in (0..n).step_by(1000) {
            let mut rows = Vec::new();
            for i in start..(start + 1000).min(n) {
                let id = Uuid::now_v7();
                let email = format!("person{i}@example.org");
                let (data_key, wrapped) = new_data_key(&self.state.cipher, id).map_err(service)?;
                let sealed = seal_email(&data_key, &key, id, &email).map_err(service)?;
                rows.push(contact::ActiveModel {
                    id: Set(id),
                    organization_id: Set(org),
                    email_ciphertext: Set(Some(sealed.ciphertext)),
                    email_index: Set(Some(sealed.index)),
                    phone_ciphertext: Set(None),
                    phone_index: Set(None),
                    first_name: Set(Some(format!("Person {i}"))),
                    last_name: Set(None),
                    locale: Set(None),
                    time_zone: Set(None),
                    attributes: Set("{}".into()),
                    index_version: Set(INDEX_VERSION),
                    data_key: Set(Some(wrapped)),
                    created_at: Set(now),
                    updated_at: Set(now),
                });
            }
            contact::Entity::insert_many(rows)
                .exec(&self.state.db)
                .await?;
        }
        self.consent_and_join().await
    }

    async fn consent_and_join(&self) -> Result<()> {
        let (org, list) = (self.actor.organization_id, self.list);
        let db = &self.state.db;
        db.execute_unprepared(&format!(
            "INSERT INTO contact_consents (contact_id, channel, state, source, updated_at)
             SELECT id, 'email', 'granted', 'bench', now() FROM contacts WHERE organization_id = '{org}'"
        ))
        .await?;
        db.execute_unprepared(&format!(
            "INSERT INTO list_members (list_id, contact_id, created_at)
             SELECT '{list}', id, now() FROM contacts WHERE organization_id = '{org}'"
        ))
        .await?;
        db.execute_unprepared("ANALYZE").await?;
        Ok(())
    }

    pub async fn use_simulator(&self) -> Result<()> {
        self.channel(
            "simulator",
            json!({"latency_ms": 0, "failure_rate": 0, "max_in_flight": 1000}),
        )
        .await
    }

    pub async fn use_smtp(&self, port: u16) -> Result<()> {
        self.channel(
            "smtp",
            json!({"host": "127.0.0.1", "port": port, "security": "none", "max_connections": 4, "max_in_flight": 100}),
        )
        .await
    }

    /// SendGrid through the adapter, to `sink` (a SendGrid-shaped server on loopback);
    /// `in_flight` messages at most, as the load generator's concurrency.
    pub async fn use_sendgrid(&self, base_url: &str, key: &str, in_flight: usize) -> Result<()> {
        self.channel(
            "sendgrid",
            json!({"api_key": key, "base_url": base_url, "max_in_flight": in_flight}),
        )
        .await
    }

    async fn channel(&self, provider: &str, settings: serde_json::Value) -> Result<()> {
        self.state
            .channels
            .put(
                &self.actor,
                "email",
                ChannelSettingsInput {
                    provider: provider.into(),
                    settings,
                },
            )
            .await
            .map_err(service)?;
        Ok(())
    }

    pub async fn campaign(&self) -> Result<Uuid> {
        self.campaign_with(PLAIN).await
    }

    pub async fn campaign_with(&self, html: &str) -> Result<Uuid> {
        let c = self
            .state
            .campaigns
            .create(
                &self.actor,
                NewCampaign {
                    title: "Bench".into(),
                    channels: vec!["email".into()],
                    list_ids: vec![self.list],
                    content: CampaignContent {
                        email: Some(EmailContent {
                            subject: "Hello {{ first_name }}".into(),
                            from_name: "Bench".into(),
                            from_email: "bench@example.org".into(),
                            html: html.into(),
                            ..Default::default()
                        }),
                        ..Default::default()
                    },
                    ..Default::default()
                },
            )
            .await
            .map_err(service)?;
        Ok(c.id)
    }

    pub async fn schedule(&self, id: Uuid) -> Result<()> {
        self.state
            .campaigns
            .schedule(&self.actor, id, None)
            .await
            .map_err(service)?;
        Ok(())
    }

    pub async fn send(&self, id: Uuid) -> Result<()> {
        self.state
            .sending
            .send(&self.actor, id)
            .await
            .map_err(service)?;
        Ok(())
    }

    pub async fn until_completed(&self, id: Uuid) -> Result<Done> {
        loop {
            tokio::time::sleep(Duration::from_millis(50)).await;
            let c = campaign::Entity::find_by_id(id)
                .one(&self.state.db)
                .await?
                .context("the campaign")?;
            if let (Some(started_at), Some(completed_at)) = (c.started_at, c.completed_at) {
                let counters = delivery_counter::Entity::find()
                    .filter(delivery_counter::Column::CampaignId.eq(id))
                    .all(&self.state.db)
                    .await?;
                let sum = |f: fn(&delivery_counter::Model) -> i64| {
                    counters.iter().map(f).sum::<i64>().max(0) as u64
                };
                return Ok(Done {
                    started_at,
                    completed_at,
                    sent: sum(|c| c.sent + c.delivered),
                    failed: sum(|c| c.failed),
                });
            }
        }
    }
}
