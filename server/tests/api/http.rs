use crate::both_backends;
use reqwest::{header, StatusCode};

both_backends! {
    async fn security_headers_on_pages_and_api(app) {
        for path in ["/login", "/api/me", "/healthz", "/pkg/does-not-exist.js"] {
            let r = app.get(path).await;
            let h = r.headers();
            assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
            assert_eq!(h["referrer-policy"], "same-origin", "{path}");
            assert!(h["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"), "{path}");
            assert!(h.contains_key("x-request-id"), "{path}");
        }
        let r = app.get("/login").await;
        let csp = r.headers()["content-security-policy"].to_str().unwrap().to_owned();
        let nonce = csp.split("'nonce-").nth(1).and_then(|s| s.split('\'').next()).expect("a nonce in the page CSP").to_owned();
        assert!(!csp.contains("unsafe-inline"));
        let html = r.text().await.unwrap();
        assert!(html.contains(&format!("nonce=\"{nonce}\"")), "the hydration script carries the nonce");
        // A fresh nonce per response.
        let again = app.get("/login").await.headers()["content-security-policy"].to_str().unwrap().to_owned();
        assert_ne!(csp, again);
    }

    async fn health_readiness_and_metrics(app) {
        let r = app.get("/healthz").await;
        assert_eq!(r.status(), StatusCode::OK);
        let r = app.get("/readyz").await;
        assert_eq!(r.status(), StatusCode::OK);
        app.get("/api/me").await;
        let r = app.get("/metrics").await;
        assert!(r.headers()[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/plain"));
        let text = r.text().await.unwrap();
        assert!(text.contains("carillon_http_requests_total{method=\"GET\",route=\"/api/me\",status=\"401\"} 1"), "{text}");
        assert!(text.contains("# TYPE carillon_http_request_duration_seconds histogram"));
    }
}

both_backends! {
    async fn server_function_errors_carry_their_status(app) {
        app.signup("ada@example.org").await;
        let login = |password: &'static str| {
            app.browser()
                .client
                .post(app.url("/api/fn/login"))
                .form(&[("email", "ada@example.org"), ("password", password)])
                .send()
        };
        let r = login("wrong password").await.unwrap();
        assert_eq!(r.status(), reqwest::StatusCode::UNAUTHORIZED);
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["Unauthorized"], "invalid email or password");
        let r = login(crate::helpers::PASSWORD).await.unwrap();
        assert!(r.status().is_success() || r.status().is_redirection(), "{}", r.status());
    }
}

/// Every REST endpoint the API offers, as the OpenAPI document must describe it.
const ENDPOINTS: &[(&str, &str)] = &[
    ("post", "/api/auth/signup"),
    ("post", "/api/auth/login"),
    ("post", "/api/auth/logout"),
    ("get", "/api/me"),
    ("post", "/api/me/organization"),
    ("get", "/api/organization"),
    ("patch", "/api/organization"),
    ("get", "/api/tokens"),
    ("post", "/api/tokens"),
    ("delete", "/api/tokens/{id}"),
    ("get", "/api/members"),
    ("patch", "/api/members/{id}"),
    ("delete", "/api/members/{id}"),
    ("get", "/api/invitations"),
    ("post", "/api/invitations"),
    ("delete", "/api/invitations/{id}"),
    ("post", "/api/invitations/accept"),
    ("get", "/api/campaigns"),
    ("post", "/api/campaigns"),
    ("get", "/api/campaigns/{id}"),
    ("patch", "/api/campaigns/{id}"),
    ("delete", "/api/campaigns/{id}"),
    ("post", "/api/campaigns/{id}/schedule"),
    ("post", "/api/campaigns/{id}/unschedule"),
    ("post", "/api/campaigns/{id}/cancel"),
    ("post", "/api/campaigns/{id}/duplicate"),
    ("get", "/api/contacts"),
    ("post", "/api/contacts"),
    ("get", "/api/contacts/{id}"),
    ("patch", "/api/contacts/{id}"),
    ("delete", "/api/contacts/{id}"),
    ("post", "/api/contacts/import"),
    ("post", "/api/contacts/import/preview"),
    ("get", "/api/imports/{id}"),
    ("get", "/api/imports/{id}/report.csv"),
    ("get", "/api/lists"),
    ("post", "/api/lists"),
    ("get", "/api/lists/{id}"),
    ("patch", "/api/lists/{id}"),
    ("delete", "/api/lists/{id}"),
    ("post", "/api/lists/{id}/members"),
    ("delete", "/api/lists/{id}/members"),
    ("get", "/api/openapi.json"),
    ("post", "/hooks/sendgrid/{organization_id}"),
    ("post", "/hooks/mailgun/{organization_id}"),
    ("post", "/hooks/twilio/{organization_id}"),
    ("post", "/p/{organization_id}/subscriptions"),
];

both_backends! {
    async fn the_openapi_document_covers_every_endpoint(app) {
        let r = app.get("/api/openapi.json").await;
        assert_eq!(r.status(), reqwest::StatusCode::OK);
        let doc: serde_json::Value = r.json().await.unwrap();
        assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"), "{}", doc["openapi"]);
        for (method, path) in ENDPOINTS {
            assert!(doc["paths"][path][method].is_object(), "{method} {path} is not documented");
        }
        let schemas = &doc["components"]["schemas"];
        for name in ["Problem", "CampaignDto", "NewCampaign", "Me", "CreatedToken", "ContactDto", "ListDto", "ListRef", "ImportDto", "Applied", "SubscriptionInput", "Subscribed"] {
            assert!(schemas[name].is_object(), "schema {name} missing");
        }
        let lists = &schemas["ContactDto"]["properties"]["lists"];
        assert_eq!(lists["items"]["$ref"], "#/components/schemas/ListRef", "{lists}");
        assert!(lists["description"].as_str().unwrap_or("").contains("lists"), "{lists}");
        assert_eq!(doc["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
    }
}

/// Invented methods cannot grow the metrics, and `CARILLON_METRICS_TOKEN` guards them.
#[tokio::test]
async fn metrics_labels_are_bounded_and_a_token_protects_them() {
    let app = crate::helpers::spawn_app(
        crate::helpers::Backend::Sqlite,
        &[("CARILLON_METRICS_TOKEN", "metrics-secret")],
    )
    .await
    .expect("app");
    for i in 0..20 {
        let method = reqwest::Method::from_bytes(format!("RND{i}").as_bytes()).unwrap();
        app.client
            .request(method, app.url("/api/me"))
            .send()
            .await
            .unwrap();
    }
    crate::helpers::problem(app.get("/metrics").await, 401).await;
    let wrong = app
        .client
        .get(app.url("/metrics"))
        .bearer_auth("guess")
        .send()
        .await
        .unwrap();
    crate::helpers::problem(wrong, 401).await;
    let r = app
        .client
        .get(app.url("/metrics"))
        .bearer_auth("metrics-secret")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let text = r.text().await.unwrap();
    assert!(!text.contains("RND"), "{text}");
    assert!(
        text.contains(
            "carillon_http_requests_total{method=\"other\",route=\"/api/me\",status=\"405\"} 20"
        ),
        "{text}"
    );
}
