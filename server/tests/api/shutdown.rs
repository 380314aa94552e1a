//! A graceful stop of the real binary (SIGTERM) in the middle of a run: the process
//! exits in bounded time, leaves the campaign `running` with its rest pending and
//! nothing leased, and the next start finishes it without sending anything twice.

use crate::helpers::{new_client, Backend, PASSWORD};
use app::model::CampaignStatus;
use carillon::db::entities::{
    campaign,
    delivery::{self, DeliveryStatus},
    delivery_counter,
};
use reqwest::{Client, StatusCode};
use sea_orm::{ColumnTrait, Database, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{json, Value};
use std::{
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};
use uuid::Uuid;

/// The longest a graceful stop may take here: the messages already handed to the
/// simulator finish, the others are released at once.
const STOP_WITHIN: Duration = Duration::from_secs(15);

struct Server {
    child: Child,
    address: String,
}

impl Server {
    async fn start(env: &[(String, String)], log: &std::path::Path) -> Server {
        let port = {
            let probe = std::net::TcpListener::bind("127.0.0.1:0").expect("free port");
            probe.local_addr().expect("addr").port()
        };
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .expect("log file");
        let child = Command::new(env!("CARGO_BIN_EXE_carillon"))
            .arg("serve")
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            .env("NO_COLOR", "1")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start carillon");
        let address = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(60);
        let client = new_client();
        loop {
            if let Ok(r) = client.get(format!("{address}/healthz")).send().await {
                if r.status().is_success() {
                    break;
                }
            }
            assert!(Instant::now() < deadline, "carillon did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Server { child, address }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// SIGTERM, then how long the process took to exit.
    async fn terminate(mut self) -> Duration {
        let pid = self.child.id().to_string();
        let asked = Instant::now();
        let status = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill");
        assert!(status.success());
        loop {
            if let Some(exit) = self.child.try_wait().expect("wait") {
                assert!(exit.success(), "carillon exited with {exit}");
                return asked.elapsed();
            }
            if asked.elapsed() > STOP_WITHIN * 2 {
                let _ = self.child.kill();
                panic!("carillon did not stop within {:?}", STOP_WITHIN * 2);
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn call(client: &Client, method: reqwest::Method, url: String, body: Value) -> Value {
    let r = client
        .request(method, &url)
        .json(&body)
        .send()
        .await
        .expect("request");
    assert!(r.status().is_success(), "{url}: {}", r.status());
    if r.status() == StatusCode::NO_CONTENT {
        return Value::Null;
    }
    r.json().await.unwrap_or(Value::Null)
}

async fn progress(client: &Client, server: &Server, id: &str) -> Value {
    let r = client
        .get(server.url(&format!("/api/campaigns/{id}/progress")))
        .send()
        .await
        .expect("progress");
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.expect("json")
}

fn done(p: &Value) -> u64 {
    let c = &p["channels"][0];
    c["sent"].as_u64().unwrap_or(0) + c["delivered"].as_u64().unwrap_or(0)
}

async fn stop_mid_run_then_restart(backend: Backend) {
    let Some(database) = crate::helpers::fresh_database(backend).await else {
        eprintln!("skipped: TEST_DATABASE_URL is not set");
        return;
    };
    let data = tempfile::tempdir().expect("data dir");
    let master_key = {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(Uuid::new_v4().as_bytes().repeat(2))
    };
    let env: Vec<(String, String)> = [
        ("DATABASE_URL", database.url.as_str()),
        ("CARILLON_MASTER_KEY", master_key.as_str()),
        ("CARILLON_DATA_DIR", &data.path().display().to_string()),
        ("CARILLON_OUTBOUND_ALLOW", "127.0.0.0/8, ::1, localhost"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    let log = data.path().join("carillon.log");
    let server = Server::start(&env, &log).await;
    let client = new_client();
    use reqwest::Method;
    call(
        &client,
        Method::POST,
        server.url("/api/auth/signup"),
        json!({"email": "ada@example.org", "password": PASSWORD, "organization": "Acme"}),
    )
    .await;
    // Ten a second, two at a time: the run lasts about three seconds.
    call(&client, Method::PUT, server.url("/api/channels/email"), json!({"provider": "simulator",
        "settings": {"latency_ms": 0, "failure_rate": 0, "rate_per_second": 10, "max_in_flight": 2}})).await;
    let list = call(
        &client,
        Method::POST,
        server.url("/api/lists"),
        json!({"name": "All"}),
    )
    .await;
    let mut ids = vec![];
    for i in 0..30 {
        let c = call(
            &client,
            Method::POST,
            server.url("/api/contacts"),
            json!({"email": format!("p{i}@x.org"), "consents": {"email": "granted"}}),
        )
        .await;
        ids.push(c["id"].clone());
    }
    let list_id = list["id"].as_str().expect("list id");
    call(
        &client,
        Method::POST,
        server.url(&format!("/api/lists/{list_id}/members")),
        json!({"contact_ids": ids}),
    )
    .await;
    let campaign = call(&client, Method::POST, server.url("/api/campaigns"), json!({
        "title": "Stop me", "channels": ["email"], "list_ids": [list_id],
        "content": {"email": {"subject": "Hi", "from_name": "Acme", "from_email": "news@acme.test", "html": "<p>Hi</p>"}}
    })).await;
    let id = campaign["id"].as_str().expect("campaign id").to_owned();
    call(
        &client,
        Method::POST,
        server.url(&format!("/api/campaigns/{id}/send")),
        json!({}),
    )
    .await;
    let deadline = Instant::now() + Duration::from_secs(30);
    while done(&progress(&client, &server, &id).await) < 3 {
        assert!(Instant::now() < deadline, "the run did not start");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    let took = server.terminate().await;
    assert!(took < STOP_WITHIN, "the stop took {took:?}");
    let db = Database::connect(&database.url).await.expect("connect");
    let campaign_id: Uuid = id.parse().expect("uuid");
    let row = campaign::Entity::find_by_id(campaign_id)
        .one(&db)
        .await
        .expect("query")
        .expect("campaign");
    assert_eq!(
        row.status.0,
        CampaignStatus::Running,
        "a stop never ends a campaign"
    );
    let counters = delivery_counter::Entity::find()
        .filter(delivery_counter::Column::CampaignId.eq(campaign_id))
        .one(&db)
        .await
        .expect("query")
        .expect("counters");
    assert!(counters.pending > 0, "the stop came mid-run");
    let leased = delivery::Entity::find()
        .filter(delivery::Column::Status.eq(DeliveryStatus::Pending))
        .filter(delivery::Column::LeaseOwner.is_not_null())
        .count(&db)
        .await
        .expect("count");
    assert_eq!(
        leased, 0,
        "what waited its turn was released, not left leased"
    );
    drop(db);

    let server = Server::start(&env, &log).await;
    let deadline = Instant::now() + Duration::from_secs(60);
    let p = loop {
        let p = progress(&client, &server, &id).await;
        if p["status"] == "completed" {
            break p;
        }
        assert!(
            Instant::now() < deadline,
            "the restart did not finish the run: {p}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(done(&p), 30, "{p}");
    let page: Value = client
        .get(server.url(&format!("/api/campaigns/{id}/deliveries?per_page=100")))
        .send()
        .await
        .expect("deliveries")
        .json()
        .await
        .expect("json");
    let items = page["items"].as_array().expect("items");
    assert_eq!(items.len(), 30);
    assert!(
        items.iter().all(|d| d["attempts"] == 1),
        "nothing was sent twice: {items:?}"
    );
    server.terminate().await;
}

#[tokio::test]
async fn sigterm_mid_run_leaves_it_running_and_the_restart_finishes_it_sqlite() {
    stop_mid_run_then_restart(Backend::Sqlite).await;
}

#[tokio::test]
async fn sigterm_mid_run_leaves_it_running_and_the_restart_finishes_it_postgres() {
    stop_mid_run_then_restart(Backend::Postgres).await;
}
