//! The HTTP providers end to end: a campaign through SendGrid, Mailgun, Twilio and an
//! HTTP SMS gateway (provider-shaped endpoints on loopback, see `provider_sink`), then
//! their signed status webhooks moving the deliveries on; the private-network guard.

use crate::{
    both_backends,
    helpers::*,
    provider_sink::{self, Sink},
    sending::{create_and_send, deliveries, granted, list_of, settle},
};
use base64::{engine::general_purpose::STANDARD, Engine as _};
use reqwest::StatusCode;
use ring::{
    hmac,
    rand::SystemRandom,
    signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_ASN1_SIGNING},
};
use serde_json::{json, Value};
use std::collections::HashMap;

async fn use_provider(app: &TestApp, channel: &str, provider: &str, settings: Value) {
    let r = app
        .client
        .put(app.url(&format!("/api/channels/{channel}")))
        .json(&json!({"provider": provider, "settings": settings}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
}

fn email_campaign(list: &str) -> Value {
    json!({
        "title": "Promo", "channels": ["email"], "list_ids": [list],
        "content": {"email": {
            "subject": "Hi {{ first_name }}", "from_name": "Acme", "from_email": "news@acme.test",
            "html": "<p>Hello {{ first_name }}</p>"
        }}
    })
}

fn sms_campaign(list: &str) -> Value {
    json!({
        "title": "Texts", "channels": ["sms"], "list_ids": [list],
        "content": {"sms": {"text": "Hi \"{{ first_name }}\"\nbye", "sender_id": "ACME"}}
    })
}

/// Deliveries of a campaign by recipient (the sink saw who each went to).
fn by_status(list: &[Value]) -> HashMap<String, Vec<Value>> {
    let mut map: HashMap<String, Vec<Value>> = HashMap::new();
    for d in list {
        map.entry(d["status"].as_str().unwrap().to_owned())
            .or_default()
            .push(d.clone());
    }
    map
}

async fn consent(app: &TestApp, contact_id: &str, channel: &str) -> Value {
    let c: Value = app
        .get(&format!("/api/contacts/{contact_id}"))
        .await
        .json()
        .await
        .unwrap();
    c["consents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["channel"] == channel)
        .cloned()
        .unwrap()
}

/// A SendGrid-like signing key: the key pair, and its public half as SendGrid shows it.
fn sendgrid_key() -> (EcdsaKeyPair, String) {
    let rng = SystemRandom::new();
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &rng).unwrap();
    let pair =
        EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8.as_ref(), &rng).unwrap();
    let mut spki = hex::decode("3059301306072a8648ce3d020106082a8648ce3d030107034200").unwrap();
    spki.extend_from_slice(pair.public_key().as_ref());
    (pair, STANDARD.encode(spki))
}

async fn sendgrid_hook(
    app: &TestApp,
    organization: &str,
    pair: &EcdsaKeyPair,
    timestamp: i64,
    signed: &str,
    sent: &str,
) -> reqwest::Response {
    let mut message = timestamp.to_string().into_bytes();
    message.extend_from_slice(signed.as_bytes());
    let signature = pair.sign(&SystemRandom::new(), &message).unwrap();
    new_client()
        .post(app.url(&format!("/hooks/sendgrid/{organization}")))
        .header("content-type", "application/json")
        .header(
            "X-Twilio-Email-Event-Webhook-Signature",
            STANDARD.encode(signature.as_ref()),
        )
        .header(
            "X-Twilio-Email-Event-Webhook-Timestamp",
            timestamp.to_string(),
        )
        .body(sent.to_owned())
        .send()
        .await
        .unwrap()
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

both_backends! {
    async fn sendgrid_sends_and_its_signed_events_move_deliveries_on(app) {
        let sink = Sink::start().await;
        let me = app.signup("ada@example.org").await;
        let org = me["organization"]["organization_id"].as_str().unwrap().to_owned();
        let (pair, key) = sendgrid_key();
        use_provider(&app, "email", "sendgrid", json!({
            "api_key": provider_sink::SENDGRID_KEY, "base_url": sink.url, "webhook_verification_key": key,
        })).await;
        let shown: Value = app.get("/api/channels").await.json().await.unwrap();
        assert_eq!(shown[0]["provider"], "sendgrid");
        assert_eq!(shown[0]["settings"]["api_key"], json!({"set": true}));
        assert!(!shown.to_string().contains(provider_sink::SENDGRID_KEY));

        let (list, ids) = list_of(&app, "Customers", &[
            granted("ada@x.org", "Ada"),
            granted("busy@x.org", "Bea"),
            granted("invalid@x.org", "Ivy"),
        ]).await;
        let campaign = create_and_send(&app, email_campaign(&list)).await;
        let p = settle(&app, &campaign).await;
        assert_eq!(p["status"], "completed", "{p}");
        let all = deliveries(&app, &campaign, "").await;
        let statuses = by_status(&all);
        assert_eq!(statuses["sent"].len(), 2, "{all:?}");
        let failed = &statuses["failed"][0];
        assert_eq!(failed["contact_id"], ids[2].as_str());
        assert_eq!(failed["error"], "HTTP 400: Does not contain a valid address.");

        // What SendGrid received: its documented request, our delivery id in custom_args.
        let accepted = sink.accepted(2).await;
        assert_eq!(accepted.len(), 2);
        for request in &accepted {
            assert_eq!((request.method.as_str(), request.path.as_str()), ("POST", "/v3/mail/send"));
            assert_eq!(request.header("authorization"), Some("Bearer SG.test-key"));
            let mail = request.json();
            assert_eq!(mail["from"], json!({"email": "news@acme.test", "name": "Acme"}));
            assert_eq!(mail["content"][0]["type"], "text/plain");
            assert_eq!(mail["content"][1]["type"], "text/html");
            assert!(mail["headers"]["List-Unsubscribe"].as_str().unwrap().starts_with(&format!("<{}/u/", app.address)));
            let delivery = mail["personalizations"][0]["custom_args"]["carillon_delivery"].as_str().unwrap();
            let row = all.iter().find(|d| d["id"] == delivery).expect("custom_args names the delivery");
            assert_eq!(row["status"], "sent");
            assert!(row["provider_message_id"].as_str().unwrap().starts_with("sg"));
        }
        // The busy address was answered 503 once, then taken.
        let busy = all.iter().find(|d| d["contact_id"] == ids[1].as_str()).unwrap();
        assert_eq!(busy["attempts"], 2);
        let ada = all.iter().find(|d| d["contact_id"] == ids[0].as_str()).unwrap().clone();

        // Ada's message delivered (matched by our id), Bea's bounced (by SendGrid's id).
        let events = json!([
            {"event": "processed", "carillon_delivery": ada["id"]},
            {"event": "delivered", "carillon_delivery": ada["id"], "sg_message_id": format!("{}.filter1", ada["provider_message_id"].as_str().unwrap())},
            {"event": "bounce", "type": "bounce", "reason": "550 5.1.1 The email account does not exist", "sg_message_id": format!("{}.filter2", busy["provider_message_id"].as_str().unwrap())},
            {"event": "delivered", "carillon_delivery": uuid::Uuid::now_v7()},
        ]).to_string() + "\r\n";
        let r = sendgrid_hook(&app, &org, &pair, now(), &events, &events).await;
        assert_eq!(r.status(), StatusCode::OK);
        let done: Value = r.json().await.unwrap();
        assert_eq!((done["applied"].as_u64(), done["unknown"].as_u64(), done["ignored"].as_u64(), done["withdrawn"].as_u64()), (Some(2), Some(1), Some(1), Some(1)), "{done}");
        let all = deliveries(&app, &campaign, "").await;
        let status_of = |contact: &str| all.iter().find(|d| d["contact_id"] == contact).unwrap().clone();
        assert_eq!(status_of(&ids[0])["status"], "delivered");
        assert_eq!(status_of(&ids[1])["status"], "failed");
        assert_eq!(status_of(&ids[1])["error"], "550 5.1.1 The email account does not exist");
        let withdrawn = consent(&app, &ids[1], "email").await;
        assert_eq!((withdrawn["state"].as_str(), withdrawn["source"].as_str()), (Some("withdrawn"), Some("bounce")));
        // The campaign counts the bounce (once, however often it is reported).
        let bounced = || async { app.get(&format!("/api/campaigns/{campaign}/stats")).await.json::<Value>().await.unwrap()["channels"][0]["bounced"].clone() };
        assert_eq!(bounced().await, 1);
        let r = sendgrid_hook(&app, &org, &pair, now(), &events, &events).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(bounced().await, 1);
        // The organization's hours moved by the same amounts as the campaign's counters.
        let campaign_stats: Value = app.get(&format!("/api/campaigns/{campaign}/stats")).await.json().await.unwrap();
        let period: Value = app.get("/api/stats?channel=email").await.json().await.unwrap();
        for field in ["sent", "delivered", "failed", "skipped", "bounced"] {
            assert_eq!(period["totals"][field], campaign_stats["channels"][0][field], "{field}: {period} {campaign_stats}");
        }

        // A late `delivered` after the bounce changes nothing.
        let late = json!([{"event": "delivered", "sg_message_id": busy["provider_message_id"]}]).to_string();
        let r = sendgrid_hook(&app, &org, &pair, now(), &late, &late).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.json::<Value>().await.unwrap()["applied"], 0);
        assert_eq!(deliveries(&app, &campaign, "status=failed").await.len(), 2);

        // Refused, with nothing recorded: tampered, stale, unsigned; malformed: 400.
        let bounce_ada = json!([{"event": "bounce", "type": "bounce", "carillon_delivery": ada["id"]}]).to_string();
        let r = sendgrid_hook(&app, &org, &pair, now(), &late, &bounce_ada).await;
        problem(r, 401).await;
        let r = sendgrid_hook(&app, &org, &pair, now() - 700, &bounce_ada, &bounce_ada).await;
        problem(r, 401).await;
        let r = new_client().post(app.url(&format!("/hooks/sendgrid/{org}"))).body(bounce_ada.clone()).send().await.unwrap();
        problem(r, 401).await;
        let (other_pair, _) = sendgrid_key();
        let r = sendgrid_hook(&app, &org, &other_pair, now(), &bounce_ada, &bounce_ada).await;
        problem(r, 401).await;
        let r = sendgrid_hook(&app, &org, &pair, now(), "{not json", "{not json").await;
        problem(r, 400).await;
        let huge = "x".repeat(2 * 1024 * 1024);
        let r = sendgrid_hook(&app, &org, &pair, now(), &huge, &huge).await;
        assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(deliveries(&app, &campaign, "status=delivered").await.len(), 1);

        // The bounced address is suppressed: the next campaign skips it.
        let next = create_and_send(&app, email_campaign(&list)).await;
        let p = settle(&app, &next).await;
        assert_eq!((p["skipped"]["suppressed"].as_u64(), p["skipped"]["no_consent"].as_u64()), (Some(1), Some(0)), "{p}");
        // Ada's second message; Ivy's address is refused again (a 400 is no bounce).
        assert_eq!(sink.accepted(3).await.len(), 3);
    }

    async fn mailgun_sends_and_its_signed_events_are_taken_once(app) {
        let sink = Sink::start().await;
        let me = app.signup("ada@example.org").await;
        let org = me["organization"]["organization_id"].as_str().unwrap().to_owned();
        use_provider(&app, "email", "mailgun", json!({
            "api_key": provider_sink::MAILGUN_KEY, "domain": "mg.acme.test", "region": "eu",
            "base_url": sink.url, "webhook_signing_key": "signing-key",
        })).await;
        let (list, ids) = list_of(&app, "Customers", &[granted("ada@x.org", "Ada"), granted("bob@x.org", "Bob")]).await;
        let campaign = create_and_send(&app, email_campaign(&list)).await;
        settle(&app, &campaign).await;
        let accepted = sink.accepted(2).await;
        assert_eq!(accepted.len(), 2);
        let form = accepted[0].form();
        assert_eq!(accepted[0].path, "/v3/mg.acme.test/messages");
        assert_eq!(form["from"], "\"Acme\" <news@acme.test>");
        assert!(form["html"].contains("Hello"));
        assert_eq!(form["h:List-Unsubscribe-Post"], "List-Unsubscribe=One-Click");
        let sent = deliveries(&app, &campaign, "status=sent").await;
        assert_eq!(sent.len(), 2);
        let ada = sent.iter().find(|d| d["contact_id"] == ids[0].as_str()).unwrap();
        let ada_form = accepted.iter().map(|r| r.form()).find(|f| f["to"] == "ada@x.org").unwrap();
        assert_eq!(ada_form["v:carillon-delivery"], ada["id"].as_str().unwrap());
        assert!(ada["provider_message_id"].as_str().unwrap().ends_with("@mg.acme.test"));
        assert!(!ada["provider_message_id"].as_str().unwrap().starts_with('<'));

        let hook = |timestamp: i64, token: &str, key: &str, event: Value| {
            let mac = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key.as_bytes()), format!("{timestamp}{token}").as_bytes());
            json!({"signature": {"timestamp": timestamp.to_string(), "token": token, "signature": hex::encode(mac.as_ref())}, "event-data": event})
        };
        let post = |body: String| {
            let url = app.url(&format!("/hooks/mailgun/{org}"));
            async move { new_client().post(url).header("content-type", "application/json").body(body).send().await.unwrap() }
        };
        let delivered = json!({"event": "delivered", "user-variables": {"carillon-delivery": ada["id"]}});
        let body = hook(now(), "token-1", "signing-key", delivered.clone()).to_string();
        let r = post(body.clone()).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.json::<Value>().await.unwrap()["applied"], 1);
        // The same request again: a replay.
        problem(post(body).await, 401).await;
        problem(post(hook(now(), "token-2", "wrong-key", delivered.clone()).to_string()).await, 401).await;
        problem(post(hook(now() - 3600, "token-3", "signing-key", delivered.clone()).to_string()).await, 401).await;
        problem(post("{\"signature\": 1".into()).await, 400).await;
        problem(post("timestamp=1&token=2".into()).await, 400).await;
        // Bob's message: a permanent failure found by Mailgun's message id.
        let bob = sent.iter().find(|d| d["contact_id"] == ids[1].as_str()).unwrap();
        let failed = json!({"event": "failed", "severity": "permanent", "reason": "bounce",
            "delivery-status": {"code": 550, "message": "5.1.1 mailbox unavailable"},
            "message": {"headers": {"message-id": bob["provider_message_id"]}}});
        let r = post(hook(now(), "token-4", "signing-key", failed).to_string()).await;
        assert_eq!(r.status(), StatusCode::OK);
        let after = deliveries(&app, &campaign, "").await;
        let by_contact = |c: &str| after.iter().find(|d| d["contact_id"] == c).unwrap()["status"].clone();
        assert_eq!((by_contact(&ids[0]), by_contact(&ids[1])), (json!("delivered"), json!("failed")));
        assert_eq!(consent(&app, &ids[1], "email").await["source"], "bounce");
    }

    async fn an_http_sms_gateway_gets_the_request_its_settings_describe(app) {
        let sink = Sink::start().await;
        app.signup("ada@example.org").await;
        use_provider(&app, "sms", "http_sms", json!({
            "url": format!("{}/gateway/send", sink.url),
            "headers": {"X-Trace": "carillon"},
            "secret_header": {"name": "X-Api-Key", "value": provider_sink::GATEWAY_KEY},
            "body_template": "{\"to\": \"{{ to }}\", \"text\": \"{{ text }}\", \"from\": \"{{ sender_id }}\"}",
            "message_id_pointer": "/messages/0/id",
        })).await;
        let shown: Value = app.get("/api/channels").await.json().await.unwrap();
        assert_eq!(shown[1]["settings"]["secret_header"], json!({"name": "X-Api-Key", "value": {"set": true}}));
        assert!(!shown.to_string().contains(provider_sink::GATEWAY_KEY));
        let (list, _) = list_of(&app, "Phones", &[
            json!({"phone": "+33612345678", "first_name": "Ada", "consents": {"sms": "granted"}}),
        ]).await;
        let campaign = create_and_send(&app, sms_campaign(&list)).await;
        settle(&app, &campaign).await;
        let accepted = sink.accepted(1).await;
        assert_eq!(accepted.len(), 1);
        assert_eq!(accepted[0].header("x-trace"), Some("carillon"));
        let message = accepted[0].json();
        assert_eq!(message, json!({"to": "+33612345678", "text": "Hi \"Ada\"\nbye", "from": "ACME"}));
        let sent = deliveries(&app, &campaign, "status=sent").await;
        assert!(sent[0]["provider_message_id"].as_str().unwrap().starts_with("gw-"));

        // Saving again without the secret keeps it.
        use_provider(&app, "sms", "http_sms", json!({
            "url": format!("{}/gateway/send", sink.url),
            "secret_header": {"name": "X-Api-Key"},
            "body_template": "{\"to\": \"{{ to }}\", \"text\": \"{{ text }}\"}",
        })).await;
        let r = app.post("/api/channels/sms/test", &json!({"to": "+33612345678"})).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.json::<Value>().await.unwrap()["outcome"], "accepted");
    }
}

