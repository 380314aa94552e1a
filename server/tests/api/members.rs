use crate::{both_backends, helpers::*};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn member_id(app: &TestApp, email: &str) -> String {
    let members: Value = app.get("/api/members").await.json().await.unwrap();
    members
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["email"] == email)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

both_backends! {
    async fn a_reader_cannot_invite_or_manage(app) {
        app.signup("ada@example.org").await;
        let reader = app.invite_and_accept("rita@example.org", "reader").await;
        let members: Value = reader.get("/api/members").await.json().await.unwrap();
        assert_eq!(members.as_array().unwrap().len(), 2, "readers can see the members");
        let r = reader.post("/api/invitations", &json!({"email": "eve@example.org", "role": "admin"})).await;
        problem(r, 403).await;
        let ada = member_id(&app, "ada@example.org").await;
        let r = reader.client.patch(reader.url(&format!("/api/members/{ada}"))).json(&json!({"role": "reader"})).send().await.unwrap();
        problem(r, 403).await;
        let r = reader.client.delete(reader.url(&format!("/api/members/{ada}"))).send().await.unwrap();
        problem(r, 403).await;
    }

    async fn other_organizations_are_404(app) {
        app.signup("ada@example.org").await;
        let bob = app.other_user("bob@example.org").await;
        let bob_member = member_id(&bob, "bob@example.org").await;
        let bob_token = bob.create_token(&["*"]).await;
        let bob_token_id = bob_token.split('|').next().unwrap();

        let r = app.client.patch(app.url(&format!("/api/members/{bob_member}"))).json(&json!({"role": "reader"})).send().await.unwrap();
        problem(r, 404).await;
        let r = app.client.delete(app.url(&format!("/api/members/{bob_member}"))).send().await.unwrap();
        problem(r, 404).await;
        let r = app.client.delete(app.url(&format!("/api/tokens/{bob_token_id}"))).send().await.unwrap();
        problem(r, 404).await;
        let members: Value = app.get("/api/members").await.json().await.unwrap();
        assert!(!members.to_string().contains("bob@example.org"));
        let tokens: Value = app.get("/api/tokens?all=true").await.json().await.unwrap();
        assert_eq!(tokens.as_array().unwrap().len(), 0);
        // Bob's token still works: nothing was touched.
        assert_eq!(app.with_token(Method::GET, "/api/me", &bob_token, None).await.status(), StatusCode::OK);
        // Non-UUID ids cannot exist either.
        problem(app.client.delete(app.url("/api/members/42")).send().await.unwrap(), 404).await;
    }

    async fn the_last_admin_cannot_leave(app) {
        app.signup("ada@example.org").await;
        let ada = member_id(&app, "ada@example.org").await;
        let r = app.client.delete(app.url(&format!("/api/members/{ada}"))).send().await.unwrap();
        problem(r, 409).await;
        let r = app.client.patch(app.url(&format!("/api/members/{ada}"))).json(&json!({"role": "contributor"})).send().await.unwrap();
        problem(r, 409).await;

        // With a second admin, demoting the first works.
        let bob_browser = app.invite_and_accept("bob@example.org", "admin").await;
        let r = app.client.patch(app.url(&format!("/api/members/{ada}"))).json(&json!({"role": "contributor"})).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let updated: Value = r.json().await.unwrap();
        assert_eq!(updated["role"], "contributor");
        // ...and now Bob is the last admin.
        let bob = member_id(&app, "bob@example.org").await;
        let r = bob_browser.client.delete(bob_browser.url(&format!("/api/members/{bob}"))).send().await.unwrap();
        problem(r, 409).await;
    }

    async fn role_changes_apply_to_the_next_request(app) {
        app.signup("ada@example.org").await;
        let carl = app.invite_and_accept("carl@example.org", "contributor").await;
        assert_eq!(carl.me().await["organization"]["role"], "contributor");
        let id = member_id(&app, "carl@example.org").await;
        let r = app.client.patch(app.url(&format!("/api/members/{id}"))).json(&json!({"role": "reader"})).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(carl.me().await["organization"]["role"], "reader");
        let r = app.client.patch(app.url(&format!("/api/members/{id}"))).json(&json!({"role": "owner"})).send().await.unwrap();
        problem(r, 422).await;
    }
}

/// Invites `email` as admin from `app`'s user; returns the link's token.
async fn pending_admin_invitation(app: &TestApp, email: &str) -> String {
    let r = app
        .post(
            "/api/invitations",
            &json!({"email": email, "role": "admin"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let created: Value = r.json().await.unwrap();
    created["accept_url"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned()
}

both_backends! {
    async fn a_demoted_or_removed_admin_loses_the_invitations_they_issued(app) {
        app.signup("ada@example.org").await;
        let bob = app.invite_and_accept("bob@example.org", "admin").await;
        let carl = app.invite_and_accept("carl@example.org", "admin").await;
        let from_bob = pending_admin_invitation(&bob, "bob.other@example.org").await;
        let from_carl = pending_admin_invitation(&carl, "carl.other@example.org").await;
        let from_ada = pending_admin_invitation(&app, "dora@example.org").await;

        let bob_id = member_id(&app, "bob@example.org").await;
        let r = app.client.patch(app.url(&format!("/api/members/{bob_id}"))).json(&json!({"role": "contributor"})).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let carl_id = member_id(&app, "carl@example.org").await;
        let r = app.client.delete(app.url(&format!("/api/members/{carl_id}"))).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NO_CONTENT);

        // Neither can come back as admin through an invitation they issued.
        for token in [&from_bob, &from_carl] {
            let r = app.browser().post("/api/invitations/accept", &json!({"token": token, "password": PASSWORD})).await;
            problem(r, 404).await;
        }
        let pending: Value = app.get("/api/invitations").await.json().await.unwrap();
        let emails: Vec<&str> = pending.as_array().unwrap().iter().map(|i| i["email"].as_str().unwrap()).collect();
        assert_eq!(emails, ["dora@example.org"], "the other admin's invitations stay");
        let r = app.browser().post("/api/invitations/accept", &json!({"token": from_ada, "password": PASSWORD})).await;
        assert_eq!(r.status(), StatusCode::OK);
    }
}
