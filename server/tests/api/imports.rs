use crate::{
    both_backends,
    contacts::{create_contact, send},
    helpers::*,
};
use reqwest::{
    multipart::{Form, Part},
    Method, Response, StatusCode,
};
use serde_json::{json, Value};

pub async fn upload(app: &TestApp, path: &str, csv: &[u8], mapping: Option<Value>) -> Response {
    let mut form = Form::new().part(
        "file",
        Part::bytes(csv.to_vec())
            .file_name("contacts.csv")
            .mime_str("text/csv")
            .unwrap(),
    );
    if let Some(m) = mapping {
        form = form.text("mapping", m.to_string());
    }
    app.client
        .post(app.url(path))
        .multipart(form)
        .send()
        .await
        .expect("upload")
}

/// Does the background work, then reads the import, which has completed or failed.
pub async fn wait(app: &TestApp, id: &str) -> Value {
    app.drain().await;
    let r = app.get(&format!("/api/imports/{id}")).await;
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    assert!(
        body["status"] == "completed" || body["status"] == "failed",
        "import {id} did not finish: {body}"
    );
    body
}

/// Uploads, expects 201, and waits for the end.
pub async fn import_csv(app: &TestApp, csv: &[u8], mapping: Value) -> Value {
    let r = upload(app, "/api/contacts/import", csv, Some(mapping)).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let started: Value = r.json().await.unwrap();
    assert!(
        ["queued", "running", "completed"].contains(&started["status"].as_str().unwrap()),
        "{started}"
    );
    let done = wait(app, started["id"].as_str().unwrap()).await;
    assert_eq!(done["status"], "completed", "{done}");
    done
}

