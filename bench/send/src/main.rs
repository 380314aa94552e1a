//! Sending benchmarks on PostgreSQL, through the real engine:
//!
//! - `fanout [contacts]` (default 1,000,000): one campaign's fan-out, deliveries written
//!   per second, next to a `COPY` of the same rows into a copy of the table;
//! - `dispatch [messages]` (default 100,000): the simulator at zero latency, no rate
//!   limit: messages per second from the campaign's start to its completion (claim,
//!   render, send, record);
//! - `smtp [messages]` (default 20,000): the same to an SMTP server on loopback (a sink
//!   started here), with the TCP connections it was opened;
//! - `sendgrid [messages]` (default 50,000): the same through the SendGrid adapter to a
//!   SendGrid-shaped HTTP sink on loopback, next to what that sink takes from a plain
//!   HTTP client at the same concurrency in the same run, with the connections opened.
//!
//! - `tracking [hits]` and `dashboard [deliveries]`: see [`engagement`].
//!
//! `cargo run --release -p bench-send -- fanout|dispatch|smtp|sendgrid|tracking|dashboard [n]`
//! (`BENCH_DATABASE_URL`, default `postgres://postgres@127.0.0.1:5432/postgres`;
//! `CARILLON_WORKERS` for the worker loops, default 4 as the server's).

mod engagement;
mod load;
mod sendgrid_sink;
mod setup;
mod sink;

use anyhow::{bail, Context, Result};
use futures_util::StreamExt;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, TransactionTrait};
use std::{io::Write, path::Path, time::Instant};

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    // The tracking benchmark's load generator, started by the benchmark itself.
    if args.get(1).map(String::as_str) == Some("load") {
        return load::child(&args[2..]);
    }
    tokio::runtime::Runtime::new()?.block_on(bench(args))
}

