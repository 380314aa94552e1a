//! Web Push end to end: a browser's subscription posted to the opt-in endpoint, a
//! campaign, and a push service on loopback that checks the VAPID token against the
//! organization's public key; the test decrypts the body with the subscription's
//! private key. A push service answering 410 loses the subscription.

use crate::{
    both_backends,
    helpers::*,
    sending::{create_and_send, deliveries, settle},
};
use axum::{
    body::Bytes,
    extract::{Path, State},
    http::{HeaderMap, StatusCode as AxumStatus},
    response::IntoResponse,
    routing::post,
    Router,
};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use reqwest::StatusCode;
use ring::{aead, agreement, hmac, rand::SecureRandom, rand::SystemRandom};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
struct PushService {
    url: String,
    received: Arc<Mutex<Vec<(String, HeaderMap, Bytes)>>>,
}

impl PushService {
    async fn start() -> PushService {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let service = PushService {
            url: format!("http://{}", listener.local_addr().unwrap()),
            ..Default::default()
        };
        let app = Router::new()
            .route("/push/{id}", post(take))
            .route("/gone/{id}", post(gone))
            .with_state(service.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        service
    }
}

async fn take(
    State(service): State<PushService>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> impl IntoResponse {
    service
        .received
        .lock()
        .unwrap()
        .push((id.clone(), headers, body));
    (
        AxumStatus::CREATED,
        [("location", format!("/messages/{id}-1"))],
    )
}

async fn gone() -> impl IntoResponse {
    (
        AxumStatus::GONE,
        "push subscription has unsubscribed or expired.",
    )
}

/// A browser's side of a subscription: its key pair (good for one message) and secret.
struct Browser {
    private: agreement::EphemeralPrivateKey,
    public: Vec<u8>,
    auth: [u8; 16],
}

fn browser() -> Browser {
    let rng = SystemRandom::new();
    let private = agreement::EphemeralPrivateKey::generate(&agreement::ECDH_P256, &rng).unwrap();
    let public = private.compute_public_key().unwrap().as_ref().to_vec();
    let mut auth = [0u8; 16];
    rng.fill(&mut auth).unwrap();
    Browser {
        private,
        public,
        auth,
    }
}

impl Browser {
    fn subscription(&self, endpoint: &str) -> Value {
        json!({"endpoint": endpoint, "expirationTime": null, "keys": {
            "p256dh": URL_SAFE_NO_PAD.encode(&self.public),
            "auth": URL_SAFE_NO_PAD.encode(self.auth),
        }})
    }

    /// RFC 8291 from the receiving end.
    fn decrypt(self, body: &[u8]) -> Vec<u8> {
        let (salt, rest) = body.split_at(16);
        assert_eq!(&rest[..4], &4096u32.to_be_bytes());
        assert_eq!(rest[4], 65);
        let (sender, ciphertext) = rest[5..].split_at(65);
        let peer = agreement::UnparsedPublicKey::new(&agreement::ECDH_P256, sender);
        let secret = agreement::agree_ephemeral(self.private, &peer, |s| s.to_vec()).unwrap();
        let mac = |key: &[u8], parts: &[&[u8]]| {
            let mut c = hmac::Context::with_key(&hmac::Key::new(hmac::HMAC_SHA256, key));
            for p in parts {
                c.update(p);
            }
            c.sign().as_ref().to_vec()
        };
        let prk_key = mac(&self.auth, &[&secret]);
        let ikm = mac(&prk_key, &[b"WebPush: info\0", &self.public, sender, &[1]]);
        let prk = mac(salt, &[&ikm]);
        let cek = mac(&prk, &[b"Content-Encoding: aes128gcm\0", &[1]]);
        let nonce = mac(&prk, &[b"Content-Encoding: nonce\0", &[1]]);
        let key =
            aead::LessSafeKey::new(aead::UnboundKey::new(&aead::AES_128_GCM, &cek[..16]).unwrap());
        let mut record = ciphertext.to_vec();
        let plain = key
            .open_in_place(
                aead::Nonce::try_assume_unique_for_key(&nonce[..12]).unwrap(),
                aead::Aad::empty(),
                &mut record,
            )
            .unwrap();
        assert_eq!(plain.last(), Some(&2), "one last record, no padding");
        plain[..plain.len() - 1].to_vec()
    }
}

both_backends! {
    async fn a_push_campaign_reaches_each_subscribed_browser(app) {
        let service = PushService::start().await;
        let me = app.signup("ada@example.org").await;
        let org = me["organization"]["organization_id"].as_str().unwrap().to_owned();

        // Before Web Push is chosen there is no opt-in page.
        assert_eq!(new_client().get(app.url(&format!("/p/{org}"))).send().await.unwrap().status(), StatusCode::NOT_FOUND);
        let r = app.client.put(app.url("/api/channels/push")).json(&json!({"provider": "webpush", "settings": {"subject": "mailto:ops@acme.test", "ttl_seconds": 3600, "urgency": "high"}})).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
        let shown: Value = app.get("/api/channels").await.json().await.unwrap();
        let settings = &shown[2]["settings"];
        assert_eq!(settings["vapid_private_key"], json!({"set": true}));
        let public_key = settings["vapid_public_key"].as_str().unwrap().to_owned();
        // Saving again keeps the key pair (browsers subscribed with its public half).
        let r = app.client.put(app.url("/api/channels/push")).json(&json!({"provider": "webpush", "settings": {"subject": "https://acme.test/contact", "ttl_seconds": 3600, "urgency": "high"}})).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let again: Value = app.get("/api/channels").await.json().await.unwrap();
        assert_eq!(again[2]["settings"]["vapid_public_key"], public_key.as_str());

        let page = new_client().get(app.url(&format!("/p/{org}"))).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        assert!(page.text().await.unwrap().contains(&format!("data-key=\"{public_key}\"")));

        // Two browsers subscribe: Ada's (matched by email later) and one whose push
        // service says it is gone.
        let ada = browser();
        let stranger = browser();
        let visitor = new_client();
        let subscribe = |body: Value| {
            let url = app.url(&format!("/p/{org}/subscriptions"));
            let visitor = visitor.clone();
            async move { visitor.post(url).json(&body).send().await.unwrap() }
        };
        let mut body = ada.subscription(&format!("{}/push/ada", service.url));
        body["email"] = json!("Ada@X.org");
        let r = subscribe(body).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let ada_sub: Value = r.json().await.unwrap();
        assert_eq!(ada_sub["matched"], false);
        let r = subscribe(stranger.subscription(&format!("{}/gone/1", service.url))).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let stranger_sub: Value = r.json().await.unwrap();
        // Bad keys, bad JSON, another organization.
        let mut bad = ada.subscription("https://push.example/x");
        bad["keys"]["p256dh"] = json!("AAAA");
        bad["keys"]["auth"] = json!("");
        let p = problem(subscribe(bad).await, 422).await;
        assert!(p["errors"]["keys.p256dh"].is_string() && p["errors"]["keys.auth"].is_string(), "{p}");
        let r = visitor.post(app.url(&format!("/p/{org}/subscriptions"))).body("{\"endpoint\":").header("content-type", "application/json").send().await.unwrap();
        problem(r, 400).await;
        let r = visitor.post(app.url(&format!("/p/{}/subscriptions", uuid::Uuid::now_v7()))).json(&ada.subscription("https://push.example/y")).send().await.unwrap();
        problem(r, 404).await;

        let contact: Value = app.get(&format!("/api/contacts/{}", ada_sub["contact_id"].as_str().unwrap())).await.json().await.unwrap();
        assert_eq!(contact["email"], "ada@x.org");
        let push_consent = contact["consents"].as_array().unwrap().iter().find(|c| c["channel"] == "push").unwrap().clone();
        assert_eq!((push_consent["state"].as_str(), push_consent["source"].as_str()), (Some("granted"), Some("push_optin")));
        // The ledger keeps where the consent came from.
        let history: Value = app.get(&format!("/api/contacts/{}/consents", ada_sub["contact_id"].as_str().unwrap())).await.json().await.unwrap();
        let push = history.as_array().unwrap().iter().find(|e| e["channel"] == "push").unwrap().clone();
        assert_eq!((push["source"].as_str(), push["ip"].as_str(), push["source_ref"].as_str()), (Some("push_optin"), Some("127.0.0.1"), Some(format!("/p/{org}").as_str())), "{push}");

        let list: Value = app.post("/api/lists", &json!({"name": "Browsers"})).await.json().await.unwrap();
        let list = list["id"].as_str().unwrap().to_owned();
        let r = app.post(&format!("/api/lists/{list}/members"), &json!({"contact_ids": [ada_sub["contact_id"], stranger_sub["contact_id"]]})).await;
        assert!(r.status().is_success());
        let campaign = json!({
            "title": "Flash", "channels": ["push"], "list_ids": [list],
            "content": {"push": {"title": "Hi {{ email }}", "body": "Our sale starts now", "url": "https://acme.test/sale", "icon": "https://acme.test/icon.png"}}
        });
        let id = create_and_send(&app, campaign.clone()).await;
        settle(&app, &id).await;
        let all = deliveries(&app, &id, "").await;
        let of = |contact: &Value| all.iter().find(|d| &d["contact_id"] == contact).unwrap().clone();
        let ada_delivery = of(&ada_sub["contact_id"]);
        assert_eq!(ada_delivery["status"], "sent", "{all:?}");
        assert_eq!(ada_delivery["provider_message_id"], "/messages/ada-1");
        let gone = of(&stranger_sub["contact_id"]);
        assert_eq!(gone["status"], "failed");
        assert!(gone["error"].as_str().unwrap().contains("gone"), "{gone}");

        let received = service.received.lock().unwrap().clone();
        assert_eq!(received.len(), 1);
        let (_, headers, body) = &received[0];
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        assert_eq!(header("content-encoding"), "aes128gcm");
        assert_eq!(header("ttl"), "3600");
        assert_eq!(header("urgency"), "high");
        assert_eq!(header("topic"), uuid::Uuid::parse_str(&id).unwrap().simple().to_string());
        let claims = carillon::channels::webpush::vapid::verify(&header("authorization"), &service.url, chrono::Utc::now().timestamp()).expect("a valid VAPID token");
        assert_eq!(claims["sub"], "https://acme.test/contact");
        assert!(header("authorization").ends_with(&format!("k={public_key}")));
        let mut message: Value = serde_json::from_slice(&ada.decrypt(body)).unwrap();
        // The URL is tracked: it goes through us to the campaign's target.
        let tracked = message["url"].take();
        let tracked = tracked.as_str().unwrap();
        assert!(tracked.starts_with(&format!("{}/t/c/", app.address)), "{tracked}");
        let r = new_client().get(tracked).header("user-agent", "Mozilla/5.0 (Android 15; Mobile)").send().await.unwrap();
        assert_eq!(r.headers()["location"], "https://acme.test/sale");
        assert_eq!(message, json!({"title": "Hi ada@x.org", "body": "Our sale starts now", "url": null, "icon": "https://acme.test/icon.png"}));

        // The gone subscription was removed: the next campaign has no address for it.
        let next = create_and_send(&app, campaign).await;
        let p = settle(&app, &next).await;
        assert_eq!(p["skipped"]["no_address"], 1, "{p}");
    }
}
