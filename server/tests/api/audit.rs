//! The audit log: each audited action leaves one line, with its actor and address, and
//! without secrets or personal data.

use crate::{
    both_backends,
    contacts::{create_contact, send},
    helpers::*,
    imports::import_csv,
    sending::{list_of, use_smtp},
    smtp_server::SmtpServer,
};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn audit(app: &TestApp, query: &str) -> Value {
    let r = app.get(&format!("/api/audit?per_page=100&{query}")).await;
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

fn actions(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect()
}

both_backends! {
    async fn each_audited_action_leaves_one_line_without_secrets(app) {
        let me = app.signup("admin@example.org").await;
        let admin_id = me["user"]["id"].clone();
        // A failed sign-in, then a good one.
        let r = app.post("/api/auth/login", &json!({"email": "admin@example.org", "password": "wrong password"})).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        let r = app.post("/api/auth/login", &json!({"email": "admin@example.org", "password": PASSWORD})).await;
        assert_eq!(r.status(), StatusCode::OK);
        // Members and tokens.
        let bob = app.invite_and_accept("bob@example.org", "reader").await;
        let bob_member = app.get("/api/members").await.json::<Value>().await.unwrap().as_array().unwrap().iter()
            .find(|m| m["email"] == "bob@example.org").unwrap()["id"].as_str().unwrap().to_owned();
        let r = send(&app, Method::PATCH, &format!("/api/members/{bob_member}"), Some(&json!({"role": "contributor"}))).await;
        assert_eq!(r.status(), StatusCode::OK);
        let token = app.create_token(&["campaigns:read"]).await;
        let token_id = token.split('|').next().unwrap().to_owned();
        assert_eq!(send(&app, Method::DELETE, &format!("/api/tokens/{token_id}"), None).await.status(), StatusCode::NO_CONTENT);
        // Settings and a channel with a secret.
        let r = send(&app, Method::PATCH, "/api/organization", Some(&json!({"time_zone": "Europe/Paris"}))).await;
        assert_eq!(r.status(), StatusCode::OK);
        let smtp = SmtpServer::start().await;
        use_smtp(&app, &smtp, json!({"username": "u", "password": "hunter2-smtp-secret"})).await;
        // A campaign scheduled, taken back, cancelled.
        let (list, _) = list_of(&app, "People", &[json!({"email": "p@x.org"})]).await;
        let c = crate::campaigns::create(&app, json!({"title": "Promo", "channels": ["email"], "list_ids": [list],
            "content": {"email": {"subject": "Hi", "from_name": "Acme", "from_email": "news@acme.test", "html": "<p>Hi</p>"}}})).await;
        let id = c["id"].as_str().unwrap();
        let tomorrow = (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339();
        let schedule = json!({"scheduled_at": tomorrow});
        for (verb, body) in [("schedule", &schedule), ("unschedule", &json!({})), ("schedule", &schedule), ("cancel", &json!({}))] {
            let r = app.post(&format!("/api/campaigns/{id}/{verb}"), body).await;
            assert_eq!(r.status(), StatusCode::OK, "{verb}: {}", r.text().await.unwrap());
        }
        // Contacts: an import, an export, a suppression, a deletion.
        import_csv(&app, b"email\nimported@x.org\n", json!({"email": "email"})).await;
        let ada = create_contact(&app, json!({"email": "ada.personal@x.org"})).await;
        let ada_id = ada["id"].as_str().unwrap();
        assert_eq!(app.get(&format!("/api/contacts/{ada_id}/export")).await.status(), StatusCode::OK);
        let r = app.post("/api/suppressions", &json!({"channel": "email", "address": "ada.personal@x.org"})).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        assert_eq!(send(&app, Method::DELETE, &format!("/api/contacts/{ada_id}"), None).await.status(), StatusCode::NO_CONTENT);

        let page = audit(&app, "").await;
        let mut got = actions(&page);
        got.reverse();
        assert_eq!(got, [
            "auth.sign_in_failed", "auth.sign_in", "invitation.created", "invitation.accepted",
            "member.role_changed", "token.created", "token.revoked", "organization.updated",
            "channel.updated", "campaign.scheduled", "campaign.unscheduled", "campaign.scheduled",
            "campaign.cancelled",
            "import.started", "contact.exported", "suppression.added", "contact.erased",
        ], "{page}");
        let line = |action: &str| page["items"].as_array().unwrap().iter().find(|e| e["action"] == action).unwrap().clone();
        let role = line("member.role_changed");
        assert_eq!((role["actor_id"].clone(), role["actor_email"].as_str(), role["ip"].as_str()), (admin_id.clone(), Some("admin@example.org"), Some("127.0.0.1")));
        assert_eq!((role["details"]["from"].as_str(), role["details"]["to"].as_str(), role["target_id"].as_str()), (Some("reader"), Some("contributor"), Some(bob_member.as_str())));
        assert_eq!(line("channel.updated")["details"]["changed"].as_array().unwrap().iter().filter(|c| *c == "password").count(), 1);
        assert_eq!(line("campaign.cancelled")["target_id"], id);
        assert_eq!(line("contact.erased")["target_id"], ada_id);
        assert_eq!(line("auth.sign_in_failed")["actor_id"], admin_id);
        // Neither a secret nor the address of a contact or an invitee in what is stored;
        // the client's address is encrypted.
        let db = sea_orm::Database::connect(&app.database_url).await.unwrap();
        use sea_orm::{ConnectionTrait, Statement};
        let stored = db.query_all_raw(Statement::from_string(db.get_database_backend(),
            "SELECT details, ip_ciphertext, target_id FROM audit_log")).await.unwrap();
        assert_eq!(stored.len() as u64, page["total"].as_u64().unwrap());
        for row in stored {
            let details: String = row.try_get("", "details").unwrap();
            for never in ["hunter2-smtp-secret", "ada.personal@x.org", "bob@example.org", "imported@x.org"] {
                assert!(!details.contains(never), "{never} in {details}");
            }
            let ip: Option<String> = row.try_get("", "ip_ciphertext").unwrap();
            assert!(ip.is_some_and(|ip| ip.starts_with("v1.") && !ip.contains("127.0.0.1")));
        }

        // Filters.
        assert_eq!(actions(&audit(&app, "action=campaign").await), ["campaign.cancelled", "campaign.scheduled", "campaign.unscheduled", "campaign.scheduled"]);
        assert_eq!(audit(&app, "action=token.revoked").await["total"], 1);
        assert_eq!(actions(&audit(&app, &format!("target_id={ada_id}")).await), ["contact.erased", "contact.exported"]);
        let later = (chrono::Utc::now() + chrono::Duration::days(2)).format("%Y-%m-%d").to_string();
        assert_eq!(audit(&app, &format!("from={later}")).await["total"], 0);
        let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
        assert_eq!(audit(&app, &format!("from={today}&to={today}")).await["total"], page["total"]);
        assert!(problem(app.get("/api/audit?action=camp").await, 422).await["errors"]["action"].is_string());
        assert!(problem(app.get("/api/audit?from=yesterday").await, 422).await["errors"]["from"].is_string());

        // The CSV has the same lines.
        let r = app.get("/api/audit.csv?action=campaign").await;
        assert_eq!(r.status(), StatusCode::OK);
        assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
        let text = r.text().await.unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "at,action,actor_id,actor_email,token_id,ip,target_kind,target_id,details");
        assert_eq!(lines.len(), 5, "{text}");
        assert!(lines[1].contains(",campaign.cancelled,") && lines[1].contains("127.0.0.1"), "{text}");

        // Admins only; another organization sees nothing of it.
        assert_eq!(bob.get("/api/audit").await.status(), StatusCode::FORBIDDEN);
        assert_eq!(bob.get("/api/audit.csv").await.status(), StatusCode::FORBIDDEN);
        let other = app.other_user("eve@example.org").await;
        assert_eq!(actions(&audit(&other, "").await), Vec::<String>::new());
    }
}
