//! `spawn_app`: a real server on port 0 with a fresh database, on SQLite or PostgreSQL.

use carillon::{config::Config, startup::Application};
use reqwest::{header, Client, Response, StatusCode};
use sea_orm::{ConnectionTrait, Database};
use serde_json::{json, Value};
use std::{collections::HashMap, sync::Arc};
use uuid::Uuid;

#[derive(Clone, Copy, Debug)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub address: String,
    /// Keeps cookies, like a browser.
    pub client: Client,
    pub database_url: String,
    /// The server's `CARILLON_DATA_DIR` (uploads waiting to be imported live below it).
    pub data_dir: std::path::PathBuf,
    /// The server's background jobs: [`TestApp::drain`] waits for them.
    pub jobs: carillon::jobs::Jobs,
    /// The settings it was started with (database, master key, data directory).
    vars: Arc<HashMap<String, String>>,
    _guard: Arc<(DatabaseGuard, tempfile::TempDir)>,
}

/// Runs `$body` once per backend: on SQLite always, and on PostgreSQL when
/// `TEST_DATABASE_URL` is set (CI sets it).
#[macro_export]
macro_rules! both_backends {
    ($(async fn $name:ident($app:ident) $body:block)*) => {$(
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            async fn run($app: $crate::helpers::TestApp) $body

            #[tokio::test]
            async fn sqlite() {
                run($crate::helpers::spawn_app($crate::helpers::Backend::Sqlite, &[]).await.expect("sqlite app")).await
            }

            #[tokio::test]
            async fn postgres() {
                match $crate::helpers::spawn_app($crate::helpers::Backend::Postgres, &[]).await {
                    Some(app) => run(app).await,
                    None => eprintln!("skipped: TEST_DATABASE_URL is not set"),
                }
            }
        }
    )*};
}

/// A server like `app` (same backend) with other settings; `app`'s own stays unused.
pub async fn spawn_app_like(app: &TestApp, env: &[(&str, &str)]) -> TestApp {
    let backend = if app.database_url.starts_with("sqlite") {
        Backend::Sqlite
    } else {
        Backend::Postgres
    };
    spawn_app(backend, env).await.expect("app")
}

/// A new empty database, dropped with this value.
pub struct FreshDatabase {
    pub url: String,
    _guard: DatabaseGuard,
}

/// `None` for PostgreSQL when `TEST_DATABASE_URL` is unset.
pub async fn fresh_database(backend: Backend) -> Option<FreshDatabase> {
    let (url, guard) = new_database(backend).await?;
    Some(FreshDatabase { url, _guard: guard })
}

async fn new_database(backend: Backend) -> Option<(String, DatabaseGuard)> {
    Some(match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().expect("temp dir");
            let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
            (url, DatabaseGuard::Sqlite(dir))
        }
        Backend::Postgres => {
            let base = std::env::var("TEST_DATABASE_URL")
                .ok()
                .filter(|s| !s.is_empty())?;
            let name = format!("carillon_test_{}", Uuid::new_v4().simple());
            let admin = Database::connect(&base)
                .await
                .expect("connect to TEST_DATABASE_URL");
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .expect("create test database");
            let url = with_database(&base, &name);
            (url, DatabaseGuard::Postgres { base, name })
        }
    })
}

/// `None` for PostgreSQL when `TEST_DATABASE_URL` is unset.
pub async fn spawn_app(backend: Backend, extra_env: &[(&str, &str)]) -> Option<TestApp> {
    let (database_url, guard) = new_database(backend).await?;
    // A fresh master key per test (PostgreSQL requires one; SQLite would make its own).
    let master_key = {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(Uuid::new_v4().as_bytes().repeat(2))
    };
    // Uploads and other files go to a directory of the test's own.
    let data_dir = tempfile::tempdir().expect("data dir");
    let mut vars: HashMap<String, String> = HashMap::from([
        ("DATABASE_URL".into(), database_url.clone()),
        ("CARILLON_MASTER_KEY".into(), master_key),
        (
            "CARILLON_DATA_DIR".into(),
            data_dir.path().display().to_string(),
        ),
    ]);
    // Tests send to servers on loopback, and retry without waiting long.
    vars.insert(
        "CARILLON_OUTBOUND_ALLOW".into(),
        "127.0.0.0/8, ::1, localhost".into(),
    );
    vars.insert("CARILLON_RETRY_BASE_MS".into(), "5".into());
    for (k, v) in extra_env {
        vars.insert((*k).into(), (*v).into());
    }
    let config = Config::from_lookup(|k| vars.get(k).cloned()).expect("test config");
    let data_dir_path = std::path::PathBuf::from(&vars["CARILLON_DATA_DIR"]);
    let mut options = carillon::leptos_options().expect("leptos options");
    options.site_addr = "127.0.0.1:0".parse().expect("addr");
    let app = Application::build(config, options)
        .await
        .expect("build app");
    let address = format!("http://{}", app.local_addr().expect("local addr"));
    let jobs = app.state().jobs.clone();
    tokio::spawn(app.run_until_stopped());
    Some(TestApp {
        address,
        client: new_client(),
        database_url,
        data_dir: data_dir_path,
        jobs,
        vars: Arc::new(vars),
        _guard: Arc::new((guard, data_dir)),
    })
}

/// With a timeout, so a server that stops answering fails its test instead of hanging the suite.
pub fn new_client() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(120))
        .build()
        .expect("client")
}

fn with_database(base: &str, name: &str) -> String {
    let mut url = url::Url::parse(base).expect("TEST_DATABASE_URL is a URL");
    url.set_path(&format!("/{name}"));
    url.to_string()
}

