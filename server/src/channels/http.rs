//! What the HTTP providers share: a client that only reaches permitted addresses, a
//! bounded read of the answer, and one reading of status codes — 2xx taken, 408, 429
//! and 5xx retried (after `Retry-After` when given), any other answer refused for good,
//! with the provider's own message as the reason when its body has one.

use super::{check::Check, SendOutcome};
use crate::egress::Egress;
use bytes::{Bytes, BytesMut};
use reqwest::{header::HeaderMap, RequestBuilder, StatusCode};
use serde_json::Value;
use std::time::Duration;
use url::Url;

/// The most of an answer that is read; the rest is dropped unread (providers answer a
/// send with a few hundred bytes; an answer this long is not one of theirs).
pub const MAX_ANSWER: usize = 64 * 1024;

/// The longest reason kept from an answer.
const MAX_REASON: usize = 300;

/// A provider's answer, its body read up to [`MAX_ANSWER`].
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Answer {
    /// The body as JSON, if it is JSON.
    pub fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// `None` for a 2xx answer; otherwise what to do with the message.
    pub fn refusal(&self) -> Option<SendOutcome> {
        let status = self.status;
        if status.is_success() {
            return None;
        }
        let reason = format!("HTTP {}: {}", status.as_u16(), self.reason());
        Some(
            if status == StatusCode::TOO_MANY_REQUESTS
                || status == StatusCode::REQUEST_TIMEOUT
                || status.is_server_error()
            {
                SendOutcome::Retry {
                    after: retry_after(&self.headers),
                    reason,
                }
            } else {
                SendOutcome::Failed { reason }
            },
        )
    }

    /// The provider's explanation: the message of a JSON error in the usual shapes
    /// (`message`, `error`, `errors[0].message`, `error.message`), the title of an HTML
    /// page, or the start of the text.
    pub fn reason(&self) -> String {
        if let Some(json) = self.json() {
            let found = [
                "/message",
                "/errors/0/message",
                "/error/message",
                "/error",
                "/detail",
            ]
            .iter()
            .find_map(|p| json.pointer(p).and_then(Value::as_str));
            if let Some(message) = found {
                return clip(message);
            }
        }
        let text = String::from_utf8_lossy(&self.body);
        let text = text.trim();
        if text.is_empty() {
            return self
                .status
                .canonical_reason()
                .unwrap_or("no explanation")
                .to_owned();
        }
        if text.starts_with('<') {
            let lower = text.to_ascii_lowercase();
            if let (Some(start), Some(end)) = (lower.find("<title>"), lower.find("</title>")) {
                if start + 7 <= end {
                    return clip(&text[start + 7..end]);
                }
            }
            return "an HTML page".into();
        }
        clip(text)
    }
}

/// One line of at most [`MAX_REASON`] characters.
pub fn clip(text: &str) -> String {
    let line: String = text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(MAX_REASON)
        .collect();
    line
}

/// `Retry-After` in seconds or as an HTTP date, at most a day.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let raw = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    let wait = match raw.parse::<u64>() {
        Ok(seconds) => Duration::from_secs(seconds),
        Err(_) => {
            let at = chrono::DateTime::parse_from_rfc2822(raw).ok()?;
            (at.with_timezone(&chrono::Utc) - chrono::Utc::now())
                .to_std()
                .unwrap_or_default()
        }
    };
    Some(wait.min(Duration::from_secs(86_400)))
}

/// Sends `request` through `egress`, reading the answer up to [`MAX_ANSWER`]. A refused
/// address fails the message; a network error or timeout is retried.
pub async fn call(egress: &Egress, request: RequestBuilder) -> Result<Answer, SendOutcome> {
    let (client, request) = request.build_split();
    let request = request.map_err(|e| SendOutcome::Failed {
        reason: format!("cannot build the request: {e}"),
    })?;
    egress
        .check_url(request.url())
        .map_err(|e| SendOutcome::Failed {
            reason: e.to_string(),
        })?;
    let mut response = client.execute(request).await.map_err(transport)?;
    let status = response.status();
    let headers = std::mem::take(response.headers_mut());
    let mut body = BytesMut::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                let room = MAX_ANSWER - body.len();
                body.extend_from_slice(&chunk[..chunk.len().min(room)]);
                if body.len() == MAX_ANSWER {
                    break;
                }
            }
            Ok(None) => break,
            // The status is what counts: a body cut short still leaves it readable.
            Err(e) if status.is_success() => {
                tracing::warn!(error = %e, "provider's answer cut short");
                break;
            }
            Err(e) => return Err(transport(e)),
        }
    }
    Ok(Answer {
        status,
        headers,
        body: body.freeze(),
    })
}

fn transport(e: reqwest::Error) -> SendOutcome {
    if let Some(reason) = Egress::refusal(&e) {
        return SendOutcome::Failed { reason };
    }
    let what = if e.is_timeout() {
        "the provider did not answer in time"
    } else if e.is_connect() {
        "cannot connect to the provider"
    } else {
        "the connection to the provider failed"
    };
    SendOutcome::Retry {
        after: None,
        reason: format!("{what}: {}", clip(&error_chain(&e))),
    }
}

pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// The settings every HTTP provider has: `base_url` (its API, or a sandbox's) and
/// `timeout_seconds`. Returns the base URL, without a trailing slash.
pub fn check_common(check: &mut Check, default_base: &str) -> String {
    check.whole("timeout_seconds", 1, 120, 30);
    let base = check.text("base_url", 2048, Some(default_base));
    match Url::parse(&base) {
        Ok(url) if matches!(url.scheme(), "https" | "http") && url.has_host() => {
            if url.query().is_some() || url.fragment().is_some() {
                check.fail("base_url", "a URL without query or fragment");
            }
        }
        _ => check.fail("base_url", "an http(s) URL, e.g. https://api.example.com"),
    }
    let base = base.trim_end_matches('/').to_owned();
    check
        .settings
        .insert("base_url".into(), Value::String(base.clone()));
    base
}

/// An HTTP client for an adapter built from settings checked by [`check_common`].
pub fn client(
    egress: &Egress,
    settings: &serde_json::Map<String, Value>,
) -> anyhow::Result<reqwest::Client> {
    let timeout = settings
        .get("timeout_seconds")
        .and_then(Value::as_u64)
        .unwrap_or(30)
        .max(1);
    Ok(egress.http_client(Duration::from_secs(timeout))?)
}

/// A checked setting read back (validated settings always hold it).
pub fn setting(settings: &serde_json::Map<String, Value>, key: &str) -> String {
    settings
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// A test call for `verify`: any 2xx answer means the settings work.
pub async fn verify(
    egress: &Egress,
    request: RequestBuilder,
    provider: &str,
) -> Result<(), String> {
    match call(egress, request).await {
        Ok(answer) => match answer.refusal() {
            None => Ok(()),
            Some(_) => Err(format!(
                "{provider} answered {}: {}",
                answer.status.as_u16(),
                answer.reason()
            )),
        },
        Err(SendOutcome::Retry { reason, .. } | SendOutcome::Failed { reason }) => Err(reason),
        Err(SendOutcome::Accepted { .. }) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, body: &str) -> Answer {
        Answer {
            status: StatusCode::from_u16(status).unwrap(),
            headers: HeaderMap::new(),
            body: Bytes::from(body.to_owned()),
        }
    }

    #[test]
    fn statuses_decide_between_retrying_and_failing() {
        assert_eq!(answer(202, "").refusal(), None);
        for status in [408, 429, 500, 502, 503] {
            assert!(
                matches!(
                    answer(status, "").refusal(),
                    Some(SendOutcome::Retry { .. })
                ),
                "{status}"
            );
        }
        for status in [301, 400, 401, 403, 404, 413, 422] {
            assert!(
                matches!(
                    answer(status, "").refusal(),
                    Some(SendOutcome::Failed { .. })
                ),
                "{status}"
            );
        }
    }

    #[test]
    fn reasons_come_from_the_providers_words() {
        let sendgrid = r#"{"errors":[{"message":"The from address does not match a verified Sender Identity.","field":"from","help":null}]}"#;
        assert_eq!(
            answer(403, sendgrid).reason(),
            "The from address does not match a verified Sender Identity."
        );
        let twilio = r#"{"code": 21211, "message": "The 'To' number 5551234 is not a valid phone number.", "more_info": "https://www.twilio.com/docs/errors/21211", "status": 400}"#;
        assert!(answer(400, twilio).reason().starts_with("The 'To' number"));
        assert_eq!(
            answer(
                502,
                "<html><head><title>502 Bad Gateway</title></head></html>"
            )
            .reason(),
            "502 Bad Gateway"
        );
        assert_eq!(answer(500, "<html><body>x").reason(), "an HTML page");
        assert_eq!(answer(503, "").reason(), "Service Unavailable");
        assert_eq!(answer(400, &"é".repeat(5000)).reason().chars().count(), 300);
        assert_eq!(answer(400, "two\n  lines").reason(), "two lines");
    }

    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        let mut a = answer(429, "");
        a.headers
            .insert(reqwest::header::RETRY_AFTER, "7".parse().unwrap());
        assert!(matches!(
            a.refusal(),
            Some(SendOutcome::Retry { after: Some(d), .. }) if d == Duration::from_secs(7)
        ));
        let later = (chrono::Utc::now() + chrono::Duration::seconds(120))
            .format("%a, %d %b %Y %H:%M:%S GMT")
            .to_string();
        a.headers
            .insert(reqwest::header::RETRY_AFTER, later.parse().unwrap());
        assert!(matches!(
            a.refusal(),
            Some(SendOutcome::Retry { after: Some(d), .. }) if d > Duration::from_secs(100) && d <= Duration::from_secs(120)
        ));
    }
}
