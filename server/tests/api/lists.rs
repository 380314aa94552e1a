use crate::{
    both_backends,
    contacts::{create_contact, send},
    helpers::*,
};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn create_list(app: &TestApp, name: &str) -> Value {
    let r = app
        .post(
            "/api/lists",
            &json!({"name": name, "description": format!("about {name}")}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    r.json().await.unwrap()
}

async fn members(app: &TestApp, method: Method, list: &str, ids: &[&str]) -> reqwest::Response {
    send(
        app,
        method,
        &format!("/api/lists/{list}/members"),
        Some(&json!({"contact_ids": ids})),
    )
    .await
}

both_backends! {
    async fn lists_crud_members_and_counts(app) {
        app.signup("ada@example.org").await;
        let list = create_list(&app, "Newsletter").await;
        assert_eq!((list["member_count"].as_u64(), list["description"].as_str()), (Some(0), Some("about Newsletter")));
        let id = list["id"].as_str().unwrap().to_owned();
        let a = create_contact(&app, json!({"email": "a@example.org"})).await;
        let b = create_contact(&app, json!({"email": "b@example.org"})).await;
        let (a, b) = (a["id"].as_str().unwrap().to_owned(), b["id"].as_str().unwrap().to_owned());

        let r = members(&app, Method::POST, &id, &[&a, &b, &a]).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.json::<Value>().await.unwrap(), json!({"changed": 2, "member_count": 2}));
        let r = members(&app, Method::POST, &id, &[&a]).await;
        assert_eq!(r.json::<Value>().await.unwrap(), json!({"changed": 0, "member_count": 2}), "adding twice is harmless");
        let got: Value = app.get(&format!("/api/lists/{id}")).await.json().await.unwrap();
        assert_eq!(got["member_count"], 2);

        // A contact in many lists; filtering contacts by list.
        let other = create_list(&app, "VIP").await;
        let other_id = other["id"].as_str().unwrap();
        members(&app, Method::POST, other_id, &[&b]).await;
        let in_vip: Value = app.get(&format!("/api/contacts?list_id={other_id}")).await.json().await.unwrap();
        assert_eq!((in_vip["total"].as_u64(), in_vip["items"][0]["id"].as_str()), (Some(1), Some(b.as_str())));

        let r = members(&app, Method::DELETE, &id, &[&a]).await;
        assert_eq!(r.json::<Value>().await.unwrap(), json!({"changed": 1, "member_count": 1}));
        let body = problem(members(&app, Method::POST, &id, &[]).await, 422).await;
        assert!(body["errors"]["contact_ids"].is_string());
        let body = problem(members(&app, Method::POST, &id, &["0190a0a0-0000-7000-8000-000000000000"]).await, 422).await;
        assert!(body["errors"]["contact_ids"].is_string());

        let r = send(&app, Method::PATCH, &format!("/api/lists/{id}"), Some(&json!({"name": "Weekly news"}))).await;
        assert_eq!(r.status(), StatusCode::OK);
        let patched: Value = r.json().await.unwrap();
        assert_eq!((patched["name"].as_str(), patched["description"].as_str(), patched["member_count"].as_u64()), (Some("Weekly news"), Some("about Newsletter"), Some(1)));
        let body = problem(send(&app, Method::PATCH, &format!("/api/lists/{id}"), Some(&json!({"name": "VIP"}))).await, 422).await;
        assert!(body["errors"]["name"].is_string());
        problem(app.post("/api/lists", &json!({"name": "  "})).await, 422).await;
        problem(app.post("/api/lists", &json!({"description": "no name"})).await, 422).await;

        // Deleting a contact removes it from its lists.
        send(&app, Method::DELETE, &format!("/api/contacts/{b}"), None).await;
        let got: Value = app.get(&format!("/api/lists/{other_id}")).await.json().await.unwrap();
        assert_eq!(got["member_count"], 0);

        assert_eq!(send(&app, Method::DELETE, &format!("/api/lists/{id}"), None).await.status(), StatusCode::NO_CONTENT);
        problem(app.get(&format!("/api/lists/{id}")).await, 404).await;
        problem(app.get(&format!("/api/contacts?list_id={id}")).await, 404).await;
        // The contact survives its list.
        assert_eq!(app.get(&format!("/api/contacts/{a}")).await.status(), StatusCode::OK);
    }

    async fn lists_page_filter_and_sort(app) {
        app.signup("ada@example.org").await;
        for name in ["Charlie", "alpha", "Bravo", "Delta fans", "Echo"] {
            create_list(&app, name).await;
        }
        let p: Value = app.get("/api/lists?per_page=2&page=2&sort=name").await.json().await.unwrap();
        assert_eq!((p["total"].as_u64(), p["page"].as_u64(), p["per_page"].as_u64()), (Some(5), Some(2), Some(2)));
        let names = |p: &Value| p["items"].as_array().unwrap().iter().map(|l| l["name"].as_str().unwrap().to_owned()).collect::<Vec<_>>();
        let all: Value = app.get("/api/lists?sort=-created_at").await.json().await.unwrap();
        assert_eq!(names(&all), ["Echo", "Delta fans", "Bravo", "alpha", "Charlie"]);
        let p: Value = app.get("/api/lists?q=ALPH").await.json().await.unwrap();
        assert_eq!(names(&p), ["alpha"]);
        let p: Value = app.get("/api/lists?q=a%20f").await.json().await.unwrap();
        assert_eq!(names(&p), ["Delta fans"]);
        let body = problem(app.get("/api/lists?sort=member_count").await, 422).await;
        assert!(body["errors"]["sort"].is_string());
        problem(app.get("/api/lists?page=0").await, 422).await;
    }

    async fn role_matrix_on_every_endpoint(app) {
        app.signup("admin@example.org").await;
        let contact = create_contact(&app, json!({"email": "c@example.org"})).await;
        let cid = contact["id"].as_str().unwrap().to_owned();
        let list = create_list(&app, "L").await;
        let lid = list["id"].as_str().unwrap().to_owned();
        let reader = app.invite_and_accept("reader@example.org", "reader").await;
        let contributor = app.invite_and_accept("carl@example.org", "contributor").await;
        let body = json!({"email": "new@example.org"});
        let members_body = json!({"contact_ids": [cid]});
        let patch = json!({"first_name": "X"});
        let list_patch = json!({"description": "x"});
        let new_list = json!({"name": "New"});
        let contact_path = format!("/api/contacts/{cid}");
        let list_path = format!("/api/lists/{lid}");
        let members_path = format!("/api/lists/{lid}/members");
        let reads: Vec<(Method, &str, Option<&Value>)> = vec![
            (Method::GET, "/api/contacts", None),
            (Method::GET, &contact_path, None),
            (Method::GET, "/api/lists", None),
            (Method::GET, &list_path, None),
        ];
        let writes: Vec<(Method, &str, Option<&Value>, &str)> = vec![
            (Method::POST, "/api/contacts", Some(&body), "contacts"),
            (Method::PATCH, &contact_path, Some(&patch), "contacts"),
            (Method::POST, "/api/lists", Some(&new_list), "lists"),
            (Method::PATCH, &list_path, Some(&list_patch), "lists"),
            (Method::POST, &members_path, Some(&members_body), "lists"),
            (Method::DELETE, &members_path, Some(&members_body), "lists"),
        ];
        for (m, path, b) in &reads {
            assert_eq!(send(&reader, m.clone(), path, *b).await.status(), StatusCode::OK, "reader {m} {path}");
        }
        for (m, path, b, _) in &writes {
            problem(send(&reader, m.clone(), path, *b).await, 403).await;
        }
        problem(send(&reader, Method::DELETE, &contact_path, None).await, 403).await;
        problem(send(&reader, Method::DELETE, &list_path, None).await, 403).await;
        for (m, path, b, _) in &writes {
            let s = send(&contributor, m.clone(), path, *b).await.status();
            assert!(s.is_success() || s == StatusCode::UNPROCESSABLE_ENTITY, "contributor {m} {path}: {s}");
        }
        assert_eq!(send(&contributor, Method::POST, "/api/lists", Some(&json!({"name": "By Carl"}))).await.status(), StatusCode::CREATED);

        // Tokens: the ability matters, even for an admin.
        let contacts_read = app.create_token(&["contacts:read"]).await;
        let lists_write = app.create_token(&["lists:write"]).await;
        assert_eq!(app.with_token(Method::GET, "/api/contacts", &contacts_read, None).await.status(), StatusCode::OK);
        problem(app.with_token(Method::POST, "/api/contacts", &contacts_read, Some(&body)).await, 403).await;
        problem(app.with_token(Method::GET, "/api/lists", &contacts_read, None).await, 403).await;
        problem(app.with_token(Method::GET, &contact_path, &lists_write, None).await, 403).await;
        assert_eq!(app.with_token(Method::GET, &list_path, &lists_write, None).await.status(), StatusCode::OK, "write includes read");
        assert_eq!(app.with_token(Method::POST, &members_path, &lists_write, Some(&members_body)).await.status(), StatusCode::OK);
        let everything = app.create_token(&["*"]).await;
        assert_eq!(app.with_token(Method::POST, "/api/contacts", &everything, Some(&json!({"email": "tok@example.org"}))).await.status(), StatusCode::CREATED);
        // Admin deletes.
        assert_eq!(send(&app, Method::DELETE, &list_path, None).await.status(), StatusCode::NO_CONTENT);
        assert_eq!(send(&app, Method::DELETE, &contact_path, None).await.status(), StatusCode::NO_CONTENT);
        // Anonymous.
        problem(app.browser().get("/api/contacts").await, 401).await;
        problem(app.browser().get("/api/lists").await, 401).await;
    }

    async fn other_organizations_ids_are_404(app) {
        app.signup("ada@example.org").await;
        let eve = app.other_user("eve@example.org").await;
        let contact = create_contact(&eve, json!({"email": "eves-contact@example.org"})).await;
        let cid = contact["id"].as_str().unwrap();
        let list = create_list(&eve, "Eve's").await;
        let lid = list["id"].as_str().unwrap();
        let mine = create_list(&app, "Mine").await;
        let my_list = mine["id"].as_str().unwrap();
        problem(app.get(&format!("/api/contacts/{cid}")).await, 404).await;
        problem(send(&app, Method::PATCH, &format!("/api/contacts/{cid}"), Some(&json!({"first_name": "x"}))).await, 404).await;
        problem(send(&app, Method::DELETE, &format!("/api/contacts/{cid}"), None).await, 404).await;
        problem(app.get(&format!("/api/lists/{lid}")).await, 404).await;
        problem(send(&app, Method::PATCH, &format!("/api/lists/{lid}"), Some(&json!({"name": "x"}))).await, 404).await;
        problem(send(&app, Method::DELETE, &format!("/api/lists/{lid}"), None).await, 404).await;
        problem(members(&app, Method::POST, lid, &[cid]).await, 404).await;
        problem(app.get(&format!("/api/contacts?list_id={lid}")).await, 404).await;
        // Eve's contact cannot join my list.
        problem(members(&app, Method::POST, my_list, &[cid]).await, 422).await;
        // Her email is not visible to my searches, and the same address is free for me.
        let p: Value = app.get("/api/contacts?q=eves-contact@example.org").await.json().await.unwrap();
        assert_eq!(p["total"], 0);
        create_contact(&app, json!({"email": "eves-contact@example.org"})).await;
        let p: Value = app.get("/api/lists").await.json().await.unwrap();
        assert_eq!(p["total"], 1);
        // Nothing of Eve's changed.
        let hers: Value = eve.get(&format!("/api/contacts/{cid}")).await.json().await.unwrap();
        assert_eq!(hers, contact);
        problem(app.get("/api/contacts/42").await, 404).await;
    }
}
