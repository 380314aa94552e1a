//! Outbound webhooks: events reach a registered endpoint signed per Standard Webhooks
//! (checked with an HMAC written here, not the server's), failures are retried, logged
//! and replayable, an endpoint that keeps failing is disabled, bad endpoints are refused.

use crate::{
    both_backends,
    contacts::send,
    helpers::*,
    sending::{create_and_send, granted, list_of, settle, use_simulator},
};
use axum::{
    body::{Body, Bytes},
    extract::{Path, State},
    http::{HeaderMap, StatusCode as AxumStatus},
    response::{IntoResponse, Response},
    routing::post,
    Router,
};
use base64::{engine::general_purpose::STANDARD, Engine};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

/// Retries at once, so that `drain` sees them through.
const AT_ONCE: &[(&str, &str)] = &[("CARILLON_WEBHOOK_RETRY_BASE_MS", "0")];

#[derive(Clone, Debug)]
struct Received {
    path: String,
    headers: HeaderMap,
    body: Bytes,
    answered: u16,
}

impl Received {
    fn header(&self, name: &str) -> String {
        self.headers[name].to_str().unwrap().to_owned()
    }
}

/// An endpoint on loopback. `/ok/…` answers 204; `/flaky/…` 500 to its first request,
/// then 204; `/down/…` 500 until `up` is set; `/moved/…` a 302 to `/ok/followed`;
/// `/huge/…` 200 with 20 MB.
#[derive(Clone, Default)]
struct Receiver {
    url: String,
    got: Arc<Mutex<Vec<Received>>>,
    up: Arc<Mutex<bool>>,
}

