//! Provider-shaped HTTP endpoints on loopback: SendGrid's mail send, Mailgun's messages,
//! Twilio's messages and a generic SMS gateway. Each checks the request as its provider
//! documents it (method, path, auth, content type, required fields) and answers as the
//! provider does, error bodies included; a request they would refuse is answered with
//! the provider's 400 or 401, and kept (tests assert on both).
//!
//! Scripted by recipient: an address or number containing `invalid` gets the provider's
//! 400; `busy` gets a 503 HTML page on its first try; `slow` gets no answer for 5 s.

use axum::{
    body::{Body, Bytes},
    extract::{Path, State},
    http::{header, HeaderMap, Method, StatusCode},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::{any, post},
    Json, Router,
};
use serde_json::{json, Value};
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};
use tokio::sync::Notify;

pub const SENDGRID_KEY: &str = "SG.test-key";
pub const MAILGUN_KEY: &str = "key-test";
pub const TWILIO_SID: &str = "AC0123456789abcdef0123456789abcdef";
pub const TWILIO_TOKEN: &str = "twilio-token";
pub const GATEWAY_KEY: &str = "gw-secret";

#[derive(Clone, Debug)]
pub struct Request {
    pub method: Method,
    pub path: String,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// What the sink answered.
    pub status: u16,
}

impl Request {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    pub fn form(&self) -> HashMap<String, String> {
        url::form_urlencoded::parse(&self.body)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

#[derive(Clone, Default)]
pub struct Sink {
    pub url: String,
    requests: Arc<Mutex<Vec<Request>>>,
    tries: Arc<Mutex<HashMap<String, usize>>>,
    /// Twilio: Idempotency-Token → the message sid it created.
    twilio_sids: Arc<Mutex<HashMap<String, String>>>,
    arrived: Arc<Notify>,
}

impl Sink {
    pub async fn start() -> Sink {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the sink");
        let sink = Sink {
            url: format!("http://{}", listener.local_addr().unwrap()),
            ..Default::default()
        };
        let app = Router::new()
            .route("/v3/mail/send", post(sendgrid))
            .route("/v3/{domain}/messages", post(mailgun))
            .route("/2010-04-01/Accounts/{sid}/Messages.json", post(twilio))
            .route("/gateway/send", any(gateway))
            .layer(middleware::from_fn_with_state(sink.clone(), keep))
            .with_state(sink.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        sink
    }

    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }

    /// The requests answered 2xx, once there are `n` of them (or after 20 s).
    pub async fn accepted(&self, n: usize) -> Vec<Request> {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
        loop {
            let notified = self.arrived.notified();
            let ok: Vec<Request> = self
                .requests()
                .into_iter()
                .filter(|r| (200..300).contains(&r.status))
                .collect();
            if ok.len() >= n {
                return ok;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return ok;
            }
        }
    }