enum DatabaseGuard {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { base: String, name: String },
}

impl Drop for DatabaseGuard {
    fn drop(&mut self) {
        if let DatabaseGuard::Postgres { base, name } = self {
            let (base, name) = (base.clone(), name.clone());
            // Drop runs inside the test's runtime; use a thread with its own.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .ok()?;
                rt.block_on(async {
                    let admin = Database::connect(&base).await.ok()?;
                    admin
                        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .await
                        .ok()
                })
            })
            .join();
        }
    }
}

impl TestApp {
    /// Another server on the same database, master key and data directory (as after a
    /// restart, or a second instance), built but not serving: its start-up work is done.
    pub async fn another_instance(&self) -> Application {
        let config = Config::from_lookup(|k| self.vars.get(k).cloned()).expect("test config");
        let mut options = carillon::leptos_options().expect("leptos options");
        options.site_addr = "127.0.0.1:0".parse().expect("addr");
        Application::build(config, options)
            .await
            .expect("another instance")
    }

    /// The master key it was started with (base64).
    pub fn master_key(&self) -> &str {
        &self.vars["CARILLON_MASTER_KEY"]
    }

    /// [`TestApp::another_instance_with`], or why it would not start.
    pub async fn try_another_instance_with(
        &self,
        changes: &[(&str, &str)],
    ) -> anyhow::Result<Application> {
        let mut vars = (*self.vars).clone();
        for (k, v) in changes {
            vars.insert((*k).into(), (*v).into());
        }
        let config = Config::from_lookup(|k| vars.get(k).cloned()).expect("test config");
        let mut options = carillon::leptos_options().expect("leptos options");
        options.site_addr = "127.0.0.1:0".parse().expect("addr");
        Application::build(config, options).await
    }

    /// [`TestApp::another_instance`] with some settings changed (its workers, say).
    pub async fn another_instance_with(&self, changes: &[(&str, &str)]) -> Application {
        self.try_another_instance_with(changes)
            .await
            .expect("another instance")
    }

    /// The server's own cipher (same master key), to look at what it stored.
    pub fn cipher(&self) -> carillon::crypto::Cipher {
        let key = carillon::crypto::load_or_create(Some(&self.vars["CARILLON_MASTER_KEY"]), None)
            .expect("master key");
        carillon::crypto::Cipher::new(&key)
    }

    /// Does all the background work there is (imports, ...) before returning.
    pub async fn drain(&self) {
        self.jobs.drain().await.expect("background work");
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn post(&self, path: &str, body: &Value) -> Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .expect("request")
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request")
    }

    pub async fn with_token(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: Option<&Value>,
    ) -> Response {
        let mut req = new_client()
            .request(method, self.url(path))
            .header(header::AUTHORIZATION, format!("Bearer {token}"));
        if let Some(b) = body {
            req = req.json(b);
        }
        req.send().await.expect("request")
    }

    /// Signs up a fresh user with its own organization in this app's client; returns `Me`.
    pub async fn signup(&self, email: &str) -> Value {
        let r = self.post("/api/auth/signup", &json!({"email": email, "password": PASSWORD, "organization": format!("Org of {email}")})).await;
        assert_eq!(r.status(), StatusCode::CREATED, "signup {email}");
        r.json().await.expect("me")
    }

    /// Another browser on the same server, with no cookies yet.
    pub fn browser(&self) -> TestApp {
        TestApp {
            address: self.address.clone(),
            client: new_client(),
            database_url: self.database_url.clone(),
            data_dir: self.data_dir.clone(),
            jobs: self.jobs.clone(),
            vars: self.vars.clone(),
            _guard: self._guard.clone(),
        }
    }

    /// Another browser, signed up as `email` with an organization of its own.
    pub async fn other_user(&self, email: &str) -> TestApp {
        let other = self.browser();
        other.signup(email).await;
        other
    }

    /// Invites `email` with `role` as this (admin) user, and accepts in a new browser.
    pub async fn invite_and_accept(&self, email: &str, role: &str) -> TestApp {
        let r = self
            .post("/api/invitations", &json!({"email": email, "role": role}))
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let created: Value = r.json().await.expect("json");
        let url = created["accept_url"].as_str().expect("accept_url");
        let token = url.rsplit('/').next().expect("token");
        let invitee = self.browser();
        let r = invitee
            .post(
                "/api/invitations/accept",
                &json!({"token": token, "password": PASSWORD}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK, "accept");
        invitee
    }

    pub async fn me(&self) -> Value {
        let r = self.get("/api/me").await;
        assert_eq!(r.status(), StatusCode::OK);
        r.json().await.expect("me")
    }

    pub async fn create_token(&self, abilities: &[&str]) -> String {
        let r = self
            .post(
                "/api/tokens",
                &json!({"name": "test", "abilities": abilities}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let body: Value = r.json().await.expect("json");
        body["plain_text_token"].as_str().expect("token").to_owned()
    }
}

pub const PASSWORD: &str = "correct horse battery";

/// Asserts an RFC 9457 body and returns it.
pub async fn problem(r: Response, status: u16) -> Value {
    assert_eq!(r.status().as_u16(), status, "status");
    assert_eq!(
        r.headers()[header::CONTENT_TYPE],
        "application/problem+json"
    );
    let body: Value = r.json().await.expect("problem json");
    assert_eq!(body["status"], status);
    assert!(
        body["type"].is_string() && body["title"].is_string() && body["detail"].is_string(),
        "{body}"
    );
    body
}

pub fn session_cookie(r: &Response) -> Option<String> {
    r.headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("carillon_session="))
        .map(|c| c.split(';').next().unwrap_or_default().to_owned())
}
