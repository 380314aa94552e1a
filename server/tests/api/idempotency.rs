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

/// The rows of the idempotency table, as a dump would show them.
async fn stored_bodies(app: &TestApp) -> String {
    use sea_orm::{ConnectionTrait, Database, Statement};
    let db = Database::connect(&app.database_url).await.unwrap();
    let backend = db.get_database_backend();
    let rows = db
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT body FROM idempotency_keys",
        ))
        .await
        .unwrap();
    rows.iter()
        .map(|r| {
            r.try_get::<Option<String>>("", "body")
                .unwrap()
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

both_backends! {
    async fn stored_responses_hold_no_secret_and_replay_only_to_their_credential(app) {
        app.signup("ada@example.org").await;
        let token_body = json!({"name": "CI", "abilities": ["campaigns:read"]});
        let first = app.client.post(app.url("/api/tokens")).header("Idempotency-Key", "t-1").json(&token_body).send().await.unwrap();
        assert_eq!(first.status(), StatusCode::CREATED);
        let secret = first.json::<Value>().await.unwrap()["plain_text_token"].as_str().unwrap().to_owned();
        let invite = app.client.post(app.url("/api/invitations")).header("Idempotency-Key", "i-1").json(&json!({"email": "eve@example.org", "role": "admin"})).send().await.unwrap();
        let link = invite.json::<Value>().await.unwrap()["accept_url"].as_str().unwrap().to_owned();
        let dump = stored_bodies(&app).await;
        assert!(!dump.is_empty());
        assert!(!dump.contains(&secret) && !dump.contains(secret.split('|').nth(1).unwrap()), "a token secret in plaintext");
        assert!(!dump.contains(link.rsplit('/').next().unwrap()), "an invitation link in plaintext");

        // The same session gets the replay.
        let again = app.client.post(app.url("/api/tokens")).header("Idempotency-Key", "t-1").json(&token_body).send().await.unwrap();
        assert_eq!(again.headers()["idempotent-replayed"], "true");
        assert_eq!(again.json::<Value>().await.unwrap()["plain_text_token"], secret.as_str());

        // The same user through another credential does not.
        let token = app.create_token(&["*"]).await;
        let other = new_client().post(app.url("/api/tokens")).bearer_auth(&token).header("Idempotency-Key", "t-1").json(&token_body).send().await.unwrap();
        assert!(problem(other, 422).await["detail"].as_str().unwrap().contains("another session or token"));
        let second_browser = app.browser();
        second_browser.post("/api/auth/login", &json!({"email": "ada@example.org", "password": PASSWORD})).await;
        let other = second_browser.client.post(app.url("/api/tokens")).header("Idempotency-Key", "t-1").json(&token_body).send().await.unwrap();
        problem(other, 422).await;
    }

    async fn a_replay_needs_the_authorization_of_the_first_call(app) {
        app.signup("ada@example.org").await;
        let carl = app.invite_and_accept("carl@example.org", "admin").await;
        let body = json!({"email": "eve@example.org", "role": "admin"});
        let first = carl.client.post(carl.url("/api/invitations")).header("Idempotency-Key", "inv").json(&body).send().await.unwrap();
        assert_eq!(first.status(), StatusCode::CREATED);
        let members: Value = app.get("/api/members").await.json().await.unwrap();
        let carl_id = members.as_array().unwrap().iter().find(|m| m["email"] == "carl@example.org").unwrap()["id"].as_str().unwrap().to_owned();
        let r = app.client.patch(app.url(&format!("/api/members/{carl_id}"))).json(&json!({"role": "reader"})).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        // Demoted, Carl does not get the admin-only response (and its link) back.
        let again = carl.client.post(carl.url("/api/invitations")).header("Idempotency-Key", "inv").json(&body).send().await.unwrap();
        assert!(!again.headers().contains_key("idempotent-replayed"));
        problem(again, 422).await;
    }

    async fn uploads_are_keyed_on_their_content(app) {
        app.signup("ada@example.org").await;
        let upload = |csv: &'static str| {
            let form = reqwest::multipart::Form::new()
                .part("file", reqwest::multipart::Part::bytes(csv.as_bytes().to_vec()).file_name("c.csv").mime_str("text/csv").unwrap())
                .text("mapping", json!({"email": "email"}).to_string());
            app.client.post(app.url("/api/contacts/import")).header("Idempotency-Key", "up-1").multipart(form).send()
        };
        let first = upload("email\na@example.org\n").await.unwrap();
        assert_eq!(first.status(), StatusCode::CREATED);
        let first: Value = first.json().await.unwrap();
        let same = upload("email\na@example.org\n").await.unwrap();
        assert_eq!(same.headers()["idempotent-replayed"], "true", "a new boundary, the same parts");
        assert_eq!(same.json::<Value>().await.unwrap()["id"], first["id"]);
        let different = upload("email\nb@example.org\n").await.unwrap();
        assert!(problem(different, 422).await["detail"].as_str().unwrap().contains("different request"));
    }

    async fn an_upload_that_breaks_off_releases_its_key(app) {
        app.signup("ada@example.org").await;
        // A client that announces 100 kB, sends a little, and goes away.
        let cookie = app.client.get(app.url("/api/me")).send().await.unwrap();
        assert_eq!(cookie.status(), StatusCode::OK);
        let session = app
            .client
            .post(app.url("/api/auth/login"))
            .json(&json!({"email": "ada@example.org", "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        let cookie = session_cookie(&session).expect("session cookie");
        let address = app.address.trim_start_matches("http://").to_owned();
        let mut socket = tokio::net::TcpStream::connect(&address).await.unwrap();
        let head = format!(
            "POST /api/contacts/import HTTP/1.1\r\nHost: {address}\r\nCookie: {cookie}\r\nOrigin: {}\r\nIdempotency-Key: up-2\r\nContent-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: 100000\r\n\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"c.csv\"\r\nContent-Type: text/csv\r\n\r\nemail\na@example.org\n",
            app.address
        );
        tokio::io::AsyncWriteExt::write_all(&mut socket, head.as_bytes()).await.unwrap();
        tokio::io::AsyncWriteExt::shutdown(&mut socket).await.unwrap();
        let mut answer = Vec::new();
        tokio::io::AsyncReadExt::read_to_end(&mut socket, &mut answer).await.unwrap();
        drop(socket);
        // Not replayed and not stuck "in progress": the retry runs.
        let form = reqwest::multipart::Form::new()
            .part("file", reqwest::multipart::Part::bytes(b"email\na@example.org\n".to_vec()).file_name("c.csv").mime_str("text/csv").unwrap())
            .text("mapping", json!({"email": "email"}).to_string());
        let retry = app.client.post(app.url("/api/contacts/import")).header("Idempotency-Key", "up-2").multipart(form).send().await.unwrap();
        let status = retry.status();
        assert_eq!(status, StatusCode::CREATED, "{}\n{}", String::from_utf8_lossy(&answer), retry.text().await.unwrap());
    }
}
