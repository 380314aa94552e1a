//! Sending: the scheduler, fan-out, workers, SMTP to a real server on loopback, the
//! simulator, retries, pause / resume / cancel, unsubscribe, events, two engines.

use crate::{both_backends, contacts::create_contact, helpers::*, smtp_server::SmtpServer};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// A list holding new contacts made from `contacts` (each a contact body).
pub(crate) async fn list_of(
    app: &TestApp,
    name: &str,
    contacts: &[Value],
) -> (String, Vec<String>) {
    let r = app.post("/api/lists", &json!({"name": name})).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let list: Value = r.json().await.unwrap();
    let id = list["id"].as_str().unwrap().to_owned();
    let mut ids = vec![];
    for body in contacts {
        ids.push(
            create_contact(app, body.clone()).await["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    if !ids.is_empty() {
        let r = app
            .post(
                &format!("/api/lists/{id}/members"),
                &json!({"contact_ids": ids}),
            )
            .await;
        assert!(r.status().is_success());
    }
    (id, ids)
}

pub(crate) fn granted(email: &str, first_name: &str) -> Value {
    json!({"email": email, "first_name": first_name, "consents": {"email": "granted"}})
}

pub(crate) async fn use_smtp(app: &TestApp, smtp: &SmtpServer, extra: Value) {
    let mut settings =
        json!({"host": "127.0.0.1", "port": smtp.port, "security": "none", "max_connections": 2});
    if let (Value::Object(s), Value::Object(e)) = (&mut settings, extra) {
        s.extend(e);
    }
    let r = app
        .client
        .put(app.url("/api/channels/email"))
        .json(&json!({"provider": "smtp", "settings": settings}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
}

pub(crate) async fn use_simulator(app: &TestApp, channel: &str, settings: Value) {
    let r = app
        .client
        .put(app.url(&format!("/api/channels/{channel}")))
        .json(&json!({"provider": "simulator", "settings": settings}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
}

fn email_campaign(lists: &[&str], exclusions: &[&str]) -> Value {
    json!({
        "title": "Promo", "channels": ["email"],
        "list_ids": lists, "exclusion_list_ids": exclusions,
        "content": {"email": {
            "subject": "Hi {{ first_name }}", "from_name": "Acme", "from_email": "news@acme.test",
            "html": "<p>Hello {{ first_name }}, our sale starts now.</p>"
        }}
    })
}

pub(crate) async fn create_and_send(app: &TestApp, body: Value) -> String {
    let c = crate::campaigns::create(app, body).await;
    let id = c["id"].as_str().unwrap().to_owned();
    let r = app
        .post(&format!("/api/campaigns/{id}/send"), &json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    id
}

pub(crate) async fn progress(app: &TestApp, id: &str) -> Value {
    let r = app.get(&format!("/api/campaigns/{id}/progress")).await;
    assert_eq!(r.status(), StatusCode::OK);
    let p: Value = r.json().await.unwrap();
    // Every delivery is in exactly one state, at every moment.
    for c in p["channels"].as_array().unwrap() {
        let sum: u64 = [
            "pending",
            "sent",
            "delivered",
            "failed",
            "skipped",
            "cancelled",
        ]
        .iter()
        .map(|k| c[*k].as_u64().unwrap())
        .sum();
        assert_eq!(c["total"].as_u64().unwrap(), sum, "{p}");
    }
    p
}

/// Drains the background work until the campaign stops moving (retries fall due a few
/// milliseconds later, so one drain may not be enough).
pub(crate) async fn settle(app: &TestApp, id: &str) -> Value {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        app.drain().await;
        let p = progress(app, id).await;
        let pending: u64 = p["channels"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["pending"].as_u64().unwrap())
            .sum();
        let done = matches!(
            p["status"].as_str(),
            Some("completed" | "cancelled" | "paused" | "draft")
        );
        if done && (pending == 0 || p["status"] == "paused") {
            return p;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the campaign did not settle: {p}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}

pub(crate) async fn deliveries(app: &TestApp, id: &str, query: &str) -> Vec<Value> {
    let r = app
        .get(&format!(
            "/api/campaigns/{id}/deliveries?per_page=100&{query}"
        ))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let page: Value = r.json().await.unwrap();
    page["items"].as_array().unwrap().clone()
}

async fn events(app: &TestApp) -> Vec<Value> {
    let r = app.get("/api/events?limit=1000").await;
    assert_eq!(r.status(), StatusCode::OK);
    let page: Value = r.json().await.unwrap();
    page["items"].as_array().unwrap().clone()
}

/// The organization's events once `ready` holds for them (or after 30 s, for the
/// caller's assertion to fail). On PostgreSQL an event shows once every transaction
/// older than its own has ended, other tests' on the same server included.
pub(crate) async fn events_when(app: &TestApp, ready: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let items = events(app).await;
        if ready(&items) || std::time::Instant::now() > deadline {
            return items;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

pub(crate) fn kinds(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_owned())
        .collect()
}

/// A header with its continuation lines joined (long headers are folded).
fn unfolded(data: &str, name: &str) -> Option<String> {
    let prefix = format!("{}:", name.to_ascii_lowercase());
    let mut lines = data
        .lines()
        .skip_while(|l| !l.to_ascii_lowercase().starts_with(&prefix));
    let mut value = lines.next()?[prefix.len()..].trim().to_owned();
    for l in lines.take_while(|l| l.starts_with(' ') || l.starts_with('\t')) {
        value.push(' ');
        value.push_str(l.trim());
    }
    Some(value)
}

pub(crate) fn header<'a>(data: &'a str, name: &str) -> Option<&'a str> {
    data.lines()
        .find(|l| {
            l.to_ascii_lowercase()
                .starts_with(&format!("{}:", name.to_ascii_lowercase()))
        })
        .map(|l| l[name.len() + 1..].trim())
}

both_backends! {
    async fn a_campaign_reaches_every_consenting_recipient_once_and_one_click_unsubscribes(app) {
        let smtp = SmtpServer::start().await;
        app.signup("ada@example.org").await;
        use_smtp(&app, &smtp, json!({})).await;
        let shown: Value = app.get("/api/channels").await.json().await.unwrap();
        assert_eq!(shown[0]["provider"], "smtp");
        assert_eq!(shown[0]["settings"]["password"], json!({"set": false}));
        assert_eq!(shown[1]["provider"], "simulator");

        let (customers, _) = list_of(&app, "Customers", &[
            granted("ada@x.org", "Ada"),
            granted("bob@x.org", "Bob"),
            json!({"email": "carol@x.org", "consents": {"email": "withdrawn"}}),
            json!({"email": "dan@x.org"}),
            granted("erin@x.org", "Erin"),
            json!({"phone": "+33612345678", "consents": {"email": "granted"}}),
        ]).await;
        let (vip_out, _) = list_of(&app, "Excluded", &[]).await;
        // Erin is excluded through a second list.
        let erin: Value = app.get("/api/contacts?q=erin@x.org").await.json().await.unwrap();
        let erin_id = erin["items"][0]["id"].clone();
        app.post(&format!("/api/lists/{vip_out}/members"), &json!({"contact_ids": [erin_id]})).await;

        let id = create_and_send(&app, email_campaign(&[&customers], &[&vip_out])).await;
        let p = settle(&app, &id).await;
        assert_eq!(p["status"], "completed", "{p}");
        assert!(p["started_at"].is_string() && p["completed_at"].is_string());
        let email = &p["channels"][0];
        assert_eq!((email["total"].as_u64(), email["sent"].as_u64(), email["skipped"].as_u64()), (Some(5), Some(2), Some(3)), "{p}");
        assert_eq!(p["skipped"], json!({"no_consent": 2, "no_address": 1, "unsubscribed": 0, "suppressed": 0}));

        let received = smtp.wait_for(2).await;
        assert_eq!(received.len(), 2);
        let to: BTreeSet<String> = received.iter().flat_map(|m| m.to.clone()).collect();
        assert_eq!(to, BTreeSet::from(["ada@x.org".to_owned(), "bob@x.org".to_owned()]));
        let ada = received.iter().find(|m| m.to == ["ada@x.org"]).unwrap();
        assert_eq!(ada.from, "news@acme.test");
        assert_eq!(header(&ada.data, "Subject"), Some("Hi Ada"));
        assert!(header(&ada.data, "From").unwrap().contains("Acme"));
        let sent = deliveries(&app, &id, "status=sent").await;
        let ada_delivery = sent.iter().find(|d| ada.data.contains(d["id"].as_str().unwrap())).expect("the Message-ID names the delivery");
        assert_eq!(header(&ada.data, "Message-ID").unwrap(), format!("<{}@acme.test>", ada_delivery["id"].as_str().unwrap()));
        assert_eq!(header(&ada.data, "List-Unsubscribe-Post"), Some("List-Unsubscribe=One-Click"));
        assert!(ada.data.contains("multipart/alternative") && ada.data.contains("text/plain") && ada.data.contains("text/html"));
        assert!(ada.data.contains("Hello Ada"));
        let link = header(&ada.data, "List-Unsubscribe").unwrap().trim_matches(|c| c == '<' || c == '>').to_owned();
        assert!(link.starts_with(&format!("{}/u/", app.address)), "{link}");

        // The confirmation page, then the one-click POST (no login, any origin).
        let stranger = new_client();
        let page = stranger.get(&link).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        assert!(page.text().await.unwrap().contains("<form method=\"post\""));
        let r = stranger.post(&link).header("content-type", "application/x-www-form-urlencoded").header("origin", "https://mail.example").body("List-Unsubscribe=One-Click").send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        // The last character changed (the old way, trim every 'A' then add one, gave back
        // the same link when it ended in exactly one 'A').
        let last = if link.ends_with('A') { "B" } else { "A" };
        let tampered = format!("{}{last}", &link[..link.len() - 1]);
        let r = stranger.post(&tampered).body("List-Unsubscribe=One-Click").send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        let contact: Value = app.get(&format!("/api/contacts/{}", ada_delivery["contact_id"].as_str().unwrap())).await.json().await.unwrap();
        let consent = contact["consents"].as_array().unwrap().iter().find(|c| c["channel"] == "email").unwrap().clone();
        assert_eq!((consent["state"].as_str(), consent["source"].as_str()), (Some("withdrawn"), Some("unsubscribe")));

        let expected = ["CampaignScheduled", "CampaignStarted", "MessageSent", "CampaignSent", "ContactUnsubscribed"];
        let kinds = kinds(&events_when(&app, |items| expected.iter().all(|k| kinds(items).iter().any(|i| i == k))).await);
        for kind in expected {
            assert!(kinds.contains(&kind.to_owned()), "{kind} in {kinds:?}");
        }
        assert_eq!(kinds.iter().filter(|k| *k == "MessageSent").count(), 2);

        // The next campaign skips her.
        let next = create_and_send(&app, email_campaign(&[&customers], &[&vip_out])).await;
        let p = settle(&app, &next).await;
        assert_eq!(p["status"], "completed");
        assert_eq!(p["skipped"]["unsubscribed"], 1, "{p}");
        assert_eq!(smtp.wait_for(3).await.iter().filter(|m| m.to == ["ada@x.org"]).count(), 1);
    }

    async fn dkim_signs_and_more_senders_than_connections_wait_for_one(app) {
        let smtp = SmtpServer::start().await;
        app.signup("ada@example.org").await;
        let key = include_str!("fixtures/dkim-test-key.pem");
        // Twenty messages may be in flight, over one connection: they queue for it.
        use_smtp(&app, &smtp, json!({"max_connections": 1, "max_in_flight": 20,
            "dkim": {"domain": "acme.test", "selector": "s2026", "private_key": key}})).await;
        let shown: Value = app.get("/api/channels").await.json().await.unwrap();
        assert_eq!(shown[0]["settings"]["dkim"]["private_key"], json!({"set": true}));
        assert_eq!(shown[0]["settings"]["dkim"]["selector"], "s2026");
        let people: Vec<Value> = (0..12).map(|i| granted(&format!("p{i}@x.org"), "P")).collect();
        let (list, _) = list_of(&app, "People", &people).await;
        let id = create_and_send(&app, email_campaign(&[&list], &[])).await;
        let p = settle(&app, &id).await;
        assert_eq!(p["status"], "completed", "{p}");
        assert_eq!((p["channels"][0]["sent"].as_u64(), p["channels"][0]["failed"].as_u64()), (Some(12), Some(0)), "{p}");
        let received = smtp.wait_for(12).await;
        assert_eq!(smtp.connections.load(std::sync::atomic::Ordering::SeqCst), 1, "one pooled connection");
        for m in &received {
            let signature = unfolded(&m.data, "DKIM-Signature").expect("signed");
            assert!(signature.contains("d=acme.test") && signature.contains("s=s2026"), "{signature}");
            let signed: Vec<String> = signature.split(';').find_map(|t| t.trim().strip_prefix("h=").map(str::to_owned))
                .expect("h=").split(':').map(|h| h.trim().to_ascii_lowercase()).collect();
            for h in ["from", "subject", "message-id", "list-unsubscribe", "list-unsubscribe-post"] {
                assert!(signed.contains(&h.to_owned()), "{h} is signed: {signed:?}");
            }
        }
    }

    async fn a_campaign_test_goes_to_the_given_addresses_and_changes_nothing(app) {
        let smtp = SmtpServer::start().await;
        app.signup("ada@example.org").await;
        use_smtp(&app, &smtp, json!({})).await;
        let (list, _) = list_of(&app, "All", &[granted("grace@x.org", "Grace")]).await;
        let mut body = email_campaign(&[&list], &[]);
        body["channels"] = json!(["email", "sms"]);
        body["content"]["sms"] = json!({"text": "Hi {{ first_name }}", "sender_id": "ACME"});
        let c = crate::campaigns::create(&app, body).await;
        let id = c["id"].as_str().unwrap();
        let r = app.post(&format!("/api/campaigns/{id}/test"), &json!({"email": "me@x.org", "phone": "+33 6 12 34 56 78"})).await;
        assert_eq!(r.status(), StatusCode::OK);
        let results: Value = r.json().await.unwrap();
        assert_eq!(results.as_array().unwrap().len(), 2, "{results}");
        assert_eq!((results[0]["channel"].as_str(), results[0]["outcome"].as_str(), results[0]["to"].as_str()), (Some("email"), Some("accepted"), Some("me@x.org")));
        assert_eq!((results[1]["channel"].as_str(), results[1]["outcome"].as_str(), results[1]["to"].as_str()), (Some("sms"), Some("accepted"), Some("+33612345678")));
        let received = smtp.wait_for(1).await;
        assert_eq!(received[0].to, ["me@x.org"]);
        assert_eq!(header(&received[0].data, "Subject"), Some("[Test] Hi Ada"), "rendered for the sample contact");
        assert!(header(&received[0].data, "List-Unsubscribe").is_none(), "a test unsubscribes nobody");
        // Nothing moved: still a draft, nothing to deliver, no events of sending.
        let after: Value = app.get(&format!("/api/campaigns/{id}")).await.json().await.unwrap();
        assert_eq!(after["status"], "draft");
        assert!(deliveries(&app, id, "").await.is_empty());
        assert!(events(&app).await.iter().all(|e| e["type"] != "MessageSent"));
        // Nowhere to send: a readable 422.
        let r = app.post(&format!("/api/campaigns/{id}/test"), &json!({})).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let r = app.post(&format!("/api/campaigns/{id}/test"), &json!({"email": "not an address"})).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("email"));
    }

    async fn refusals_retry_or_fail_and_the_rest_goes_on(app) {
        let smtp = SmtpServer::start().await;
        app.signup("ada@example.org").await;
        use_smtp(&app, &smtp, json!({})).await;
        let long = "L".repeat(100);
        let (list, _) = list_of(&app, "All", &[
            granted("ok@x.org", "Ok"),
            granted("busy@x.org", "Busy"),
            granted("reject@x.org", "Reject"),
            granted("throttle@x.org", "Throttle"),
            granted("long@x.org", &long),
            granted("garbage@x.org", "Garbage"),
        ]).await;
        let mut body = email_campaign(&[&list], &[]);
        // Fine for the sample contact; over the subject's 1,024 bytes for a 100-letter name.
        body["content"]["email"]["subject"] = json!("{% for i in range(11) %}{{ first_name }}{% endfor %}");
        let id = create_and_send(&app, body).await;
        let p = settle(&app, &id).await;
        assert_eq!(p["status"], "completed", "{p}");
        let all = deliveries(&app, &id, "").await;
        let sent: Vec<&Value> = all.iter().filter(|d| d["status"] == "sent").collect();
        let failed: Vec<&Value> = all.iter().filter(|d| d["status"] == "failed").collect();
        assert_eq!((sent.len(), failed.len()), (3, 3), "{all:?}");
        // An answer that is not SMTP is a transient trouble: tried again, then given up.
        assert!(failed.iter().any(|d| d["error"].as_str().unwrap().starts_with("gave up after 5 attempts")), "{failed:?}");
        // 550 is final, with the server's reply; the template failure names its field.
        assert!(failed.iter().any(|d| d["error"].as_str().unwrap().contains("550")), "{failed:?}");
        assert!(failed.iter().any(|d| d["error"].as_str().unwrap().contains("content.email.subject")), "{failed:?}");
        // 451 twice, then taken: three attempts; 421 once: two.
        let mut attempts: Vec<u64> = sent.iter().map(|d| d["attempts"].as_u64().unwrap()).collect();
        attempts.sort();
        assert_eq!(attempts, vec![1, 2, 3]);
        let received = smtp.messages();
        let to: Vec<String> = received.iter().flat_map(|m| m.to.clone()).collect();
        assert_eq!(to.len(), 3, "each accepted recipient once: {to:?}");
        assert_eq!(to.iter().collect::<BTreeSet<_>>().len(), 3);
    }

    async fn the_simulator_sends_and_pause_resume_cancel_work(app) {
        app.signup("ada@example.org").await;
        // Slow enough that the run can be paused half-way.
        use_simulator(&app, "email", json!({"latency_ms": 0, "failure_rate": 0, "rate_per_second": 20, "max_in_flight": 1})).await;
        let people: Vec<Value> = (0..40).map(|i| granted(&format!("p{i}@x.org"), "P")).collect();
        let (list, _) = list_of(&app, "People", &people).await;
        let id = create_and_send(&app, email_campaign(&[&list], &[])).await;
        // Wait for the first messages, then pause.
        loop {
            let p = progress(&app, &id).await;
            let c = &p["channels"][0];
            if c["sent"].as_u64().unwrap() + c["delivered"].as_u64().unwrap() >= 3 { break; }
            tokio::task::yield_now().await;
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        let r = app.post(&format!("/api/campaigns/{id}/pause"), &json!({})).await;
        assert_eq!(r.status(), StatusCode::OK);
        let p = settle(&app, &id).await;
        assert_eq!(p["status"], "paused");
        let paused_pending = p["channels"][0]["pending"].as_u64().unwrap();
        assert!(paused_pending > 0, "{p}");
        let r = app.post(&format!("/api/campaigns/{id}/resume"), &json!({})).await;
        assert_eq!(r.status(), StatusCode::OK);
        let p = settle(&app, &id).await;
        assert_eq!(p["status"], "completed", "{p}");
        let c = &p["channels"][0];
        assert_eq!(c["sent"].as_u64().unwrap() + c["delivered"].as_u64().unwrap(), 40, "{p}");
        let all = deliveries(&app, &id, "").await;
        assert!(all.iter().all(|d| d["attempts"] == 1), "nothing sent twice");

        // Cancelled half-way: what was pending is cancelled at once.
        let second = create_and_send(&app, email_campaign(&[&list], &[])).await;
        loop {
            let p = progress(&app, &second).await;
            if p["channels"][0]["total"].as_u64().unwrap_or(0) > 0 && p["channels"][0]["pending"].as_u64().unwrap() < 38 { break; }
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        let r = app.post(&format!("/api/campaigns/{second}/cancel"), &json!({})).await;
        assert_eq!(r.status(), StatusCode::OK);
        let p = progress(&app, &second).await;
        assert_eq!(p["status"], "cancelled");
        assert_eq!(p["channels"][0]["pending"], 0);
        assert!(p["channels"][0]["cancelled"].as_u64().unwrap() > 0, "{p}");
        let p = settle(&app, &second).await;
        assert_eq!(p["channels"][0]["pending"], 0);
        let r = app.post(&format!("/api/campaigns/{second}/send"), &json!({})).await;
        assert_eq!(r.status(), StatusCode::CONFLICT);
    }

    async fn consent_withdrawn_after_the_start_is_respected_at_send_time(app) {
        app.signup("ada@example.org").await;
        use_simulator(&app, "email", json!({"latency_ms": 0, "failure_rate": 0, "rate_per_second": 4, "max_in_flight": 1})).await;
        let people: Vec<Value> = (0..30).map(|i| granted(&format!("p{i}@x.org"), "P")).collect();
        let (list, _) = list_of(&app, "People", &people).await;
        let id = create_and_send(&app, email_campaign(&[&list], &[])).await;
        loop {
            let c = progress(&app, &id).await["channels"][0].clone();
            if c["sent"].as_u64().unwrap() + c["delivered"].as_u64().unwrap() >= 2 { break; }
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        let r = app.post(&format!("/api/campaigns/{id}/pause"), &json!({})).await;
        assert_eq!(r.status(), StatusCode::OK);
        let paused = settle(&app, &id).await;
        // While it is paused, everyone still waiting withdraws: one through the API...
        let waiting: Vec<String> = deliveries(&app, &id, "status=pending").await.iter()
            .map(|d| d["contact_id"].as_str().unwrap().to_owned()).collect();
        assert!(waiting.len() >= 2, "{waiting:?} {paused}");
        for contact in &waiting[1..] {
            let r = crate::contacts::send(&app, reqwest::Method::PATCH, &format!("/api/contacts/{contact}"),
                Some(&json!({"consents": {"email": "withdrawn"}}))).await;
            assert_eq!(r.status(), StatusCode::OK);
        }
        // ... and one loses the address the campaign was going to use.
        let r = crate::contacts::send(&app, reqwest::Method::PATCH, &format!("/api/contacts/{}", waiting[0]),
            Some(&json!({"email": "", "phone": "+33612345678"}))).await;
        assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
        let r = app.post(&format!("/api/campaigns/{id}/resume"), &json!({})).await;
        assert_eq!(r.status(), StatusCode::OK);
        let p = settle(&app, &id).await;
        assert_eq!(p["status"], "completed", "{p}");
        let c = &p["channels"][0];
        assert_eq!(c["skipped"].as_u64().unwrap(), waiting.len() as u64, "{p}");
        assert_eq!(p["skipped"]["no_consent"].as_u64().unwrap(), waiting.len() as u64 - 1, "{p}");
        assert_eq!(p["skipped"]["no_address"], 1, "{p}");
        assert_eq!(c["sent"].as_u64().unwrap() + c["delivered"].as_u64().unwrap(), 30 - waiting.len() as u64, "{p}");
        let skipped = deliveries(&app, &id, "status=skipped").await;
        assert!(skipped.iter().all(|d| waiting.contains(&d["contact_id"].as_str().unwrap().to_owned())));
        let sent = |e: &&Value| e["type"] == "MessageSent" && e["campaign_id"] == id.as_str();
        let all = events_when(&app, |items| items.iter().filter(sent).count() >= 30 - waiting.len()).await;
        let sent_to: BTreeSet<String> = all.iter().filter(sent).map(|e| e["contact_id"].as_str().unwrap().to_owned()).collect();
        assert_eq!(sent_to.len(), 30 - waiting.len());
        assert!(waiting.iter().all(|w| !sent_to.contains(w)), "nobody who withdrew was sent to");
    }

    async fn a_campaign_nobody_consented_to_completes_at_once(app) {
        app.signup("ada@example.org").await;
        let (list, _) = list_of(&app, "Nobody", &[json!({"email": "a@x.org"}), json!({"email": "b@x.org", "consents": {"email": "withdrawn"}})]).await;
        let id = create_and_send(&app, email_campaign(&[&list], &[])).await;
        let p = settle(&app, &id).await;
        assert_eq!(p["status"], "completed");
        assert_eq!(p["channels"][0]["skipped"], 2);
        assert_eq!(p["skipped"]["no_consent"], 2);
    }

    async fn channel_settings_are_validated_and_secrets_never_shown(app) {
        app.signup("ada@example.org").await;
        let put = |body: Value, channel: &'static str| {
            let app = &app;
            async move { app.client.put(app.url(&format!("/api/channels/{channel}"))).json(&body).send().await.unwrap() }
        };
        let r = put(json!({"provider": "smtp", "settings": {"port": 99999}}), "email").await;
        let p = problem(r, 422).await;
        assert!(p["errors"]["settings.host"].is_string() && p["errors"]["settings.port"].is_string(), "{p}");
        let p = problem(put(json!({"provider": "carrier-pigeon"}), "email").await, 422).await;
        assert!(p["errors"]["provider"].as_str().unwrap().contains("smtp"));
        problem(put(json!({"provider": "smtp", "settings": {"host": "h"}}), "sms").await, 422).await;
        problem(put(json!({"provider": "simulator"}), "fax").await, 404).await;
        let p = problem(put(json!({"provider": "simulator", "settings": {"failure_rate": 2}}), "sms").await, 422).await;
        assert!(p["errors"]["settings.failure_rate"].is_string());

        let r = put(json!({"provider": "smtp", "settings": {"host": "smtp.example.org", "username": "u", "password": "hunter2"}}), "email").await;
        assert_eq!(r.status(), StatusCode::OK);
        let text = app.get("/api/channels").await.text().await.unwrap();
        assert!(!text.contains("hunter2"));
        let shown: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(shown[0]["settings"]["password"], json!({"set": true}));
        assert_eq!(shown[0]["settings"]["port"], 587);
        // Saved again without the password (as the form does): it is kept.
        let r = put(json!({"provider": "smtp", "settings": {"host": "smtp.example.org", "username": "u", "password": {"set": true}}}), "email").await;
        assert_eq!(r.status(), StatusCode::OK);
        let shown: Value = app.get("/api/channels").await.json().await.unwrap();
        assert_eq!(shown[0]["settings"]["password"], json!({"set": true}));

        // A host nobody answers on: a readable reason, not a 500.
        // An empty secret clears it.
        let r = put(json!({"provider": "smtp", "settings": {"host": "127.0.0.1", "port": 1, "security": "none", "password": ""}}), "email").await;
        assert_eq!(r.status(), StatusCode::OK);
        let r = app.post("/api/channels/email/test", &json!({"to": "me@example.org"})).await;
        assert_eq!(r.status(), StatusCode::OK);
        let result: Value = r.json().await.unwrap();
        assert_ne!(result["outcome"], "accepted");
        assert!(result["reason"].as_str().unwrap().contains("SMTP"), "{result}");
        problem(app.post("/api/channels/email/test", &json!({"to": "not an address"})).await, 422).await;

        // Credentials the server refuses: final, with its reply.
        let smtp = SmtpServer::start().await;
        use_smtp(&app, &smtp, json!({"username": "news", "password": "wrong-password"})).await;
        let result: Value = app.post("/api/channels/email/test", &json!({"to": "me@example.org"})).await.json().await.unwrap();
        assert_eq!(result["outcome"], "failed", "{result}");
        assert!(result["reason"].as_str().unwrap().contains("535"), "{result}");
        use_smtp(&app, &smtp, json!({"username": "news", "password": "right"})).await;
        let result: Value = app.post("/api/channels/email/test", &json!({"to": "me@example.org"})).await.json().await.unwrap();
        assert_eq!(result["outcome"], "accepted", "{result}");

        // Admins only.
        let contributor = app.invite_and_accept("c@example.org", "contributor").await;
        problem(contributor.get("/api/channels").await, 403).await;
    }

    async fn events_read_in_order_from_a_cursor(app) {
        app.signup("ada@example.org").await;
        let (list, _) = list_of(&app, "L", &[granted("a@x.org", "A"), granted("b@x.org", "B")]).await;
        use_simulator(&app, "email", json!({"latency_ms": 0, "failure_rate": 0})).await;
        let id = create_and_send(&app, email_campaign(&[&list], &[])).await;
        settle(&app, &id).await;
        // Everything the run recorded: scheduled, started, two sent, two delivered, done.
        let all = events_when(&app, |items| items.len() >= 7).await;
        assert_eq!(all.len(), 7, "{all:?}");
        let first: Value = app.get("/api/events?limit=2").await.json().await.unwrap();
        assert_eq!(first["items"].as_array().unwrap().len(), 2);
        let next = first["next"].as_str().unwrap();
        let rest: Value = app.get(&format!("/api/events?after={next}&limit=1000")).await.json().await.unwrap();
        let paged: Vec<&Value> = first["items"].as_array().unwrap().iter().chain(rest["items"].as_array().unwrap()).map(|e| &e["id"]).collect();
        let whole: Vec<&Value> = all.iter().map(|e| &e["id"]).collect();
        assert_eq!(paged, whole, "two pages give what one does, in the same order");
        assert_eq!(first["items"][0]["type"], "CampaignScheduled");
        problem(app.get("/api/events?limit=0").await, 422).await;
        let other = app.browser();
        other.signup("eve@example.org").await;
        let theirs: Value = other.get("/api/events").await.json().await.unwrap();
        assert_eq!(theirs["items"], json!([]), "another organization sees none of them");
    }
}

/// Two engines on one PostgreSQL database: every delivery leaves exactly once.
#[tokio::test]
async fn two_engines_send_every_delivery_exactly_once() {
    let Some(app) = spawn_app(Backend::Postgres, &[]).await else {
        eprintln!("skipped: TEST_DATABASE_URL is not set");
        return;
    };
    let smtp = SmtpServer::start().await;
    app.signup("ada@example.org").await;
    use_smtp(&app, &smtp, json!({"max_connections": 4})).await;
    let people: Vec<Value> = (0..60)
        .map(|i| granted(&format!("p{i}@x.org"), "P"))
        .collect();
    let (list, _) = list_of(&app, "People", &people).await;
    let other = app.another_instance().await;
    let id = create_and_send(&app, email_campaign(&[&list], &[])).await;
    let (a, b) = tokio::join!(app.drain(), other.state().jobs.drain());
    let _ = (a, b.expect("second engine"));
    let p = settle(&app, &id).await;
    assert_eq!(p["status"], "completed");
    let received = smtp.wait_for(60).await;
    let to: Vec<String> = received.iter().flat_map(|m| m.to.clone()).collect();
    assert_eq!(to.len(), 60);
    assert_eq!(to.iter().collect::<BTreeSet<_>>().len(), 60);
    assert!(
        smtp.connections.load(std::sync::atomic::Ordering::SeqCst) <= 8,
        "two pools of 4 at most"
    );
}

/// Starts campaign `id` and fans it out as the scheduler does, for a test whose
/// process has no workers; the connection to its database, to go on by hand.
async fn start_by_hand(app: &TestApp, id: &str) -> sea_orm::DatabaseConnection {
    use carillon::{
        campaigns::{transition, By, System},
        db::entities::campaign,
        delivery::fanout,
    };
    use sea_orm::{Database, EntityTrait, TransactionTrait};
    let db = Database::connect(&app.database_url).await.unwrap();
    let row = campaign::Entity::find_by_id(id.parse::<uuid::Uuid>().unwrap())
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    let txn = db.begin().await.unwrap();
    let running = transition(
        &txn,
        By::System(System::Scheduler),
        row.organization_id,
        row.id,
        app::model::CampaignStatus::Running,
    )
    .await
    .unwrap();
    fanout::fan_out(&txn, &running).await.unwrap();
    txn.commit().await.unwrap();
    db
}

/// A worker that claimed a batch and died before recording it: nothing is lost; once its
/// lease expires another worker sends the batch, under the same delivery ids.
async fn a_dead_workers_batch_is_sent_once_its_lease_expires(backend: Backend) {
    use carillon::{db::entities::delivery, jobs};
    use sea_orm::{
        sea_query::{Expr, ExprTrait},
        Condition,
    };
    let Some(app) = spawn_app(
        backend,
        &[
            ("CARILLON_WORKERS", "0"),
            ("CARILLON_DELIVERY_LEASE_SECONDS", "3"),
        ],
    )
    .await
    else {
        eprintln!("skipped: TEST_DATABASE_URL is not set");
        return;
    };
    let smtp = SmtpServer::start().await;
    app.signup("ada@example.org").await;
    use_smtp(&app, &smtp, json!({})).await;
    let (list, _) = list_of(
        &app,
        "L",
        &[
            granted("a@x.org", "A"),
            granted("b@x.org", "B"),
            granted("c@x.org", "C"),
        ],
    )
    .await;
    let id = create_and_send(&app, email_campaign(&[&list], &[])).await;
    // This process has no workers: start and fan out by hand, then claim like a worker.
    let db = start_by_hand(&app, &id).await;
    // Claimed as a worker claims: the attempt counted at once.
    let claimed = jobs::claim::<delivery::Entity>(
        &db,
        Condition::all(),
        delivery::Column::NextAttemptAt,
        10,
        chrono::Duration::seconds(2),
        |u| {
            u.col_expr(
                delivery::Column::Attempts,
                Expr::col(delivery::Column::Attempts).add(1),
            )
        },
    )
    .await
    .unwrap();
    assert_eq!(claimed.len(), 3);
    let ids: BTreeSet<String> = claimed.iter().map(|(d, _)| d.id.to_string()).collect();
    drop(claimed); // the worker dies here, before sending or recording

    let worker = app
        .another_instance_with(&[("CARILLON_WORKERS", "1")])
        .await;
    worker.state().jobs.drain().await.unwrap();
    assert!(smtp.messages().is_empty(), "its lease still holds");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while smtp.messages().len() < 3 {
        assert!(
            std::time::Instant::now() < deadline,
            "the batch was not taken over"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        worker.state().jobs.drain().await.unwrap();
    }
    let p = progress(&app, &id).await;
    assert_eq!(p["status"], "completed", "{p}");
    let received = smtp.messages();
    assert_eq!(received.len(), 3);
    let message_ids: BTreeSet<String> = received
        .iter()
        .map(|m| {
            header(&m.data, "Message-ID")
                .unwrap()
                .trim_matches(|c| c == '<' || c == '>')
                .split('@')
                .next()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(message_ids, ids, "sent under the ids the dead worker held");
    assert!(deliveries(&app, &id, "")
        .await
        .iter()
        .all(|d| d["attempts"] == 2));
}

#[tokio::test]
async fn a_dead_workers_batch_is_taken_over_sqlite() {
    a_dead_workers_batch_is_sent_once_its_lease_expires(Backend::Sqlite).await
}

#[tokio::test]
async fn a_dead_workers_batch_is_taken_over_postgres() {
    a_dead_workers_batch_is_sent_once_its_lease_expires(Backend::Postgres).await
}

/// A process that recorded a campaign's last outcomes and stopped before completing it:
/// the campaign does not stay running for ever, the next scheduler round completes it.
async fn a_campaign_settled_by_a_stopped_process_is_completed(backend: Backend) {
    use carillon::{
        channels::SendOutcome,
        db::entities::delivery,
        delivery::{
            record::{self, RetryPolicy, Settled},
            Claimed,
        },
        jobs,
    };
    use sea_orm::{Condition, TransactionTrait};
    let Some(app) = spawn_app(backend, &[("CARILLON_WORKERS", "0")]).await else {
        eprintln!("skipped: TEST_DATABASE_URL is not set");
        return;
    };
    app.signup("ada@example.org").await;
    let (list, _) = list_of(
        &app,
        "L",
        &[granted("a@x.org", "A"), granted("b@x.org", "B")],
    )
    .await;
    let id = create_and_send(&app, email_campaign(&[&list], &[])).await;
    // This process has no workers: start, claim and record by hand, as a worker does.
    let db = start_by_hand(&app, &id).await;
    let claimed = jobs::claim::<delivery::Entity>(
        &db,
        Condition::all(),
        delivery::Column::NextAttemptAt,
        10,
        chrono::Duration::seconds(60),
        |u| u,
    )
    .await
    .unwrap();
    assert_eq!(claimed.len(), 2);
    let owner = claimed[0].1.owner;
    let outcomes = claimed
        .iter()
        .map(|(d, _)| {
            let claimed = Claimed {
                id: d.id,
                organization_id: d.organization_id,
                campaign_id: d.campaign_id,
                contact_id: d.contact_id,
                channel: app::model::Channel::Email,
                attempts: 1,
            };
            let accepted = SendOutcome::Accepted {
                provider_message_id: None,
            };
            (claimed, Settled::Answered(accepted))
        })
        .collect();
    let policy = RetryPolicy {
        max_attempts: 3,
        base: std::time::Duration::from_secs(1),
    };
    let txn = db.begin().await.unwrap();
    let _touched = record::batch(&txn, owner, &Default::default(), outcomes, policy)
        .await
        .unwrap();
    txn.commit().await.unwrap();
    // The process stops here, before `completion::complete_finished`.
    let p = progress(&app, &id).await;
    assert_eq!(
        (p["status"].as_str(), p["channels"][0]["pending"].as_u64()),
        (Some("running"), Some(0)),
        "{p}"
    );

    let next = app
        .another_instance_with(&[("CARILLON_WORKERS", "1")])
        .await;
    next.state().jobs.drain().await.unwrap();
    let p = progress(&app, &id).await;
    assert_eq!(p["status"], "completed", "{p}");
    assert_eq!(p["channels"][0]["sent"], 2, "{p}");
}

#[tokio::test]
async fn a_campaign_settled_by_a_stopped_process_is_completed_sqlite() {
    a_campaign_settled_by_a_stopped_process_is_completed(Backend::Sqlite).await
}

#[tokio::test]
async fn a_campaign_settled_by_a_stopped_process_is_completed_postgres() {
    a_campaign_settled_by_a_stopped_process_is_completed(Backend::Postgres).await
}

/// Outcomes are recorded without reading the rows first, as long as they are as claimed;
/// a row that changed while its message was out is recorded as it now is: one
/// unsubscribed meanwhile but taken by the provider is sent after all (no longer counted
/// as skipped), one whose lease another worker took is left to that worker.
async fn rows_changed_in_flight_are_recorded_as_they_now_are(backend: Backend) {
    use carillon::{
        channels::SendOutcome,
        db::entities::delivery,
        delivery::{
            record::{self, RetryPolicy, Settled},
            Claimed,
        },
        jobs,
    };
    use sea_orm::{
        sea_query::Expr, ColumnTrait, Condition, EntityTrait, QueryFilter, TransactionTrait,
    };
    let Some(app) = spawn_app(backend, &[("CARILLON_WORKERS", "0")]).await else {
        eprintln!("skipped: TEST_DATABASE_URL is not set");
        return;
    };
    app.signup("ada@example.org").await;
    let (list, _) = list_of(
        &app,
        "L",
        &[
            granted("a@x.org", "A"),
            granted("b@x.org", "B"),
            granted("c@x.org", "C"),
            granted("d@x.org", "D"),
        ],
    )
    .await;
    let id = create_and_send(&app, email_campaign(&[&list], &[])).await;
    let db = start_by_hand(&app, &id).await;
    let claimed = jobs::claim::<delivery::Entity>(
        &db,
        Condition::all(),
        delivery::Column::NextAttemptAt,
        10,
        chrono::Duration::seconds(60),
        |u| u,
    )
    .await
    .unwrap();
    assert_eq!(claimed.len(), 4);
    let owner = claimed[0].1.owner;
    let rows: Vec<&delivery::Model> = claimed.iter().map(|(d, _)| d).collect();
    // While the messages are out: one contact unsubscribes, one row changes hands.
    let (unsubscribed, taken) = (rows[0], rows[1]);
    let txn = db.begin().await.unwrap();
    let (skipped, _) = record::skip_unsubscribed(
        &txn,
        unsubscribed.organization_id,
        unsubscribed.contact_id,
        app::model::Channel::Email,
    )
    .await
    .unwrap();
    txn.commit().await.unwrap();
    assert_eq!(skipped, 1);
    let other = uuid::Uuid::now_v7();
    delivery::Entity::update_many()
        .col_expr(delivery::Column::LeaseOwner, Expr::value(other))
        .filter(delivery::Column::Id.eq(taken.id))
        .exec(&db)
        .await
        .unwrap();

    let outcomes = rows
        .iter()
        .map(|d| {
            let claimed = Claimed {
                id: d.id,
                organization_id: d.organization_id,
                campaign_id: d.campaign_id,
                contact_id: d.contact_id,
                channel: app::model::Channel::Email,
                attempts: 1,
            };
            let accepted = SendOutcome::Accepted {
                provider_message_id: Some(format!("pm-{}", d.id)),
            };
            (claimed, Settled::Answered(accepted))
        })
        .collect();
    let policy = RetryPolicy {
        max_attempts: 3,
        base: std::time::Duration::from_secs(1),
    };
    let txn = db.begin().await.unwrap();
    let _touched = record::batch(&txn, owner, &Default::default(), outcomes, policy)
        .await
        .unwrap();
    txn.commit().await.unwrap();

    let after = |id: uuid::Uuid| {
        let db = db.clone();
        async move {
            delivery::Entity::find_by_id(id)
                .one(&db)
                .await
                .unwrap()
                .unwrap()
        }
    };
    let row = after(unsubscribed.id).await;
    assert_eq!(
        (row.status.to_string(), row.skip_reason, row.lease_owner),
        ("sent".to_owned(), None, None),
        "the provider took it before the unsubscribe"
    );
    let row = after(taken.id).await;
    assert_eq!(
        (
            row.status.to_string(),
            row.lease_owner,
            row.provider_message_id
        ),
        ("pending".to_owned(), Some(other), None),
        "left to the worker that holds it"
    );
    for d in &rows[2..] {
        let row = after(d.id).await;
        assert_eq!(
            (row.status.to_string(), row.provider_message_id),
            ("sent".to_owned(), Some(format!("pm-{}", d.id)))
        );
    }
    let p = progress(&app, &id).await;
    let c = &p["channels"][0];
    assert_eq!(
        (
            c["sent"].as_u64(),
            c["pending"].as_u64(),
            c["skipped"].as_u64()
        ),
        (Some(3), Some(1), Some(0)),
        "{p}"
    );
    let sent = |e: &[Value]| e.iter().filter(|e| e["type"] == "MessageSent").count();
    let all = events_when(&app, |e| sent(e) >= 3).await;
    assert_eq!(sent(&all), 3, "{all:?}");
}

#[tokio::test]
async fn rows_changed_in_flight_are_recorded_as_they_now_are_sqlite() {
    rows_changed_in_flight_are_recorded_as_they_now_are(Backend::Sqlite).await
}

#[tokio::test]
async fn rows_changed_in_flight_are_recorded_as_they_now_are_postgres() {
    rows_changed_in_flight_are_recorded_as_they_now_are(Backend::Postgres).await
}

/// Events come out in commit order on PostgreSQL: a transaction that wrote its event
/// first but commits last is not stepped over by a reader that went on meanwhile.
#[tokio::test]
async fn events_are_read_in_commit_order() {
    use carillon::events::{self, Kind, New};
    use sea_orm::{Database, TransactionTrait};
    let Some(app) = spawn_app(Backend::Postgres, &[("CARILLON_WORKERS", "0")]).await else {
        eprintln!("skipped: TEST_DATABASE_URL is not set");
        return;
    };
    app.signup("ada@example.org").await;
    let org: uuid::Uuid = app.me().await["organization"]["organization_id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let event = |kind| New::campaign(org, uuid::Uuid::now_v7(), kind, json!({}));
    let types = |page: &Value| -> Vec<String> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["type"].as_str().unwrap().to_owned())
            .collect()
    };
    let db = Database::connect(&app.database_url).await.unwrap();
    let slow = db.begin().await.unwrap();
    events::record(&slow, vec![event(Kind::CampaignPaused)])
        .await
        .unwrap();
    let fast = db.begin().await.unwrap();
    events::record(&fast, vec![event(Kind::CampaignResumed)])
        .await
        .unwrap();
    fast.commit().await.unwrap();
    let first: Value = app.get("/api/events").await.json().await.unwrap();
    assert_eq!(
        types(&first),
        Vec::<String>::new(),
        "the later id, committed first, waits for the earlier writer"
    );
    slow.commit().await.unwrap();
    // Other tests' transactions on this server can hold the horizon back a moment.
    let mut next = first["next"].as_str().unwrap().to_owned();
    let mut seen = vec![];
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while seen.len() < 2 && std::time::Instant::now() < deadline {
        let page: Value = app
            .get(&format!("/api/events?after={next}"))
            .await
            .json()
            .await
            .unwrap();
        seen.extend(types(&page));
        next = page["next"].as_str().unwrap().to_owned();
        tokio::task::yield_now().await;
    }
    assert_eq!(seen, ["CampaignPaused", "CampaignResumed"]);
    problem(app.get("/api/events?after=12").await, 422).await;
}