async fn twilio_sends_reports_and_stop_unsubscribes(backend: Backend) {
    let public = "https://carillon.example";
    let Some(app) = spawn_app(backend, &[("CARILLON_PUBLIC_URL", public)]).await else {
        return eprintln!("skipped: TEST_DATABASE_URL is not set");
    };
    let sink = Sink::start().await;
    let me = app.signup("ada@example.org").await;
    let org = me["organization"]["organization_id"]
        .as_str()
        .unwrap()
        .to_owned();
    use_provider(
        &app,
        "sms",
        "twilio",
        json!({
            "account_sid": provider_sink::TWILIO_SID, "auth_token": provider_sink::TWILIO_TOKEN,
            "from": "+15005550006", "base_url": sink.url,
        }),
    )
    .await;
    let (list, ids) = list_of(
        &app,
        "Phones",
        &[
            json!({"phone": "+33612345678", "first_name": "Ada", "consents": {"sms": "granted"}}),
            json!({"phone": "+33612345679", "first_name": "Bob", "consents": {"sms": "granted"}}),
        ],
    )
    .await;
    let campaign = create_and_send(&app, sms_campaign(&list)).await;
    settle(&app, &campaign).await;
    let accepted = sink.accepted(2).await;
    assert_eq!(accepted.len(), 2);
    let sent = deliveries(&app, &campaign, "status=sent").await;
    for request in &accepted {
        assert_eq!(
            request.path,
            format!(
                "/2010-04-01/Accounts/{}/Messages.json",
                provider_sink::TWILIO_SID
            )
        );
        let form = request.form();
        assert_eq!(form["From"], "ACME");
        assert_eq!(
            form["StatusCallback"],
            format!("{public}/hooks/twilio/{org}")
        );
        let token = request.header("idempotency-token").unwrap();
        assert!(
            sent.iter().any(|d| d["id"] == token),
            "the token is the delivery id"
        );
        assert!(
            form["Body"].starts_with("Hi \"Ada\"\nbye")
                || form["Body"].starts_with("Hi \"Bob\"\nbye")
        );
    }
    let ada = sent
        .iter()
        .find(|d| d["contact_id"] == ids[0].as_str())
        .unwrap();
    let sid = ada["provider_message_id"].as_str().unwrap();
    assert!(sid.starts_with("SM"));

    let sign = |url: &str, params: &[(&str, &str)]| {
        let mut sorted = params.to_vec();
        sorted.sort();
        let mut text = url.to_owned();
        for (k, v) in sorted {
            text.push_str(k);
            text.push_str(v);
        }
        let key = hmac::Key::new(
            hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY,
            provider_sink::TWILIO_TOKEN.as_bytes(),
        );
        STANDARD.encode(hmac::sign(&key, text.as_bytes()).as_ref())
    };
    let called = format!("{public}/hooks/twilio/{org}");
    let post = |params: Vec<(&'static str, String)>, signature: String| {
        let url = app.url(&format!("/hooks/twilio/{org}"));
        async move {
            new_client()
                .post(url)
                .header("X-Twilio-Signature", signature)
                .form(&params)
                .send()
                .await
                .unwrap()
        }
    };
    let params = [
        ("MessageSid", sid),
        ("MessageStatus", "delivered"),
        ("AccountSid", provider_sink::TWILIO_SID),
    ];
    let owned = |p: &[(&'static str, &str)]| {
        p.iter()
            .map(|(k, v)| (*k, (*v).to_owned()))
            .collect::<Vec<_>>()
    };
    // Signed for another URL (what the request says, not what Twilio was given): 401.
    let r = post(
        owned(&params),
        sign(&app.url(&format!("/hooks/twilio/{org}")), &params),
    )
    .await;
    problem(r, 401).await;
    let r = post(owned(&params), sign(&called, &params)).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        deliveries(&app, &campaign, "status=delivered").await.len(),
        1
    );

    // "Stop" from Bob's phone: no more SMS for him.
    let stop = [
        ("MessageSid", "SM00000000000000000000000000000001"),
        ("SmsStatus", "received"),
        ("From", "+33612345679"),
        ("Body", "Stop"),
    ];
    let r = post(owned(&stop), sign(&called, &stop)).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("<Response>"));
    let bob = consent(&app, &ids[1], "sms").await;
    assert_eq!(
        (bob["state"].as_str(), bob["source"].as_str()),
        (Some("withdrawn"), Some("stop"))
    );
    problem(post(vec![], sign(&called, &[])).await, 400).await;
}

