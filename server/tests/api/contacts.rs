use crate::{both_backends, helpers::*};
use reqwest::{Method, Response, StatusCode};
use sea_orm::{ConnectionTrait, Database, DbBackend, Statement};
use serde_json::{json, Value};

pub async fn send(app: &TestApp, method: Method, path: &str, body: Option<&Value>) -> Response {
    let mut req = app.client.request(method, app.url(path));
    if let Some(b) = body {
        req = req.json(b);
    }
    req.send().await.expect("request")
}

pub async fn create_contact(app: &TestApp, body: Value) -> Value {
    let r = app.post("/api/contacts", &body).await;
    assert_eq!(r.status(), StatusCode::CREATED, "create {body}");
    r.json().await.unwrap()
}

async fn page(app: &TestApp, query: &str) -> Value {
    let r = app.get(&format!("/api/contacts?{query}")).await;
    assert_eq!(r.status(), StatusCode::OK, "{query}");
    r.json().await.unwrap()
}

fn emails(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["email"].as_str().unwrap_or("").to_owned())
        .collect()
}

/// Every value of every column of every table, as text.
pub async fn all_database_text(app: &TestApp) -> String {
    let db = Database::connect(&app.database_url).await.unwrap();
    let backend = db.get_database_backend();
    let (tables_sql, columns_sql) = match backend {
        DbBackend::Sqlite => ("SELECT name AS t FROM sqlite_master WHERE type = 'table'", "SELECT name AS c FROM pragma_table_info($1)"),
        _ => (
            "SELECT table_name::text AS t FROM information_schema.tables WHERE table_schema = 'public'",
            "SELECT column_name::text AS c FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1",
        ),
    };
    let mut out = String::new();
    let tables = db
        .query_all_raw(Statement::from_string(backend, tables_sql))
        .await
        .unwrap();
    assert!(tables.len() >= 10, "found the tables");
    for t in tables {
        let table: String = t.try_get("", "t").unwrap();
        let cols = db
            .query_all_raw(Statement::from_sql_and_values(
                backend,
                columns_sql,
                [table.clone().into()],
            ))
            .await
            .unwrap();
        for c in cols {
            let col: String = c.try_get("", "c").unwrap();
            // SQLite keeps UUIDs as blobs: hex them (they are not text to search anyway).
            let sql = match backend {
                DbBackend::Sqlite => format!("SELECT CASE WHEN typeof(\"{col}\") = 'blob' THEN hex(\"{col}\") ELSE CAST(\"{col}\" AS TEXT) END AS v FROM \"{table}\""),
                _ => format!("SELECT CAST(\"{col}\" AS TEXT) AS v FROM \"{table}\""),
            };
            for row in db
                .query_all_raw(Statement::from_string(backend, sql))
                .await
                .unwrap()
            {
                let v: Option<String> = row.try_get("", "v").unwrap();
                out.push_str(&v.unwrap_or_default());
                out.push('\n');
            }
        }
    }
    out
}