    /// Scripted trouble for a recipient, if any.
    async fn trouble(&self, to: &str) -> Option<Response> {
        if to.contains("slow") {
            tokio::time::sleep(std::time::Duration::from_secs(5)).await;
        }
        if to.contains("busy") {
            let mut tries = self.tries.lock().unwrap();
            let n = tries.entry(to.to_owned()).or_default();
            *n += 1;
            if *n == 1 {
                return Some(
                    (
                        StatusCode::SERVICE_UNAVAILABLE,
                        [(header::CONTENT_TYPE, "text/html")],
                        "<html><head><title>503 Service Temporarily Unavailable</title></head><body>nginx</body></html>",
                    )
                        .into_response(),
                );
            }
        }
        None
    }
}

/// Keeps every request, with the status it was answered.
async fn keep(State(sink): State<Sink>, request: axum::extract::Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let (method, path, headers) = (
        parts.method.clone(),
        parts.uri.path().to_owned(),
        parts.headers.clone(),
    );
    let answer = next
        .run(axum::extract::Request::from_parts(
            parts,
            Body::from(body.clone()),
        ))
        .await;
    sink.requests.lock().unwrap().push(Request {
        method,
        path,
        headers,
        body,
        status: answer.status().as_u16(),
    });
    sink.arrived.notify_waiters();
    answer
}

fn basic(headers: &HeaderMap) -> Option<(String, String)> {
    use base64::Engine;
    let raw = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = raw.strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, password) = text.split_once(':')?;
    Some((user.to_owned(), password.to_owned()))
}

fn content_type(headers: &HeaderMap) -> &str {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

fn sendgrid_error(status: StatusCode, message: &str, field: Option<&str>) -> Response {
    (
        status,
        Json(json!({"errors": [{"message": message, "field": field, "help": null}]})),
    )
        .into_response()
}

async fn sendgrid(State(sink): State<Sink>, headers: HeaderMap, body: Bytes) -> Response {
    let (sink, headers, body) = (&sink, &headers, &body);
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    if bearer != Some(&format!("Bearer {SENDGRID_KEY}")) {
        return sendgrid_error(
            StatusCode::UNAUTHORIZED,
            "The provided authorization grant is invalid, expired, or revoked",
            None,
        );
    }
    if !content_type(headers).starts_with("application/json") {
        return sendgrid_error(
            StatusCode::BAD_REQUEST,
            "Content-Type should be application/json.",
            None,
        );
    }
    let Ok(mail) = serde_json::from_slice::<Value>(body) else {
        return sendgrid_error(StatusCode::BAD_REQUEST, "Bad Request", None);
    };
    let to = mail
        .pointer("/personalizations/0/to/0/email")
        .and_then(Value::as_str);
    let Some(to) = to else {
        return sendgrid_error(
            StatusCode::BAD_REQUEST,
            "The personalizations field is required and must have at least one personalization.",
            Some("personalizations"),
        );
    };
    if mail
        .pointer("/from/email")
        .and_then(Value::as_str)
        .is_none()
    {
        return sendgrid_error(
            StatusCode::BAD_REQUEST,
            "The from object must be provided for every email send.",
            Some("from"),
        );
    }
    if mail["subject"].as_str().is_none_or(str::is_empty) {
        return sendgrid_error(
            StatusCode::BAD_REQUEST,
            "The subject is required.",
            Some("subject"),
        );
    }
    let content = mail["content"].as_array().cloned().unwrap_or_default();
    if content.is_empty()
        || content
            .iter()
            .any(|c| c["value"].as_str().is_none_or(str::is_empty))
    {
        return sendgrid_error(
            StatusCode::BAD_REQUEST,
            "The content value must be a string at least one character in length.",
            Some("content.0.value"),
        );
    }
    if content.len() == 2 && content[0]["type"] != "text/plain" {
        return sendgrid_error(
            StatusCode::BAD_REQUEST,
            "If present, text/plain and text/html may only be provided in this order.",
            Some("content"),
        );
    }
    if to.contains("invalid") {
        return sendgrid_error(
            StatusCode::BAD_REQUEST,
            "Does not contain a valid address.",
            Some("personalizations.0.to.0.email"),
        );
    }
    if let Some(trouble) = sink.trouble(to).await {
        return trouble;
    }
    let id = format!("sg{}", uuid::Uuid::new_v4().simple());
    (StatusCode::ACCEPTED, [("x-message-id", id)]).into_response()
}

async fn mailgun(
    State(sink): State<Sink>,
    Path(domain): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (sink, domain, headers, body) = (&sink, domain.as_str(), &headers, &body);
    if basic(headers) != Some(("api".into(), MAILGUN_KEY.into())) {
        return (StatusCode::UNAUTHORIZED, "Forbidden").into_response();
    }
    if !content_type(headers).starts_with("application/x-www-form-urlencoded")
        && !content_type(headers).starts_with("multipart/form-data")
    {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"message": "from parameter is missing"})),
        )
            .into_response();
    }
    let form: HashMap<String, String> = url::form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    for field in ["from", "to", "subject"] {
        if form.get(field).is_none_or(String::is_empty) {
            return (
                StatusCode::BAD_REQUEST,
                Json(json!({"message": format!("{field} parameter is missing")})),
            )
                .into_response();
        }
    }
    if !form.contains_key("text") && !form.contains_key("html") {
        return (StatusCode::BAD_REQUEST, Json(json!({"message": "Need at least one of 'text', 'html', 'amp-html' or 'template' parameters specified"}))).into_response();
    }
    let to = &form["to"];
    if to.contains("invalid") {
        return (StatusCode::BAD_REQUEST, Json(json!({"message": "to parameter is not a valid address. please check documentation"}))).into_response();
    }
    if let Some(trouble) = sink.trouble(to).await {
        return trouble;
    }
    let id = format!("<{}.1@{domain}>", uuid::Uuid::new_v4().simple());
    Json(json!({"id": id, "message": "Queued. Thank you."})).into_response()
}

