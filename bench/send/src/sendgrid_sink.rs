//! A SendGrid-shaped sink: `POST /v3/mail/send` with the bearer key and a JSON body
//! that has personalizations, answered `202` with an `X-Message-Id`, as SendGrid does.
//! It keeps counts only: messages taken and TCP connections opened (to see that
//! connections are reused).

use anyhow::Result;
use axum::{
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode},
    response::IntoResponse,
    routing::post,
    Router,
};
use std::{
    net::SocketAddr,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
};
use tokio::net::{TcpListener, TcpStream};

pub const KEY: &str = "SG.bench";

#[derive(Clone, Default)]
pub struct Counts {
    messages: Arc<AtomicU64>,
    connections: Arc<AtomicU64>,
}

impl Counts {
    pub fn messages(&self) -> u64 {
        self.messages.load(Ordering::Relaxed)
    }

    pub fn connections(&self) -> u64 {
        self.connections.load(Ordering::Relaxed)
    }
}

pub struct Sink {
    pub url: String,
    pub counts: Counts,
}

/// Counts the connections it accepts.
struct Counting {
    inner: TcpListener,
    connections: Arc<AtomicU64>,
}

impl axum::serve::Listener for Counting {
    type Io = TcpStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            if let Ok((stream, addr)) = self.inner.accept().await {
                let _ = stream.set_nodelay(true);
                self.connections.fetch_add(1, Ordering::Relaxed);
                return (stream, addr);
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.inner.local_addr()
    }
}

impl Sink {
    pub async fn start() -> Result<Sink> {
        let inner = TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}", inner.local_addr()?);
        let counts = Counts::default();
        let listener = Counting {
            inner,
            connections: counts.connections.clone(),
        };
        let app = Router::new()
            .route("/v3/mail/send", post(send))
            .with_state(counts.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Sink { url, counts })
    }
}

async fn send(State(counts): State<Counts>, headers: HeaderMap, body: Bytes) -> impl IntoResponse {
    let authorized = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.strip_prefix("Bearer ") == Some(KEY));
    if !authorized {
        return (StatusCode::UNAUTHORIZED, [("x-message-id", String::new())]);
    }
    let valid = serde_json::from_slice::<serde_json::Value>(&body)
        .is_ok_and(|m| m.pointer("/personalizations/0/to/0/email").is_some());
    if !valid {
        return (StatusCode::BAD_REQUEST, [("x-message-id", String::new())]);
    }
    let n = counts.messages.fetch_add(1, Ordering::Relaxed);
    (
        StatusCode::ACCEPTED,
        [("x-message-id", format!("bench{n}"))],
    )
}

/// What the sink takes from a plain HTTP client: `n` requests of a SendGrid-sized body
/// over `concurrency` tasks sharing one pooled client. Returns requests per second.
pub async fn load(url: &str, n: u64, concurrency: usize) -> Result<f64> {
    let client = reqwest::Client::new();
    let body = serde_json::json!({
        "personalizations": [{"to": [{"email": "someone@example.com"}], "custom_args": {"carillon_delivery": uuid::Uuid::now_v7().to_string()}}],
        "from": {"email": "news@bench.test", "name": "Bench"},
        "subject": "Hello",
        "content": [{"type": "text/plain", "value": "Hello, our sale starts now."}, {"type": "text/html", "value": "<p>Hello, our sale starts now.</p>"}],
    })
    .to_string();
    let next = Arc::new(AtomicU64::new(0));
    let started = std::time::Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (client, body, next, url) = (
            client.clone(),
            body.clone(),
            next.clone(),
            format!("{url}/v3/mail/send"),
        );
        tasks.push(tokio::spawn(async move {
            while next.fetch_add(1, Ordering::Relaxed) < n {
                let r = client
                    .post(&url)
                    .bearer_auth(KEY)
                    .header("content-type", "application/json")
                    .body(body.clone())
                    .send()
                    .await?;
                anyhow::ensure!(
                    r.status() == StatusCode::ACCEPTED,
                    "the sink answered {}",
                    r.status()
                );
            }
            anyhow::Ok(())
        }));
    }
    for task in tasks {
        task.await??;
    }
    Ok(n as f64 / started.elapsed().as_secs_f64())
}