both_backends! {
    async fn crud_through_the_api(app) {
        app.signup("ada@example.org").await;
        let c = create_contact(&app, json!({
            "email": " Grace@Example.ORG ", "phone": "06 12 34 56 78", "first_name": "Grace", "last_name": "Hopper",
            "locale": "fr_FR", "time_zone": "Europe/Paris", "attributes": {"plan": "gold", "seats": 3},
            "consents": {"email": "granted", "sms": "withdrawn"}
        })).await;
        assert_eq!(c["email"], "grace@example.org");
        assert_eq!(c["phone"], "+33612345678", "national format read with the organization's region (FR)");
        assert_eq!(c["locale"], "fr-FR");
        assert_eq!(c["attributes"], json!({"plan": "gold", "seats": 3}));
        let consent = |c: &Value, ch: &str| c["consents"].as_array().unwrap().iter().find(|x| x["channel"] == ch).unwrap()["state"].clone();
        assert_eq!((consent(&c, "email"), consent(&c, "sms"), consent(&c, "push")), (json!("granted"), json!("withdrawn"), json!("unknown")));
        let id = c["id"].as_str().unwrap();

        let got: Value = app.get(&format!("/api/contacts/{id}")).await.json().await.unwrap();
        assert_eq!(got, c);

        let r = send(&app, Method::PATCH, &format!("/api/contacts/{id}"), Some(&json!({
            "first_name": "Amazing Grace", "phone": null, "attributes": {"plan": null, "team": "navy"}, "consents": {"push": "granted"}
        }))).await;
        assert_eq!(r.status(), StatusCode::OK);
        let patched: Value = r.json().await.unwrap();
        assert_eq!(patched["first_name"], "Amazing Grace");
        assert_eq!(patched["last_name"], "Hopper", "absent fields are kept");
        assert_eq!(patched["phone"], Value::Null, "null clears");
        assert_eq!(patched["attributes"], json!({"seats": 3, "team": "navy"}));
        assert_eq!(consent(&patched, "push"), "granted");
        assert_eq!(consent(&patched, "email"), "granted");

        // A contact keeps at least one of email and phone.
        let r = send(&app, Method::PATCH, &format!("/api/contacts/{id}"), Some(&json!({"email": ""}))).await;
        problem(r, 422).await;

        assert_eq!(send(&app, Method::DELETE, &format!("/api/contacts/{id}"), None).await.status(), StatusCode::NO_CONTENT);
        problem(app.get(&format!("/api/contacts/{id}")).await, 404).await;
        problem(send(&app, Method::DELETE, &format!("/api/contacts/{id}"), None).await, 404).await;
    }

    async fn validation_errors_name_their_fields(app) {
        app.signup("ada@example.org").await;
        let body = problem(app.post("/api/contacts", &json!({"first_name": "Nobody"})).await, 422).await;
        assert!(body["errors"]["email"].is_string() && body["errors"]["phone"].is_string(), "{body}");
        let body = problem(app.post("/api/contacts", &json!({"email": "not-an-email", "phone": "12", "time_zone": "Mars/Base", "locale": "!!"})).await, 422).await;
        for f in ["email", "phone", "time_zone", "locale"] {
            assert!(body["errors"][f].is_string(), "{f}: {body}");
        }
        assert!(!body.to_string().contains("not-an-email"), "messages don't echo personal data");
        create_contact(&app, json!({"email": "grace@example.org", "phone": "+33612345678"})).await;
        let body = problem(app.post("/api/contacts", &json!({"email": "GRACE@example.org"})).await, 422).await;
        assert!(body["errors"]["email"].as_str().unwrap().contains("already"), "{body}");
        let body = problem(app.post("/api/contacts", &json!({"phone": "06 12 34 56 78"})).await, 422).await;
        assert!(body["errors"]["phone"].is_string(), "{body}");
        problem(app.post("/api/contacts", &json!({"email": "x@example.org", "colour": "blue"})).await, 422).await;
    }

    async fn pagination_search_and_sorting(app) {
        app.signup("ada@example.org").await;
        for i in 0..23 {
            create_contact(&app, json!({"email": format!("c{i:02}@example.org"), "last_name": format!("Name{:02}", 22 - i)})).await;
        }
        create_contact(&app, json!({"phone": "+33 7 81 23 45 67", "first_name": "Zoé", "last_name": "Zulu_100%"})).await;
        let p = page(&app, "page=2&per_page=10").await;
        assert_eq!((p["page"].as_u64(), p["per_page"].as_u64(), p["total"].as_u64()), (Some(2), Some(10), Some(24)));
        assert_eq!(p["items"].as_array().unwrap().len(), 10);
        let last = page(&app, "page=3&per_page=10").await;
        assert_eq!(last["items"].as_array().unwrap().len(), 4);
        // Default: newest first.
        assert_eq!(page(&app, "per_page=1").await["items"][0]["first_name"], "Zoé");
        assert_eq!(emails(&page(&app, "per_page=2&sort=created_at").await), ["c00@example.org", "c01@example.org"]);
        assert_eq!(emails(&page(&app, "per_page=2&sort=name").await), ["c22@example.org", "c21@example.org"]);
        assert_eq!(page(&app, "per_page=1&sort=-name").await["items"][0]["first_name"], "Zoé");
        let body = problem(app.get("/api/contacts?sort=email").await, 422).await;
        assert!(body["errors"]["sort"].is_string());
        problem(app.get("/api/contacts?per_page=500").await, 422).await;
        problem(app.get("/api/contacts?list_id=nope").await, 422).await;

        // Email search: exact, after normalization, through the blind index.
        let p = page(&app, "q=%20C07@EXAMPLE.org").await;
        assert_eq!((p["total"].as_u64(), emails(&p)), (Some(1), vec!["c07@example.org".to_owned()]));
        assert_eq!(page(&app, "q=c07@example.or").await["total"], 0, "no partial matches on encrypted data");
        // Phone search in national format.
        let p = page(&app, "q=07%2081%2023%2045%2067").await;
        assert_eq!((p["total"].as_u64(), p["items"][0]["phone"].as_str()), (Some(1), Some("+33781234567")));
        // Names: case-insensitive substring, LIKE wildcards taken literally.
        assert_eq!(page(&app, "q=name1").await["total"], 10);
        assert_eq!(page(&app, "q=zoé%20zulu").await["total"], 1);
        assert_eq!(page(&app, "q=_100%25").await["total"], 1);
        assert_eq!(page(&app, "q=%25").await["total"], 1);
    }

    async fn sessions_keep_no_readable_secret_or_typed_value(app) {
        let browser = app.browser();
        let r = browser.client.post(app.url("/api/auth/signup"))
            .json(&json!({"email": "ada@example.org", "password": crate::helpers::PASSWORD, "organization": "Acme"}))
            .send().await.unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let cookie = crate::helpers::session_cookie(&r).expect("a session cookie");
        let id = cookie.split_once('=').unwrap().1.to_owned();
        // A plain-form save that the server refuses keeps the typed fields in the session
        // for the page that shows them again.
        let r = browser.client.post(app.url("/api/fn/save_contact"))
            .header("accept", "text/html")
            .form(&[("email", "typed.person@flash-domain.org"), ("phone", "not a phone")])
            .send().await.unwrap();
        assert!(r.status().is_redirection() || r.status().is_client_error(), "{}", r.status());
        let text = all_database_text(&app).await;
        assert!(!text.contains("flash-domain"), "the flashed form is encrypted");
        assert!(!text.contains(&id), "the session id is stored only as a hash");
        // The session still works, and the form comes back with what was typed.
        let me = browser.client.get(app.url("/api/me")).send().await.unwrap();
        assert_eq!(me.status(), StatusCode::OK);
        let page = browser.client.get(app.url("/contacts/new")).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("typed.person@flash-domain.org"), "the flash was stored and read back");
    }

    async fn no_plaintext_email_or_phone_in_the_database(app) {
        app.signup("ada@example.org").await;
        create_contact(&app, json!({"email": "secret.person@hidden-domain.org", "phone": "06 98 76 54 32", "first_name": "Visible"})).await;
        let csv = "email,phone\nimported.person@other-hidden.org,+33 6 11 22 33 44\n";
        let import = crate::imports::import_csv(&app, csv.as_bytes(), json!({"email": "email", "phone": "phone"})).await;
        assert_eq!(import["created"], 1);
        let text = all_database_text(&app).await;
        assert!(text.contains("Visible"), "the scan reads the contacts table");
        for needle in ["secret.person", "hidden-domain", "imported.person", "other-hidden", "698765432", "611223344"] {
            assert!(!text.contains(needle), "{needle} found in the database");
        }
        if let Some(path) = app.database_url.strip_prefix("sqlite://").map(|p| p.split('?').next().unwrap().to_owned()) {
            let mut raw = Vec::new();
            for suffix in ["", "-wal", "-shm"] {
                raw.extend(std::fs::read(format!("{path}{suffix}")).unwrap_or_default());
            }
            assert!(raw.windows(7).any(|w| w == b"Visible"), "the raw scan sees plain columns");
            for needle in ["secret.person", "hidden-domain", "imported.person", "698765432", "611223344"] {
                assert!(!raw.windows(needle.len()).any(|w| w == needle.as_bytes()), "{needle} in the SQLite file");
            }
        }
    }
}

