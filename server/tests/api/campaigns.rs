use crate::{both_backends, helpers::*};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// The seed's body, exactly.
const SEED: &str = r#"{"title":"Nouvelles offres","description":"Promo du mois","channels":["email","sms"],"scheduled_at":"2026-02-25T09:00:00"}"#;

pub async fn create(app: &TestApp, body: Value) -> Value {
    let r = app.post("/api/campaigns", &body).await;
    assert_eq!(r.status(), StatusCode::CREATED, "create");
    r.json().await.unwrap()
}

async fn action(app: &TestApp, id: &str, verb: &str) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/api/campaigns/{id}/{verb}")))
        .send()
        .await
        .unwrap()
}

both_backends! {
    async fn the_seed_body_creates_a_draft(app) {
        app.signup("ada@example.org").await;
        let r = app.client.post(app.url("/api/campaigns")).header("content-type", "application/json").body(SEED).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let c: Value = r.json().await.unwrap();
        assert_eq!(c["title"], "Nouvelles offres");
        assert_eq!(c["description"], "Promo du mois");
        assert_eq!(c["channels"], json!(["email", "sms"]));
        assert_eq!(c["status"], "draft");
        // Read in the organization's time zone (UTC for a new organization).
        assert_eq!(c["time_zone"], "UTC");
        assert_eq!(c["scheduled_at"], "2026-02-25T09:00:00Z");
        let id = c["id"].as_str().unwrap();
        let fetched: Value = app.get(&format!("/api/campaigns/{id}")).await.json().await.unwrap();
        assert_eq!(fetched, c);
    }

    async fn bad_campaigns_are_refused_with_field_errors(app) {
        app.signup("ada@example.org").await;
        let r = app.post("/api/campaigns", &json!({"title": "x", "channels": ["fax"]})).await;
        assert_eq!(problem(r, 422).await["errors"]["channels"], "unknown channel `fax`: expected email, sms or push");
        let r = app.post("/api/campaigns", &json!({"title": "x", "channels": []})).await;
        assert!(problem(r, 422).await["errors"]["channels"].is_string());
        let r = app.post("/api/campaigns", &json!({"title": " ", "channels": ["sms"], "scheduled_at": "next tuesday"})).await;
        let body = problem(r, 422).await;
        assert!(body["errors"]["title"].is_string() && body["errors"]["scheduled_at"].is_string(), "{body}");
        let unknown = uuid::Uuid::now_v7();
        let r = app.post("/api/campaigns", &json!({"title": "x", "channels": ["sms"], "list_ids": [unknown]})).await;
        assert_eq!(problem(r, 422).await["errors"]["list_ids"], format!("unknown list ids: {unknown}"));
        let r = app.post("/api/campaigns", &json!({"title": "x", "channels": ["email"], "content": {"email": {"html": "<p>{{ first_name </p>"}}})).await;
        assert!(problem(r, 422).await["errors"]["content.email.html"].as_str().unwrap().starts_with("template error"));
        let r = app.post("/api/campaigns", &json!({"title": "x"})).await;
        assert_eq!(problem(r, 422).await["errors"]["channels"], "this field is required");
    }

    async fn html_is_sanitized_on_save(app) {
        app.signup("ada@example.org").await;
        let c = create(&app, json!({"title": "x", "channels": ["email"], "content": {"email": {
            "subject": "Hi", "html": "<p onmouseover=\"x()\">Hello {{ first_name }}</p><script>steal()</script>"
        }}})).await;
        let html = c["content"]["email"]["html"].as_str().unwrap();
        assert_eq!(html, "<p>Hello {{ first_name }}</p>");
        assert_eq!(c["content"]["email"]["text"], "Hello {{ first_name }}");
    }

    async fn lists_page_filter_and_sort(app) {
        app.signup("ada@example.org").await;
        for (title, channels) in [("Alpha", json!(["email"])), ("Beta", json!(["sms"])), ("Gamma", json!(["email", "push"]))] {
            create(&app, json!({"title": title, "channels": channels})).await;
        }
        let page: Value = app.get("/api/campaigns?per_page=2&sort=title").await.json().await.unwrap();
        assert_eq!(page["total"], 3);
        assert_eq!(page["items"].as_array().unwrap().iter().map(|c| c["title"].clone()).collect::<Vec<_>>(), [json!("Alpha"), json!("Beta")]);
        let page2: Value = app.get("/api/campaigns?per_page=2&page=2&sort=title").await.json().await.unwrap();
        assert_eq!(page2["items"][0]["title"], "Gamma");
        let email: Value = app.get("/api/campaigns?channel=email&sort=-title").await.json().await.unwrap();
        assert_eq!(email["items"].as_array().unwrap().iter().map(|c| c["title"].clone()).collect::<Vec<_>>(), [json!("Gamma"), json!("Alpha")]);
        let q: Value = app.get("/api/campaigns?q=ETA").await.json().await.unwrap();
        assert_eq!(q["total"], 1);
        let drafts: Value = app.get("/api/campaigns?status=draft").await.json().await.unwrap();
        assert_eq!(drafts["total"], 3);
        problem(app.get("/api/campaigns?sort=password").await, 422).await;
        problem(app.get("/api/campaigns?status=lost").await, 422).await;
        problem(app.get("/api/campaigns?per_page=1000").await, 422).await;
        // A literal % matches only itself.
        let none: Value = app.get("/api/campaigns?q=%25").await.json().await.unwrap();
        assert_eq!(none["total"], 0);
    }

    async fn edit_duplicate_delete_and_illegal_moves(app) {
        app.signup("ada@example.org").await;
        let c = create(&app, json!({"title": "Spring", "channels": ["sms"], "scheduled_at": "2030-01-01T10:00:00+01:00"})).await;
        let id = c["id"].as_str().unwrap();
        let r = app.client.patch(app.url(&format!("/api/campaigns/{id}"))).json(&json!({"title": "Spring sale", "scheduled_at": null})).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let patched: Value = r.json().await.unwrap();
        assert_eq!(patched["title"], "Spring sale");
        assert_eq!(patched["scheduled_at"], Value::Null);
        assert_eq!(patched["channels"], json!(["sms"]), "absent fields are kept");

        let r = action(&app, id, "cancel").await;
        assert_eq!(problem(r, 409).await["detail"], "a draft campaign cannot become cancelled");
        let r = action(&app, id, "unschedule").await;
        problem(r, 409).await;
        // Scheduling needs content and an audience: every missing piece is named.
        let r = action(&app, id, "schedule").await;
        let body = problem(r, 422).await;
        for field in ["content.sms.text", "content.sms.sender_id", "list_ids"] {
            assert!(body["errors"][field].is_string(), "{field}: {body}");
        }
        let r = app.client.post(app.url(&format!("/api/campaigns/{id}/schedule"))).json(&json!({"scheduled_at": "2001-01-01T00:00:00Z"})).send().await.unwrap();
        assert!(problem(r, 422).await["errors"]["scheduled_at"].as_str().unwrap().contains("has passed"));

        let r = action(&app, id, "duplicate").await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let copy: Value = r.json().await.unwrap();
        assert_eq!(copy["title"], "Copy of Spring sale");
        assert_eq!(copy["status"], "draft");
        assert_ne!(copy["id"], c["id"]);

        let r = app.client.delete(app.url(&format!("/api/campaigns/{id}"))).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        problem(app.get(&format!("/api/campaigns/{id}")).await, 404).await;
    }

    async fn roles_tokens_and_other_organizations(app) {
        app.signup("ada@example.org").await;
        let c = create(&app, json!({"title": "Mine", "channels": ["push"]})).await;
        let id = c["id"].as_str().unwrap();

        let reader = app.invite_and_accept("rita@example.org", "reader").await;
        assert_eq!(reader.get(&format!("/api/campaigns/{id}")).await.status(), StatusCode::OK);
        problem(reader.post("/api/campaigns", &json!({"title": "x", "channels": ["sms"]})).await, 403).await;
        problem(reader.client.patch(reader.url(&format!("/api/campaigns/{id}"))).json(&json!({"title": "x"})).send().await.unwrap(), 403).await;
        problem(reader.client.delete(reader.url(&format!("/api/campaigns/{id}"))).send().await.unwrap(), 403).await;
        problem(action(&reader, id, "duplicate").await, 403).await;
        problem(action(&reader, id, "schedule").await, 403).await;

        let contributor = app.invite_and_accept("carl@example.org", "contributor").await;
        assert_eq!(contributor.post("/api/campaigns", &json!({"title": "x", "channels": ["sms"]})).await.status(), StatusCode::CREATED);

        let read_token = app.create_token(&["campaigns:read"]).await;
        assert_eq!(app.with_token(Method::GET, "/api/campaigns", &read_token, None).await.status(), StatusCode::OK);
        problem(app.with_token(Method::POST, "/api/campaigns", &read_token, Some(&json!({"title": "x", "channels": ["sms"]}))).await, 403).await;
        let write_token = app.create_token(&["campaigns:write"]).await;
        assert_eq!(app.with_token(Method::POST, "/api/campaigns", &write_token, Some(&json!({"title": "x", "channels": ["sms"]}))).await.status(), StatusCode::CREATED);

        let bob = app.other_user("bob@example.org").await;
        problem(bob.get(&format!("/api/campaigns/{id}")).await, 404).await;
        problem(bob.client.patch(bob.url(&format!("/api/campaigns/{id}"))).json(&json!({"title": "x"})).send().await.unwrap(), 404).await;
        problem(action(&bob, id, "duplicate").await, 404).await;
        problem(bob.client.delete(bob.url(&format!("/api/campaigns/{id}"))).send().await.unwrap(), 404).await;
        let theirs: Value = bob.get("/api/campaigns").await.json().await.unwrap();
        assert_eq!(theirs["total"], 0);
    }
}

