use crate::{both_backends, helpers::*};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn invite(app: &TestApp, email: &str, role: &str) -> String {
    let r = app
        .post("/api/invitations", &json!({"email": email, "role": role}))
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let created: Value = r.json().await.unwrap();
    assert_eq!(created["invitation"]["role"], role);
    let url = created["accept_url"].as_str().unwrap();
    assert!(
        url.starts_with(&format!("{}/invite/inv_", app.address)),
        "{url}"
    );
    url.rsplit('/').next().unwrap().to_owned()
}

both_backends! {
    async fn an_invitation_is_accepted_once(app) {
        let ada = app.signup("ada@example.org").await;
        let token = invite(&app, "Bob@Example.org", "contributor").await;
        let pending: Value = app.get("/api/invitations").await.json().await.unwrap();
        assert_eq!(pending[0]["email"], "bob@example.org");

        let bob = app.browser();
        let r = bob.post("/api/invitations/accept", &json!({"token": token, "password": "short"})).await;
        assert!(problem(r, 422).await["errors"]["password"].is_string());
        let r = bob.post("/api/invitations/accept", &json!({"token": token, "password": PASSWORD})).await;
        assert_eq!(r.status(), StatusCode::OK);
        let me: Value = r.json().await.unwrap();
        assert_eq!(me["user"]["email"], "bob@example.org");
        assert_eq!(me["organization"]["organization_id"], ada["organization"]["organization_id"]);
        assert_eq!(me["organization"]["role"], "contributor");
        assert_eq!(bob.me().await["user"]["email"], "bob@example.org", "signed in by accepting");

        let members: Value = app.get("/api/members").await.json().await.unwrap();
        assert_eq!(members.as_array().unwrap().len(), 2);
        let pending: Value = app.get("/api/invitations").await.json().await.unwrap();
        assert_eq!(pending.as_array().unwrap().len(), 0);

        // Single use.
        let r = app.browser().post("/api/invitations/accept", &json!({"token": token, "password": PASSWORD})).await;
        problem(r, 404).await;
    }

    async fn an_existing_account_proves_its_password(app) {
        app.signup("ada@example.org").await;
        let bob = app.other_user("bob@example.org").await;
        drop(bob);
        let token = invite(&app, "bob@example.org", "reader").await;
        let r = app.browser().post("/api/invitations/accept", &json!({"token": token, "password": "not his password"})).await;
        assert!(problem(r, 422).await["errors"]["password"].is_string());
        let r = app.browser().post("/api/invitations/accept", &json!({"token": token, "password": PASSWORD})).await;
        assert_eq!(r.status(), StatusCode::OK);
        let me: Value = r.json().await.unwrap();
        assert_eq!(me["organizations"].as_array().unwrap().len(), 2);
    }

    async fn unknown_revoked_and_bad_invitations(app) {
        app.signup("ada@example.org").await;
        let r = app.browser().post("/api/invitations/accept", &json!({"token": "inv_nope", "password": PASSWORD})).await;
        problem(r, 404).await;
        let token = invite(&app, "bob@example.org", "reader").await;
        let pending: Value = app.get("/api/invitations").await.json().await.unwrap();
        let id = pending[0]["id"].as_str().unwrap();
        let r = app.client.delete(app.url(&format!("/api/invitations/{id}"))).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        let r = app.browser().post("/api/invitations/accept", &json!({"token": token, "password": PASSWORD})).await;
        problem(r, 404).await;

        let r = app.post("/api/invitations", &json!({"email": "not-an-email", "role": "reader"})).await;
        assert!(problem(r, 422).await["errors"]["email"].is_string());
        let r = app.post("/api/invitations", &json!({"email": "ada@example.org", "role": "reader"})).await;
        assert_eq!(problem(r, 422).await["errors"]["email"], "this address is already a member");
        let r = app.post("/api/invitations", &json!({"email": "x@example.org", "role": "superuser"})).await;
        problem(r, 422).await;
    }
}
