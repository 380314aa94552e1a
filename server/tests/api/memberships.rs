//! `ContactDto.lists`: the lists holding a contact, on every endpoint returning contacts.

use crate::{
    both_backends,
    contacts::{create_contact, send},
    helpers::*,
};
use carillon::db::entities::list_member;
use reqwest::{Method, StatusCode};
use sea_orm::{ActiveModelTrait, Database, Set};
use serde_json::{json, Value};
use uuid::Uuid;

async fn create_list(app: &TestApp, name: &str) -> String {
    let r = app.post("/api/lists", &json!({"name": name})).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let list: Value = r.json().await.unwrap();
    list["id"].as_str().unwrap().to_owned()
}

async fn members(app: &TestApp, method: Method, list: &str, contact: &str) {
    let r = send(
        app,
        method,
        &format!("/api/lists/{list}/members"),
        Some(&json!({"contact_ids": [contact]})),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
}

async fn contact(app: &TestApp, id: &str) -> Value {
    let r = app.get(&format!("/api/contacts/{id}")).await;
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

both_backends! {
    async fn a_contact_names_the_lists_holding_it(app) {
        app.signup("ada@example.org").await;
        let created = create_contact(&app, json!({"email": "a@example.org"})).await;
        assert_eq!(created["lists"], json!([]), "a new contact is in no list");
        let id = created["id"].as_str().unwrap().to_owned();
        let vip = create_list(&app, "VIP").await;
        let news = create_list(&app, "Newsletter").await;

        members(&app, Method::POST, &vip, &id).await;
        members(&app, Method::POST, &news, &id).await;
        // By name, with the id to link to.
        let expected = json!([{"id": news, "name": "Newsletter"}, {"id": vip, "name": "VIP"}]);
        assert_eq!(contact(&app, &id).await["lists"], expected);

        // A page of contacts carries them too; a contact in no list has none.
        create_contact(&app, json!({"email": "b@example.org"})).await;
        let page: Value = app.get("/api/contacts?sort=created_at").await.json().await.unwrap();
        let lists: Vec<&Value> = page["items"].as_array().unwrap().iter().map(|c| &c["lists"]).collect();
        assert_eq!(lists, [&expected, &json!([])]);

        // A patch answers with the memberships, and a renamed list shows its new name.
        let r = send(&app, Method::PATCH, &format!("/api/lists/{vip}"), Some(&json!({"name": "Gold"}))).await;
        assert_eq!(r.status(), StatusCode::OK);
        let r = send(&app, Method::PATCH, &format!("/api/contacts/{id}"), Some(&json!({"first_name": "Ada"}))).await;
        assert_eq!(r.status(), StatusCode::OK);
        let patched: Value = r.json().await.unwrap();
        assert_eq!(patched["lists"], json!([{"id": vip, "name": "Gold"}, {"id": news, "name": "Newsletter"}]));

        members(&app, Method::DELETE, &vip, &id).await;
        assert_eq!(contact(&app, &id).await["lists"], json!([{"id": news, "name": "Newsletter"}]));
        assert_eq!(send(&app, Method::DELETE, &format!("/api/lists/{news}"), None).await.status(), StatusCode::NO_CONTENT);
        assert_eq!(contact(&app, &id).await["lists"], json!([]));
    }

    async fn another_organizations_lists_never_show(app) {
        app.signup("ada@example.org").await;
        let mine = create_contact(&app, json!({"email": "a@example.org"})).await;
        let mine = mine["id"].as_str().unwrap().to_owned();
        let my_list = create_list(&app, "Mine").await;
        members(&app, Method::POST, &my_list, &mine).await;

        let eve = app.other_user("eve@example.org").await;
        let hers = create_contact(&eve, json!({"email": "a@example.org"})).await;
        let hers = hers["id"].as_str().unwrap().to_owned();
        let her_list = create_list(&eve, "Eve's").await;
        members(&eve, Method::POST, &her_list, &hers).await;

        // The API cannot link across organizations; a stray row written straight into
        // the database must not leak her list's name either.
        let db = Database::connect(&app.database_url).await.unwrap();
        list_member::ActiveModel {
            list_id: Set(her_list.parse::<Uuid>().unwrap()),
            contact_id: Set(mine.parse::<Uuid>().unwrap()),
            created_at: Set(chrono::Utc::now()),
        }
        .insert(&db)
        .await
        .unwrap();

        let only_mine = json!([{"id": my_list, "name": "Mine"}]);
        assert_eq!(contact(&app, &mine).await["lists"], only_mine);
        let page: Value = app.get("/api/contacts").await.json().await.unwrap();
        assert_eq!(page["items"][0]["lists"], only_mine);
        assert_eq!(contact(&eve, &hers).await["lists"], json!([{"id": her_list, "name": "Eve's"}]));
    }
}