both_backends! {
    async fn times_are_read_in_the_organization_time_zone(app) {
        app.signup("ada@example.org").await;
        let r = app.client.patch(app.url("/api/organization")).json(&json!({"time_zone": "Europe/Paris", "default_region": "be"})).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let org: Value = r.json().await.unwrap();
        assert_eq!((org["time_zone"].as_str(), org["default_region"].as_str()), (Some("Europe/Paris"), Some("BE")));
        let c = create(&app, serde_json::from_str(SEED).unwrap()).await;
        assert_eq!(c["time_zone"], "Europe/Paris");
        assert_eq!(c["scheduled_at"], "2026-02-25T08:00:00Z", "09:00 in Paris in winter");

        let r = app.client.patch(app.url("/api/organization")).json(&json!({"time_zone": "Mars/Olympus", "default_region": "France"})).send().await.unwrap();
        let body = problem(r, 422).await;
        assert!(body["errors"]["time_zone"].is_string() && body["errors"]["default_region"].is_string());
        let r = app.client.patch(app.url("/api/organization")).json(&json!({"default_region": "ZZ"})).send().await.unwrap();
        assert!(problem(r, 422).await["errors"]["default_region"].is_string(), "not a country the phone library knows");
        let reader = app.invite_and_accept("rita@example.org", "reader").await;
        assert_eq!(reader.get("/api/organization").await.status(), StatusCode::OK);
        problem(reader.client.patch(reader.url("/api/organization")).json(&json!({"name": "Mine"})).send().await.unwrap(), 403).await;
    }
}

