//! Import benchmark: generates a CSV (5 % duplicates, 2 % invalid rows), imports it
//! through the real server (HTTP upload → background import), and on PostgreSQL loads
//! the same stored rows with `COPY` into an identically indexed table for reference.
//!
//! `cargo run --release -p bench-import -- [rows] [postgres|sqlite|both]`
//! (`BENCH_DATABASE_URL`, default `postgres://postgres@127.0.0.1:5432/postgres`).

mod generate;

use anyhow::{bail, Context, Result};
use carillon::{config::Config, startup::Application};
use futures_util::StreamExt;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use serde_json::{json, Value};
use std::{collections::HashMap, io::Write, path::Path, time::Instant};

#[tokio::main]
async fn main() -> Result<()> {
    // The server's own logs (RUST_LOG filters; warnings and errors by default).
    carillon::telemetry::init(carillon::config::LogFormat::Human);
    let args: Vec<String> = std::env::args().collect();
    let rows: u64 = args
        .get(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(1_000_000);
    let which = args.get(2).map_or("both", String::as_str);
    let pg_base = std::env::var("BENCH_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let dir = tempfile::tempdir()?;
    let csv = dir.path().join("contacts.csv");
    let t = Instant::now();
    let stats = generate::write(&csv, rows)?;
    println!(
        "generated {rows} rows ({} valid, {} duplicates, {} invalid), {:.0} MB, in {:.1} s",
        stats.valid,
        stats.duplicates,
        stats.invalid,
        std::fs::metadata(&csv)?.len() as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );
    if which == "postgres" || which == "both" {
        let name = format!("carillon_bench_{}", uuid::Uuid::new_v4().simple());
        let admin = Database::connect(&pg_base)
            .await
            .context("connect to BENCH_DATABASE_URL")?;
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await?;
        let mut url = url::Url::parse(&pg_base)?;
        url.set_path(&format!("/{name}"));
        let result = run("postgres", url.as_str(), &csv, rows, dir.path()).await;
        if let Ok(import_rate) = result {
            copy_reference(url.as_str(), dir.path(), import_rate).await?;
        }
        admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await?;
        result?;
    }
    if which == "sqlite" || which == "both" {
        let url = format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("bench.db").display()
        );
        run("sqlite", &url, &csv, rows, dir.path()).await?;
    }
    Ok(())
}

/// Imports the file through a real server; returns rows per second.
async fn run(
    backend: &str,
    database_url: &str,
    csv: &Path,
    rows: u64,
    data_dir: &Path,
) -> Result<f64> {
    let key = {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(uuid::Uuid::new_v4().as_bytes().repeat(2))
    };
    let vars: HashMap<&str, String> = HashMap::from([
        ("DATABASE_URL", database_url.to_owned()),
        ("CARILLON_MASTER_KEY", key),
        ("CARILLON_DATA_DIR", data_dir.display().to_string()),
    ]);
    let config =
        Config::from_lookup(|k| vars.get(k).cloned()).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let mut options = carillon::leptos_options()?;
    options.site_addr = "127.0.0.1:0".parse()?;
    let app = Application::build(config, options).await?;
    let base = format!("http://{}", app.local_addr()?);
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::builder().cookie_store(true).build()?;
    let r = client
        .post(format!("{base}/api/auth/signup"))
        .json(&json!({"email": "bench@example.org", "password": "correct horse battery", "organization": "Bench"}))
        .send()
        .await?;
    if !r.status().is_success() {
        bail!("signup: {}", r.status());
    }
    reset_peak_rss();
    let mapping = json!({"email": "email", "phone": "phone", "first_name": "first_name", "last_name": "last_name",
        "attributes": ["city"], "consents": {"email": "email_consent"}});
    let started = Instant::now();
    let file = tokio::fs::File::open(csv).await?;
    let len = file.metadata().await?.len();
    let part = reqwest::multipart::Part::stream_with_length(reqwest::Body::from(file), len)
        .file_name("contacts.csv");
    let form = reqwest::multipart::Form::new()
        .part("file", part)
        .text("mapping", mapping.to_string());
    let r = client
        .post(format!("{base}/api/contacts/import"))
        .multipart(form)
        .send()
        .await?;
    if r.status() != reqwest::StatusCode::CREATED {
        bail!("upload: {} {}", r.status(), r.text().await?);
    }
    let uploaded = started.elapsed();
    let id = r.json::<Value>().await?["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let done = loop {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        let v: Value = client
            .get(format!("{base}/api/imports/{id}"))
            .send()
            .await?
            .json()
            .await?;
        if v["status"] == "completed" || v["status"] == "failed" {
            break v;
        }
    };
    let secs = started.elapsed().as_secs_f64();
    let rate = rows as f64 / secs;
    println!(
        "[{backend}] import: {rows} rows in {secs:.1} s (upload {:.1} s) = {rate:.0} rows/s; status {}, created {}, updated {}, unchanged {}, skipped {}; peak RSS {} MB",
        uploaded.as_secs_f64(),
        done["status"],
        done["created"],
        done["updated"],
        done["unchanged"],
        done["skipped"],
        peak_rss_mb()
    );
    if done["status"] != "completed" {
        bail!("import failed: {done}");
    }
    Ok(rate)
}

/// `COPY` of the same stored contact rows into a table with the same indexes.
async fn copy_reference(database_url: &str, dir: &Path, import_rate: f64) -> Result<()> {
    let db: DatabaseConnection = Database::connect(database_url).await?;
    db.execute_unprepared("CREATE TABLE copy_contacts (LIKE contacts INCLUDING ALL)")
        .await?;
    let pool = db.get_postgres_connection_pool();
    let dump = dir.join("contacts.copy");
    {
        let mut out = std::io::BufWriter::new(std::fs::File::create(&dump)?);
        let mut stream =
            sea_orm::sqlx::postgres::PgPoolCopyExt::copy_out_raw(pool, "COPY contacts TO STDOUT")
                .await?;
        while let Some(chunk) = stream.next().await {
            out.write_all(&chunk?)?;
        }
        out.flush()?;
    }
    let started = Instant::now();
    let mut copy =
        sea_orm::sqlx::postgres::PgPoolCopyExt::copy_in_raw(pool, "COPY copy_contacts FROM STDIN")
            .await?;
    let mut file = tokio::fs::File::open(&dump).await?;
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = tokio::io::AsyncReadExt::read(&mut file, &mut buf).await?;
        if n == 0 {
            break;
        }
        copy.send(&buf[..n]).await?;
    }
    let copied = copy.finish().await?;
    let secs = started.elapsed().as_secs_f64();
    let rate = copied as f64 / secs;
    println!(
        "[postgres] COPY reference: {copied} contact rows in {secs:.1} s = {rate:.0} rows/s; import / COPY = {:.2}",
        import_rate / rate
    );
    Ok(())
}

fn reset_peak_rss() {
    // Writing 5 to clear_refs resets VmHWM (Linux ≥ 4.0), so each run reports its own peak.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn peak_rss_mb() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(|l| l.split_whitespace().nth(1).unwrap_or("0").to_owned())
        })
        .and_then(|kb| kb.parse::<u64>().ok())
        .map_or_else(|| "?".into(), |kb| format!("{:.0}", kb as f64 / 1024.0))
}
