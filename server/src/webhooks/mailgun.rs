//! Mailgun's webhooks: one event per request, JSON `{signature: {timestamp, token,
//! signature}, "event-data": {...}}`, the signature being the hex HMAC-SHA256 of the
//! timestamp followed by the token, keyed with the account's webhook signing key. A
//! token is accepted once (see `db::entities::webhook_token`).

use super::{Outcome, Status};
use crate::channels::mailgun::{message_id, DELIVERY_VAR};
use ring::hmac;
use serde_json::Value;
use uuid::Uuid;

/// The signed part of a Mailgun request.
#[derive(Debug, PartialEq, Eq)]
pub struct Signed {
    pub timestamp: String,
    pub token: String,
    pub signature: String,
}

/// The signature block and the event of a body.
pub fn parse(body: &[u8]) -> Result<(Signed, Status), String> {
    let json: Value =
        serde_json::from_slice(body).map_err(|e| format!("not a JSON Mailgun event: {e}"))?;
    let signature = json
        .get("signature")
        .and_then(Value::as_object)
        .ok_or("no `signature` object")?;
    let field = |key: &str| -> Result<String, String> {
        match signature.get(key) {
            Some(Value::String(s)) if !s.is_empty() && s.len() <= 128 => Ok(s.clone()),
            Some(Value::Number(n)) => Ok(n.to_string()),
            _ => Err(format!("`signature.{key}` is missing or too long")),
        }
    };
    let signed = Signed {
        timestamp: field("timestamp")?,
        token: field("token")?,
        signature: field("signature")?,
    };
    let event = json.get("event-data").ok_or("no `event-data` object")?;
    Ok((signed, status(event)))
}

/// Whether the signature is the HMAC of timestamp and token under `key`.
pub fn verify(key: &str, signed: &Signed) -> bool {
    let Ok(signature) = hex::decode(signed.signature.trim()) else {
        return false;
    };
    let key = hmac::Key::new(hmac::HMAC_SHA256, key.as_bytes());
    let mut message = signed.timestamp.clone().into_bytes();
    message.extend_from_slice(signed.token.as_bytes());
    hmac::verify(&key, &message, &signature).is_ok()
}

fn status(event: &Value) -> Status {
    let text = |pointer: &str| {
        event
            .pointer(pointer)
            .and_then(Value::as_str)
            .unwrap_or_default()
    };
    let reason = || {
        let words = [
            text("/delivery-status/message"),
            text("/delivery-status/description"),
            text("/reason"),
        ]
        .into_iter()
        .find(|w| !w.is_empty())
        .unwrap_or("failed");
        crate::channels::http::clip(words)
    };
    let outcome = match text("/event") {
        "delivered" => Outcome::Delivered,
        // A temporary failure is retried by Mailgun: not final.
        "failed" if text("/severity") == "temporary" => Outcome::Ignored,
        "failed" => Outcome::Failed {
            reason: reason(),
            // Suppressed ("old bounce") is no new evidence; a permanent bounce is.
            withdraw: (text("/reason") != "suppress-bounce").then_some("bounce"),
        },
        "rejected" => Outcome::Failed {
            reason: reason(),
            withdraw: None,
        },
        "complained" => Outcome::Failed {
            reason: "the recipient reported the message as spam".into(),
            withdraw: Some("complaint"),
        },
        _ => Outcome::Ignored,
    };
    let id = text(&format!("/user-variables/{DELIVERY_VAR}"));
    Status {
        delivery_id: id.parse::<Uuid>().ok(),
        provider_message_id: Some(text("/message/headers/message-id"))
            .filter(|m| !m.is_empty())
            .map(message_id),
        outcome,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "SELF-GENERATED-test-signing-key-0123456789abcdef";

    fn signed(timestamp: &str, token: &str, signature: &str) -> Signed {
        Signed {
            timestamp: timestamp.into(),
            token: token.into(),
            signature: signature.into(),
        }
    }

    #[test]
    fn the_vector_verifies() {
        let token = "a".repeat(50);
        let good = "7f152394eaa8701bd90f7082becc5c9feb8446196f37a43755a676758f58f035";
        assert!(verify(KEY, &signed("1700000000", &token, good)));
        assert!(!verify(KEY, &signed("1700000001", &token, good)));
        assert!(!verify(KEY, &signed("1700000000", &"b".repeat(50), good)));
        assert!(!verify("another key", &signed("1700000000", &token, good)));
        assert!(!verify(KEY, &signed("1700000000", &token, "zz")));
    }

    #[test]
    fn events_become_statuses() {
        let id = Uuid::now_v7();
        let body = format!(
            r#"{{"signature": {{"timestamp": "1700000000", "token": "t0k", "signature": "ab"}},
                "event-data": {{"event": "failed", "severity": "permanent", "reason": "bounce",
                  "delivery-status": {{"code": 550, "message": "5.1.1 mailbox unknown"}},
                  "message": {{"headers": {{"message-id": "20240101.1@mg.example.com"}}}},
                  "user-variables": {{"{DELIVERY_VAR}": "{id}"}}}}}}"#
        );
        let (signed, status) = parse(body.as_bytes()).unwrap();
        assert_eq!(signed.token, "t0k");
        assert_eq!(status.delivery_id, Some(id));
        assert_eq!(
            status.provider_message_id.as_deref(),
            Some("20240101.1@mg.example.com")
        );
        assert_eq!(
            status.outcome,
            Outcome::Failed {
                reason: "5.1.1 mailbox unknown".into(),
                withdraw: Some("bounce")
            }
        );
        let temporary = body.replace("permanent", "temporary");
        assert_eq!(
            parse(temporary.as_bytes()).unwrap().1.outcome,
            Outcome::Ignored
        );
        assert!(parse(b"{}").is_err());
        assert!(parse(b"token=1&timestamp=2").is_err());
    }
}