/// A list holding `emails`, created through the API; returns its id.
pub async fn list_with(app: &TestApp, name: &str, emails: &[&str]) -> String {
    let r = app.post("/api/lists", &json!({"name": name})).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let list: Value = r.json().await.unwrap();
    let id = list["id"].as_str().unwrap().to_owned();
    let mut ids = vec![];
    for email in emails {
        let c = crate::contacts::create_contact(app, json!({"email": email})).await;
        ids.push(c["id"].clone());
    }
    let r = app
        .post(
            &format!("/api/lists/{id}/members"),
            &json!({"contact_ids": ids}),
        )
        .await;
    assert!(r.status().is_success());
    id
}

pub fn sendable(list_ids: &[&str], exclusions: &[&str]) -> Value {
    json!({
        "title": "Summer", "channels": ["email", "sms"],
        "scheduled_at": "2031-06-01T09:00:00",
        "list_ids": list_ids, "exclusion_list_ids": exclusions,
        "content": {
            "email": {"subject": "Hi {{ first_name | default('there') }}", "from_email": "news@acme.test", "html": "<p>Sale!</p>"},
            "sms": {"text": "Sale! Stop: {{ unsubscribe_url }}", "sender_id": "ACME"}
        }
    })
}

both_backends! {
    async fn a_complete_campaign_is_scheduled_then_cancelled(app) {
        app.signup("ada@example.org").await;
        let customers = list_with(&app, "Customers", &["a@x.org", "b@x.org"]).await;
        let c = create(&app, sendable(&[&customers], &[])).await;
        let id = c["id"].as_str().unwrap();
        let r = action(&app, id, "schedule").await;
        assert_eq!(r.status(), StatusCode::OK);
        let scheduled: Value = r.json().await.unwrap();
        assert_eq!(scheduled["status"], "scheduled");
        assert_eq!(scheduled["scheduled_at"], "2031-06-01T09:00:00Z");
        let listed: Value = app.get("/api/campaigns?status=scheduled").await.json().await.unwrap();
        assert_eq!(listed["total"], 1);

        // Still editable while scheduled, but it must stay sendable.
        let r = app.client.patch(app.url(&format!("/api/campaigns/{id}"))).json(&json!({"title": "Summer sale"})).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let r = app.client.patch(app.url(&format!("/api/campaigns/{id}"))).json(&json!({"list_ids": []})).send().await.unwrap();
        assert!(problem(r, 422).await["errors"]["list_ids"].is_string());
        problem(app.client.delete(app.url(&format!("/api/campaigns/{id}"))).send().await.unwrap(), 409).await;
        let in_use = problem(app.client.delete(app.url(&format!("/api/lists/{customers}"))).send().await.unwrap(), 409).await;
        assert!(in_use["detail"].as_str().unwrap().contains("1 campaign(s) not yet sent"), "{in_use}");

        let r = action(&app, id, "cancel").await;
        assert_eq!(r.json::<Value>().await.unwrap()["status"], "cancelled");
        // A cancelled campaign no longer holds its lists back; it just loses the reference.
        assert_eq!(app.client.delete(app.url(&format!("/api/lists/{customers}"))).send().await.unwrap().status(), StatusCode::NO_CONTENT);
        let cancelled: Value = app.get(&format!("/api/campaigns/{id}")).await.json().await.unwrap();
        assert_eq!(cancelled["list_ids"], json!([]), "{cancelled}");
        problem(app.client.patch(app.url(&format!("/api/campaigns/{id}"))).json(&json!({"title": "x"})).send().await.unwrap(), 409).await;
        problem(action(&app, id, "schedule").await, 409).await;
        assert_eq!(app.client.delete(app.url(&format!("/api/campaigns/{id}"))).send().await.unwrap().status(), StatusCode::NO_CONTENT);
    }

    async fn exclusions_can_empty_the_audience(app) {
        app.signup("ada@example.org").await;
        let all = list_with(&app, "All", &["a@x.org"]).await;
        // The same contact, through a second list used as an exclusion.
        let r = app.post("/api/lists", &json!({"name": "Unsubscribed"})).await;
        let excluded: Value = r.json().await.unwrap();
        let excluded_id = excluded["id"].as_str().unwrap();
        let members: Value = app.get(&format!("/api/contacts?list_id={all}")).await.json().await.unwrap();
        let contact = members["items"][0]["id"].clone();
        app.post(&format!("/api/lists/{excluded_id}/members"), &json!({"contact_ids": [contact]})).await;
        let c = create(&app, sendable(&[&all], &[excluded_id])).await;
        let r = action(&app, c["id"].as_str().unwrap(), "schedule").await;
        assert_eq!(problem(r, 422).await["errors"]["list_ids"], "the chosen lists have no contacts (after exclusions)");
        // A list may not be both targeted and excluded.
        let r = app.post("/api/campaigns", &sendable(&[&all], &[&all])).await;
        assert!(problem(r, 422).await["errors"]["exclusion_list_ids"].is_string());
    }

    async fn running_campaigns_cannot_be_edited(app) {
        app.signup("ada@example.org").await;
        let all = list_with(&app, "All", &["a@x.org"]).await;
        let c = create(&app, sendable(&[&all], &[])).await;
        let id = c["id"].as_str().unwrap();
        assert_eq!(action(&app, id, "schedule").await.status(), StatusCode::OK);
        // The scheduler (a later piece) moves campaigns to running; do it by hand here.
        let db = sea_orm::Database::connect(&app.database_url).await.unwrap();
        use sea_orm::ConnectionTrait;
        // By title: the only campaign, and no UUID encoding differences between backends.
        db.execute_unprepared("UPDATE campaigns SET status = 'running' WHERE title = 'Summer'").await.unwrap();
        let status: Value = app.get(&format!("/api/campaigns/{id}")).await.json().await.unwrap();
        assert_eq!(status["status"], "running");
        let r = app.client.patch(app.url(&format!("/api/campaigns/{id}"))).json(&json!({"title": "x"})).send().await.unwrap();
        assert_eq!(problem(r, 409).await["detail"], "a running campaign cannot be edited");
        problem(action(&app, id, "unschedule").await, 409).await;
        assert_eq!(action(&app, id, "cancel").await.status(), StatusCode::OK, "a running campaign can be cancelled");
    }
}