async fn report(app: &TestApp, id: &str) -> Vec<Vec<String>> {
    let r = app.get(&format!("/api/imports/{id}/report.csv")).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let text = r.text().await.unwrap();
    csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

async fn contacts(app: &TestApp) -> Vec<Value> {
    let p: Value = app
        .get("/api/contacts?per_page=100&sort=created_at")
        .await
        .json()
        .await
        .unwrap();
    p["items"].as_array().unwrap().clone()
}

const FILE: &str = "\u{feff}E-mail;Téléphone;Prénom;Nom;Plan;SMS opt-in\r\n\
ada@example.org;06 12 34 56 78;Ada;Lovelace;gold;oui\r\n\
grace@example.org;;Grace;Hopper;silver;\r\n\
;+44 20 7946 0958;Alan;Turing;;no\r\n\
not-an-email;;Bad;Email;;\r\n\
;12;Bad;Phone;;\r\n\
;;No;Contact;;\r\n\
ADA@example.org;;Ada;Again;;\r\n\
other@example.org;06 12 34 56 78;Same;Phone;;\r\n\
edsger@example.org;;\"Edsger; W.\";Dijkstra;;maybe\r\n\
katherine@example.org;;Katherine;Johnson;\"multi\nline\";1\r\n";

fn mapping() -> Value {
    json!({"email": "E-mail", "phone": "Téléphone", "first_name": "Prénom", "last_name": "Nom", "attributes": ["Plan"], "consents": {"sms": "SMS opt-in"}})
}

both_backends! {
    async fn happy_path_rejections_report_and_reimport(app) {
        app.signup("admin@example.org").await;
        let done = import_csv(&app, FILE.as_bytes(), mapping()).await;
        assert_eq!((done["created"].as_u64(), done["updated"].as_u64(), done["unchanged"].as_u64(), done["skipped"].as_u64()), (Some(4), Some(0), Some(0), Some(6)), "{done}");
        assert_eq!((done["rows_done"].as_u64(), done["rows_total"].as_u64()), (Some(10), Some(10)), "{done}");
        assert_eq!(done["file_name"], "contacts.csv");
        let id = done["id"].as_str().unwrap().to_owned();

        let rows = report(&app, &id).await;
        let outcome = |line: &str| rows.iter().find(|r| r[0] == line).map(|r| (r[1].clone(), r[2].clone())).unwrap();
        assert_eq!(outcome("2").0, "created");
        assert_eq!(outcome("5"), ("skipped".into(), "invalid email".into()));
        assert_eq!(outcome("6"), ("skipped".into(), "invalid phone".into()));
        assert_eq!(outcome("7"), ("skipped".into(), "missing required field: email or phone".into()));
        assert_eq!(outcome("8"), ("skipped".into(), "duplicate in file".into()), "same email, other case");
        assert_eq!(outcome("9"), ("skipped".into(), "duplicate in file".into()), "same phone");
        assert_eq!(outcome("10"), ("skipped".into(), "invalid sms consent value".into()));
        assert_eq!(outcome("11").0, "created", "a quoted field may span lines");
        assert_eq!(rows.len(), 10);
        assert_eq!(rows.iter().filter(|r| r[1] == "created").count(), 4);
        assert!(!rows.concat().concat().contains("not-an-email"), "the report holds no personal data");

        let all = contacts(&app).await;
        assert_eq!(all.len(), 4);
        let ada = all.iter().find(|c| c["email"] == "ada@example.org").unwrap();
        assert_eq!((ada["phone"].as_str(), ada["first_name"].as_str()), (Some("+33612345678"), Some("Ada")));
        assert_eq!(ada["attributes"], json!({"Plan": "gold"}));
        let sms = |c: &Value| c["consents"].as_array().unwrap().iter().find(|x| x["channel"] == "sms").unwrap().clone();
        assert_eq!(sms(ada)["state"], "granted");
        assert_eq!(sms(ada)["source"], format!("import:{id}"));
        let alan = all.iter().find(|c| c["first_name"] == "Alan").unwrap();
        assert_eq!((alan["phone"].as_str(), sms(alan)["state"].as_str()), (Some("+442079460958"), Some("withdrawn")));

        // The same file again changes nothing and says so.
        let again = import_csv(&app, FILE.as_bytes(), mapping()).await;
        assert_eq!((again["created"].as_u64(), again["updated"].as_u64(), again["unchanged"].as_u64(), again["skipped"].as_u64()), (Some(0), Some(0), Some(4), Some(6)), "{again}");
        assert_eq!(contacts(&app).await, all, "not even updated_at moved");
        let rows = report(&app, again["id"].as_str().unwrap()).await;
        assert_eq!(rows.iter().filter(|r| r[1] == "unchanged").count(), 4);
    }

    async fn rows_update_existing_contacts(app) {
        app.signup("admin@example.org").await;
        let existing = create_contact(&app, json!({"email": "ada@example.org", "first_name": "A.", "consents": {"sms": "withdrawn"}})).await;
        let csv = "email,phone,first_name,sms\nAda@Example.org,0612345678,Ada,yes\nnew@example.org,,New,\n";
        let done = import_csv(&app, csv.as_bytes(), json!({"email": "email", "phone": "phone", "first_name": "first_name", "consents": {"sms": "sms"}})).await;
        assert_eq!((done["created"].as_u64(), done["updated"].as_u64()), (Some(1), Some(1)), "{done}");
        let ada: Value = app.get(&format!("/api/contacts/{}", existing["id"].as_str().unwrap())).await.json().await.unwrap();
        assert_eq!((ada["first_name"].as_str(), ada["phone"].as_str()), (Some("Ada"), Some("+33612345678")));
        assert_eq!(ada["consents"].as_array().unwrap().iter().find(|c| c["channel"] == "sms").unwrap()["state"], "granted");
        // Found by its new phone through the blind index.
        let p: Value = app.get("/api/contacts?q=%2B33612345678").await.json().await.unwrap();
        assert_eq!(p["items"][0]["id"], existing["id"]);
        // A row whose email and phone belong to two different contacts is refused.
        let csv = "email,phone\nnew@example.org,06 12 34 56 78\n";
        let done = import_csv(&app, csv.as_bytes(), json!({"email": "email", "phone": "phone"})).await;
        assert_eq!(done["skipped"], 1);
        let rows = report(&app, done["id"].as_str().unwrap()).await;
        assert_eq!(rows[0][2], "email and phone belong to two different contacts");
    }

    async fn duplicates_are_found_across_batches(app) {
        app.signup("admin@example.org").await;
        // More rows than a batch (4,096 at most) and than a report window (5,000); the
        // last row repeats the first one's address in another case.
        let mut csv = String::from("email,first_name\n");
        for i in 0..6000 {
            csv.push_str(&format!("user{i}@example.org,U{i}\n"));
        }
        csv.push_str("USER0@Example.org,Again\n");
        let done = import_csv(&app, csv.as_bytes(), json!({"email": "email", "first_name": "first_name"})).await;
        assert_eq!((done["created"].as_u64(), done["skipped"].as_u64(), done["rows_done"].as_u64()), (Some(6000), Some(1), Some(6001)), "{done}");
        let rows = report(&app, done["id"].as_str().unwrap()).await;
        assert_eq!(rows.len(), 6001, "one report line per row");
        assert!(rows.iter().enumerate().all(|(i, r)| r[0] == (i + 2).to_string()), "in file order, without gaps");
        assert_eq!(rows[6000][1..3], ["skipped".to_owned(), "duplicate in file".to_owned()]);
        let p: Value = app.get("/api/contacts?q=user0%40example.org").await.json().await.unwrap();
        assert_eq!(p["items"][0]["first_name"], "U0", "the first row wins");
    }

    async fn bad_uploads_are_clear_4xx(app) {
        app.signup("admin@example.org").await;
        let m = Some(json!({"email": "email"}));
        let file_error = |body: &Value| body["errors"]["file"].as_str().unwrap_or_default().to_owned();
        let body = problem(upload(&app, "/api/contacts/import", b"email,name\nada@example.org,Ren\xe9\n", m.clone()).await, 422).await;
        assert!(file_error(&body).contains("UTF-8"), "{body}");
        let mut png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR".to_vec();
        png.extend([0u8; 64]);
        let body = problem(upload(&app, "/api/contacts/import", &png, m.clone()).await, 422).await;
        assert!(file_error(&body).contains("binary"), "{body}");
        let body = problem(upload(&app, "/api/contacts/import", b"", m.clone()).await, 422).await;
        assert!(file_error(&body).contains("empty"), "{body}");
        let body = problem(upload(&app, "/api/contacts/import", b"\n\nada@example.org\n", m.clone()).await, 422).await;
        assert!(file_error(&body).contains("header"), "{body}");
        let mut long = b"email,note\nada@example.org,".to_vec();
        long.extend(vec![b'x'; 11 * 1024 * 1024]);
        let body = problem(upload(&app, "/api/contacts/import", &long, m.clone()).await, 422).await;
        assert!(file_error(&body).contains("line 2 is longer"), "{body}");

        let body = problem(upload(&app, "/api/contacts/import", b"email\na@b.org\n", None).await, 422).await;
        assert!(body["errors"]["mapping"].is_string(), "{body}");
        let body = problem(upload(&app, "/api/contacts/import", b"email\na@b.org\n", Some(json!({"email": "mail"}))).await, 422).await;
        assert!(body["errors"]["mapping.email"].is_string(), "{body}");
        let body = problem(upload(&app, "/api/contacts/import", b"email\na@b.org\n", Some(json!({"first_name": "email"}))).await, 422).await;
        assert!(body["errors"]["mapping"].is_string(), "{body}");
        problem(upload(&app, "/api/contacts/import", b"email\na@b.org\n", Some(json!({"email": "email", "colour": "x"}))).await, 422).await;
        let form = Form::new().text("mapping", json!({"email": "email"}).to_string());
        let body = problem(app.client.post(app.url("/api/contacts/import")).multipart(form).send().await.unwrap(), 422).await;
        assert!(body["errors"]["file"].is_string(), "{body}");
        let r = app.post("/api/contacts/import", &json!({"file": "email\n"})).await;
        assert!(r.status().is_client_error());
        assert_eq!(r.headers()["content-type"], "application/problem+json");
        assert!(contacts(&app).await.is_empty());
        // The directory exists once an upload has streamed into it.
        let files: Vec<_> = std::fs::read_dir(app.data_dir.join("imports")).expect("the uploads directory").filter_map(Result::ok).collect();
        assert!(files.is_empty(), "refused uploads leave no file behind: {files:?}");
    }

    async fn preview_detects_the_format(app) {
        app.signup("admin@example.org").await;
        let r = upload(&app, "/api/contacts/import/preview", FILE.as_bytes(), None).await;
        assert_eq!(r.status(), StatusCode::OK);
        let p: Value = r.json().await.unwrap();
        assert_eq!(p["delimiter"], ";");
        assert_eq!(p["header"], json!(["E-mail", "Téléphone", "Prénom", "Nom", "Plan", "SMS opt-in"]));
        assert_eq!(p["rows"].as_array().unwrap().len(), 5);
        assert_eq!(p["rows"][0][0], "ada@example.org");
        let mut expected = mapping();
        expected["locale"] = Value::Null;
        expected["time_zone"] = Value::Null;
        expected["consent_wording"] = json!({});
        expected["lawful_bases"] = json!({});
        assert_eq!(p["suggested_mapping"], expected);
        let body = problem(upload(&app, "/api/contacts/import/preview", b"\xff\xfe\x00e\x00m", None).await, 422).await;
        assert!(body["errors"]["file"].is_string());
        // Only the beginning of a big file is read.
        let mut big = b"email,name\n".to_vec();
        for i in 0..40_000 {
            big.extend(format!("p{i}@example.org,Person {i}\n").as_bytes());
        }
        let r = upload(&app, "/api/contacts/import/preview", &big, None).await;
        assert_eq!(r.status(), StatusCode::OK);
    }

    async fn imports_are_scoped_and_role_checked(app) {
        app.signup("admin@example.org").await;
        let done = import_csv(&app, b"email\na@example.org\n", json!({"email": "email"})).await;
        let id = done["id"].as_str().unwrap();
        let reader = app.invite_and_accept("reader@example.org", "reader").await;
        assert_eq!(reader.get(&format!("/api/imports/{id}")).await.status(), StatusCode::OK);
        assert_eq!(reader.get(&format!("/api/imports/{id}/report.csv")).await.status(), StatusCode::OK);
        problem(upload(&reader, "/api/contacts/import", b"email\nb@example.org\n", Some(json!({"email": "email"}))).await, 403).await;
        problem(upload(&reader, "/api/contacts/import/preview", b"email\nb@example.org\n", None).await, 403).await;
        let contributor = app.invite_and_accept("carl@example.org", "contributor").await;
        import_csv(&contributor, b"email\nc@example.org\n", json!({"email": "email"})).await;

        let other = app.other_user("eve@example.org").await;
        problem(other.get(&format!("/api/imports/{id}")).await, 404).await;
        problem(other.get(&format!("/api/imports/{id}/report.csv")).await, 404).await;
        problem(other.get("/api/imports/not-a-uuid").await, 404).await;
        let token = app.create_token(&["lists:write"]).await;
        let r = app.with_token(Method::GET, &format!("/api/imports/{id}"), &token, None).await;
        problem(r, 403).await;
    }
}

/// A crash after some batches committed: a new server instance resumes the import after
/// its last committed row, without applying any row twice.
async fn resume_after_a_crash(backend: Backend) {
    let data = tempfile::tempdir().unwrap();
    let data_dir = data.path().display().to_string();
    let key = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    let env = [
        ("CARILLON_DATA_DIR", data_dir.as_str()),
        ("CARILLON_MASTER_KEY", key),
    ];
    let Some(app) = spawn_app(backend, &env).await else {
        return eprintln!("skipped: TEST_DATABASE_URL is not set");
    };
    app.signup("admin@example.org").await;
    let csv = "email,first_name\na@example.org,A\nb@example.org,B\nc@example.org,C\na@example.org,dup\nd@example.org,D\n";
    let done = import_csv(
        &app,
        csv.as_bytes(),
        json!({"email": "email", "first_name": "first_name"}),
    )
    .await;
    let id = done["id"].as_str().unwrap().to_owned();
    assert!(
        !data.path().join(format!("imports/{id}.csv")).exists(),
        "the upload is removed once processed"
    );

    // Rewind to the state a crash leaves after committing rows 2–3: later rows' effects
    // gone, the import still `running` with an expired lease, its file still there.
    let later = contacts(&app)
        .await
        .into_iter()
        .filter(|c| !["a@example.org", "b@example.org"].contains(&c["email"].as_str().unwrap()));
    for contact in later {
        assert_eq!(
            send(
                &app,
                Method::DELETE,
                &format!("/api/contacts/{}", contact["id"].as_str().unwrap()),
                None
            )
            .await
            .status(),
            StatusCode::NO_CONTENT
        );
    }
    assert_eq!(contacts(&app).await.len(), 2);
    crash_after_row_3_and_resume(
        &app,
        data.path(),
        &id,
        csv,
        "rows_done = 2, created = 2, skipped = 0",
    )
    .await;

    let resumed = wait(&app, &id).await;
    assert_eq!(resumed["status"], "completed", "{resumed}");
    assert_eq!(
        (
            resumed["created"].as_u64(),
            resumed["skipped"].as_u64(),
            resumed["rows_done"].as_u64()
        ),
        (Some(4), Some(1), Some(5)),
        "{resumed}"
    );
    let rows = report(&app, &id).await;
    assert_eq!(
        rows.iter()
            .map(|r| (r[0].as_str(), r[1].as_str()))
            .collect::<Vec<_>>(),
        [
            ("2", "created"),
            ("3", "created"),
            ("4", "created"),
            ("5", "skipped"),
            ("6", "created")
        ]
    );
    let all = contacts(&app).await;
    assert_eq!(
        all.iter()
            .map(|c| c["email"].as_str().unwrap())
            .collect::<Vec<_>>(),
        [
            "a@example.org",
            "b@example.org",
            "c@example.org",
            "d@example.org"
        ]
    );
    assert!(!data.path().join(format!("imports/{id}.csv")).exists());
}

/// Rewinds import `id` to the state a crash leaves after committing rows 2–3 (the
/// caller removed the later rows' contacts; `counters` sets the import's counts), then
/// builds another instance on the same database and data directory, whose `imports` job
/// resumes it.
async fn crash_after_row_3_and_resume(
    app: &TestApp,
    data: &std::path::Path,
    id: &str,
    csv: &str,
    counters: &str,
) {
    use sea_orm::ConnectionTrait;
    let db = sea_orm::Database::connect(&app.database_url).await.unwrap();
    let past = "2000-01-01T00:00:00+00:00";
    let import_id = match db.get_database_backend() {
        sea_orm::DbBackend::Sqlite => format!("x'{}'", id.replace('-', "")),
        _ => format!("'{id}'"),
    };
    db.execute_unprepared(&format!(
        "DELETE FROM import_rows WHERE import_id = {import_id} AND line > 3"
    ))
    .await
    .unwrap();
    db.execute_unprepared(&format!(
        "UPDATE imports SET status = 'running', last_line = 3, {counters}, finished_at = NULL, lease_until = '{past}' WHERE id = {import_id}"
    )).await.unwrap();
    std::fs::create_dir_all(data.join("imports")).unwrap();
    std::fs::write(data.join(format!("imports/{id}.csv")), csv).unwrap();

    app.another_instance()
        .await
        .state()
        .jobs
        .drain()
        .await
        .unwrap();
}

/// A row matching (through its phone) an existing contact that a row before the crash
/// already merged is still a duplicate after the resume.
async fn resume_remembers_matched_contacts(backend: Backend) {
    let data = tempfile::tempdir().unwrap();
    let data_dir = data.path().display().to_string();
    let key = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    let env = [
        ("CARILLON_DATA_DIR", data_dir.as_str()),
        ("CARILLON_MASTER_KEY", key),
    ];
    let Some(app) = spawn_app(backend, &env).await else {
        return eprintln!("skipped: TEST_DATABASE_URL is not set");
    };
    app.signup("admin@example.org").await;
    let x = create_contact(
        &app,
        json!({"email": "x@example.org", "phone": "+33612345678"}),
    )
    .await;
    let csv = "email,phone,first_name\nx@example.org,,X1\nb@example.org,,B\n,+33612345678,X2\nc@example.org,,C\n";
    let mapping = json!({"email": "email", "phone": "phone", "first_name": "first_name"});
    let done = import_csv(&app, csv.as_bytes(), mapping).await;
    let counts = |v: &Value| {
        (
            v["created"].as_u64(),
            v["updated"].as_u64(),
            v["skipped"].as_u64(),
            v["rows_done"].as_u64(),
        )
    };
    assert_eq!(
        counts(&done),
        (Some(2), Some(1), Some(1), Some(4)),
        "{done}"
    );
    let id = done["id"].as_str().unwrap().to_owned();

    let c = contacts(&app)
        .await
        .into_iter()
        .find(|c| c["email"] == "c@example.org")
        .unwrap();
    assert_eq!(
        send(
            &app,
            Method::DELETE,
            &format!("/api/contacts/{}", c["id"].as_str().unwrap()),
            None
        )
        .await
        .status(),
        StatusCode::NO_CONTENT
    );
    crash_after_row_3_and_resume(
        &app,
        data.path(),
        &id,
        csv,
        "rows_done = 2, created = 1, updated = 1, unchanged = 0, skipped = 0",
    )
    .await;

    let resumed = wait(&app, &id).await;
    assert_eq!(resumed["status"], "completed", "{resumed}");
    assert_eq!(
        counts(&resumed),
        (Some(2), Some(1), Some(1), Some(4)),
        "{resumed}"
    );
    let rows = report(&app, &id).await;
    assert_eq!(
        rows[2][1..3],
        ["skipped".to_owned(), "duplicate in file".to_owned()],
        "{rows:?}"
    );
    let x: Value = app
        .get(&format!("/api/contacts/{}", x["id"].as_str().unwrap()))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        x["first_name"], "X1",
        "the later row did not overwrite the first"
    );
}

