//! Double opt-in: a list's public sign-up form, the confirmation mail, the link.

use crate::{
    both_backends,
    contacts::send,
    helpers::*,
    sending::{list_of, use_smtp},
    smtp_server::SmtpServer,
};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const WORDING: &str = "Yes, send me the News & offers";

/// A list whose form is on, and the email channel through `smtp`.
async fn open_form(app: &TestApp, smtp: &SmtpServer) -> String {
    app.signup("admin@example.org").await;
    use_smtp(app, smtp, json!({"from_email": "news@acme.test"})).await;
    let (list, _) = list_of(app, "News", &[]).await;
    let r = send(
        app,
        Method::PATCH,
        &format!("/api/lists/{list}"),
        Some(&json!({"signup_enabled": true, "signup_wording": WORDING})),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let dto: Value = r.json().await.unwrap();
    assert_eq!(dto["signup_url"], format!("{}/f/{list}", app.address));
    list
}

async fn post_form(app: &TestApp, list: &str, body: &str) -> reqwest::Response {
    new_client()
        .post(app.url(&format!("/f/{list}")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.to_owned())
        .send()
        .await
        .unwrap()
}

async fn contact_by_email(app: &TestApp, email: &str) -> Option<Value> {
    let page: Value = app
        .get(&format!("/api/contacts?q={email}"))
        .await
        .json()
        .await
        .unwrap();
    page["items"].as_array().unwrap().first().cloned()
}

fn email_consent(c: &Value) -> String {
    c["consents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["channel"] == "email")
        .unwrap()["state"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The confirmation link of a mail, out of its quoted-printable body.
fn link_in(data: &str, app: &TestApp) -> String {
    let body = data.replace("=\r\n", "").replace("=3D", "=");
    let start = body
        .find(&format!("{}/f/", app.address))
        .expect("a confirmation link");
    body[start..]
        .chars()
        .take_while(|c| !matches!(c, '"' | '<' | ' ' | '\r' | '\n'))
        .collect()
}

both_backends! {
    async fn a_sign_up_joins_the_list_with_consent_only_once_confirmed(app) {
        let smtp = SmtpServer::start().await;
        let list = open_form(&app, &smtp).await;
        let page = new_client().get(app.url(&format!("/f/{list}"))).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        let html = page.text().await.unwrap();
        assert!(html.contains("News &amp; offers") && html.contains("name=\"website\""), "{html}");

        // Posted twice: one contact, one pending confirmation, one mail.
        for _ in 0..2 {
            let r = post_form(&app, &list, "email=Ada%40X.org&first_name=Ada&consent=yes&website=").await;
            assert_eq!(r.status(), StatusCode::OK);
            assert!(r.text().await.unwrap().contains("Check your inbox"));
        }
        app.drain().await;
        let mails = smtp.wait_for(1).await;
        app.drain().await;
        assert_eq!(smtp.messages().len(), 1);
        assert_eq!(mails[0].to, ["ada@x.org"]);
        assert_eq!(mails[0].from, "news@acme.test");
        let ada = contact_by_email(&app, "ada@x.org").await.expect("one contact");
        assert_eq!((ada["first_name"].as_str(), email_consent(&ada).as_str()), (Some("Ada"), "unknown"));
        assert!(ada["lists"].as_array().unwrap().is_empty());
        let all: Value = app.get("/api/contacts").await.json().await.unwrap();
        assert_eq!(all["total"], 1);

        // The link asks for a click (mail scanners open links); the click subscribes.
        let link = link_in(&mails[0].data, &app);
        let page = new_client().get(&link).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        assert!(page.text().await.unwrap().contains("<form method=\"post\">"));
        assert_eq!(email_consent(&contact_by_email(&app, "ada@x.org").await.unwrap()), "unknown");
        let done = new_client().post(&link).send().await.unwrap();
        assert_eq!(done.status(), StatusCode::OK);
        assert!(done.text().await.unwrap().contains("Subscription confirmed"));
        let ada = contact_by_email(&app, "ada@x.org").await.unwrap();
        assert_eq!(email_consent(&ada), "granted");
        assert_eq!(ada["lists"][0]["id"], list.as_str());
        let history: Value = app.get(&format!("/api/contacts/{}/consents", ada["id"].as_str().unwrap())).await.json().await.unwrap();
        let record = &history.as_array().unwrap()[0];
        assert_eq!((record["source"].as_str(), record["wording"].as_str(), record["lawful_basis"].as_str()),
            (Some("form"), Some(WORDING), Some("consent")), "{record}");
        assert_eq!(record["source_ref"], format!("{}/f/{list}", app.address));
        assert_eq!((record["ip"].as_str(), record["confirmed_ip"].as_str()), (Some("127.0.0.1"), Some("127.0.0.1")), "{record}");
        assert!(record["confirmed_at"].is_string(), "{record}");

        // Confirmed twice: once. Signed up again while subscribed: no new mail.
        let again = new_client().post(&link).send().await.unwrap();
        assert_eq!(again.status(), StatusCode::OK);
        let history: Value = app.get(&format!("/api/contacts/{}/consents", ada["id"].as_str().unwrap())).await.json().await.unwrap();
        assert_eq!(history.as_array().unwrap().len(), 1);
        post_form(&app, &list, "email=ada@x.org&consent=yes").await;
        app.drain().await;
        assert_eq!(smtp.messages().len(), 1);
    }

    async fn bots_tampered_and_expired_links_change_nothing(app) {
        let smtp = SmtpServer::start().await;
        let list = open_form(&app, &smtp).await;
        // A bot fills the hidden field: the same answer, nothing stored, nothing sent.
        let r = post_form(&app, &list, "email=bot@x.org&consent=yes&website=http%3A%2F%2Fspam").await;
        assert_eq!(r.status(), StatusCode::OK);
        app.drain().await;
        assert!(contact_by_email(&app, "bot@x.org").await.is_none());
        assert!(smtp.messages().is_empty());
        // Wrong input: the form again, with the reasons, and nothing stored.
        let r = post_form(&app, &list, "email=not-an-address&first_name=Al").await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text().await.unwrap();
        assert!(html.contains("id=\"email-error\"") && html.contains("id=\"consent-error\"") && html.contains("value=\"Al\""), "{html}");
        let all: Value = app.get("/api/contacts").await.json().await.unwrap();
        assert_eq!(all["total"], 0);
        // Forms that do not exist, or are off.
        let (closed, _) = list_of(&app, "Closed", &[]).await;
        for path in [format!("/f/{closed}"), format!("/f/{}", uuid::Uuid::now_v7()), "/f/nope".into()] {
            assert_eq!(new_client().get(app.url(&path)).send().await.unwrap().status(), StatusCode::NOT_FOUND, "{path}");
            assert_eq!(post_form(&app, path.trim_start_matches("/f/"), "email=a@x.org&consent=yes").await.status(), StatusCode::NOT_FOUND);
        }

        post_form(&app, &list, "email=ada@x.org&consent=yes").await;
        app.drain().await;
        let link = link_in(&smtp.wait_for(1).await[0].data, &app);
        // Altered: a clear page, nothing changed.
        let last = if link.ends_with('A') { "B" } else { "A" };
        let altered = format!("{}{last}", &link[..link.len() - 1]);
        for r in [new_client().get(&altered).send().await.unwrap(), new_client().post(&altered).send().await.unwrap()] {
            assert_eq!(r.status(), StatusCode::NOT_FOUND);
        }
        assert_eq!(email_consent(&contact_by_email(&app, "ada@x.org").await.unwrap()), "unknown");
        // Expired: a clear page, nothing changed.
        let db = sea_orm::Database::connect(&app.database_url).await.unwrap();
        use sea_orm::ConnectionTrait;
        db.execute_unprepared("UPDATE list_signups SET expires_at = requested_at").await.unwrap();
        for r in [new_client().get(&link).send().await.unwrap(), new_client().post(&link).send().await.unwrap()] {
            assert_eq!(r.status(), StatusCode::GONE);
            assert!(r.text().await.unwrap().contains("expired"));
        }
        let ada = contact_by_email(&app, "ada@x.org").await.unwrap();
        assert!(email_consent(&ada) == "unknown" && ada["lists"].as_array().unwrap().is_empty());
        // Signing up again gives a fresh confirmation, which works.
        post_form(&app, &list, "email=ada@x.org&consent=yes").await;
        app.drain().await;
        let link = link_in(&smtp.wait_for(2).await[1].data, &app);
        assert_eq!(new_client().post(&link).send().await.unwrap().status(), StatusCode::OK);
        assert_eq!(email_consent(&contact_by_email(&app, "ada@x.org").await.unwrap()), "granted");
    }

    async fn a_confirmed_sign_up_lifts_an_unsubscribe_but_a_bounce_gets_no_mail(app) {
        let smtp = SmtpServer::start().await;
        let list = open_form(&app, &smtp).await;
        for (address, reason) in [("gone@x.org", "unsubscribe"), ("bounced@x.org", "bounce")] {
            let r = app.post("/api/suppressions", &json!({"channel": "email", "address": address, "reason": reason})).await;
            assert_eq!(r.status(), StatusCode::CREATED);
        }
        post_form(&app, &list, "email=bounced@x.org&consent=yes").await;
        post_form(&app, &list, "email=gone@x.org&consent=yes").await;
        app.drain().await;
        let mails = smtp.wait_for(1).await;
        app.drain().await;
        assert_eq!(smtp.messages().len(), 1);
        assert_eq!(mails[0].to, ["gone@x.org"]);
        assert_eq!(new_client().post(link_in(&mails[0].data, &app)).send().await.unwrap().status(), StatusCode::OK);
        let left: Value = app.get("/api/suppressions").await.json().await.unwrap();
        let reasons: Vec<&str> = left["items"].as_array().unwrap().iter().map(|e| e["reason"].as_str().unwrap()).collect();
        assert_eq!(reasons, ["bounce"]);
    }
}
