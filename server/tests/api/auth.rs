use crate::{both_backends, helpers::*};
use reqwest::{header, StatusCode};
use serde_json::{json, Value};

both_backends! {
    async fn signup_login_me(app) {
        let me = app.signup("ada@example.org").await;
        assert_eq!(me["user"]["email"], "ada@example.org");
        assert_eq!(me["organization"]["role"], "admin");
        assert_eq!(me["organization"]["organization_name"], "Org of ada@example.org");

        let other = app.browser();
        assert_eq!(other.get("/api/me").await.status(), StatusCode::UNAUTHORIZED);
        let r = other.post("/api/auth/login", &json!({"email": "ADA@example.org ", "password": PASSWORD})).await;
        assert_eq!(r.status(), StatusCode::OK);
        let me2 = other.me().await;
        assert_eq!(me2["user"]["id"], me["user"]["id"]);
        assert_eq!(me2["authenticated_via"], "session");
    }

    async fn wrong_password_is_401_without_session(app) {
        app.signup("ada@example.org").await;
        let other = app.browser();
        let r = other.post("/api/auth/login", &json!({"email": "ada@example.org", "password": "wrong password"})).await;
        assert!(session_cookie(&r).is_none(), "no session cookie on failure");
        let body = problem(r, 401).await;
        assert_eq!(body["detail"], "invalid email or password");
        assert_eq!(other.get("/api/me").await.status(), StatusCode::UNAUTHORIZED);
        // An unknown account gets the very same answer.
        let r = other.post("/api/auth/login", &json!({"email": "nobody@example.org", "password": "wrong password"})).await;
        assert_eq!(problem(r, 401).await["detail"], "invalid email or password");
    }

    async fn repeated_failures_are_throttled(app) {
        app.signup("ada@example.org").await;
        let other = app.browser();
        for _ in 0..5 {
            let r = other.post("/api/auth/login", &json!({"email": "ada@example.org", "password": "wrong password"})).await;
            assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        }
        // Locked: even the right password is refused for now.
        let r = other.post("/api/auth/login", &json!({"email": "ada@example.org", "password": PASSWORD})).await;
        let retry_after: u64 = r.headers()[header::RETRY_AFTER].to_str().unwrap().parse().unwrap();
        assert!((1..=900).contains(&retry_after), "{retry_after}");
        problem(r, 429).await;
        // Another account from the same address is not locked by one account's failures.
        app.other_user("bob@example.org").await;
        let r = app.browser().post("/api/auth/login", &json!({"email": "bob@example.org", "password": PASSWORD})).await;
        assert_eq!(r.status(), StatusCode::OK);
    }

    async fn session_id_changes_at_login(app) {
        let r = app.post("/api/auth/signup", &json!({"email": "ada@example.org", "password": PASSWORD, "organization": "Acme"})).await;
        let before = session_cookie(&r).expect("cookie after signup");
        let r = app.post("/api/auth/login", &json!({"email": "ada@example.org", "password": PASSWORD})).await;
        assert_eq!(r.status(), StatusCode::OK);
        let after = session_cookie(&r).expect("new cookie after login");
        assert_ne!(before, after);
        // The pre-login id is dead.
        let r = new_client().get(app.url("/api/me")).header(header::COOKIE, &before).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        let r = new_client().get(app.url("/api/me")).header(header::COOKIE, &after).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
    }

    async fn logout_invalidates_the_old_cookie(app) {
        let r = app.post("/api/auth/signup", &json!({"email": "ada@example.org", "password": PASSWORD, "organization": "Acme"})).await;
        let cookie = session_cookie(&r).expect("cookie");
        assert_eq!(app.post("/api/auth/logout", &json!({})).await.status(), StatusCode::NO_CONTENT);
        assert_eq!(app.get("/api/me").await.status(), StatusCode::UNAUTHORIZED);
        // Replaying the cookie captured before logout does not bring the session back.
        let r = new_client().get(app.url("/api/me")).header(header::COOKIE, &cookie).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }

    async fn cookies_are_http_only_and_same_site(app) {
        let r = app.post("/api/auth/signup", &json!({"email": "ada@example.org", "password": PASSWORD, "organization": "Acme"})).await;
        let set_cookie = r.headers()[header::SET_COOKIE].to_str().unwrap().to_owned();
        assert!(set_cookie.contains("HttpOnly"), "{set_cookie}");
        assert!(set_cookie.contains("SameSite=Lax"), "{set_cookie}");
    }

    async fn cross_origin_cookie_posts_are_refused(app) {
        app.signup("ada@example.org").await;
        let r = app.client.post(app.url("/api/tokens"))
            .header(header::ORIGIN, "https://evil.example")
            .json(&json!({"name": "x", "abilities": ["*"]}))
            .send().await.unwrap();
        problem(r, 403).await;
        let same = app.client.post(app.url("/api/tokens"))
            .header(header::ORIGIN, app.address.clone())
            .json(&json!({"name": "x", "abilities": ["*"]}))
            .send().await.unwrap();
        assert_eq!(same.status(), StatusCode::CREATED);
    }

    async fn a_user_can_switch_organizations(app) {
        let me = app.signup("ada@example.org").await;
        let bob = app.other_user("bob@example.org").await;
        let ada_in_bobs = bob.invite_and_accept("ada@example.org", "reader").await;
        let bob_org = bob.me().await["organization"]["organization_id"].clone();
        // Ada, in her own browser, now belongs to two organizations.
        let orgs = app.me().await["organizations"].as_array().unwrap().len();
        assert_eq!(orgs, 2);
        drop(ada_in_bobs);
        let r = app.post("/api/me/organization", &json!({"organization_id": bob_org})).await;
        assert_eq!(r.status(), StatusCode::OK);
        let now = app.me().await;
        assert_eq!(now["organization"]["organization_id"], bob_org);
        assert_eq!(now["organization"]["role"], "reader");
        assert_ne!(now["organization"]["organization_id"], me["organization"]["organization_id"]);
        // An organization she does not belong to does not exist for her.
        let r = app.post("/api/me/organization", &json!({"organization_id": uuid::Uuid::now_v7()})).await;
        problem(r, 404).await;
    }
}

