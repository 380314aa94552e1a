//! At most `max_connections` SMTP connections per adapter, reused. lettre's own pool
//! bounds only the connections it keeps idle: a sender that asks while a finished one
//! is still being handed back opens another, so a burst opens more connections than
//! the server allows. Here a sender holds a slot from taking a connection until it is
//! back in the pool, so connections opened never exceed the slots.

use lettre::{
    address::Envelope,
    transport::smtp::{
        authentication::{Credentials, DEFAULT_MECHANISMS},
        client::{AsyncSmtpConnection, Tls},
        extension::ClientId,
        response::Response,
        Error,
    },
};
use std::{
    sync::{
        atomic::{AtomicU64, Ordering},
        Mutex,
    },
    time::{Duration, Instant},
};
use tokio::sync::Semaphore;

/// A connection idle longer than this is asked whether it still works (`NOOP`) before
/// it is used; servers drop idle clients, and a hot connection needs no question.
const CHECK_AFTER_IDLE: Duration = Duration::from_secs(2);
/// A connection idle longer than this is closed rather than reused.
const MAX_IDLE: Duration = Duration::from_secs(60);

/// Where and how to connect: an address already checked against the egress rules.
pub struct Endpoint {
    pub ip: String,
    pub port: u16,
    pub tls: Tls,
    pub timeout: Duration,
    pub credentials: Option<Credentials>,
}

/// Why a send or a check did not happen: the server's (or lettre's) error, or our own
/// socket that could not connect (worth another try, like any lost connection).
#[derive(Debug)]
pub enum Failure {
    Smtp(Error),
    Connect(std::io::Error),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Smtp(e)
    }
}

pub struct Pool {
    endpoint: Endpoint,
    hello: ClientId,
    idle: Mutex<Vec<(AsyncSmtpConnection, Instant)>>,
    slots: Semaphore,
    opened: AtomicU64,
}

impl Pool {
    pub fn new(endpoint: Endpoint, max_connections: usize) -> Self {
        Pool {
            endpoint,
            hello: ClientId::default(),
            idle: Mutex::new(Vec::new()),
            slots: Semaphore::new(max_connections.max(1)),
            opened: AtomicU64::new(0),
        }
    }

    /// Sends one message over a pooled connection, waiting for a free one. A connection
    /// that broke is dropped; the next sender opens a new one.
    pub async fn send(&self, envelope: &Envelope, email: &[u8]) -> Result<Response, Failure> {
        let _slot = self.slot().await;
        let mut conn = self.take().await?;
        let result = conn.send(envelope, email).await;
        self.give_back(conn).await;
        Ok(result?)
    }

    /// Opens (or reuses) a connection and checks that it answers.
    pub async fn verify(&self) -> Result<bool, Failure> {
        let _slot = self.slot().await;
        let mut conn = self.take().await?;
        let alive = conn.test_connected().await;
        self.give_back(conn).await;
        Ok(alive)
    }

    /// The semaphore is never closed, so this always holds a permit; were it closed,
    /// the send would go on without one (the bound lost, not the message).
    async fn slot(&self) -> Option<tokio::sync::SemaphorePermit<'_>> {
        self.slots.acquire().await.ok()
    }

    async fn take(&self) -> Result<AsyncSmtpConnection, Failure> {
        loop {
            let parked = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
            let Some((mut conn, since)) = parked else {
                return self.connect().await;
            };
            let idle = since.elapsed();
            if idle > MAX_IDLE {
                conn.abort().await;
                continue;
            }
            if idle > CHECK_AFTER_IDLE && !conn.test_connected().await {
                conn.abort().await;
                continue;
            }
            return Ok(conn);
        }
    }

    async fn give_back(&self, mut conn: AsyncSmtpConnection) {
        if conn.has_broken() {
            conn.abort().await;
            return;
        }
        self.idle
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((conn, Instant::now()));
    }

    #[tracing::instrument(skip_all, fields(ip = %self.endpoint.ip, port = self.endpoint.port))]
    async fn connect(&self) -> Result<AsyncSmtpConnection, Failure> {
        let e = &self.endpoint;
        let mut conn = match &e.tls {
            // Implicit TLS: lettre makes the socket and the handshake.
            Tls::Wrapper(params) => {
                AsyncSmtpConnection::connect_tokio1(
                    (e.ip.as_str(), e.port),
                    Some(e.timeout),
                    &self.hello,
                    Some(params.clone()),
                    None,
                )
                .await?
            }
            // Our own socket, without Nagle's delay: lettre writes a message's end in a
            // second small write, which otherwise waits for the server's delayed ACK
            // (40 ms a message on loopback).
            _ => {
                let socket = tokio::time::timeout(
                    e.timeout,
                    tokio::net::TcpStream::connect((e.ip.as_str(), e.port)),
                )
                .await
                .map_err(|_| std::io::Error::from(std::io::ErrorKind::TimedOut))
                .and_then(|connected| connected)
                .and_then(|socket| socket.set_nodelay(true).map(|()| socket))
                .map_err(Failure::Connect)?;
                AsyncSmtpConnection::connect_with_transport(Box::new(socket), &self.hello).await?
            }
        };
        if let Tls::Required(params) = &e.tls {
            conn.starttls(params.clone(), &self.hello).await?;
        }
        if let Some(credentials) = &e.credentials {
            conn.auth(DEFAULT_MECHANISMS, credentials).await?;
        }
        let opened = self.opened.fetch_add(1, Ordering::Relaxed) + 1;
        tracing::debug!(opened, "SMTP connection opened");
        Ok(conn)
    }
}
