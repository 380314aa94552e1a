//! Master key rotation: a new key beside the old one, lazy re-encryption on write, and
//! `carillon rekey`, interrupted and resumed.

use crate::{
    both_backends,
    contacts::{all_database_text, create_contact, send},
    helpers::*,
    sending::{list_of, use_smtp},
    smtp_server::SmtpServer,
};
use carillon::{
    crypto::Cipher,
    keys::{progress::Progress, rekey},
    startup::Application,
};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::ops::ControlFlow;

fn new_key() -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(uuid::Uuid::new_v4().as_bytes().repeat(2))
}

fn key_id(key: &str) -> String {
    Cipher::new(&carillon::crypto::load_or_create(Some(key), None).unwrap())
        .key_id()
        .to_owned()
}

/// Serves `instance` beside the test's own; its address.
fn serve(instance: Application) -> String {
    let address = format!("http://{}", instance.local_addr().unwrap());
    tokio::spawn(instance.run_until_stopped());
    address
}

/// Stops the run after `batches` batches, as Ctrl-C (or a crash) between two would.
struct StopAfter {
    batches: usize,
    started: Vec<String>,
}

impl Progress for StopAfter {
    fn start(&mut self, what: &str, _total: u64) {
        self.started.push(what.to_owned());
    }
    fn advance(&mut self, _done: u64) -> ControlFlow<()> {
        self.batches = self.batches.saturating_sub(1);
        if self.batches == 0 {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    }
    fn finish(&mut self, _what: &str, _resealed: u64, _unreadable: u64) {}
}

/// Values sealed under master key `id`, anywhere in the database.
async fn sealed_under(app: &TestApp, id: &str) -> usize {
    all_database_text(app)
        .await
        .matches(&format!("v1.{id}."))
        .count()
}

/// Something in every place the master key seals: a session, audit lines, channel
/// secrets, contacts (one written before data keys), consents, a sign-up, an
/// idempotency record. The ids of Ada and of the older contact.
async fn fill(app: &TestApp, smtp: &SmtpServer) -> (String, String) {
    use carillon::{contacts::normalize::EMAIL, db::entities::contact};
    use sea_orm::{ActiveModelTrait, EntityTrait, Set};
    app.signup("admin@example.org").await;
    use_smtp(
        app,
        smtp,
        json!({"from_email": "news@acme.test", "username": "acme", "password": "s3cret"}),
    )
    .await;
    let ada = create_contact(
        app,
        json!({"email": "ada@x.org", "first_name": "Ada", "consents": {"email": "granted"}}),
    )
    .await;
    let (list, ids) = list_of(
        app,
        "News",
        &[json!({"email": "old@x.org", "first_name": "Old", "consents": {"email": "granted"}})],
    )
    .await;
    // As an older version wrote it: the address under the master key, no data key.
    let db = sea_orm::Database::connect(&app.database_url).await.unwrap();
    let old_id: uuid::Uuid = ids[0].parse().unwrap();
    let legacy = app.cipher().encrypt(EMAIL, &ids[0], "old@x.org").unwrap();
    let mut row: contact::ActiveModel = contact::Entity::find_by_id(old_id)
        .one(&db)
        .await
        .unwrap()
        .unwrap()
        .into();
    row.email_ciphertext = Set(Some(legacy));
    row.data_key = Set(None);
    row.update(&db).await.unwrap();
    let r = send(
        app,
        Method::PATCH,
        &format!("/api/lists/{list}"),
        Some(&json!({"signup_enabled": true, "signup_wording": "Yes please"})),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = new_client()
        .post(app.url(&format!("/f/{list}")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("email=grace%40x.org&consent=yes&website=")
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    // The confirmation mail goes out first: this test is not about concurrent writers.
    app.drain().await;
    let r = app
        .client
        .post(app.url("/api/contacts"))
        .header("Idempotency-Key", "once")
        .json(&json!({"email": "bob@x.org"}))
        .send()
        .await
        .unwrap();
    let status = r.status();
    assert_eq!(status, StatusCode::CREATED, "{}", r.text().await.unwrap());
    (ada["id"].as_str().unwrap().to_owned(), ids[0].clone())
}

async fn contact(app: &TestApp, address: &str, id: &str) -> Value {
    let r = app
        .client
        .get(format!("{address}/api/contacts/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    r.json().await.unwrap()
}

both_backends! {
    async fn a_rotated_key_reads_on_writes_anew_and_rekey_moves_everything_resuming_after_a_stop(app) {
        use carillon::db::entities::contact;
        use sea_orm::EntityTrait;
        let smtp = SmtpServer::start().await;
        let (ada, old) = fill(&app, &smtp).await;
        let (key_a, key_b) = (app.master_key().to_owned(), new_key());
        let (a, b) = (key_id(&key_a), key_id(&key_b));
        let before = sealed_under(&app, &a).await;
        // A session, audit IPs, channel secrets, data keys, the legacy email, consent and
        // sign-up clients, an idempotency record, the index root.
        assert!(before >= 10, "{before}");

        // The new key current, the old one previous: everything still reads.
        let rotated = app.another_instance_with(&[("CARILLON_MASTER_KEY", &key_b), ("CARILLON_PREVIOUS_MASTER_KEYS", &key_a)]).await;
        let (db, cipher) = (rotated.state().db.clone(), rotated.state().cipher.clone());
        let at = serve(rotated);
        assert_eq!(contact(&app, &at, &ada).await["email"], "ada@x.org");
        assert_eq!(contact(&app, &at, &old).await["email"], "old@x.org");
        // Lazy: a contact written now has its data key rewrapped under the new key.
        let r = app.client.patch(format!("{at}/api/contacts/{ada}")).json(&json!({"first_name": "Ada L."})).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let stored = contact::Entity::find_by_id(ada.parse::<uuid::Uuid>().unwrap()).one(&db).await.unwrap().unwrap();
        assert!(stored.data_key.as_deref().unwrap().starts_with(&format!("v1.{b}.")), "{:?}", stored.data_key);
        assert!(sealed_under(&app, &a).await < before);

        // Stopped after three batches of one row: some moved, the rest still readable.
        let mut stop = StopAfter { batches: 3, started: Vec::new() };
        let report = rekey::run(&db, &cipher, 1, &mut stop).await.unwrap();
        assert!(!report.complete);
        assert_eq!(report.resealed(), 3, "{report:?}");
        let left = sealed_under(&app, &a).await;
        assert!(left > 0 && left < before, "{left} of {before}");
        assert_eq!(contact(&app, &at, &old).await["email"], "old@x.org");
        assert_eq!(contact(&app, &at, &ada).await["first_name"], "Ada L.");

        // Run again: it resumes, and finishes.
        let mut all = StopAfter { batches: usize::MAX, started: Vec::new() };
        let report = rekey::run(&db, &cipher, 2, &mut all).await.unwrap();
        assert!(report.complete && report.unreadable() == 0, "{report:?}");
        assert!(all.started.contains(&"contacts".to_owned()) && all.started.contains(&"sessions.data".to_owned()), "{:?}", all.started);
        assert_eq!(sealed_under(&app, &a).await, 0);
        let again = rekey::run(&db, &cipher, 2, &mut all).await.unwrap();
        assert_eq!(again.resealed(), 0, "{again:?}");
        // The contact from before data keys has one now.
        let stored = contact::Entity::find_by_id(old.parse::<uuid::Uuid>().unwrap()).one(&db).await.unwrap().unwrap();
        assert!(stored.email_ciphertext.unwrap().starts_with("k1."));

        // The old key retired: the new one alone opens everything, finds contacts by
        // their address (the blind indexes did not move), and keeps the session.
        let retired = serve(app.another_instance_with(&[("CARILLON_MASTER_KEY", &key_b), ("CARILLON_PREVIOUS_MASTER_KEYS", "")]).await);
        assert_eq!(contact(&app, &retired, &old).await["email"], "old@x.org");
        let found: Value = app.client.get(format!("{retired}/api/contacts?q=ada@x.org")).send().await.unwrap().json().await.unwrap();
        assert_eq!(found["items"][0]["id"], ada.as_str(), "{found}");
        let r = app.client.get(format!("{retired}/api/contacts/{ada}/export")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        // Uniqueness still holds across the rotation.
        let r = app.client.post(format!("{retired}/api/contacts")).json(&json!({"email": "ADA@x.org"})).send().await.unwrap();
        let body = r.text().await.unwrap();
        assert!(body.contains("already"), "{body}");

        // The old key alone no longer opens this database, and says why.
        let refused = app.try_another_instance_with(&[]).await.err().expect("the old key is refused");
        let message = format!("{refused:#}");
        assert!(message.contains(&b) && message.contains("CARILLON_PREVIOUS_MASTER_KEYS"), "{message}");
    }
}

/// The command itself, as an operator runs it, on the embedded database.
#[tokio::test]
async fn the_rekey_command_shows_its_progress_and_a_second_run_has_nothing_left() {
    let app = spawn_app(Backend::Sqlite, &[]).await.unwrap();
    let smtp = SmtpServer::start().await;
    fill(&app, &smtp).await;
    let (key_a, key_b) = (app.master_key().to_owned(), new_key());
    let run = |previous: &str| {
        let dir = tempfile::tempdir().unwrap();
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_carillon"))
            .args(["rekey", "--batch", "2"])
            .current_dir(dir.path())
            .env("DATABASE_URL", &app.database_url)
            .env("CARILLON_MASTER_KEY", &key_b)
            .env("CARILLON_PREVIOUS_MASTER_KEYS", previous)
            .env("CARILLON_DATA_DIR", &app.data_dir)
            .output()
            .unwrap();
        (
            output.status,
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let (status, err) = run("not a key");
    assert!(!status.success());
    assert!(
        err.contains("CARILLON_PREVIOUS_MASTER_KEYS: key 1"),
        "{err}"
    );
    let (status, err) = run(&key_a);
    assert!(status.success(), "{err}");
    assert!(
        err.contains("contacts") && err.contains("sessions.data") && err.contains("re-encrypted"),
        "{err}"
    );
    assert_eq!(sealed_under(&app, &key_id(&key_a)).await, 0);
    let (status, err) = run(&key_a);
    assert!(
        status.success() && err.contains("Done: 0 values re-encrypted"),
        "{err}"
    );
}
