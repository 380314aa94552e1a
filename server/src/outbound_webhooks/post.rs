//! One POST of a message, signed per Standard Webhooks, and how it went. Only the status
//! counts: the body of the answer is never read, so a huge one costs nothing.

use super::{message_id, sender::Target, signature, OutboundWebhooks};
use crate::{channels::http::error_chain, db::entities::webhook_message, egress::Egress};
use chrono::Utc;
use std::time::Instant;

/// How one POST went.
#[derive(Debug)]
pub(super) struct Outcome {
    pub succeeded: bool,
    pub code: Option<u16>,
    pub latency_ms: i32,
    pub error: Option<String>,
}

impl Outcome {
    /// Not sent at all, for this reason.
    pub fn failed(error: String) -> Self {
        Outcome {
            succeeded: false,
            code: None,
            latency_ms: 0,
            error: Some(error),
        }
    }
}

impl OutboundWebhooks {
    #[tracing::instrument(skip_all, fields(message_id = %message.id, endpoint_id = %message.endpoint_id))]
    pub(super) async fn post(&self, target: &Target, message: &webhook_message::Model) -> Outcome {
        let id = message_id(message.id);
        let timestamp = Utc::now().timestamp();
        let signature = signature::sign(&target.secret, &id, timestamp, &message.payload);
        let started = Instant::now();
        let sent = self
            .client
            .post(target.url.clone())
            .header("content-type", "application/json")
            .header("webhook-id", &id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(message.payload.clone())
            .send()
            .await;
        let latency_ms = i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX);
        let outcome = match sent {
            Ok(response) => {
                let status = response.status();
                let error = if status.is_success() {
                    None
                } else if status.is_redirection() {
                    let to = response
                        .headers()
                        .get("location")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("?");
                    Some(format!(
                        "answered {status} (to `{to}`): redirects are not followed, register the final URL"
                    ))
                } else {
                    Some(format!("answered {status}"))
                };
                Outcome {
                    succeeded: error.is_none(),
                    code: Some(status.as_u16()),
                    latency_ms,
                    error,
                }
            }
            Err(e) => {
                let why = if let Some(refused) = Egress::refusal(&e) {
                    refused
                } else if e.is_timeout() {
                    format!("no answer within {} s", self.settings.timeout.as_secs_f32())
                } else if e.is_connect() {
                    format!("could not connect: {}", error_chain(&e))
                } else {
                    error_chain(&e)
                };
                Outcome {
                    latency_ms,
                    ..Outcome::failed(why)
                }
            }
        };
        tracing::info!(
            succeeded = outcome.succeeded,
            code = outcome.code,
            latency_ms = outcome.latency_ms,
            "webhook posted"
        );
        outcome
    }
}
