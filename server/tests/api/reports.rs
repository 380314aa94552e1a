//! A campaign's report beyond its counters: its failures grouped by reason, and its
//! deliveries with their engagement as CSV, checked against the stats and the rows.

use crate::{
    both_backends,
    helpers::*,
    sending::{create_and_send, granted, list_of, settle, use_simulator},
};
use reqwest::header;
use serde_json::{json, Value};
use std::collections::HashMap;

fn campaign(list: &str) -> Value {
    json!({
        "title": "Report", "channels": ["email"], "list_ids": [list],
        "content": {"email": {"subject": "Hi", "from_name": "Acme", "from_email": "news@acme.test",
            "html": "<p>Hello <a href=\"https://shop.acme.test/\">shop</a></p>"}}
    })
}

both_backends! {
    async fn a_campaign_s_failures_and_deliveries_agree_with_its_figures(app) {
        app.signup("admin@example.org").await;
        use_simulator(&app, "email", json!({"latency_ms": 0, "failure_rate": 0.5, "open_rate": 1, "click_rate": 1})).await;
        let people: Vec<Value> = (0..30).map(|i| granted(&format!("r{i}@x.org"), "R")).collect();
        let (list, _) = list_of(&app, "Report people", &people).await;
        let id = create_and_send(&app, campaign(&list)).await;
        settle(&app, &id).await;
        let stats: Value = app.get(&format!("/api/campaigns/{id}/stats")).await.json().await.unwrap();
        let email = &stats["channels"][0];
        let (failed, delivered) = (email["failed"].as_u64().unwrap(), email["delivered"].as_u64().unwrap());
        assert_eq!(failed + delivered, 30, "{stats}");
        assert!(failed > 0 && delivered > 0, "a share fails: {stats}");

        // One reason, the simulator's, counting every failure.
        let reasons: Value = app.get(&format!("/api/campaigns/{id}/failures")).await.json().await.unwrap();
        let reasons = reasons.as_array().unwrap();
        assert_eq!(reasons.len(), 1, "{reasons:?}");
        assert!(reasons[0]["reason"].as_str().unwrap().starts_with("simulated bounce"), "{reasons:?}");
        assert_eq!(reasons[0]["count"].as_u64(), Some(failed));

        // The CSV: a line per delivery, statuses and engagement as the figures say.
        let r = app.get(&format!("/api/campaigns/{id}/deliveries.csv")).await;
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()[header::CONTENT_TYPE], "text/csv; charset=utf-8");
        assert!(r.headers()[header::CONTENT_DISPOSITION].to_str().unwrap().contains(&format!("campaign-{id}-deliveries.csv")));
        let body = r.text().await.unwrap();
        let mut csv = ::csv::Reader::from_reader(body.as_bytes());
        let headers: Vec<String> = csv.headers().unwrap().iter().map(str::to_owned).collect();
        assert_eq!(headers, ["delivery_id", "contact_id", "channel", "status", "skip_reason", "attempts", "provider",
                             "error", "created_at", "sent_at", "opened_at", "clicked_at"]);
        let rows: Vec<HashMap<String, String>> = csv.deserialize().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 30);
        let count = |f: &dyn Fn(&HashMap<String, String>) -> bool| rows.iter().filter(|r| f(r)).count() as u64;
        assert_eq!(count(&|r| r["status"] == "failed"), failed);
        assert_eq!(count(&|r| r["status"] == "delivered"), delivered);
        assert_eq!(count(&|r| r["status"] == "failed" && r["error"].starts_with("simulated bounce")), failed);
        assert_eq!(count(&|r| !r["opened_at"].is_empty()), email["unique_opens"].as_u64().unwrap());
        assert_eq!(count(&|r| !r["clicked_at"].is_empty()), email["unique_clicks"].as_u64().unwrap());
        assert_eq!(count(&|r| r["channel"] == "email"), 30);
        let mut ids: Vec<&String> = rows.iter().map(|r| &r["delivery_id"]).collect();
        ids.dedup();
        assert_eq!(ids.len(), 30, "each delivery once");

        // Readers read it; other organizations do not find the campaign.
        let reader = app.invite_and_accept("reader@example.org", "reader").await;
        assert_eq!(reader.get(&format!("/api/campaigns/{id}/deliveries.csv")).await.status(), 200);
        assert_eq!(reader.get(&format!("/api/campaigns/{id}/failures")).await.status(), 200);
        let other = app.browser();
        other.signup("other@example.org").await;
        problem(other.get(&format!("/api/campaigns/{id}/deliveries.csv")).await, 404).await;
        problem(other.get(&format!("/api/campaigns/{id}/failures")).await, 404).await;
        // A malformed id names no campaign.
        problem(app.get("/api/campaigns/not-an-id/deliveries.csv").await, 404).await;
    }
}
