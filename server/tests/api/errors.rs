use crate::{both_backends, helpers::*};
use reqwest::{header, StatusCode};
use serde_json::json;

both_backends! {
    async fn validation_errors_are_problem_json_with_fields(app) {
        let r = app.post("/api/auth/signup", &json!({"email": "nope", "password": "short", "organization": ""})).await;
        let body = problem(r, 422).await;
        assert_eq!(body["type"], "https://carillon.dev/problems/validation");
        assert_eq!(body["errors"]["email"], "`nope` is not a valid email address");
        assert_eq!(body["errors"]["password"], "a password has at least 10 characters");
        assert!(body["errors"]["organization"].is_string());

        let long = "x".repeat(129);
        let r = app.post("/api/auth/signup", &json!({"email": "a@example.org", "password": long, "organization": "A"})).await;
        assert_eq!(problem(r, 422).await["errors"]["password"], "a password has at most 128 characters");
        let r = app.post("/api/auth/signup", &json!({"email": "a@example.org", "password": "x".repeat(128), "organization": "A"})).await;
        assert_eq!(r.status(), StatusCode::CREATED, "128 characters are allowed");

        let r = app.browser().post("/api/auth/signup", &json!({"email": "A@example.org", "password": PASSWORD, "organization": "B"})).await;
        assert_eq!(problem(r, 422).await["errors"]["email"], "an account with this address already exists");

        let r = app.post("/api/auth/signup", &json!({"email": "b@example.org"})).await;
        assert_eq!(problem(r, 422).await["errors"]["password"], "this field is required");
        let r = app.post("/api/auth/signup", &json!({"email": "b@example.org", "password": PASSWORD, "organization": "o".repeat(101)})).await;
        assert!(problem(r, 422).await["errors"]["organization"].is_string());
    }

    async fn malformed_bodies_are_4xx_problems(app) {
        let r = app.client.post(app.url("/api/auth/signup")).header(header::CONTENT_TYPE, "application/json").body("{not json").send().await.unwrap();
        assert!(problem(r, 422).await["detail"].as_str().unwrap().starts_with("malformed JSON"));
        let r = app.client.post(app.url("/api/auth/login")).body("email=a").send().await.unwrap();
        problem(r, 422).await;
        let r = app.client.post(app.url("/api/auth/login")).header(header::CONTENT_TYPE, "application/json").body(vec![0xff, 0xfe, 0x00]).send().await.unwrap();
        assert!(r.status().is_client_error());
        assert_eq!(problem(app.get("/api/no-such-thing").await, 404).await["detail"], "no such API endpoint");
        problem(app.get("/api/me").await, 401).await;
    }
}

both_backends! {
    async fn out_of_range_input_is_a_422_naming_the_field(app) {
        app.signup("ada@example.org").await;
        for path in ["/api/campaigns", "/api/contacts", "/api/lists"] {
            let r = app.get(&format!("{path}?page=18446744073709551615")).await;
            let body = problem(r, 422).await;
            assert!(body["errors"]["page"].as_str().unwrap().starts_with("at most 1000000"), "{path}: {body}");
            let r = app.get(&format!("{path}?page=1000000&per_page=100")).await;
            assert_eq!(r.status(), StatusCode::OK, "{path}: the last allowed page is an empty page");
        }
        let many: Vec<String> = (0..50_000).map(|_| uuid::Uuid::now_v7().to_string()).collect();
        let r = app.post("/api/campaigns", &json!({"title": "x", "channels": ["sms"], "list_ids": many, "exclusion_list_ids": many[..101]})).await;
        let body = problem(r, 422).await;
        assert_eq!(body["errors"]["list_ids"], "at most 100 lists (got 50000)");
        assert_eq!(body["errors"]["exclusion_list_ids"], "at most 100 lists (got 101)");
    }
}
