//! Engagement benchmarks on PostgreSQL, against the real server on loopback:
//!
//! - `tracking [hits]` (default 100,000): open pixels and clicks (half each) over 10,000
//!   delivered messages, from a load generator (a process of its own) holding 64
//!   requests in flight; hits per second and latency percentiles, then the counters
//!   must equal the hits sent;
//! - `dashboard [deliveries]` (default 10,000,000): deliveries written by the database
//!   itself over 100 campaigns of the last 90 days, with their counters and hours as
//!   the engine keeps them; then latency percentiles of `GET /api/stats` and of the
//!   dashboard page for the last 90 days, requests one at a time.

use crate::{
    load::{self, ms, percentile},
    setup::{Bench, WITH_LINK},
};
use anyhow::{bail, Context, Result};
use carillon::{
    db::entities::{delivery, delivery_counter, tracked_link},
    tracking::token::Token,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect,
};
use std::{
    path::Path,
    time::{Duration, Instant},
};
use uuid::Uuid;

/// Requests in flight from the load generator.
const IN_FLIGHT: usize = 64;

pub async fn tracking(url: &str, dir: &Path, hits: usize) -> Result<()> {
    // People's hits at once: no "too soon after the send" window.
    let env = [("CARILLON_TRACKING_MACHINE_SECONDS", "0")];
    let (bench, addr) = Bench::serving(url, dir, &env).await?;
    let people = 10_000.min(hits as u64).max(1);
    bench.real_contacts(people).await?;
    bench.use_simulator().await?;
    let campaign = bench.campaign_with(WITH_LINK).await?;
    bench.send(campaign).await?;
    bench.until_completed(campaign).await?;
    let db = &bench.state.db;
    // Hits on arrived messages: the simulator's reports are all in.
    loop {
        let delivered: i64 = delivery_counter::Entity::find()
            .filter(delivery_counter::Column::CampaignId.eq(campaign))
            .all(db)
            .await?
            .iter()
            .map(|c| c.delivered)
            .sum();
        if delivered as u64 >= people {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let deliveries: Vec<Uuid> = delivery::Entity::find()
        .select_only()
        .column(delivery::Column::Id)
        .filter(delivery::Column::CampaignId.eq(campaign))
        .into_tuple()
        .all(db)
        .await?;
    let link = tracked_link::Entity::find()
        .filter(tracked_link::Column::CampaignId.eq(campaign))
        .one(db)
        .await?
        .context("the campaign's tracked link")?;
    let key = carillon::tracking::key(&bench.state.cipher);
    let base = format!("http://{addr}");
    let urls: Vec<String> = (0..hits)
        .map(|i| {
            let d = deliveries[i % deliveries.len()];
            if i % 2 == 0 {
                format!("{base}/t/o/{}", Token::open(d).sign(&key))
            } else {
                format!("{base}/t/c/{}", Token::click(d, link.id).sign(&key))
            }
        })
        .collect();
    println!(
        "[tracking] {} delivered messages, {hits} hits to send ({IN_FLIGHT} in flight)",
        deliveries.len()
    );
    let load = load::run(dir, &urls, IN_FLIGHT).await?;
    if load.sent != hits {
        bail!("the load generator sent {} hits of {hits}", load.sent);
    }
    let refused = load.refused;
    println!(
        "[tracking] {hits} hits in {:.2} s = {:.0} hits/s; latency p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms; {refused} refused",
        load.secs,
        hits as f64 / load.secs,
        load.p50_ms,
        load.p99_ms,
        load.max_ms,
    );
    let counters = delivery_counter::Entity::find()
        .filter(delivery_counter::Column::CampaignId.eq(campaign))
        .all(db)
        .await?;
    let sum = |f: fn(&delivery_counter::Model) -> i64| counters.iter().map(f).sum::<i64>();
    let (opens, clicks) = (sum(|c| c.opens), sum(|c| c.clicks));
    let machines = sum(|c| c.machine_opens + c.machine_clicks);
    let sent_opens = hits.div_ceil(2) as i64;
    let sent_clicks = (hits / 2) as i64;
    println!(
        "[tracking] counted: {opens} opens (sent {sent_opens}), {clicks} clicks (sent {sent_clicks}), {machines} by machines"
    );
    if opens != sent_opens || clicks != sent_clicks || machines != 0 || refused != 0 {
        bail!("the counters do not equal the hits sent");
    }
    Ok(())
}

/// Campaigns the deliveries are spread over.
const CAMPAIGNS: u64 = 100;
/// Requests timed per address.
const SAMPLES: usize = 200;

pub async fn dashboard(url: &str, dir: &Path, deliveries: u64) -> Result<()> {
    let (bench, addr) = Bench::serving(url, dir, &[]).await?;
    let db = &bench.state.db;
    let org = bench.actor.organization_id;
    let per_campaign = deliveries.div_ceil(CAMPAIGNS);
    let t = Instant::now();
    bench.placeholder_contacts(per_campaign).await?;
    let mut campaigns = Vec::new();
    for _ in 0..CAMPAIGNS {
        campaigns.push(bench.campaign().await?);
    }
    // Completed, one started every 0.9 days over the last 90.
    for (i, id) in campaigns.iter().enumerate() {
        db.execute_unprepared(&format!(
            "UPDATE campaigns SET status = 'completed', started_at = now() - interval '{} minutes', \
             completed_at = now() - interval '{} minutes' WHERE id = '{id}'",
            (i as u64 + 1) * 1296,
            (i as u64 + 1) * 1296 - 60,
        ))
        .await?;
    }
    // Every contact gets each campaign: 1 in 20 failed, the rest delivered; of those, 1
    // in 3 opened and 1 in 10 clicked.
    db.execute_unprepared(&format!(
        "INSERT INTO deliveries (id, organization_id, campaign_id, contact_id, channel, status, attempts, \
         next_attempt_at, sent_at, opened_at, clicked_at, error, created_at, updated_at)
         SELECT gen_random_uuid(), '{org}', c.id, k.id, 'email',
                CASE WHEN k.n % 20 = 0 THEN 'failed' ELSE 'delivered' END, 1,
                c.started_at, c.started_at,
                CASE WHEN k.n % 20 <> 0 AND k.n % 3 = 0 THEN c.started_at + interval '1 hour' END,
                CASE WHEN k.n % 20 <> 0 AND k.n % 10 = 0 THEN c.started_at + interval '2 hours' END,
                CASE WHEN k.n % 20 = 0 THEN 'simulated bounce' END,
                c.started_at, c.started_at
         FROM campaigns c
         CROSS JOIN (SELECT id, row_number() OVER () AS n FROM contacts WHERE organization_id = '{org}') k
         WHERE c.organization_id = '{org}'"
    ))
    .await?;
    // The counters and the hours, as the engine would have kept them.
    db.execute_unprepared(&format!(
        "INSERT INTO delivery_counters (campaign_id, channel, organization_id, total, pending, sent, delivered, failed, \
         skipped, cancelled, skipped_no_consent, skipped_no_address, skipped_unsubscribed, skipped_suppressed, \
         opens, unique_opens, machine_opens, clicks, unique_clicks, machine_clicks, bounced, complained, unsubscribed)
         SELECT campaign_id, 'email', '{org}', count(*), 0, 0, count(*) FILTER (WHERE status = 'delivered'),
                count(*) FILTER (WHERE status = 'failed'), 0, 0, 0, 0, 0, 0,
                count(opened_at), count(opened_at), 0, count(clicked_at), count(clicked_at), 0, 0, 0, 0
         FROM deliveries WHERE organization_id = '{org}' GROUP BY campaign_id
         ON CONFLICT (campaign_id, channel) DO UPDATE SET total = excluded.total, sent = 0,
           delivered = excluded.delivered, failed = excluded.failed, opens = excluded.opens,
           unique_opens = excluded.unique_opens, clicks = excluded.clicks, unique_clicks = excluded.unique_clicks"
    ))
    .await?;
    db.execute_unprepared(&format!(
        "INSERT INTO channel_hours (organization_id, hour, channel, sent, delivered, failed, skipped, unique_opens, \
         unique_clicks, machine_opens, machine_clicks, bounced, complained, unsubscribed)
         SELECT '{org}', date_trunc('hour', c.started_at), 'email', 0, d.delivered, d.failed, 0, d.unique_opens,
                d.unique_clicks, 0, 0, 0, 0, 0
         FROM delivery_counters d JOIN campaigns c ON c.id = d.campaign_id
         WHERE d.organization_id = '{org}'
         ON CONFLICT DO NOTHING"
    ))
    .await?;
    db.execute_unprepared("ANALYZE").await?;
    let written = delivery::Entity::find()
        .filter(delivery::Column::OrganizationId.eq(org))
        .count(db)
        .await?;
    println!(
        "[dashboard] {written} deliveries over {CAMPAIGNS} campaigns written in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let base = format!("http://{addr}");
    let login = client
        .post(format!("{base}/api/auth/login"))
        .header("origin", &base)
        .json(
            &serde_json::json!({"email": "bench@example.org", "password": "correct horse battery"}),
        )
        .send()
        .await?;
    if !login.status().is_success() {
        bail!("log-in refused: {}", login.status());
    }
    let cookie = login
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok()?.split(';').next().map(str::to_owned))
        .collect::<Vec<_>>()
        .join("; ");
    let from = (chrono::Utc::now() - chrono::TimeDelta::days(90)).format("%Y-%m-%d");
    for (label, path) in [
        (
            "GET /api/stats (90 days)",
            format!("/api/stats?from={from}"),
        ),
        ("the dashboard page (90 days)", "/?days=90".to_owned()),
    ] {
        let mut latencies = Vec::with_capacity(SAMPLES);
        let mut bytes = 0;
        for i in 0..SAMPLES + 10 {
            let t = Instant::now();
            let r = client
                .get(format!("{base}{path}"))
                .header(reqwest::header::COOKIE, &cookie)
                .send()
                .await?;
            if !r.status().is_success() {
                bail!("{path}: {}", r.status());
            }
            bytes = r.bytes().await?.len();
            // The first ten warm the caches.
            if i >= 10 {
                latencies.push(t.elapsed());
            }
        }
        latencies.sort_unstable();
        println!(
            "[dashboard] {label}: p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms over {SAMPLES} requests ({bytes} bytes)",
            ms(percentile(&latencies, 0.50)),
            ms(percentile(&latencies, 0.95)),
            ms(percentile(&latencies, 1.0)),
        );
    }
    Ok(())
}
