//! The import wizard's plain-form upload (`POST /contacts/import`).

use crate::{
    both_backends,
    import_basis::form_upload,
    imports::{upload, wait},
};
use reqwest::{header, StatusCode};
use serde_json::{json, Value};

both_backends! {
    async fn a_form_upload_without_mapping_uses_the_suggested_one(app) {
        app.signup("ada@example.org").await;
        let csv = b"email;first_name;phone\nada@example.com;Ada;+33612345678\nbob@example.com;Bob;\n";
        let location = form_upload(&app, csv, &[("basis_email", "none"), ("basis_sms", "none")]).await;
        let id = location.strip_prefix("/contacts/imports/").expect("redirects to the progress page");
        let done = wait(&app, id).await;
        assert_eq!(done["status"], "completed", "{done}");
        let contacts: Value = app.get("/api/contacts?q=ada@example.com").await.json().await.unwrap();
        assert_eq!(contacts["total"], 1);
        assert_eq!(contacts["items"][0]["first_name"], "Ada");
    }

    async fn form_upload_errors_go_back_to_the_form(app) {
        app.signup("ada@example.org").await;
        let r = upload(&app, "/contacts/import", b"\xff\xfe\x00binary", Some(json!({}))).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let location = r.headers()[header::LOCATION].to_str().unwrap().to_owned();
        assert!(location.starts_with("/contacts/import?error="), "{location}");
        // Signed out: to the login page.
        let r = upload(&app.browser(), "/contacts/import", b"email\na@b.org\n", None).await;
        assert_eq!(r.headers()[header::LOCATION], "/login");
        // A reader may not import.
        let reader = app.invite_and_accept("rita@example.org", "reader").await;
        let r = upload(&reader, "/contacts/import", b"email\na@b.org\n", None).await;
        assert!(r.headers()[header::LOCATION].to_str().unwrap().starts_with("/contacts/import?error="));
    }
}
