use crate::{both_backends, helpers::*};
use reqwest::StatusCode;
use serde_json::{json, Value};

both_backends! {
    async fn the_same_key_and_body_replays_the_first_response(app) {
        app.signup("ada@example.org").await;
        let send = |key: &'static str, body: Value| app.client.post(app.url("/api/campaigns")).header("Idempotency-Key", key).json(&body).send();
        let body = json!({"title": "Once", "channels": ["sms"]});
        let first = send("k-1", body.clone()).await.unwrap();
        assert_eq!(first.status(), StatusCode::CREATED);
        let first: Value = first.json().await.unwrap();
        let again = send("k-1", body.clone()).await.unwrap();
        assert_eq!(again.status(), StatusCode::CREATED);
        assert_eq!(again.headers()["idempotent-replayed"], "true");
        assert_eq!(again.json::<Value>().await.unwrap(), first);
        let all: Value = app.get("/api/campaigns").await.json().await.unwrap();
        assert_eq!(all["total"], 1, "created once");

        let other = send("k-1", json!({"title": "Twice", "channels": ["sms"]})).await.unwrap();
        assert!(problem(other, 422).await["detail"].as_str().unwrap().contains("different request"));

        // Another key, or no key, creates again.
        assert_eq!(send("k-2", body.clone()).await.unwrap().status(), StatusCode::CREATED);
        assert_eq!(app.post("/api/campaigns", &body).await.status(), StatusCode::CREATED);
        let all: Value = app.get("/api/campaigns").await.json().await.unwrap();
        assert_eq!(all["total"], 3);
    }

    async fn failures_replay_too_and_keys_are_per_user(app) {
        app.signup("ada@example.org").await;
        let bad = json!({"title": "", "channels": ["sms"]});
        let r = app.client.post(app.url("/api/campaigns")).header("Idempotency-Key", "same").json(&bad).send().await.unwrap();
        problem(r, 422).await;
        let r = app.client.post(app.url("/api/campaigns")).header("Idempotency-Key", "same").json(&bad).send().await.unwrap();
        assert_eq!(r.headers()["idempotent-replayed"], "true");
        problem(r, 422).await;
        // Bob's "same" is not Ada's.
        let bob = app.other_user("bob@example.org").await;
        let r = bob.client.post(bob.url("/api/campaigns")).header("Idempotency-Key", "same").json(&json!({"title": "B", "channels": ["sms"]})).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let r = app.client.post(app.url("/api/campaigns")).header("Idempotency-Key", "x".repeat(300)).json(&bad).send().await.unwrap();
        problem(r, 422).await;
    }
}