async fn bench(args: Vec<String>) -> Result<()> {
    carillon::telemetry::init(carillon::config::LogFormat::Human);
    let what = args.get(1).map_or("dispatch", String::as_str).to_owned();
    let n: u64 = args
        .get(2)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(match what.as_str() {
            "fanout" => 1_000_000,
            "smtp" => 20_000,
            "sendgrid" => 50_000,
            "dashboard" => 10_000_000,
            _ => 100_000,
        });
    let base = std::env::var("BENCH_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let name = format!("carillon_bench_{}", uuid::Uuid::new_v4().simple());
    let admin = Database::connect(&base)
        .await
        .context("connect to BENCH_DATABASE_URL")?;
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await?;
    let mut url = url::Url::parse(&base)?;
    url.set_path(&format!("/{name}"));
    let dir = tempfile::tempdir()?;
    let result = match what.as_str() {
        "fanout" => fanout(url.as_str(), dir.path(), n).await,
        "dispatch" => dispatch(url.as_str(), dir.path(), n, Via::Simulator)
            .await
            .map(|_| ()),
        "sendgrid" => sendgrid(url.as_str(), dir.path(), n).await,
        "tracking" => engagement::tracking(url.as_str(), dir.path(), n as usize).await,
        "dashboard" => engagement::dashboard(url.as_str(), dir.path(), n).await,
        "smtp" => {
            let sink = sink::Sink::start().await?;
            dispatch(url.as_str(), dir.path(), n, Via::Smtp(sink.port))
                .await
                .map(|_| {
                    println!(
                        "[smtp] the server received {} messages over {} TCP connections",
                        sink.messages(),
                        sink.connections()
                    );
                })
        }
        other => Err(anyhow::anyhow!(
            "unknown benchmark `{other}`: fanout, dispatch, smtp, sendgrid, tracking or dashboard"
        )),
    };
    admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await?;
    result
}

async fn fanout(url: &str, dir: &Path, n: u64) -> Result<()> {
    let bench = setup::Bench::new(url, dir).await?;
    let t = Instant::now();
    bench.placeholder_contacts(n).await?;
    println!(
        "[fanout] {n} contacts with consent in one list, in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let campaign = bench.campaign().await?;
    bench.schedule(campaign).await?;
    let db = &bench.state.db;
    let started = Instant::now();
    let txn = db.begin().await?;
    let running = carillon::campaigns::transition(
        &txn,
        carillon::campaigns::By::System(carillon::campaigns::System::Scheduler),
        bench.actor.organization_id,
        campaign,
        app::model::CampaignStatus::Running,
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let pending = carillon::delivery::fanout::fan_out(&txn, &running)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    txn.commit().await?;
    let secs = started.elapsed().as_secs_f64();
    let rate = n as f64 / secs;
    println!("[fanout] {pending} deliveries written in {secs:.1} s = {rate:.0} rows/s");
    let copy = copy_reference(db, dir).await?;
    println!("[fanout] fan-out / COPY = {:.2}", rate / copy);
    Ok(())
}

/// `COPY` of the deliveries just written into an identically indexed table.
async fn copy_reference(db: &DatabaseConnection, dir: &Path) -> Result<f64> {
    db.execute_unprepared("CREATE TABLE copy_deliveries (LIKE deliveries INCLUDING ALL)")
        .await?;
    let pool = db.get_postgres_connection_pool();
    let dump = dir.join("deliveries.copy");
    {
        let mut out = std::io::BufWriter::new(std::fs::File::create(&dump)?);
        let mut stream =
            sea_orm::sqlx::postgres::PgPoolCopyExt::copy_out_raw(pool, "COPY deliveries TO STDOUT")
                .await?;
        while let Some(chunk) = stream.next().await {
            out.write_all(&chunk?)?;
        }
        out.flush()?;
    }
    let started = Instant::now();
    let mut copy = sea_orm::sqlx::postgres::PgPoolCopyExt::copy_in_raw(
        pool,
        "COPY copy_deliveries FROM STDIN",
    )
    .await?;
    let mut file = tokio::fs::File::open(&dump).await?;
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let read = tokio::io::AsyncReadExt::read(&mut file, &mut buf).await?;
        if read == 0 {
            break;
        }
        copy.send(&buf[..read]).await?;
    }
    let copied = copy.finish().await?;
    let secs = started.elapsed().as_secs_f64();
    let rate = copied as f64 / secs;
    println!("[fanout] COPY reference: {copied} rows in {secs:.1} s = {rate:.0} rows/s");
    Ok(rate)
}

/// The engine through the SendGrid adapter, then a plain HTTP client, to one sink.
async fn sendgrid(url: &str, dir: &Path, n: u64) -> Result<()> {
    let sink = sendgrid_sink::Sink::start().await?;
    let engine = dispatch(url, dir, n, Via::SendGrid(&sink.url)).await?;
    println!(
        "[sendgrid] the sink took {} messages over {} TCP connections",
        sink.counts.messages(),
        sink.counts.connections()
    );
    let plain = sendgrid_sink::load(&sink.url, n, IN_FLIGHT).await?;
    println!(
        "[sendgrid] a plain HTTP client, {IN_FLIGHT} requests at a time: {plain:.0} req/s; Carillon / plain = {:.2}",
        engine / plain
    );
    Ok(())
}

/// Messages in flight at most, through HTTP providers and the plain client alike.
const IN_FLIGHT: usize = 64;

enum Via<'a> {
    Simulator,
    Smtp(u16),
    SendGrid(&'a str),
}

/// Returns messages per second from the campaign's start to its completion.
async fn dispatch(url: &str, dir: &Path, n: u64, via: Via<'_>) -> Result<f64> {
    let label = match via {
        Via::Simulator => "dispatch",
        Via::Smtp(_) => "smtp",
        Via::SendGrid(_) => "sendgrid",
    };
    let bench = setup::Bench::new(url, dir).await?;
    let t = Instant::now();
    bench.real_contacts(n).await?;
    println!(
        "[{label}] {n} contacts with consent in one list, in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    match via {
        Via::Simulator => bench.use_simulator().await?,
        Via::Smtp(port) => bench.use_smtp(port).await?,
        Via::SendGrid(base) => {
            bench
                .use_sendgrid(base, sendgrid_sink::KEY, IN_FLIGHT)
                .await?
        }
    }
    let campaign = bench.campaign().await?;
    bench.state.jobs.start().await;
    let sent = Instant::now();
    bench.send(campaign).await?;
    let done = bench.until_completed(campaign).await?;
    let wall = sent.elapsed().as_secs_f64();
    let engine_secs = (done.completed_at - done.started_at).num_milliseconds() as f64 / 1000.0;
    let rate = n as f64 / engine_secs;
    println!(
        "[{label}] {} sent, {} failed; from start to completion {engine_secs:.1} s = {rate:.0} msg/s (from the send request: {wall:.1} s)",
        done.sent,
        done.failed,
    );
    if done.sent + done.failed != n {
        bail!("not every message was sent");
    }
    bench
        .state
        .jobs
        .shutdown(std::time::Duration::from_secs(5))
        .await;
    Ok(rate)
}
