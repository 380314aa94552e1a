//! The tracking benchmark's load generator, in a process of its own (`bench-send load
//! <file> <in flight>`), as `wrk` would be: the server under test keeps its runtime to
//! itself, and the generator's own work is not counted as the server's.
//!
//! The parent writes the addresses to a file, one per line; the child sends each once,
//! holding `in flight` requests at a time on one thread, and prints one JSON line.

use anyhow::{bail, Context, Result};
use serde_json::json;
use std::{
    path::Path,
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

const BROWSER: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

/// What the child measured.
pub struct Summary {
    pub sent: usize,
    pub refused: usize,
    pub secs: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

/// Runs the generator over `urls` in a child process and waits for its figures.
pub async fn run(dir: &Path, urls: &[String], in_flight: usize) -> Result<Summary> {
    let file = dir.join("load.urls");
    std::fs::write(&file, urls.join("\n"))?;
    let out = tokio::process::Command::new(std::env::current_exe()?)
        .arg("load")
        .arg(&file)
        .arg(in_flight.to_string())
        .stderr(std::process::Stdio::inherit())
        .output()
        .await
        .context("run the load generator")?;
    if !out.status.success() {
        bail!("the load generator failed: {}", out.status);
    }
    let line = String::from_utf8(out.stdout)?;
    let v: serde_json::Value = serde_json::from_str(line.trim())
        .with_context(|| format!("the load generator's figures: {line}"))?;
    let number = |k: &str| v[k].as_f64().with_context(|| format!("no `{k}` in {line}"));
    Ok(Summary {
        sent: number("sent")? as usize,
        refused: number("refused")? as usize,
        secs: number("secs")?,
        p50_ms: number("p50_ms")?,
        p99_ms: number("p99_ms")?,
        max_ms: number("max_ms")?,
    })
}

/// The child: `args` are the file and the requests in flight.
pub fn child(args: &[String]) -> Result<()> {
    let (Some(file), Some(in_flight)) = (args.first(), args.get(1)) else {
        bail!("usage: bench-send load <file of addresses> <requests in flight>");
    };
    let in_flight: usize = in_flight.parse().context("requests in flight")?;
    let urls: Vec<String> = std::fs::read_to_string(file)?
        .lines()
        .map(str::to_owned)
        .collect();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let (mut latencies, refused, secs) = runtime.block_on(send(urls, in_flight))?;
    latencies.sort_unstable();
    println!(
        "{}",
        json!({
            "sent": latencies.len(),
            "refused": refused,
            "secs": secs,
            "p50_ms": ms(percentile(&latencies, 0.50)),
            "p99_ms": ms(percentile(&latencies, 0.99)),
            "max_ms": ms(percentile(&latencies, 1.0)),
        })
    );
    Ok(())
}

async fn send(urls: Vec<String>, in_flight: usize) -> Result<(Vec<Duration>, usize, f64)> {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(BROWSER)
        .pool_max_idle_per_host(in_flight)
        .build()?;
    let urls = Arc::new(urls);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..in_flight {
        let (client, urls, next) = (client.clone(), urls.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut refused = 0usize;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(url) = urls.get(i) else { break };
                let t = Instant::now();
                match client.get(url).send().await {
                    Ok(r) if r.status() == 200 || r.status() == 302 => {
                        let _ = r.bytes().await;
                    }
                    _ => refused += 1,
                }
                latencies.push(t.elapsed());
            }
            (latencies, refused)
        }));
    }
    let mut latencies = Vec::with_capacity(urls.len());
    let mut refused = 0;
    for t in tasks {
        let (l, r) = t.await?;
        latencies.extend(l);
        refused += r;
    }
    Ok((latencies, refused, started.elapsed().as_secs_f64()))
}

pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i]
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
