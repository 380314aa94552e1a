//! Open and click tracking: links rewritten in emails, the pixel, hits through the real
//! endpoints, machines told apart, bad tokens, tracking turned off.

use crate::{
    both_backends,
    contacts::send,
    helpers::*,
    sending::{
        create_and_send, events_when, granted, kinds, list_of, settle, use_simulator, use_smtp,
    },
    smtp_server::SmtpServer,
};
use base64::Engine;
use carillon::db::entities::{delivery, delivery_counter, tracked_link};
use reqwest::{header, Method, StatusCode};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{json, Value};

const BROWSER: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

/// People's hits are recognised at once (no "too soon after the send" window).
const NO_WINDOW: &[(&str, &str)] = &[("CARILLON_TRACKING_MACHINE_SECONDS", "0")];

fn campaign(list: &str) -> Value {
    json!({
        "title": "Promo", "channels": ["email"], "list_ids": [list],
        "content": {"email": {"subject": "Hi", "from_name": "Acme", "from_email": "news@acme.test",
            "html": "<p>Hello {{ first_name }}</p><p><a href=\"https://shop.acme.test/offer?x=1&y=2\">Offer</a> <a href=\"mailto:help@acme.test\">Mail us</a> <a href=\"javascript:alert(1)\">Bad</a> <a href=\"https://shop.acme.test/c/{{ first_name }}\">Yours</a></p>"}}
    })
}

/// The HTML part of a received message, decoded.
fn html_of(data: &str) -> String {
    let start = data.find("Content-Type: text/html").expect("an HTML part");
    let part = &data[start..];
    let body_at = part.find("\r\n\r\n").unwrap() + 4;
    let (headers, rest) = part.split_at(body_at);
    let body = &rest[..rest.find("\r\n--").unwrap_or(rest.len())];
    if headers.contains("base64") {
        let raw: String = body.split_whitespace().collect();
        String::from_utf8(
            base64::engine::general_purpose::STANDARD
                .decode(raw)
                .unwrap(),
        )
        .unwrap()
    } else {
        body.replace("=\r\n", "").replace("=3D", "=")
    }
}

/// The URLs below `{address}{prefix}` in `html`, in order.
fn urls(html: &str, app: &TestApp, prefix: &str) -> Vec<String> {
    let start = format!("{}{prefix}", app.address);
    html.match_indices(&start)
        .map(|(i, _)| {
            html[i..]
                .chars()
                .take_while(|c| !matches!(c, '"' | '<' | ' ' | '\''))
                .collect()
        })
        .collect()
}

async fn counters(app: &TestApp, campaign: &str) -> delivery_counter::Model {
    let db = sea_orm::Database::connect(&app.database_url).await.unwrap();
    delivery_counter::Entity::find()
        .filter(delivery_counter::Column::CampaignId.eq(campaign.parse::<uuid::Uuid>().unwrap()))
        .one(&db)
        .await
        .unwrap()
        .unwrap()
}

async fn get(url: &str, agent: Option<&str>) -> reqwest::Response {
    let mut r = new_client().get(url);
    if let Some(a) = agent {
        r = r.header(header::USER_AGENT, a);
    }
    r.send().await.unwrap()
}

async fn assert_pixel(r: reqwest::Response) {
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()[header::CONTENT_TYPE], "image/gif");
    assert!(r.headers()[header::CACHE_CONTROL]
        .to_str()
        .unwrap()
        .contains("no-store"));
    let gif = r.bytes().await.unwrap();
    assert!(gif.starts_with(b"GIF89a") && gif.len() < 64, "{gif:?}");
}

/// A campaign to Ada and Grace through a real SMTP server: its id and Ada's HTML.
async fn sent(app: &TestApp, smtp: &SmtpServer) -> (String, String) {
    app.signup("admin@example.org").await;
    use_smtp(app, smtp, json!({"from_email": "news@acme.test"})).await;
    let (list, _) = list_of(
        app,
        "People",
        &[granted("ada@x.org", "Ada"), granted("grace@x.org", "Grace")],
    )
    .await;
    let id = create_and_send(app, campaign(&list)).await;
    settle(app, &id).await;
    let ada = smtp
        .wait_for(2)
        .await
        .into_iter()
        .find(|m| m.to.iter().any(|t| t == "ada@x.org"))
        .unwrap();
    (id, html_of(&ada.data))
}