fn twilio_error(status: StatusCode, code: u32, message: &str) -> Response {
    (
        status,
        Json(json!({"code": code, "message": message, "more_info": format!("https://www.twilio.com/docs/errors/{code}"), "status": status.as_u16()})),
    )
        .into_response()
}

async fn twilio(
    State(sink): State<Sink>,
    Path(sid): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (sink, sid, headers, body) = (&sink, sid.as_str(), &headers, &body);
    if sid != TWILIO_SID || basic(headers) != Some((TWILIO_SID.into(), TWILIO_TOKEN.into())) {
        return twilio_error(StatusCode::UNAUTHORIZED, 20003, "Authenticate");
    }
    if !content_type(headers).starts_with("application/x-www-form-urlencoded") {
        return twilio_error(StatusCode::BAD_REQUEST, 21601, "Unsupported content type");
    }
    let form: HashMap<String, String> = url::form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let to = form.get("To").cloned().unwrap_or_default();
    if to.is_empty() {
        return twilio_error(
            StatusCode::BAD_REQUEST,
            21604,
            "A 'To' phone number is required.",
        );
    }
    if !form.contains_key("From") && !form.contains_key("MessagingServiceSid") {
        return twilio_error(
            StatusCode::BAD_REQUEST,
            21603,
            "A 'From' or 'MessagingServiceSid' parameter is required to send a message",
        );
    }
    if form.get("Body").is_none_or(String::is_empty) {
        return twilio_error(StatusCode::BAD_REQUEST, 21602, "Message body is required.");
    }
    if to.contains("invalid") || !to.starts_with('+') {
        return twilio_error(
            StatusCode::BAD_REQUEST,
            21211,
            &format!("The 'To' number {to} is not a valid phone number."),
        );
    }
    if let Some(trouble) = sink.trouble(&to).await {
        return trouble;
    }
    // The same Idempotency-Token is the same message.
    let token = headers
        .get("idempotency-token")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let sid = {
        let mut sids = sink.twilio_sids.lock().unwrap();
        let fresh = format!("SM{}", uuid::Uuid::new_v4().simple());
        if token.is_empty() {
            fresh
        } else {
            sids.entry(token).or_insert(fresh).clone()
        }
    };
    (
        StatusCode::CREATED,
        Json(json!({"sid": sid, "status": "queued", "to": to, "account_sid": TWILIO_SID, "error_code": null, "error_message": null})),
    )
        .into_response()
}

async fn gateway(State(sink): State<Sink>, headers: HeaderMap, body: Bytes) -> Response {
    if headers.get("x-api-key").and_then(|v| v.to_str().ok()) != Some(GATEWAY_KEY) {
        (
            StatusCode::UNAUTHORIZED,
            Json(json!({"error": "bad api key"})),
        )
            .into_response()
    } else {
        match serde_json::from_slice::<Value>(&body) {
            Ok(message) if message["to"].is_string() && message["text"].is_string() => {
                let to = message["to"].as_str().unwrap_or_default().to_owned();
                match sink.trouble(&to).await {
                    Some(trouble) => trouble,
                    None => Json(json!({"messages": [{"id": format!("gw-{}", uuid::Uuid::new_v4().simple()), "status": 0}]})).into_response(),
                }
            }
            _ => (
                StatusCode::BAD_REQUEST,
                Json(json!({"error": "to and text are required"})),
            )
                .into_response(),
        }
    }
}