mod resume {
    use super::*;

    #[tokio::test]
    async fn matched_contacts_sqlite() {
        resume_remembers_matched_contacts(Backend::Sqlite).await
    }

    #[tokio::test]
    async fn matched_contacts_postgres() {
        resume_remembers_matched_contacts(Backend::Postgres).await
    }

    #[tokio::test]
    async fn sqlite() {
        resume_after_a_crash(Backend::Sqlite).await
    }

    #[tokio::test]
    async fn postgres() {
        resume_after_a_crash(Backend::Postgres).await
    }
}

/// Upload files left behind by a crash (a `.part`) or by a failed removal (the `.csv` of
/// an import that ended, or of none) hold plaintext addresses: they go at start-up, once
/// untouched for a while; an upload still being written stays.
async fn leftover_upload_files_are_removed(backend: Backend) {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().join("imports");
    std::fs::create_dir_all(&dir).unwrap();
    let an_hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    let write = |name: &str, old: bool| {
        let path = dir.join(name);
        std::fs::write(&path, "email\nada@example.org\n").unwrap();
        if old {
            std::fs::File::options()
                .write(true)
                .open(&path)
                .unwrap()
                .set_modified(an_hour_ago)
                .unwrap();
        }
        path
    };
    let crashed = write("0190c2f0-0000-7000-8000-000000000001.part", true);
    let receiving = write("0190c2f0-0000-7000-8000-000000000002.part", false);
    let orphan = write(&format!("{}.csv", uuid::Uuid::now_v7()), true);
    let data_dir = data.path().display().to_string();
    let Some(app) = spawn_app(backend, &[("CARILLON_DATA_DIR", data_dir.as_str())]).await else {
        return eprintln!("skipped: TEST_DATABASE_URL is not set");
    };
    app.signup("admin@example.org").await;
    let done = import_csv(&app, b"email\nb@example.org\n", json!({"email": "email"})).await;
    let ended = write(&format!("{}.csv", done["id"].as_str().unwrap()), true);

    app.drain().await;
    for gone in [&crashed, &orphan, &ended] {
        assert!(!gone.exists(), "{} removed", gone.display());
    }
    assert!(receiving.exists(), "an upload being received stays");
}

