//! Imports declare, per channel, what their consents rest on: a consent column (with the
//! words people agreed to) or a lawful basis with its wording. Rows without one come in
//! with no consent, are counted, and are never sent to.

use crate::{
    both_backends,
    helpers::*,
    imports::{import_csv, upload},
    sending::{create_and_send, settle, use_simulator},
};
use reqwest::{
    header,
    multipart::{Form, Part},
    StatusCode,
};
use serde_json::{json, Value};

const FILE: &[u8] = b"email,phone,news\n\
ada@x.org,+33612345678,yes\n\
grace@x.org,+33612345679,\n\
+33612345670,+33612345670,no\n\
,+33612345671,\n";

async fn contact_by(app: &TestApp, q: &str) -> Value {
    let p: Value = app
        .get(&format!("/api/contacts?q={q}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(p["total"], 1, "{p}");
    p["items"][0].clone()
}

async fn history(app: &TestApp, contact: &Value) -> Vec<Value> {
    let r = app
        .get(&format!(
            "/api/contacts/{}/consents",
            contact["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    r.json::<Value>().await.unwrap().as_array().unwrap().clone()
}

fn state(contact: &Value, channel: &str) -> (String, String) {
    let c = contact["consents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["channel"] == channel)
        .unwrap();
    (
        c["state"].as_str().unwrap().to_owned(),
        c["lawful_basis"].as_str().unwrap_or_default().to_owned(),
    )
}

/// The wizard's plain-form post: the file, and the fields its questions send.
pub(crate) async fn form_upload(app: &TestApp, csv: &[u8], fields: &[(&str, &str)]) -> String {
    let mut form = Form::new().part(
        "file",
        Part::bytes(csv.to_vec())
            .file_name("people.csv")
            .mime_str("text/csv")
            .unwrap(),
    );
    for (name, value) in fields {
        form = form.text(name.to_string(), value.to_string());
    }
    let r = app
        .client
        .post(app.url("/contacts/import"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    r.headers()[header::LOCATION].to_str().unwrap().to_owned()
}

both_backends! {
    async fn each_channel_rests_on_a_column_or_a_declared_basis(app) {
        app.signup("admin@example.org").await;
        let mapping = json!({
            "email": "email", "phone": "phone",
            "consents": {"email": "news"},
            "consent_wording": {"email": "Yes, send me the weekly news"},
            "lawful_bases": {"sms": {"lawful_basis": "contract", "wording": "Delivery texts, terms of sale v2"}},
        });
        let done = import_csv(&app, FILE, mapping).await;
        // Row 3's email is not an address: the row is skipped whole.
        assert_eq!((done["created"].as_u64(), done["skipped"].as_u64()), (Some(3), Some(1)), "{done}");
        // Grace's email cell is empty, and the last row has no email at all: one row
        // without email consent. Every phone rests on the contract.
        assert_eq!(done["no_consent"], json!({"email": 1, "sms": 0}), "{done}");

        let ada = contact_by(&app, "ada@x.org").await;
        assert_eq!(state(&ada, "email"), ("granted".into(), "consent".into()));
        assert_eq!(state(&ada, "sms"), ("granted".into(), "contract".into()));
        let records = history(&app, &ada).await;
        let record = |channel: &str| records.iter().find(|r| r["channel"] == channel).unwrap().clone();
        assert_eq!(record("email")["wording"], "Yes, send me the weekly news");
        assert_eq!((record("sms")["lawful_basis"].as_str(), record("sms")["wording"].as_str()), (Some("contract"), Some("Delivery texts, terms of sale v2")));
        assert_eq!((record("sms")["source"].as_str(), record("sms")["source_line"].as_i64()), (Some("import"), Some(2)));

        let grace = contact_by(&app, "grace@x.org").await;
        assert_eq!(state(&grace, "email").0, "unknown");
        assert_eq!(state(&grace, "sms"), ("granted".into(), "contract".into()));

        // A campaign reaches Ada, not Grace, who came in with no consent.
        use_simulator(&app, "email", json!({"latency_ms": 0, "failure_rate": 0})).await;
        let list: Value = app.post("/api/lists", &json!({"name": "Imported"})).await.json().await.unwrap();
        let list = list["id"].as_str().unwrap().to_owned();
        let r = app.post(&format!("/api/lists/{list}/members"), &json!({"contact_ids": [ada["id"], grace["id"]]})).await;
        assert!(r.status().is_success());
        let id = create_and_send(&app, json!({
            "title": "News", "channels": ["email"], "list_ids": [list],
            "content": {"email": {"subject": "Hi", "from_name": "Acme", "from_email": "news@acme.test", "html": "<p>Hi</p>"}}
        })).await;
        let p = settle(&app, &id).await;
        assert_eq!(p["skipped"]["no_consent"], 1, "{p}");
        let ch = &p["channels"][0];
        assert_eq!(ch["sent"].as_u64().unwrap() + ch["delivered"].as_u64().unwrap(), 1, "{p}");

        // Without any declaration every row comes in with no consent, and is counted.
        let done = import_csv(&app, b"email\nalan@x.org\nedsger@x.org\n", json!({"email": "email"})).await;
        assert_eq!(done["no_consent"], json!({"email": 2, "sms": 0}), "{done}");
        assert_eq!(state(&contact_by(&app, "alan@x.org").await, "email").0, "unknown");
    }

    async fn declarations_that_cannot_stand_are_refused(app) {
        app.signup("admin@example.org").await;
        let refused = |mapping: Value| {
            let app = &app;
            async move { problem(upload(app, "/api/contacts/import", FILE, Some(mapping)).await, 422).await }
        };
        let basis = |wording: &str| json!({"lawful_basis": "legitimate_interest", "wording": wording});
        let body = refused(json!({"email": "email", "consents": {"email": "news"}, "lawful_bases": {"email": basis("Our notice")}})).await;
        assert!(body["errors"]["mapping.lawful_bases.email"].as_str().unwrap().contains("not both"), "{body}");
        let body = refused(json!({"email": "email", "lawful_bases": {"email": basis("  ")}})).await;
        assert!(body["errors"]["mapping.lawful_bases.email"].as_str().unwrap().contains("what the people were told"), "{body}");
        let body = refused(json!({"email": "email", "lawful_bases": {"email": basis(&"x".repeat(10 * 1024 + 1))}})).await;
        assert!(body["errors"]["mapping.lawful_bases.email"].as_str().unwrap().contains("10 KiB"), "{body}");
        let body = refused(json!({"email": "email", "lawful_bases": {"push": basis("Our notice")}})).await;
        assert!(body["errors"]["mapping.lawful_bases.push"].as_str().unwrap().contains("device"), "{body}");
        let body = refused(json!({"email": "email", "consent_wording": {"sms": "Texts"}})).await;
        assert!(body["errors"]["mapping.consent_wording.sms"].is_string(), "{body}");
        refused(json!({"email": "email", "lawful_bases": {"email": {"lawful_basis": "because", "wording": "x"}}})).await;
        let p: Value = app.get("/api/contacts").await.json().await.unwrap();
        assert_eq!(p["total"], 0, "nothing was imported");
    }

    async fn the_wizard_asks_for_each_channel(app) {
        app.signup("admin@example.org").await;
        // Unanswered: back to the form, which says what is missing.
        let location = form_upload(&app, FILE, &[]).await;
        assert!(location.starts_with("/contacts/import?error="), "{location}");
        assert!(location.contains("ground"), "{location}");
        // "From the column", where the mapping has none for SMS.
        let location = form_upload(&app, FILE, &[("basis_email", "none"), ("basis_sms", "column")]).await;
        assert!(location.contains("sms+consent+column"), "{location}");
        let location = form_upload(&app, FILE, &[("basis_email", "consent"), ("basis_sms", "none")]).await;
        assert!(location.contains("what+the+people+were+told"), "{location}");

        // Without JavaScript the mapping is the suggested one (the `news` column is not
        // recognized as a consent column): every email rests on the declared basis.
        let location = form_upload(&app, FILE, &[
            ("basis_email", "legitimate_interest"), ("wording_email", "Customers hear about what they bought"),
            ("basis_sms", "none"), ("wording_sms", ""),
        ]).await;
        let id = location.strip_prefix("/contacts/imports/").expect("to the progress page");
        let done = crate::imports::wait(&app, id).await;
        assert_eq!(done["no_consent"], json!({"email": 0, "sms": 3}), "{done}");
        let ada = contact_by(&app, "ada@x.org").await;
        assert_eq!(state(&ada, "email"), ("granted".into(), "legitimate_interest".into()));
        assert_eq!(state(&ada, "sms").0, "unknown");
        let record = history(&app, &ada).await.into_iter().find(|r| r["channel"] == "email").unwrap();
        assert_eq!(record["wording"], "Customers hear about what they bought");
    }
}