both_backends! {
    async fn opens_and_clicks_through_the_real_endpoints_count_people_once_and_machines_apart(app) {
        let app = spawn_app_like(&app, NO_WINDOW).await;
        let smtp = SmtpServer::start().await;
        let (id, html) = sent(&app, &smtp).await;
        // Both web links tracked (one per contact: the second is personalised), the
        // pixel in; mailto, javascript and our own unsubscribe link left alone.
        let clicks = urls(&html, &app, "/t/c/");
        assert_eq!(clicks.len(), 2, "{html}");
        assert_eq!(urls(&html, &app, "/t/o/").len(), 1, "{html}");
        assert!(!html.contains("shop.acme.test") && html.contains("mailto:help@acme.test"), "{html}");
        assert!(html.contains("&#47;u&#47;"), "the unsubscribe link as written: {html}");
        let pixel = urls(&html, &app, "/t/o/").remove(0);

        assert_pixel(get(&pixel, Some(BROWSER)).await).await;
        assert_pixel(get(&pixel, Some(BROWSER)).await).await;
        let r = get(&clicks[0], Some(BROWSER)).await;
        assert_eq!(r.status(), StatusCode::FOUND);
        assert_eq!(r.headers()[header::LOCATION], "https://shop.acme.test/offer?x=1&y=2");
        assert_eq!(get(&clicks[0], Some(BROWSER)).await.status(), StatusCode::FOUND);
        let r = get(&clicks[1], Some(BROWSER)).await;
        assert_eq!(r.headers()[header::LOCATION], "https://shop.acme.test/c/Ada");
        // A scanner's click and a proxy's fetch: counted apart.
        assert_pixel(get(&pixel, Some("curl/8.5.0")).await).await;
        let r = new_client().head(&clicks[0]).header(header::USER_AGENT, BROWSER).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FOUND);

        let c = counters(&app, &id).await;
        assert_eq!((c.opens, c.unique_opens, c.machine_opens), (2, 1, 1));
        assert_eq!((c.clicks, c.unique_clicks, c.machine_clicks), (3, 1, 1));
        // The counters equal a recount from the rows.
        let db = sea_orm::Database::connect(&app.database_url).await.unwrap();
        let rows = delivery::Entity::find().filter(delivery::Column::CampaignId.eq(id.parse::<uuid::Uuid>().unwrap())).all(&db).await.unwrap();
        assert_eq!(rows.iter().filter(|d| d.opened_at.is_some()).count(), 1);
        assert_eq!(rows.iter().filter(|d| d.clicked_at.is_some()).count(), 1);
        let links = tracked_link::Entity::find().all(&db).await.unwrap();
        assert_eq!(links.len(), 3, "one offer link, and one personal link per contact");
        // Sealed at rest: a personal link holds personal data.
        assert!(links.iter().all(|l| l.url.starts_with("v1.") && !l.url.contains("acme")));
        let cipher = app.cipher();
        let url = |l: &tracked_link::Model| cipher.decrypt(carillon::tracking::links::URL, &l.id.to_string(), &l.url).unwrap();
        let offer = links.iter().find(|l| url(l).ends_with("offer?x=1&y=2")).unwrap();
        assert_eq!((offer.clicks, offer.unique_clicks), (2, 1));
        // The figures of the campaign: Ada's open proved her message arrived.
        let stats: Value = app.get(&format!("/api/campaigns/{id}/stats")).await.json().await.unwrap();
        assert_eq!(stats["campaign_id"], id.as_str());
        let email = &stats["channels"][0];
        assert_eq!(email["channel"], "email");
        for (field, n) in [("sent", 2), ("delivered", 1), ("failed", 0), ("skipped", 0), ("unique_opens", 1),
                           ("unique_clicks", 1), ("machine_opens", 1), ("machine_clicks", 1), ("unsubscribed", 0)] {
            assert_eq!(email[field], n, "{field}: {stats}");
        }
        assert_eq!(stats["rates"], json!({"delivery": 0.5, "open": 1.0, "click": 1.0, "failure": 0.0}));
        let links: Value = app.get(&format!("/api/campaigns/{id}/links")).await.json().await.unwrap();
        assert_eq!(links[0]["url"], "https://shop.acme.test/offer?x=1&y=2", "{links}");
        assert_eq!((links[0]["clicks"].as_u64(), links[0]["unique_clicks"].as_u64()), (Some(2), Some(1)));
        assert_eq!(links.as_array().unwrap().len(), 3);
        // Her unsubscribe link counts against this campaign.
        let token = html[html.find("&#47;u&#47;").unwrap() + 11..].split('"').next().unwrap().to_owned();
        let r = new_client().post(app.url(&format!("/u/{token}"))).form(&[("List-Unsubscribe", "One-Click")]).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let stats: Value = app.get(&format!("/api/campaigns/{id}/stats")).await.json().await.unwrap();
        assert_eq!(stats["channels"][0]["unsubscribed"], 1, "{stats}");
        // Another organization sees none of it.
        let other = app.other_user("eve@example.org").await;
        assert_eq!(other.get(&format!("/api/campaigns/{id}/stats")).await.status(), StatusCode::NOT_FOUND);
        assert_eq!(other.get(&format!("/api/campaigns/{id}/links")).await.status(), StatusCode::NOT_FOUND);

        // Each hit is an event.
        let count = |items: &[Value], kind: &str| kinds(items).iter().filter(|k| *k == kind).count();
        let items = events_when(&app, |items| count(items, "MessageClicked") == 4).await;
        assert_eq!(count(&items, "MessageOpened"), 3);
        assert_eq!(count(&items, "MessageClicked"), 4);
    }

    async fn hits_at_once_are_all_counted_and_people_once(app) {
        let app = spawn_app_like(&app, NO_WINDOW).await;
        let smtp = SmtpServer::start().await;
        let (id, ada) = sent(&app, &smtp).await;
        let grace = smtp.wait_for(2).await.into_iter().find(|m| m.to.iter().any(|t| t == "grace@x.org")).unwrap();
        let grace = html_of(&grace.data);
        // 200 requests at once: each person's pixel and offer link, 50 times each, so
        // that batches hold the same delivery many times over.
        let mut urls_to_hit = Vec::new();
        for html in [&ada, &grace] {
            let pixel = urls(html, &app, "/t/o/").remove(0);
            let offer = urls(html, &app, "/t/c/").remove(0);
            for _ in 0..50 {
                urls_to_hit.push(pixel.clone());
                urls_to_hit.push(offer.clone());
            }
        }
        let client = new_client();
        let answers = futures_util::future::join_all(urls_to_hit.iter().map(|u| {
            client.get(u).header(header::USER_AGENT, BROWSER).send()
        }))
        .await;
        for a in answers {
            let status = a.unwrap().status();
            assert!(status == StatusCode::OK || status == StatusCode::FOUND, "{status}");
        }
        let c = counters(&app, &id).await;
        assert_eq!((c.opens, c.unique_opens, c.machine_opens), (100, 2, 0));
        assert_eq!((c.clicks, c.unique_clicks, c.machine_clicks), (100, 2, 0));
        assert_eq!(c.delivered, 2, "the hits proved both messages arrived");
        let db = sea_orm::Database::connect(&app.database_url).await.unwrap();
        let offer = tracked_link::Entity::find().all(&db).await.unwrap().into_iter().max_by_key(|l| l.clicks).unwrap();
        assert_eq!((offer.clicks, offer.unique_clicks), (100, 2));
        let count = |items: &[Value], kind: &str| kinds(items).iter().filter(|k| *k == kind).count();
        let items = events_when(&app, |items| count(items, "MessageClicked") == 100).await;
        assert_eq!(count(&items, "MessageOpened"), 100);
        let period: Value = app.get("/api/stats").await.json().await.unwrap();
        assert_eq!((period["totals"]["unique_opens"].as_u64(), period["totals"]["unique_clicks"].as_u64()), (Some(2), Some(2)));
    }

    async fn bad_tokens_get_a_pixel_or_a_404_and_count_nothing(app) {
        let app = spawn_app_like(&app, &[("CARILLON_TRACKING_MACHINE_SECONDS", "3600")]).await;
        let smtp = SmtpServer::start().await;
        let (id, html) = sent(&app, &smtp).await;
        let pixel = urls(&html, &app, "/t/o/").remove(0);
        let click = urls(&html, &app, "/t/c/").remove(0);
        let token = click.rsplit('/').next().unwrap().to_owned();
        let mut flipped = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(&token).unwrap();
        flipped[5] ^= 1;
        let flipped = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(flipped);
        for path in ["/t/o/garbage", "/t/o/a/b/c", &format!("/t/o/{}", "A".repeat(5000)), &format!("/t/o/{flipped}"),
                     &format!("/t/o/{token}")] {
            assert_pixel(get(&app.url(path), Some(BROWSER)).await).await;
        }
        for path in ["/t/c/garbage", "/t/c/", &format!("/t/c/{}", "A".repeat(5000)), &format!("/t/c/{flipped}"),
                     &format!("/t/c/{token}/x"), &pixel.replace("/t/o/", "/t/c/")] {
            let r = get(&app.url(path.trim_start_matches(&app.address)), Some(BROWSER)).await;
            assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path:.60}");
            assert!(r.headers().get(header::LOCATION).is_none());
            assert!(r.text().await.unwrap().contains("Unknown link"));
        }
        let c = counters(&app, &id).await;
        assert_eq!((c.opens, c.unique_opens, c.machine_opens, c.clicks, c.machine_clicks), (0, 0, 0, 0, 0));
        // A person's open in the moment of the send is a proxy's: counted apart.
        assert_pixel(get(&pixel, Some(BROWSER)).await).await;
        let c = counters(&app, &id).await;
        assert_eq!((c.opens, c.unique_opens, c.machine_opens), (0, 0, 1));

        // Deliveries deleted (a retention policy): an old message's link still leads on.
        let db = sea_orm::Database::connect(&app.database_url).await.unwrap();
        delivery::Entity::delete_many().filter(delivery::Column::CampaignId.eq(id.parse::<uuid::Uuid>().unwrap())).exec(&db).await.unwrap();
        let r = get(&click, Some(BROWSER)).await;
        assert_eq!(r.status(), StatusCode::FOUND);
        assert_eq!(r.headers()[header::LOCATION], "https://shop.acme.test/offer?x=1&y=2");
        assert_eq!(counters(&app, &id).await.clicks, 0);
    }

    async fn the_simulator_s_people_open_and_click_through_the_tracking_path(app) {
        app.signup("admin@example.org").await;
        use_simulator(&app, "email", json!({"latency_ms": 0, "failure_rate": 0, "open_rate": 1, "click_rate": 0.5})).await;
        let people: Vec<Value> = (0..20).map(|i| granted(&format!("p{i}@x.org"), "P")).collect();
        let (list, _) = list_of(&app, "People", &people).await;
        let id = create_and_send(&app, campaign(&list)).await;
        settle(&app, &id).await;
        let stats: Value = app.get(&format!("/api/campaigns/{id}/stats")).await.json().await.unwrap();
        let email = &stats["channels"][0];
        assert_eq!((email["delivered"].as_u64(), email["unique_opens"].as_u64(), email["machine_opens"].as_u64()), (Some(20), Some(20), Some(0)), "{stats}");
        // About half click, always the same ones (the fate is drawn from the delivery id).
        let clicked = email["unique_clicks"].as_u64().unwrap();
        assert!((4..=16).contains(&clicked), "{stats}");
        let links: Value = app.get(&format!("/api/campaigns/{id}/links")).await.json().await.unwrap();
        let on_links: u64 = links.as_array().unwrap().iter().map(|l| l["unique_clicks"].as_u64().unwrap()).sum();
        assert_eq!(on_links, clicked, "{links}");
        // The counters equal a recount from the rows.
        let db = sea_orm::Database::connect(&app.database_url).await.unwrap();
        let rows = delivery::Entity::find().filter(delivery::Column::CampaignId.eq(id.parse::<uuid::Uuid>().unwrap())).all(&db).await.unwrap();
        assert_eq!(rows.iter().filter(|d| d.opened_at.is_some()).count(), 20);
        assert_eq!(rows.iter().filter(|d| d.clicked_at.is_some()).count() as u64, clicked);

        // Tracking off: the simulator's people open nothing either.
        let r = send(&app, Method::PATCH, "/api/organization", Some(&json!({"tracking": false}))).await;
        assert_eq!(r.status(), StatusCode::OK);
        let next = create_and_send(&app, campaign(&list)).await;
        settle(&app, &next).await;
        let stats: Value = app.get(&format!("/api/campaigns/{next}/stats")).await.json().await.unwrap();
        assert_eq!((stats["channels"][0]["delivered"].as_u64(), stats["channels"][0]["unique_opens"].as_u64()), (Some(20), Some(0)), "{stats}");

        // The organization's period: the sums of both campaigns, kept per hour.
        let period: Value = app.get("/api/stats").await.json().await.unwrap();
        let totals = &period["totals"];
        for (field, n) in [("sent", 40), ("delivered", 40), ("failed", 0), ("unique_opens", 20), ("machine_opens", 0)] {
            assert_eq!(totals[field], n, "{field}: {period}");
        }
        assert_eq!(totals["unique_clicks"], clicked);
        assert_eq!(period["rates"]["open"], 0.5);
        assert_eq!(period["rates"]["failure"], 0.0);
        let email = period["by_channel"].as_array().unwrap().iter().find(|c| c["channel"] == "email").unwrap().clone();
        assert_eq!(email["sent"], 40);
        let series = period["series"].as_array().unwrap();
        let sum = |f: &str| series.iter().map(|p| p[f].as_u64().unwrap()).sum::<u64>();
        assert_eq!((sum("sent"), sum("delivered"), sum("opens"), sum("clicks")), (40, 40, 20, clicked), "{period}");
        let campaigns = period["campaigns"].as_array().unwrap();
        assert_eq!(campaigns.len(), 2);
        assert_eq!((campaigns[0]["id"].as_str(), campaigns[0]["open_rate"].as_f64()), (Some(next.as_str()), Some(0.0)));
        assert_eq!((campaigns[1]["id"].as_str(), campaigns[1]["open_rate"].as_f64()), (Some(id.as_str()), Some(1.0)));
        assert_eq!((campaigns[1]["title"].as_str(), campaigns[1]["sent"].as_u64(), campaigns[1]["status"].as_str()), (Some("Promo"), Some(20), Some("completed")));
        let sms: Value = app.get("/api/stats?channel=sms").await.json().await.unwrap();
        assert_eq!((sms["totals"]["sent"].as_u64(), sms["campaigns"].as_array().unwrap().len()), (Some(0), 0), "{sms}");
        let past: Value = app.get("/api/stats?from=2020-01-01&to=2020-01-31").await.json().await.unwrap();
        assert_eq!((past["totals"]["sent"].as_u64(), past["series"].as_array().unwrap().len()), (Some(0), 0));

        // Bad periods: a reason naming the field.
        for (query, field) in [("from=2026-02-10&to=2026-02-01", "from"), ("from=2016-01-01&to=2026-01-01", "to"),
                               ("from=yesterday", "from"), ("to=2026-13-01", "to"), ("channel=fax", "channel")] {
            let body = problem(app.get(&format!("/api/stats?{query}")).await, 422).await;
            assert!(body["errors"][field].is_string(), "{query}: {body}");
        }
    }

    async fn an_organization_that_turns_tracking_off_sends_its_links_as_written(app) {
        let smtp = SmtpServer::start().await;
        app.signup("admin@example.org").await;
        let r = send(&app, Method::PATCH, "/api/organization", Some(&json!({"tracking": false}))).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.json::<Value>().await.unwrap()["tracking"], false);
        use_smtp(&app, &smtp, json!({"from_email": "news@acme.test"})).await;
        let (list, _) = list_of(&app, "People", &[granted("ada@x.org", "Ada")]).await;
        let id = create_and_send(&app, campaign(&list)).await;
        settle(&app, &id).await;
        let html = html_of(&smtp.wait_for(1).await[0].data);
        assert!(html.contains("https://shop.acme.test/offer?x=1&amp;y=2"), "{html}");
        assert!(!html.contains("/t/c/") && !html.contains("/t/o/"), "{html}");
    }
}