mod leftovers {
    use super::*;

    #[tokio::test]
    async fn sqlite() {
        leftover_upload_files_are_removed(Backend::Sqlite).await
    }

    #[tokio::test]
    async fn postgres() {
        leftover_upload_files_are_removed(Backend::Postgres).await
    }
}

both_backends! {
    async fn a_mapping_past_its_bound_is_refused(app) {
        app.signup("admin@example.org").await;
        let huge = json!({"email": "email", "attributes": vec!["x".repeat(100); 1000]});
        let r = upload(&app, "/api/contacts/import", b"email\na@example.org\n", Some(huge)).await;
        let body = problem(r, 422).await;
        assert_eq!(body["errors"]["mapping"], "the mapping has at most 64 KiB");
    }

    async fn a_row_longer_than_the_bound_fails_alone(app) {
        app.signup("admin@example.org").await;
        // A quoted cell that runs over many short lines: one record of about 100 KiB.
        let long_cell = "word ".repeat(20).repeat(1000).replace("word word", "word\nword");
        let csv = format!("email,first_name\nbefore@example.org,A\nlong@example.org,\"{long_cell}\"\nafter@example.org,B\n");
        let done = import_csv(&app, csv.as_bytes(), json!({"email": "email", "first_name": "first_name"})).await;
        assert_eq!((done["created"].as_u64(), done["skipped"].as_u64()), (Some(2), Some(1)), "{done}");
        let rows = report(&app, done["id"].as_str().unwrap()).await;
        assert_eq!(rows[1][..3], ["3".to_owned(), "skipped".to_owned(), "the row is longer than 64 KiB".to_owned()], "{rows:?}");
        let emails: Vec<String> = contacts(&app).await.iter().map(|c| c["email"].as_str().unwrap().to_owned()).collect();
        assert_eq!(emails, ["before@example.org", "after@example.org"]);
    }
}