/// Equal addresses in two organizations get unrelated blind indexes; contacts indexed
/// the old way are re-indexed when a server starts, and found again.
async fn blind_indexes_are_per_organization_and_old_ones_are_redone(backend: Backend) {
    use sea_orm::{ConnectionTrait, Database, Statement};
    let Some(app) = spawn_app(backend, &[]).await else {
        return eprintln!("skipped: TEST_DATABASE_URL is not set");
    };
    app.signup("ada@example.org").await;
    let other = app.other_user("bob@example.org").await;
    let mine = create_contact(
        &app,
        json!({"email": "same@example.org", "phone": "+33612345678"}),
    )
    .await;
    create_contact(
        &other,
        json!({"email": "same@example.org", "phone": "+33612345678"}),
    )
    .await;

    let db = Database::connect(&app.database_url).await.unwrap();
    let backend_kind = db.get_database_backend();
    let indexes = || async {
        db.query_all_raw(Statement::from_string(
            backend_kind,
            "SELECT email_index, phone_index, index_version FROM contacts ORDER BY created_at",
        ))
        .await
        .unwrap()
        .iter()
        .map(|r| {
            (
                r.try_get::<String>("", "email_index").unwrap(),
                r.try_get::<String>("", "phone_index").unwrap(),
                r.try_get::<i32>("", "index_version").unwrap(),
            )
        })
        .collect::<Vec<_>>()
    };
    let before = indexes().await;
    assert_eq!(before.len(), 2);
    assert_ne!(
        before[0].0, before[1].0,
        "the same email, two organizations"
    );
    assert_ne!(
        before[0].1, before[1].1,
        "the same phone, two organizations"
    );

    // The state an older version left: other indexes, version 1.
    db.execute_unprepared("UPDATE contacts SET email_index = upper(email_index), phone_index = upper(phone_index), index_version = 1")
        .await
        .unwrap();
    let page: Value = app
        .get("/api/contacts?q=same@example.org")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["total"], 0, "not found under the old indexes");

    // A server starting on this database re-indexes before it answers.
    app.another_instance().await;
    assert_eq!(
        indexes().await,
        before,
        "the same indexes as written fresh, version 2"
    );
    for query in ["same@example.org", "06 12 34 56 78"] {
        let page: Value = app
            .get(&format!("/api/contacts?q={}", query.replace(' ', "%20")))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(page["items"][0]["id"], mine["id"], "{query}");
    }
}

mod per_organization_indexes {
    use super::*;

    #[tokio::test]
    async fn sqlite() {
        blind_indexes_are_per_organization_and_old_ones_are_redone(Backend::Sqlite).await
    }

    #[tokio::test]
    async fn postgres() {
        blind_indexes_are_per_organization_and_old_ones_are_redone(Backend::Postgres).await
    }
}
