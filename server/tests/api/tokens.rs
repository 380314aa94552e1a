use crate::{both_backends, helpers::*};
use reqwest::{Method, StatusCode};
use sea_orm::{ConnectionTrait, Database};
use serde_json::{json, Value};

both_backends! {
    async fn tokens_are_shown_once_and_stored_hashed(app) {
        app.signup("ada@example.org").await;
        let r = app.post("/api/tokens", &json!({"name": "CI", "abilities": ["campaigns:read", "contacts:write"]})).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let created: Value = r.json().await.unwrap();
        let plain = created["plain_text_token"].as_str().unwrap();
        let (id, secret) = plain.split_once('|').unwrap();
        assert_eq!(id, created["token"]["id"].as_str().unwrap());
        assert!(secret.starts_with("crln_"));
        assert_eq!(created["token"]["abilities"], json!(["campaigns:read", "contacts:write"]));

        let listed: Value = app.get("/api/tokens").await.json().await.unwrap();
        assert_eq!(listed.as_array().unwrap().len(), 1);
        assert!(!listed.to_string().contains(secret), "the secret is never listed");
        let db = Database::connect(&app.database_url).await.unwrap();
        let row = db.query_one_raw(sea_orm::Statement::from_string(db.get_database_backend(), "SELECT token_hash FROM api_tokens")).await.unwrap().unwrap();
        let stored: String = row.try_get("", "token_hash").unwrap();
        assert_ne!(stored, secret);
        assert_eq!(stored.len(), 64, "a SHA-256 in hex");

        let me: Value = app.with_token(Method::GET, "/api/me", plain, None).await.json().await.unwrap();
        assert_eq!(me["authenticated_via"], "token");
        let listed: Value = app.get("/api/tokens").await.json().await.unwrap();
        assert!(listed[0]["last_used_at"].is_string(), "last use is recorded");
    }

    async fn a_read_token_cannot_write(app) {
        app.signup("ada@example.org").await;
        let token = app.create_token(&["campaigns:read"]).await;
        assert_eq!(app.with_token(Method::GET, "/api/me", &token, None).await.status(), StatusCode::OK);
        let r = app.with_token(Method::POST, "/api/tokens", &token, Some(&json!({"name": "more", "abilities": ["*"]}))).await;
        problem(r, 403).await;
        let r = app.with_token(Method::POST, "/api/invitations", &token, Some(&json!({"email": "x@example.org", "role": "admin"}))).await;
        problem(r, 403).await;
        let r = app.with_token(Method::GET, "/api/members", &token, None).await;
        problem(r, 403).await;
    }

    async fn a_token_cannot_mint_a_stronger_token(app) {
        app.signup("ada@example.org").await;
        let token = app.create_token(&["tokens:write", "campaigns:read"]).await;
        let r = app.with_token(Method::POST, "/api/tokens", &token, Some(&json!({"name": "x", "abilities": ["*"]}))).await;
        assert_eq!(problem(r, 422).await["errors"]["abilities"], "this token cannot grant `*`");
        let r = app.with_token(Method::POST, "/api/tokens", &token, Some(&json!({"name": "x", "abilities": ["campaigns:read"]}))).await;
        assert_eq!(r.status(), StatusCode::CREATED);
    }

    async fn expired_revoked_and_forged_tokens_are_401(app) {
        app.signup("ada@example.org").await;
        let expiring = app.create_token(&["*"]).await;
        let revoked = app.create_token(&["*"]).await;
        // Expire the first one in the database rather than waiting for it.
        let db = Database::connect(&app.database_url).await.unwrap();
        let id = expiring.split('|').next().unwrap();
        db.execute_raw(sea_orm::Statement::from_sql_and_values(
            db.get_database_backend(),
            match db.get_database_backend() { sea_orm::DbBackend::Postgres => "UPDATE api_tokens SET expires_at = $1 WHERE id = $2", _ => "UPDATE api_tokens SET expires_at = ? WHERE id = ?" },
            [chrono::Utc::now().into(), uuid::Uuid::parse_str(id).unwrap().into()],
        )).await.unwrap();
        let r = app.with_token(Method::GET, "/api/me", &expiring, None).await;
        assert_eq!(problem(r, 401).await["detail"], "this API token has expired");

        let revoked_id = revoked.split('|').next().unwrap();
        let r = app.client.delete(app.url(&format!("/api/tokens/{revoked_id}"))).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        problem(app.with_token(Method::GET, "/api/me", &revoked, None).await, 401).await;

        let forged = format!("{revoked_id}|crln_not-the-secret");
        problem(app.with_token(Method::GET, "/api/me", &forged, None).await, 401).await;
        problem(app.with_token(Method::GET, "/api/me", "garbage", None).await, 401).await;
    }

    async fn token_input_is_validated(app) {
        app.signup("ada@example.org").await;
        let r = app.post("/api/tokens", &json!({"name": "x", "abilities": ["campaigns:delete"]})).await;
        let body = problem(r, 422).await;
        assert!(body["errors"]["abilities"].as_str().unwrap().contains("unknown ability `campaigns:delete`"));
        let r = app.post("/api/tokens", &json!({"name": "x", "abilities": []})).await;
        problem(r, 422).await;
        let r = app.post("/api/tokens", &json!({"name": "", "abilities": ["*"]})).await;
        assert!(problem(r, 422).await["errors"]["name"].is_string());
        let r = app.post("/api/tokens", &json!({"name": "x", "abilities": ["*"], "expires_at": "2001-01-01T00:00:00Z"})).await;
        assert!(problem(r, 422).await["errors"]["expires_at"].is_string());
    }

    async fn a_removed_member_loses_token_and_session(app) {
        app.signup("ada@example.org").await;
        let bob = app.invite_and_accept("bob@example.org", "contributor").await;
        let token = bob.create_token(&["*"]).await;
        let members: Value = app.get("/api/members").await.json().await.unwrap();
        let bob_id = members.as_array().unwrap().iter().find(|m| m["email"] == "bob@example.org").unwrap()["id"].as_str().unwrap().to_owned();
        let r = app.client.delete(app.url(&format!("/api/members/{bob_id}"))).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        problem(app.with_token(Method::GET, "/api/me", &token, None).await, 401).await;
        assert_eq!(bob.get("/api/me").await.status(), StatusCode::UNAUTHORIZED);
    }
}