both_backends! {
    async fn a_template_too_expensive_to_render_is_refused_at_save(app) {
        app.signup("ada@example.org").await;
        let loops = "{% for a in range(100000) %}{% for b in range(100000) %}xxxxxxxxxx{% endfor %}{% endfor %}";
        let started = std::time::Instant::now();
        let r = app.post("/api/campaigns", &json!({"title": "x", "channels": ["sms"], "content": {"sms": {"text": loops, "sender_id": "ACME"}}})).await;
        let body = problem(r, 422).await;
        assert!(body["errors"]["content.sms.text"].as_str().unwrap().starts_with("too expensive to render"), "{body}");
        assert!(started.elapsed() < std::time::Duration::from_secs(10), "refused without rendering it out");
        // The server still answers, and a reasonable template saves.
        let ok = create(&app, json!({"title": "y", "channels": ["sms"], "content": {"sms": {"text": "Hi {{ first_name | default('there') }}", "sender_id": "ACME"}}})).await;
        assert_eq!(ok["status"], "draft");
    }

    async fn contact_data_cannot_inject_markup_into_a_preview(app) {
        app.signup("ada@example.org").await;
        // Markup built by the template from data (escaped to get past the sanitizing of
        // the saved source) is escaped when rendered, and sanitized even when marked safe.
        let html = r#"<p>{{ "\u003cscript\u003ealert(1)\u003c/script\u003e" }}</p><p>{{ "\u003cimg src=x onerror=alert(1)\u003e" | safe }}</p>"#;
        let r = app.client.post(app.url("/api/fn/preview_campaign")).header("content-type", "application/json")
            .body(json!({"content": {"email": {"html": html}}}).to_string())
            .send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let preview: Value = r.json().await.unwrap();
        assert_eq!(preview["errors"], json!({}), "{preview}");
        let rendered = preview["email"]["html"].as_str().unwrap();
        assert!(rendered.contains("&lt;script&gt;"), "{rendered}");
        assert!(!rendered.contains("<script") && !rendered.contains("onerror"), "{rendered}");
        assert!(rendered.contains("<img src=\"x\">"), "{rendered}");
    }
}
