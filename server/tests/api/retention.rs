//! Retention: the policy, the daily run, and what it deletes (and keeps).

use crate::{
    both_backends,
    helpers::*,
    sending::{create_and_send, granted, list_of, settle},
};
use carillon::db::entities::{campaign, contact, delivery, event};
use chrono::{Duration, Utc};
use reqwest::StatusCode;
use sea_orm::{sea_query::Expr, EntityTrait};
use serde_json::{json, Value};

fn email_campaign(list: &str) -> Value {
    json!({
        "title": "Promo", "channels": ["email"], "list_ids": [list],
        "content": {"email": {"subject": "Hi", "from_name": "Acme", "from_email": "news@acme.test",
            "html": "<p>Hello {{ first_name }}</p>"}}
    })
}

async fn put(app: &TestApp, body: Value) -> reqwest::Response {
    app.client
        .put(app.url("/api/retention"))
        .json(&body)
        .send()
        .await
        .unwrap()
}

both_backends! {
    async fn a_daily_run_deletes_old_details_and_inactive_contacts_and_keeps_the_counters(app) {
        app.signup("admin@example.org").await;
        let r = app.client.put(app.url("/api/channels/email"))
            .json(&json!({"provider": "simulator", "settings": {"latency_ms": 0, "failure_rate": 0}}))
            .send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let (old_list, ids) = list_of(&app, "Old", &[granted("ada@x.org", "Ada"), granted("grace@x.org", "Grace")]).await;
        let (_, lonely) = list_of(&app, "Nobody", &[granted("old@x.org", "Old")]).await;
        let old = create_and_send(&app, email_campaign(&old_list)).await;
        let before = settle(&app, &old).await;

        // Everything so far happened three months ago.
        let db = sea_orm::Database::connect(&app.database_url).await.unwrap();
        let then = Utc::now() - Duration::days(92);
        contact::Entity::update_many().col_expr(contact::Column::CreatedAt, Expr::value(then))
            .col_expr(contact::Column::UpdatedAt, Expr::value(then)).exec(&db).await.unwrap();
        campaign::Entity::update_many().col_expr(campaign::Column::CreatedAt, Expr::value(then)).exec(&db).await.unwrap();
        delivery::Entity::update_many().col_expr(delivery::Column::CreatedAt, Expr::value(then)).exec(&db).await.unwrap();
        event::Entity::update_many().col_expr(event::Column::OccurredAt, Expr::value(then)).exec(&db).await.unwrap();
        // Grace got a campaign since: she is active.
        let (recent_list, _) = list_of(&app, "Recent", &[]).await;
        let r = app.post(&format!("/api/lists/{recent_list}/members"), &json!({"contact_ids": [ids[1]]})).await;
        assert!(r.status().is_success());
        let recent = create_and_send(&app, email_campaign(&recent_list)).await;
        settle(&app, &recent).await;

        // Bad policies are refused; a good one is applied by the next run.
        for bad in [json!({"delivery_months": 0}), json!({"contact_months": 121}), json!({"delivery_months": "six"})] {
            assert_eq!(put(&app, bad).await.status(), StatusCode::UNPROCESSABLE_ENTITY);
        }
        let r = put(&app, json!({"delivery_months": 1, "contact_months": 1})).await;
        assert_eq!(r.status(), StatusCode::OK);
        let view: Value = r.json().await.unwrap();
        assert_eq!(view["policy"], json!({"delivery_months": 1, "contact_months": 1}));
        app.drain().await;

        let view: Value = app.get("/api/retention").await.json().await.unwrap();
        let runs = view["runs"].as_array().unwrap();
        assert_eq!(runs.len(), 1, "{view}");
        let run = &runs[0];
        assert_eq!((run["status"].as_str(), run["deliveries_deleted"].as_u64(), run["contacts_deleted"].as_u64()),
            (Some("done"), Some(2), Some(2)), "{run}");
        assert!(run["events_deleted"].as_u64().unwrap() > 0, "{run}");
        assert_eq!(run["day"], Utc::now().format("%Y-%m-%d").to_string());

        // The old campaign's figures stay; its details went. The recent one is whole.
        let after = crate::sending::progress(&app, &old).await;
        assert_eq!(after["channels"], before["channels"]);
        assert!(crate::sending::deliveries(&app, &old, "").await.is_empty());
        assert_eq!(crate::sending::deliveries(&app, &recent, "").await.len(), 1);
        // Ada and the contact nobody wrote to are gone, not suppressed; Grace stays.
        assert_eq!(app.get(&format!("/api/contacts/{}", ids[0])).await.status(), StatusCode::NOT_FOUND);
        assert_eq!(app.get(&format!("/api/contacts/{}", lonely[0])).await.status(), StatusCode::NOT_FOUND);
        assert_eq!(app.get(&format!("/api/contacts/{}", ids[1])).await.status(), StatusCode::OK);
        let suppressed: Value = app.get("/api/suppressions").await.json().await.unwrap();
        assert_eq!(suppressed["total"], 0);

        // One run a day, whatever the number of rounds; the policy change is audited.
        app.drain().await;
        let view: Value = app.get("/api/retention").await.json().await.unwrap();
        assert_eq!(view["runs"].as_array().unwrap().len(), 1);
        let audit: Value = app.get("/api/audit?action=retention.updated").await.json().await.unwrap();
        assert_eq!(audit["total"], 1);
    }

    async fn only_admins_set_the_policy(app) {
        app.signup("admin@example.org").await;
        let reader = app.invite_and_accept("reader@example.org", "reader").await;
        assert_eq!(put(&reader, json!({"delivery_months": 6})).await.status(), StatusCode::FORBIDDEN);
        let view: Value = app.get("/api/retention").await.json().await.unwrap();
        assert_eq!(view, json!({"policy": {"delivery_months": null, "contact_months": null}, "runs": []}));
    }
}