#[tokio::test]
async fn twilio_sends_reports_and_stop_unsubscribes_sqlite() {
    twilio_sends_reports_and_stop_unsubscribes(Backend::Sqlite).await;
}

#[tokio::test]
async fn twilio_sends_reports_and_stop_unsubscribes_postgres() {
    twilio_sends_reports_and_stop_unsubscribes(Backend::Postgres).await;
}

/// Without the operator's leave, a provider on loopback is refused at send time, by
/// address and by a name that resolves to it; a provider that does not answer in time
/// is retried, then failed.
#[tokio::test]
async fn providers_on_private_addresses_are_refused() {
    let sink = Sink::start().await;
    let app = spawn_app(
        Backend::Sqlite,
        &[
            ("CARILLON_OUTBOUND_ALLOW", ""),
            ("CARILLON_MAX_ATTEMPTS", "1"),
        ],
    )
    .await
    .unwrap();
    app.signup("ada@example.org").await;
    let port = sink.url.rsplit(':').next().unwrap();
    for (n, base) in [sink.url.clone(), format!("http://localhost:{port}")]
        .into_iter()
        .enumerate()
    {
        use_provider(
            &app,
            "email",
            "sendgrid",
            json!({"api_key": provider_sink::SENDGRID_KEY, "base_url": base}),
        )
        .await;
        let (list, _) = list_of(
            &app,
            &format!("L {base}"),
            &[granted(&format!("ada{n}@x.org"), "Ada")],
        )
        .await;
        let campaign = create_and_send(&app, email_campaign(&list)).await;
        settle(&app, &campaign).await;
        let failed = deliveries(&app, &campaign, "status=failed").await;
        assert_eq!(failed.len(), 1, "{base}");
        assert!(
            failed[0]["error"]
                .as_str()
                .unwrap()
                .contains("private or local address"),
            "{failed:?}"
        );
    }
    assert!(sink.requests().is_empty());

    let open = spawn_app(Backend::Sqlite, &[("CARILLON_MAX_ATTEMPTS", "1")])
        .await
        .unwrap();
    open.signup("ada@example.org").await;
    use_provider(
        &open,
        "email",
        "sendgrid",
        json!({"api_key": provider_sink::SENDGRID_KEY, "base_url": sink.url, "timeout_seconds": 1}),
    )
    .await;
    let (list, _) = list_of(&open, "Slow", &[granted("slow@x.org", "Sy")]).await;
    let campaign = create_and_send(&open, email_campaign(&list)).await;
    settle(&open, &campaign).await;
    let failed = deliveries(&open, &campaign, "status=failed").await;
    assert!(
        failed[0]["error"]
            .as_str()
            .unwrap()
            .contains("did not answer in time"),
        "{failed:?}"
    );
}

