//! GDPR: the consent ledger, the suppression list, export, erasure.

use crate::{
    both_backends,
    contacts::{create_contact, send},
    helpers::*,
    imports::import_csv,
    sending::{create_and_send, granted, header, list_of, settle, use_smtp},
    smtp_server::SmtpServer,
};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn history(app: &TestApp, contact: &str) -> Vec<Value> {
    let r = app.get(&format!("/api/contacts/{contact}/consents")).await;
    assert_eq!(r.status(), StatusCode::OK);
    r.json::<Value>().await.unwrap().as_array().unwrap().clone()
}

async fn patch(app: &TestApp, contact: &str, body: Value) {
    let r = send(
        app,
        Method::PATCH,
        &format!("/api/contacts/{contact}"),
        Some(&body),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
}

async fn use_simulator(app: &TestApp) {
    let r = app
        .client
        .put(app.url("/api/channels/email"))
        .json(&json!({"provider": "simulator", "settings": {"latency_ms": 0, "failure_rate": 0}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
}

/// Sent or already delivered (the simulator reports at once).
fn reached(p: &Value) -> u64 {
    p["channels"][0]["sent"].as_u64().unwrap() + p["channels"][0]["delivered"].as_u64().unwrap()
}

fn email_campaign(list: &str) -> Value {
    json!({
        "title": "Promo", "channels": ["email"], "list_ids": [list],
        "content": {"email": {"subject": "Hi", "from_name": "Acme", "from_email": "news@acme.test",
            "html": "<p>Hello {{ first_name }}</p>"}}
    })
}

async fn suppressions(app: &TestApp, query: &str) -> Value {
    let r = app.get(&format!("/api/suppressions?{query}")).await;
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

both_backends! {
    async fn every_consent_change_is_kept_with_its_basis_wording_and_author(app) {
        app.signup("admin@example.org").await;
        let me = app.me().await;
        let wording = "Yes, send me Acme's offers by email. I can unsubscribe at any time.";
        let c = create_contact(&app, json!({"email": "ada@x.org", "consents": {"email": "granted"},
            "consent_wording": wording})).await;
        let id = c["id"].as_str().unwrap();
        let email = c["consents"].as_array().unwrap().iter().find(|x| x["channel"] == "email").unwrap().clone();
        assert_eq!((email["state"].as_str(), email["lawful_basis"].as_str()), (Some("granted"), Some("consent")));
        // SMS under a contract, then email withdrawn; the same state again records nothing.
        patch(&app, id, json!({"consents": {"sms": "granted"}, "lawful_basis": "contract"})).await;
        patch(&app, id, json!({"consents": {"email": "withdrawn"}})).await;
        patch(&app, id, json!({"consents": {"email": "withdrawn"}})).await;

        let h = history(&app, id).await;
        assert_eq!(h.len(), 3, "{h:?}");
        let entry = |i: usize| (h[i]["channel"].as_str().unwrap(), h[i]["state"].as_str().unwrap(), h[i]["lawful_basis"].as_str().unwrap());
        assert_eq!(entry(0), ("email", "granted", "consent"));
        assert_eq!(entry(1), ("sms", "granted", "contract"));
        assert_eq!(entry(2), ("email", "withdrawn", "consent"));
        assert_eq!(h[0]["wording"], wording);
        assert_eq!(h[0]["wording_hash"].as_str().unwrap().len(), 64);
        assert_eq!(h[1]["wording"], Value::Null);
        assert!(h.iter().all(|e| e["source"] == "api" && e["purpose"] == "marketing"));
        assert!(h.iter().all(|e| e["actor_id"] == me["user"]["id"]), "{h:?} {me}");

        // The wording is bounded, the basis one of three, the history the organization's own.
        let r = app.post("/api/contacts", &json!({"email": "b@x.org", "consent_wording": "x".repeat(10 * 1024 + 1)})).await;
        assert!(problem(r, 422).await["errors"]["consent_wording"].is_string());
        let r = app.post("/api/contacts", &json!({"email": "b@x.org", "lawful_basis": "because"})).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let other = app.other_user("eve@example.org").await;
        assert_eq!(other.get(&format!("/api/contacts/{id}/consents")).await.status(), StatusCode::NOT_FOUND);
        assert_eq!(app.get(&format!("/api/contacts/{}/consents", uuid::Uuid::now_v7())).await.status(), StatusCode::NOT_FOUND);
    }

    async fn an_import_records_the_file_and_line_of_each_consent(app) {
        app.signup("admin@example.org").await;
        let csv = "email,news\nada@x.org,yes\ngrace@x.org,no\n";
        let done = import_csv(&app, csv.as_bytes(), json!({"email": "email", "consents": {"email": "news"}})).await;
        let import_id = done["id"].as_str().unwrap();
        let all: Value = app.get("/api/contacts?sort=created_at").await.json().await.unwrap();
        for (contact, line, state) in [(&all["items"][0], 2, "granted"), (&all["items"][1], 3, "withdrawn")] {
            let h = history(&app, contact["id"].as_str().unwrap()).await;
            assert_eq!(h.len(), 1, "{h:?}");
            assert_eq!((h[0]["source"].as_str(), h[0]["source_ref"].as_str(), h[0]["source_line"].as_i64(), h[0]["state"].as_str()),
                (Some("import"), Some(import_id), Some(line), Some(state)));
        }
        // A second file changing Grace's mind: one more entry, for its own line.
        let again = import_csv(&app, "email,news\nnobody@x.org,\ngrace@x.org,yes\n".as_bytes(), json!({"email": "email", "consents": {"email": "news"}})).await;
        let h = history(&app, all["items"][1]["id"].as_str().unwrap()).await;
        assert_eq!(h.len(), 2, "{h:?}");
        assert_eq!((h[1]["source_ref"].as_str(), h[1]["source_line"].as_i64(), h[1]["state"].as_str()),
            (again["id"].as_str(), Some(3), Some("granted")));
    }

    async fn a_suppressed_address_is_skipped_and_never_imported_back_as_subscribed(app) {
        app.signup("admin@example.org").await;
        use_simulator(&app).await;
        let (list, ids) = list_of(&app, "People", &[granted("ada@x.org", "Ada"), granted("grace@x.org", "Grace")]).await;

        let r = app.post("/api/suppressions", &json!({"channel": "email", "address": " ADA@x.org "})).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let entry: Value = r.json().await.unwrap();
        assert_eq!((entry["reason"].as_str(), entry["contact_id"].as_str()), (Some("admin"), Some(ids[0].as_str())));
        // Added twice: the same entry.
        let r = app.post("/api/suppressions", &json!({"channel": "email", "address": "ada@x.org", "reason": "complaint"})).await;
        assert_eq!(r.json::<Value>().await.unwrap()["id"], entry["id"]);
        let found = suppressions(&app, "address=ada@x.org").await;
        assert_eq!((found["total"].as_u64(), found["items"][0]["id"].clone()), (Some(1), entry["id"].clone()));
        assert_eq!(suppressions(&app, "address=grace@x.org").await["total"], 0);

        let id = create_and_send(&app, email_campaign(&list)).await;
        let p = settle(&app, &id).await;
        assert_eq!((p["skipped"]["suppressed"].as_u64(), reached(&p)), (Some(1), 1), "{p}");
        let skipped = crate::sending::deliveries(&app, &id, "status=skipped").await;
        assert_eq!((skipped.len(), skipped[0]["skip_reason"].as_str()), (1, Some("suppressed")));

        // Deleted and imported again as consenting: she comes back, without the consent.
        assert_eq!(send(&app, Method::DELETE, &format!("/api/contacts/{}", ids[0]), None).await.status(), StatusCode::NO_CONTENT);
        let done = import_csv(&app, b"email,news\nada@x.org,yes\nalan@x.org,yes\n", json!({"email": "email", "consents": {"email": "news"}})).await;
        assert_eq!(done["created"], 2, "{done}");
        let all: Value = app.get("/api/contacts?q=ada@x.org").await.json().await.unwrap();
        let ada = &all["items"][0];
        let email = ada["consents"].as_array().unwrap().iter().find(|x| x["channel"] == "email").unwrap().clone();
        assert_eq!(email["state"], "unknown", "{ada}");
        let report = app.get(&format!("/api/imports/{}/report.csv", done["id"].as_str().unwrap())).await.text().await.unwrap();
        assert!(report.contains("2,created,email consent not applied: the address is suppressed"), "{report}");
        // Granting it through the API does not send either: the list still holds her.
        patch(&app, ada["id"].as_str().unwrap(), json!({"consents": {"email": "granted"}})).await;
        let (again, _) = list_of(&app, "Again", &[]).await;
        let r = app.post(&format!("/api/lists/{again}/members"), &json!({"contact_ids": [ada["id"]]})).await;
        assert!(r.status().is_success());
        let id = create_and_send(&app, email_campaign(&again)).await;
        assert_eq!(settle(&app, &id).await["skipped"]["suppressed"], 1);

        // Lifted by an admin: the next campaign goes.
        let r = send(&app, Method::DELETE, &format!("/api/suppressions/{}", entry["id"].as_str().unwrap()), None).await;
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        let r = send(&app, Method::DELETE, &format!("/api/suppressions/{}", entry["id"].as_str().unwrap()), None).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        let id = create_and_send(&app, email_campaign(&again)).await;
        let p = settle(&app, &id).await;
        assert_eq!((p["skipped"]["suppressed"].as_u64(), reached(&p)), (Some(0), 1), "{p}");
    }

    async fn the_suppression_list_is_for_admins_and_checks_addresses(app) {
        app.signup("admin@example.org").await;
        let r = app.post("/api/suppressions", &json!({"channel": "email", "address": "not an email"})).await;
        assert!(problem(r, 422).await["errors"]["address"].is_string());
        let r = app.post("/api/suppressions", &json!({"channel": "sms", "address": "12"})).await;
        assert!(problem(r, 422).await["errors"]["address"].is_string());
        let r = app.post("/api/suppressions", &json!({"channel": "sms", "address": "+33 6 12 34 56 78"})).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        assert_eq!(suppressions(&app, "channel=sms&address=%2B33612345678").await["total"], 1);
        assert_eq!(suppressions(&app, "channel=email").await["total"], 0);
        // By address rather than by id.
        let r = send(&app, Method::DELETE, "/api/suppressions?channel=sms&address=%2B33612345678", None).await;
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        assert_eq!(suppressions(&app, "").await["total"], 0);

        let contributor = app.invite_and_accept("bob@example.org", "contributor").await;
        assert_eq!(contributor.get("/api/suppressions").await.status(), StatusCode::FORBIDDEN);
        let r = contributor.post("/api/suppressions", &json!({"channel": "email", "address": "a@x.org"})).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        // Another organization sees none of it.
        app.post("/api/suppressions", &json!({"channel": "email", "address": "a@x.org"})).await;
        let other = app.other_user("eve@example.org").await;
        assert_eq!(suppressions(&other, "").await["total"], 0);
    }

    async fn an_unsubscribe_suppresses_the_address_and_is_in_the_ledger(app) {
        let smtp = SmtpServer::start().await;
        app.signup("admin@example.org").await;
        use_smtp(&app, &smtp, json!({})).await;
        let (list, ids) = list_of(&app, "People", &[granted("ada@x.org", "Ada")]).await;
        let id = create_and_send(&app, email_campaign(&list)).await;
        settle(&app, &id).await;
        let received = smtp.wait_for(1).await;
        let link = header(&received[0].data, "List-Unsubscribe").unwrap().trim_matches(|c| c == '<' || c == '>').to_owned();
        let r = new_client().post(&link).header("content-type", "application/x-www-form-urlencoded")
            .body("List-Unsubscribe=One-Click").send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let found = suppressions(&app, "channel=email&address=ada@x.org").await;
        assert_eq!((found["total"].as_u64(), found["items"][0]["reason"].as_str()), (Some(1), Some("unsubscribe")), "{found}");
        let h = history(&app, &ids[0]).await;
        let last = h.last().unwrap();
        assert_eq!((last["state"].as_str(), last["source"].as_str(), last["source_ref"].as_str()),
            (Some("withdrawn"), Some("unsubscribe"), Some(id.as_str())));
        assert_eq!(last["actor_id"], Value::Null);
    }

    async fn an_export_holds_everything_about_the_contact(app) {
        app.signup("admin@example.org").await;
        use_simulator(&app).await;
        let (list, ids) = list_of(&app, "People", &[json!({"email": "ada@x.org", "first_name": "Ada",
            "attributes": {"plan": "gold"}, "consents": {"email": "granted"}, "consent_wording": "Offers by email"})]).await;
        let id = create_and_send(&app, email_campaign(&list)).await;
        assert_eq!(reached(&settle(&app, &id).await), 1);
        patch(&app, &ids[0], json!({"consents": {"sms": "withdrawn"}})).await;

        let r = app.get(&format!("/api/contacts/{}/export", ids[0])).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()["content-disposition"], format!("attachment; filename=\"contact-{}.json\"", ids[0]).as_str());
        assert_eq!(r.headers()["cache-control"], "no-store");
        let x: Value = r.json().await.unwrap();
        assert_eq!((x["contact"]["email"].as_str(), x["contact"]["attributes"]["plan"].as_str()), (Some("ada@x.org"), Some("gold")));
        assert_eq!(x["contact"]["lists"][0]["name"], "People");
        assert_eq!(x["consent_history"].as_array().unwrap().len(), 2, "{x}");
        assert_eq!(x["consent_history"][0]["wording"], "Offers by email");
        let d = &x["deliveries"][0];
        assert_eq!((d["campaign_id"].as_str(), d["campaign_title"].as_str(), d["delivery"]["channel"].as_str()), (Some(id.as_str()), Some("Promo"), Some("email")));
        assert!(["sent", "delivered"].contains(&d["delivery"]["status"].as_str().unwrap()), "{d}");
        assert!(d["events"].as_array().unwrap().iter().any(|e| e["type"] == "MessageSent"), "{d}");
        assert_eq!(x["truncated"], false);

        assert_eq!(app.get(&format!("/api/contacts/{}/export", uuid::Uuid::now_v7())).await.status(), StatusCode::NOT_FOUND);
        let other = app.other_user("eve@example.org").await;
        assert_eq!(other.get(&format!("/api/contacts/{}/export", ids[0])).await.status(), StatusCode::NOT_FOUND);
    }

    async fn an_erased_contact_is_unreadable_with_any_key_and_the_statistics_stay(app) {
        use carillon::{contacts::normalize::{EMAIL, PHONE}, db::entities::contact};
        use sea_orm::EntityTrait;
        app.signup("admin@example.org").await;
        use_simulator(&app).await;
        let (list, ids) = list_of(&app, "People", &[granted("ada@x.org", "Ada"),
            json!({"email": "grace@x.org", "phone": "+33612345678", "first_name": "Grace", "consents": {"email": "granted"}})]).await;
        let id = create_and_send(&app, email_campaign(&list)).await;
        let before = settle(&app, &id).await;
        assert_eq!(reached(&before), 2, "{before}");
        let db = sea_orm::Database::connect(&app.database_url).await.unwrap();
        let grace_id: uuid::Uuid = ids[1].parse().unwrap();
        // What a copy of the database holds of Grace.
        let copy = contact::Entity::find_by_id(grace_id).one(&db).await.unwrap().unwrap();
        let (email, phone) = (copy.email_ciphertext.clone().unwrap(), copy.phone_ciphertext.clone().unwrap());
        assert!(email.starts_with("k1.") && copy.data_key.is_some(), "{email}");

        assert_eq!(send(&app, Method::DELETE, &format!("/api/contacts/{grace_id}"), None).await.status(), StatusCode::NO_CONTENT);
        for path in ["", "/export", "/consents"] {
            problem(app.get(&format!("/api/contacts/{grace_id}{path}")).await, 404).await;
        }
        problem(send(&app, Method::DELETE, &format!("/api/contacts/{grace_id}"), None).await, 404).await;
        problem(send(&app, Method::DELETE, &format!("/api/contacts/{}", uuid::Uuid::now_v7()), None).await, 404).await;

        // No key left in the database opens what the copy holds: not the master key, not
        // any contact's data key.
        let cipher = app.cipher();
        let row = grace_id.to_string();
        assert!(cipher.decrypt(EMAIL, &row, &email).is_err());
        let keys = contact::Entity::find().all(&db).await.unwrap();
        assert_eq!(keys.len(), 1);
        for c in &keys {
            let wrapped = c.data_key.as_deref().unwrap();
            // Each key opens only under its own row; under Grace's it opens nothing.
            assert!(cipher.open_data_key(&row, wrapped).is_err());
            let key = cipher.open_data_key(&c.id.to_string(), wrapped).unwrap();
            assert!(key.decrypt(EMAIL, &row, &email).is_err());
            assert!(key.decrypt(PHONE, &row, &phone).is_err());
        }

        // The campaign's figures do not move; its deliveries stay, anonymous.
        let after = crate::sending::progress(&app, &id).await;
        assert_eq!(after["channels"], before["channels"]);
        assert_eq!(crate::sending::deliveries(&app, &id, "").await.len(), 2);
        // Both addresses stay suppressed, and are never imported back as subscribed.
        let found = suppressions(&app, "").await;
        let mut channels: Vec<&str> = found["items"].as_array().unwrap().iter()
            .filter(|e| e["reason"] == "erasure").map(|e| e["channel"].as_str().unwrap()).collect();
        channels.sort();
        assert_eq!(channels, ["email", "push", "sms"], "{found}");
        assert_eq!(suppressions(&app, "address=grace@x.org").await["total"], 2);
        let done = import_csv(&app, b"email,news\ngrace@x.org,yes\n", json!({"email": "email", "consents": {"email": "news"}})).await;
        let report = app.get(&format!("/api/imports/{}/report.csv", done["id"].as_str().unwrap())).await.text().await.unwrap();
        assert!(report.contains("2,created,email consent not applied: the address is suppressed"), "{report}");
        // The audit log says who erased whom, and nothing of her.
        let audit: Value = app.get(&format!("/api/audit?target_id={grace_id}")).await.json().await.unwrap();
        assert_eq!(audit["items"][0]["action"], "contact.erased", "{audit}");
    }

    async fn a_contact_from_before_data_keys_gets_one_when_written(app) {
        use carillon::{contacts::normalize::EMAIL, db::entities::contact};
        use sea_orm::{ActiveModelTrait, EntityTrait, Set};
        app.signup("admin@example.org").await;
        let (_, ids) = list_of(&app, "People", &[granted("ada@x.org", "Ada")]).await;
        let db = sea_orm::Database::connect(&app.database_url).await.unwrap();
        let ada_id: uuid::Uuid = ids[0].parse().unwrap();
        // As an older version wrote it: the address under the master key, no data key.
        let cipher = app.cipher();
        let legacy = cipher.encrypt(EMAIL, &ada_id.to_string(), "ada@x.org").unwrap();
        let mut row: contact::ActiveModel = contact::Entity::find_by_id(ada_id).one(&db).await.unwrap().unwrap().into();
        row.email_ciphertext = Set(Some(legacy));
        row.data_key = Set(None);
        row.update(&db).await.unwrap();
        let c: Value = app.get(&format!("/api/contacts/{ada_id}")).await.json().await.unwrap();
        assert_eq!(c["email"], "ada@x.org");

        patch(&app, &ids[0], json!({"first_name": "Ada L."})).await;
        let stored = contact::Entity::find_by_id(ada_id).one(&db).await.unwrap().unwrap();
        let sealed = stored.email_ciphertext.unwrap();
        assert!(sealed.starts_with("k1."), "{sealed}");
        let key = cipher.open_data_key(&ada_id.to_string(), &stored.data_key.unwrap()).unwrap();
        assert_eq!(key.decrypt(EMAIL, &ada_id.to_string(), &sealed).unwrap(), "ada@x.org");
        let c: Value = app.get(&format!("/api/contacts/{ada_id}")).await.json().await.unwrap();
        assert_eq!((c["email"].as_str(), c["first_name"].as_str()), (Some("ada@x.org"), Some("Ada L.")));
    }

    async fn an_address_suppressed_while_a_campaign_runs_is_skipped_at_send_time(app) {
        app.signup("admin@example.org").await;
        let r = app.client.put(app.url("/api/channels/email"))
            .json(&json!({"provider": "simulator", "settings": {"latency_ms": 0, "failure_rate": 0, "rate_per_second": 4, "max_in_flight": 1}}))
            .send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let people: Vec<Value> = (0..12).map(|i| granted(&format!("p{i}@x.org"), "P")).collect();
        let (list, _) = list_of(&app, "People", &people).await;
        let id = create_and_send(&app, email_campaign(&list)).await;
        loop {
            if reached(&crate::sending::progress(&app, &id).await) >= 1 { break; }
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        let r = app.post(&format!("/api/campaigns/{id}/pause"), &json!({})).await;
        assert_eq!(r.status(), StatusCode::OK);
        settle(&app, &id).await;
        let waiting = crate::sending::deliveries(&app, &id, "status=pending").await;
        assert!(!waiting.is_empty());
        // One of those still waiting is suppressed by an admin while the campaign is paused.
        let contact: Value = app.get(&format!("/api/contacts/{}", waiting[0]["contact_id"].as_str().unwrap())).await.json().await.unwrap();
        let r = app.post("/api/suppressions", &json!({"channel": "email", "address": contact["email"]})).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let r = app.post(&format!("/api/campaigns/{id}/resume"), &json!({})).await;
        assert_eq!(r.status(), StatusCode::OK);
        let p = settle(&app, &id).await;
        assert_eq!(p["status"], "completed", "{p}");
        assert_eq!((p["skipped"]["suppressed"].as_u64(), reached(&p)), (Some(1), 11), "{p}");
        let skipped = crate::sending::deliveries(&app, &id, "status=skipped").await;
        assert_eq!((skipped.len(), skipped[0]["contact_id"].clone()), (1, waiting[0]["contact_id"].clone()));
    }

    async fn the_preference_centre_changes_channels_and_lists_and_records_who_did(app) {
        let smtp = SmtpServer::start().await;
        app.signup("admin@example.org").await;
        use_smtp(&app, &smtp, json!({})).await;
        let (news, ids) = list_of(&app, "News", &[json!({"email": "ada@x.org", "phone": "+33612345678",
            "consents": {"email": "granted", "sms": "granted"}})]).await;
        let (offers, _) = list_of(&app, "Offers & more", &[]).await;
        let r = app.post(&format!("/api/lists/{offers}/members"), &json!({"contact_ids": [ids[0]]})).await;
        assert!(r.status().is_success());
        let id = create_and_send(&app, json!({
            "title": "Promo", "channels": ["email"], "list_ids": [news],
            "content": {"email": {"subject": "Hi", "from_name": "Acme", "from_email": "news@acme.test",
                "html": "<p>Hello. <a href=\"{{ preferences_url }}\">Your preferences</a></p>"}}
        })).await;
        settle(&app, &id).await;
        let received = smtp.wait_for(1).await;
        // Quoted-printable: soft line breaks out, then the link.
        let body = received[0].data.replace("=\r\n", "").replace("=3D", "=");
        let start = body.find(&format!("{}/pref/", app.address)).expect("a preferences link");
        let link: String = body[start..].chars().take_while(|c| !matches!(c, '"' | '<' | ' ' | '\r' | '\n')).collect();

        let page = new_client().get(&link).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        let html = page.text().await.unwrap();
        assert!(html.contains("value=\"email\" checked") && html.contains("value=\"sms\" checked"), "{html}");
        assert!(html.contains("Offers &amp; more") && !html.contains("value=\"push\""), "{html}");

        let visitor = new_client();
        let post = |form: String| {
            let (visitor, link) = (&visitor, &link);
            async move {
                visitor.post(link).header("content-type", "application/x-www-form-urlencoded")
                    .header("user-agent", "PrefTest/1.0").header("origin", "https://mail.example")
                    .body(form).send().await.unwrap()
            }
        };
        // Email withdrawn, out of "Offers".
        let r = post(format!("channel=sms&list={news}")).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert!(r.text().await.unwrap().contains("saved"));
        let c: Value = app.get(&format!("/api/contacts/{}", ids[0])).await.json().await.unwrap();
        let state = |c: &Value, ch: &str| c["consents"].as_array().unwrap().iter().find(|x| x["channel"] == ch).unwrap()["state"].as_str().unwrap().to_owned();
        assert_eq!((state(&c, "email"), state(&c, "sms")), ("withdrawn".into(), "granted".into()));
        assert_eq!(c["lists"].as_array().unwrap().len(), 1);
        assert_eq!(c["lists"][0]["name"], "News");
        let h = history(&app, &ids[0]).await;
        let last = h.last().unwrap();
        assert_eq!((last["channel"].as_str(), last["state"].as_str(), last["source"].as_str()), (Some("email"), Some("withdrawn"), Some("preference_centre")));
        assert_eq!((last["ip"].as_str(), last["user_agent"].as_str()), (Some("127.0.0.1"), Some("PrefTest/1.0")));
        // A withdrawal here is the person's choice, not a suppression: they may come back.
        assert_eq!(suppressions(&app, "").await["total"], 0);
        let r = post(format!("channel=sms&channel=email&list={news}")).await;
        assert_eq!(r.status(), StatusCode::OK);
        let c: Value = app.get(&format!("/api/contacts/{}", ids[0])).await.json().await.unwrap();
        assert_eq!(state(&c, "email"), "granted");
        assert_eq!(history(&app, &ids[0]).await.last().unwrap()["source"], "preference_centre");

        // One click for everything; the lists stay.
        let r = post("everything=none".into()).await;
        assert_eq!(r.status(), StatusCode::OK);
        let c: Value = app.get(&format!("/api/contacts/{}", ids[0])).await.json().await.unwrap();
        assert_eq!((state(&c, "email"), state(&c, "sms")), ("withdrawn".into(), "withdrawn".into()));
        assert_eq!(c["lists"].as_array().unwrap().len(), 1);

        // An altered link: a clear page, nothing changed.
        let last = if link.ends_with('A') { "B" } else { "A" };
        let altered = format!("{}{last}", &link[..link.len() - 1]);
        let before = history(&app, &ids[0]).await.len();
        let r = new_client().post(&altered).header("content-type", "application/x-www-form-urlencoded").body("channel=email").send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        assert!(r.text().await.unwrap().contains("not valid"));
        assert_eq!(new_client().get(&altered).send().await.unwrap().status(), StatusCode::NOT_FOUND);
        assert_eq!(history(&app, &ids[0]).await.len(), before);
        // The contact deleted since: the link opens nothing.
        assert_eq!(send(&app, Method::DELETE, &format!("/api/contacts/{}", ids[0]), None).await.status(), StatusCode::NO_CONTENT);
        assert_eq!(new_client().get(&link).send().await.unwrap().status(), StatusCode::NOT_FOUND);
    }
}