impl Receiver {
    async fn start() -> Receiver {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let receiver = Receiver {
            url: format!("http://{}", listener.local_addr().unwrap()),
            ..Default::default()
        };
        let app = Router::new()
            .route("/{kind}/{name}", post(receive))
            .with_state(receiver.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        receiver
    }

    fn got(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }
}

async fn receive(
    State(r): State<Receiver>,
    Path((kind, name)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut got = r.got.lock().unwrap();
    let answered: u16 = match kind.as_str() {
        "flaky" if got.is_empty() => 500,
        "down" if !*r.up.lock().unwrap() => 500,
        "moved" => 302,
        "huge" => 200,
        _ => 204,
    };
    got.push(Received {
        path: format!("/{kind}/{name}"),
        headers,
        body,
        answered,
    });
    let status = AxumStatus::from_u16(answered).unwrap();
    match kind.as_str() {
        "moved" => (status, [("location", format!("{}/ok/followed", r.url))]).into_response(),
        "huge" => (status, Body::from(vec![b'x'; 20 << 20])).into_response(),
        _ => status.into_response(),
    }
}

/// HMAC-SHA256 from its definition (RFC 2104) over plain SHA-256.
fn hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
    use ring::digest::{digest, SHA256};
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(digest(&SHA256, key).as_ref());
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| block.iter().map(|b| b ^ byte).collect::<Vec<u8>>();
    let inner = digest(&SHA256, &[pad(0x36), message.to_vec()].concat());
    digest(&SHA256, &[pad(0x5c), inner.as_ref().to_vec()].concat())
        .as_ref()
        .to_vec()
}

/// Checks a request's Standard Webhooks headers against the secret shown at creation.
fn assert_signed(r: &Received, secret: &str) {
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").expect("whsec_ prefix"))
        .unwrap();
    let id = r.header("webhook-id");
    let timestamp = r.header("webhook-timestamp");
    let signed = [id.as_bytes(), b".", timestamp.as_bytes(), b".", &r.body].concat();
    let expected = format!("v1,{}", STANDARD.encode(hmac_sha256(&key, &signed)));
    assert_eq!(r.header("webhook-signature"), expected);
    let age = chrono::Utc::now().timestamp() - timestamp.parse::<i64>().unwrap();
    assert!((0..300).contains(&age), "timestamp {timestamp}");
    assert_eq!(r.header("content-type"), "application/json");
}

/// Drains the background work until `ready`: on PostgreSQL an event becomes readable
/// only once every older transaction on the server has ended, other tests' included.
async fn drain_until<F: std::future::Future<Output = bool>>(
    app: &TestApp,
    mut ready: impl FnMut() -> F,
) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        app.drain().await;
        if ready().await {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "still not there after 30 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

async fn register(app: &TestApp, url: &str, events: &[&str]) -> Value {
    let r = app
        .post(
            "/api/webhooks",
            &json!({"url": url, "events": events, "description": "CRM"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    r.json().await.unwrap()
}

async fn attempts(app: &TestApp, id: &str) -> Value {
    let r = app
        .get(&format!("/api/webhooks/{id}/attempts?per_page=100"))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

async fn show(app: &TestApp, id: &str) -> Value {
    let r = app.get(&format!("/api/webhooks/{id}")).await;
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

/// A campaign to two people (on a new list named `name`) through the simulator; its id.
async fn campaign(app: &TestApp, name: &str) -> String {
    use_simulator(app, "email", json!({"latency_ms": 0, "failure_rate": 0})).await;
    let (list, _) = list_of(
        app,
        name,
        &[
            granted(&format!("ada.{}@x.org", name.len()), "Ada"),
            granted(&format!("grace.{}@x.org", name.len()), "Grace"),
        ],
    )
    .await;
    let id = create_and_send(
        app,
        json!({"title": "Promo", "channels": ["email"], "list_ids": [list],
            "content": {"email": {"subject": "Hi", "from_name": "Acme", "from_email": "news@acme.test",
                "html": "<p>Hello</p>"}}}),
    )
    .await;
    settle(app, &id).await;
    app.drain().await;
    id
}

both_backends! {
    async fn events_arrive_signed_a_failure_is_retried_and_a_replay_resends_the_same_id(app) {
        let app = spawn_app_like(&app, AT_ONCE).await;
        app.signup("admin@example.org").await;
        let receiver = Receiver::start().await;
        let created = register(&app, &format!("{}/flaky/crm", receiver.url), &["MessageSent", "CampaignSent"]).await;
        let secret = created["secret"].as_str().unwrap().to_owned();
        assert!(secret.starts_with("whsec_"), "{created}");
        assert_eq!(STANDARD.decode(&secret[6..]).unwrap().len(), 32);
        let id = created["id"].as_str().unwrap().to_owned();
        assert_eq!(created["enabled"], true);
        assert_eq!(created["events"], json!(["MessageSent", "CampaignSent"]));
        // The secret is shown once: never again.
        let shown = show(&app, &id).await;
        assert!(shown.get("secret").is_none(), "{shown}");
        let listed: Value = app.get("/api/webhooks").await.json().await.unwrap();
        assert_eq!(listed.as_array().unwrap().len(), 1);
        assert!(!listed.to_string().contains(&secret[6..]));

        let campaign_id = campaign(&app, "People").await;
        drain_until(&app, || async { receiver.got().iter().filter(|r| r.answered == 204).count() >= 3 }).await;
        let got = receiver.got();
        for r in &got {
            assert_signed(r, &secret);
        }
        // Two messages sent and the campaign done: three events, the first request
        // refused (500) and tried again under the same id; nothing of the types not
        // asked for.
        assert_eq!(got.len(), 4, "{got:?}");
        let first_id = got[0].header("webhook-id");
        let tries: Vec<u16> = got.iter().filter(|r| r.header("webhook-id") == first_id).map(|r| r.answered).collect();
        assert_eq!(tries, [500, 204]);
        let mut ids: Vec<String> = got.iter().map(|r| r.header("webhook-id")).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 3, "{ids:?}");
        let bodies: Vec<Value> = got.iter().map(|r| serde_json::from_slice(&r.body).unwrap()).collect();
        let mut types: Vec<&str> = got
            .iter()
            .zip(&bodies)
            .filter(|(r, _)| r.answered == 204)
            .map(|(_, b)| b["type"].as_str().unwrap())
            .collect();
        types.sort();
        assert_eq!(types, ["CampaignSent", "MessageSent", "MessageSent"]);
        for b in &bodies {
            assert_eq!(b["data"]["campaign_id"], campaign_id.as_str(), "{b}");
            assert_eq!(b["data"]["type"], b["type"]);
            assert!(b["timestamp"].as_str().is_some(), "{b}");
        }
        assert!(got.iter().all(|r| r.path == "/flaky/crm"));

        // Every attempt is in the log: the failure with its status and reason.
        let log = attempts(&app, &id).await;
        assert_eq!(log["total"], 4, "{log}");
        let items = log["items"].as_array().unwrap();
        let failed: Vec<&Value> = items.iter().filter(|a| a["status"] == "failed").collect();
        assert_eq!(failed.len(), 1, "{log}");
        let failed = failed[0].clone();
        assert_eq!(failed["response_code"], 500);
        assert_eq!(failed["trigger"], "scheduled");
        assert!(failed["error"].as_str().unwrap().contains("500"), "{failed}");
        assert_eq!(failed["message_id"], first_id.as_str());
        assert_eq!(failed["message_status"], "delivered");
        assert!(items.iter().all(|a| a["latency_ms"].as_u64().is_some()));
        assert_eq!(show(&app, &id).await["pending"], 0);

        // Replay: the same webhook-id again, signed afresh, logged as a replay.
        let attempt_id = failed["id"].as_str().unwrap();
        let r = app.post(&format!("/api/webhooks/{id}/attempts/{attempt_id}/replay"), &json!({})).await;
        assert_eq!(r.status(), StatusCode::ACCEPTED);
        drain_until(&app, || async { receiver.got().len() == 5 }).await;
        let got = receiver.got();
        assert_eq!(got.len(), 5);
        assert_eq!(got[4].header("webhook-id"), got[0].header("webhook-id"));
        assert_eq!(got[4].body, got[0].body);
        assert_signed(&got[4], &secret);
        let log = attempts(&app, &id).await;
        assert_eq!(log["total"], 5);
        assert_eq!(log["items"][0]["trigger"], "replay");
        assert_eq!(log["items"][0]["status"], "succeeded");

        // Unknown attempts and other organizations' endpoints are not found.
        let unknown = uuid::Uuid::now_v7();
        let r = app.post(&format!("/api/webhooks/{id}/attempts/{unknown}/replay"), &json!({})).await;
        problem(r, 404).await;
        let other = app.browser();
        other.signup("other@example.org").await;
        problem(other.get(&format!("/api/webhooks/{id}")).await, 404).await;
        problem(other.get(&format!("/api/webhooks/{id}/attempts")).await, 404).await;
        assert_eq!(other.get("/api/webhooks").await.json::<Value>().await.unwrap(), json!([]));

        // Deleted: nothing more is sent to it.
        let r = send(&app, Method::DELETE, &format!("/api/webhooks/{id}"), None).await;
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        campaign(&app, "More people").await;
        assert_eq!(receiver.got().len(), 5);
        problem(app.get(&format!("/api/webhooks/{id}")).await, 404).await;
    }

    async fn an_endpoint_that_keeps_failing_is_disabled_and_catches_up_once_enabled(app) {
        let app = spawn_app_like(
            &app,
            &[("CARILLON_WEBHOOK_RETRY_BASE_MS", "0"), ("CARILLON_WEBHOOK_DISABLE_AFTER_SECONDS", "0")],
        )
        .await;
        app.signup("admin@example.org").await;
        let receiver = Receiver::start().await;
        let created = register(&app, &format!("{}/down/crm", receiver.url), &["MessageSent"]).await;
        let id = created["id"].as_str().unwrap().to_owned();
        campaign(&app, "People").await;
        drain_until(&app, || async { show(&app, &id).await["pending"] == 2 }).await;
        drain_until(&app, || async { show(&app, &id).await["enabled"] == false }).await;
        // The first failure turns the endpoint off (the other message may have been on
        // its way already): nothing more is tried, nothing is lost.
        let tried = receiver.got().len();
        assert!((1..=2).contains(&tried), "{tried}");
        app.drain().await;
        assert_eq!(receiver.got().len(), tried);
        assert_eq!(attempts(&app, &id).await["total"], tried);
        let hook = show(&app, &id).await;
        assert_eq!(hook["enabled"], false, "{hook}");
        assert!(hook["disabled_reason"].as_str().unwrap().contains("answered 500"), "{hook}");
        assert!(hook["failing_since"].is_string(), "{hook}");
        assert_eq!(hook["pending"], 2, "{hook}");
        let audit: Value = app.get("/api/audit?per_page=100").await.json().await.unwrap();
        assert!(audit.to_string().contains("webhook.disabled"), "{audit}");
        // A replay waits for the endpoint to be enabled.
        let attempt = attempts(&app, &id).await["items"][0]["id"].as_str().unwrap().to_owned();
        let r = app.post(&format!("/api/webhooks/{id}/attempts/{attempt}/replay"), &json!({})).await;
        assert!(problem(r, 409).await["detail"].as_str().unwrap().contains("disabled"));

        *receiver.up.lock().unwrap() = true;
        let r = send(&app, Method::PATCH, &format!("/api/webhooks/{id}"), Some(&json!({"enabled": true}))).await;
        assert_eq!(r.status(), StatusCode::OK);
        drain_until(&app, || async { receiver.got().len() >= tried + 2 }).await;
        let got = receiver.got();
        assert_eq!(got.len(), tried + 2, "{got:?}");
        assert!(got[tried..].iter().all(|r| r.answered == 204));
        let hook = show(&app, &id).await;
        assert_eq!((hook["enabled"].clone(), hook["pending"].clone()), (json!(true), json!(0)), "{hook}");
        assert!(hook["failing_since"].is_null() && hook["disabled_reason"].is_null(), "{hook}");
    }

    async fn bad_endpoints_are_refused_and_bad_answers_logged(app) {
        app.signup("admin@example.org").await;
        let receiver = Receiver::start().await;
        let ok = format!("{}/ok/a", receiver.url);
        for (body, field) in [
            (json!({"url": ok, "events": []}), "events"),
            (json!({"url": ok, "events": ["MessageSent", "Nope"]}), "events"),
            (json!({"url": "ftp://example.org/x", "events": ["MessageSent"]}), "url"),
            (json!({"url": "not a url", "events": ["MessageSent"]}), "url"),
            (json!({"url": format!("https://example.org/{}", "a".repeat(3000)), "events": ["MessageSent"]}), "url"),
            (json!({"url": "https://user:pw@example.org/x", "events": ["MessageSent"]}), "url"),
            (json!({"url": "http://10.1.2.3/hook", "events": ["MessageSent"]}), "url"),
            (json!({"url": "http://169.254.169.254/latest", "events": ["MessageSent"]}), "url"),
            (json!({"url": ok, "events": ["MessageSent"], "description": "d".repeat(501)}), "description"),
        ] {
            let r = app.post("/api/webhooks", &body).await;
            let p = problem(r, 422).await;
            assert!(p["errors"][field].is_string(), "{body} → {p}");
        }
        let r = app.post("/api/webhooks", &json!({"url": ok})).await;
        problem(r, 422).await;
        let r = app.post("/api/webhooks", &json!({"url": ok, "events": ["MessageSent"], "secret": "mine"})).await;
        problem(r, 422).await;

        // A redirect is not followed and a huge answer is not read: both are logged.
        let moved = register(&app, &format!("{}/moved/b", receiver.url), &["CampaignSent"]).await;
        let huge = register(&app, &format!("{}/huge/c", receiver.url), &["CampaignSent"]).await;
        campaign(&app, "People").await;
        drain_until(&app, || async { receiver.got().len() >= 2 }).await;
        let log = attempts(&app, moved["id"].as_str().unwrap()).await;
        let first = &log["items"][0];
        assert_eq!((first["status"].as_str(), first["response_code"].as_u64()), (Some("failed"), Some(302)), "{log}");
        assert!(first["error"].as_str().unwrap().contains("redirects are not followed"), "{log}");
        assert_eq!(first["message_status"], "pending");
        let log = attempts(&app, huge["id"].as_str().unwrap()).await;
        assert_eq!(log["items"][0]["status"], "succeeded", "{log}");
        assert!(receiver.got().iter().all(|r| r.path != "/ok/followed"), "the redirect was followed");

        // Changes are checked the same way; a reader may not see or change endpoints.
        let id = moved["id"].as_str().unwrap();
        let r = send(&app, Method::PATCH, &format!("/api/webhooks/{id}"), Some(&json!({"url": "http://192.168.1.1/"}))).await;
        assert!(problem(r, 422).await["errors"]["url"].is_string());
        let r = send(&app, Method::PATCH, &format!("/api/webhooks/{id}"), Some(&json!({"events": ["MessageFailed"], "description": ""}))).await;
        assert_eq!(r.status(), StatusCode::OK);
        let hook: Value = r.json().await.unwrap();
        assert_eq!((hook["events"].clone(), hook["description"].clone()), (json!(["MessageFailed"]), Value::Null));
        let reader = app.invite_and_accept("reader@example.org", "reader").await;
        problem(reader.get("/api/webhooks").await, 403).await;
        problem(reader.post("/api/webhooks", &json!({"url": ok, "events": ["MessageSent"]})).await, 403).await;
        problem(app.get("/api/webhooks/not-a-uuid").await, 404).await;
        problem(app.get(&format!("/api/webhooks/{id}/attempts?per_page=1000")).await, 422).await;

        // At most 20 endpoints.
        for _ in 0..18 {
            register(&app, &ok, &["MessageSent"]).await;
        }
        let r = app.post("/api/webhooks", &json!({"url": ok, "events": ["MessageSent"]})).await;
        problem(r, 409).await;
    }
}

/// An endpoint whose name resolves only to private addresses is refused when the
/// operator allows none.
#[tokio::test]
async fn private_addresses_are_refused_without_the_operators_leave() {
    let app = spawn_app(Backend::Sqlite, &[("CARILLON_OUTBOUND_ALLOW", "")])
        .await
        .unwrap();
    app.signup("admin@example.org").await;
    for url in [
        "http://127.0.0.1:9/x",
        "http://localhost:9/x",
        "http://[::1]:9/x",
    ] {
        let r = app
            .post(
                "/api/webhooks",
                &json!({"url": url, "events": ["MessageSent"]}),
            )
            .await;
        let p = problem(r, 422).await;
        assert!(
            p["errors"]["url"].as_str().unwrap().contains("private"),
            "{url}: {p}"
        );
    }
}