#[tokio::test]
async fn provider_settings_are_checked() {
    let app = spawn_app(Backend::Sqlite, &[]).await.unwrap();
    app.signup("ada@example.org").await;
    let put = |channel: &str, body: Value| {
        let url = app.url(&format!("/api/channels/{channel}"));
        let client = app.client.clone();
        async move { client.put(url).json(&body).send().await.unwrap() }
    };
    let p = problem(put("email", json!({"provider": "sendgrid", "settings": {"base_url": "ftp://x", "webhook_verification_key": "abc"}})).await, 422).await;
    for key in [
        "settings.api_key",
        "settings.base_url",
        "settings.webhook_verification_key",
    ] {
        assert!(p["errors"][key].is_string(), "{key}: {p}");
    }
    let p = problem(put("email", json!({"provider": "mailgun", "settings": {"api_key": "k", "domain": "not a domain", "region": "mars"}})).await, 422).await;
    assert!(
        p["errors"]["settings.domain"].is_string() && p["errors"]["settings.region"].is_string(),
        "{p}"
    );
    let p = problem(
        put(
            "sms",
            json!({"provider": "twilio", "settings": {"account_sid": "AC1", "auth_token": "t"}}),
        )
        .await,
        422,
    )
    .await;
    assert!(
        p["errors"]["settings.account_sid"].is_string() && p["errors"]["settings.from"].is_string(),
        "{p}"
    );
    let p = problem(
        put("email", json!({"provider": "twilio", "settings": {}})).await,
        422,
    )
    .await;
    assert!(p["errors"]["provider"].is_string(), "{p}");
    let p = problem(put("sms", json!({"provider": "http_sms", "settings": {"url": "https://gw.example/send", "body_template": "{{ contact.email }}"}})).await, 422).await;
    assert!(p["errors"]["settings.body_template"].is_string(), "{p}");
}