/// Behind HTTPS the cookie is `Secure` and `__Host-` prefixed (one backend is enough: no
/// database behaviour is involved).
#[tokio::test]
async fn https_deployments_get_host_prefixed_secure_cookies() {
    let app = spawn_app(
        Backend::Sqlite,
        &[("CARILLON_PUBLIC_URL", "https://carillon.test")],
    )
    .await
    .expect("app");
    let r = app
        .post(
            "/api/auth/signup",
            &json!({"email": "ada@example.org", "password": PASSWORD, "organization": "Acme"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let set_cookie = r.headers()[header::SET_COOKIE].to_str().unwrap().to_owned();
    assert!(
        set_cookie.starts_with("__Host-carillon_session="),
        "{set_cookie}"
    );
    assert!(
        set_cookie.contains("Secure")
            && set_cookie.contains("HttpOnly")
            && set_cookie.contains("Path=/"),
        "{set_cookie}"
    );
    assert!(!set_cookie.contains("Domain"), "{set_cookie}");
}

both_backends! {
    async fn parallel_guesses_cannot_outrun_the_throttle(app) {
        app.signup("ada@example.org").await;
        let guesses = (0..60).map(|i| {
            let other = app.browser();
            async move {
                other.post("/api/auth/login", &json!({"email": "ada@example.org", "password": format!("wrong password {i}")})).await.status()
            }
        });
        let statuses = futures_util::future::join_all(guesses).await;
        let unauthorized = statuses.iter().filter(|s| **s == StatusCode::UNAUTHORIZED).count();
        let throttled = statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count();
        assert_eq!((unauthorized, throttled), (5, 55), "at most the limit is ever verified");
    }

    async fn invitation_passwords_are_throttled_like_logins(app) {
        app.signup("ada@example.org").await;
        app.other_user("bob@example.org").await;
        let r = app.post("/api/invitations", &json!({"email": "bob@example.org", "role": "reader"})).await;
        let created: Value = r.json().await.unwrap();
        let token = created["accept_url"].as_str().unwrap().rsplit('/').next().unwrap().to_owned();
        let guesses = (0..20).map(|i| {
            let other = app.browser();
            let token = token.clone();
            async move {
                other.post("/api/invitations/accept", &json!({"token": token, "password": format!("wrong password {i}")})).await.status()
            }
        });
        let statuses = futures_util::future::join_all(guesses).await;
        let wrong = statuses.iter().filter(|s| **s == StatusCode::UNPROCESSABLE_ENTITY).count();
        assert_eq!(wrong, 5, "{statuses:?}");
        assert!(statuses.iter().all(|s| [StatusCode::UNPROCESSABLE_ENTITY, StatusCode::TOO_MANY_REQUESTS].contains(s)));
    }
}

/// Sign-ups are counted per client address.
#[tokio::test]
async fn signups_are_throttled_per_address() {
    let app = spawn_app(Backend::Sqlite, &[("CARILLON_SIGNUP_MAX_PER_IP", "3")])
        .await
        .expect("app");
    for i in 0..3 {
        app.browser().signup(&format!("user{i}@example.org")).await;
    }
    let r = app
        .browser()
        .post(
            "/api/auth/signup",
            &json!({"email": "one.more@example.org", "password": PASSWORD, "organization": "More"}),
        )
        .await;
    assert!(r.headers().contains_key(header::RETRY_AFTER));
    problem(r, 429).await;
}
