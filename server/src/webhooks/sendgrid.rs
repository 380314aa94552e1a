//! SendGrid's signed Event Webhook: a JSON array of events, signed with ECDSA P-256 over
//! the `X-Twilio-Email-Event-Webhook-Timestamp` header followed by the raw body, with
//! the key whose public half SendGrid shows as the "verification key" (base64 SPKI).

use super::{Outcome, Status};
use crate::channels::sendgrid::DELIVERY_ARG;
use base64::{engine::general_purpose::STANDARD, Engine as _};
use ring::signature::{UnparsedPublicKey, ECDSA_P256_SHA256_ASN1};
use serde_json::Value;
use uuid::Uuid;

pub const SIGNATURE_HEADER: &str = "x-twilio-email-event-webhook-signature";
pub const TIMESTAMP_HEADER: &str = "x-twilio-email-event-webhook-timestamp";

/// Whether `signature` (base64 DER) signs `timestamp` followed by `body` under `key`.
pub fn verify(key: &[u8], timestamp: &str, body: &[u8], signature: &str) -> bool {
    let Ok(signature) = STANDARD.decode(signature.trim().as_bytes()) else {
        return false;
    };
    let mut signed = Vec::with_capacity(timestamp.len() + body.len());
    signed.extend_from_slice(timestamp.as_bytes());
    signed.extend_from_slice(body);
    UnparsedPublicKey::new(&ECDSA_P256_SHA256_ASN1, key)
        .verify(&signed, &signature)
        .is_ok()
}

/// The events of a verified body.
pub fn statuses(body: &[u8]) -> Result<Vec<Status>, String> {
    let events: Vec<Value> =
        serde_json::from_slice(body).map_err(|e| format!("not a JSON array of events: {e}"))?;
    Ok(events.iter().map(status).collect())
}

fn status(event: &Value) -> Status {
    let text = |key: &str| event.get(key).and_then(Value::as_str).unwrap_or_default();
    let reason = || {
        let words = [text("reason"), text("response")]
            .into_iter()
            .find(|w| !w.is_empty())
            .unwrap_or(text("event"));
        crate::channels::http::clip(words)
    };
    let outcome = match text("event") {
        "delivered" => Outcome::Delivered,
        // `blocked` is the receiving server refusing for now; `bounce` is for good.
        "bounce" => Outcome::Failed {
            reason: reason(),
            withdraw: (text("type") != "blocked").then_some("bounce"),
        },
        "dropped" => Outcome::Failed {
            reason: reason(),
            withdraw: None,
        },
        "spamreport" => Outcome::Failed {
            reason: "the recipient reported the message as spam".into(),
            withdraw: Some("complaint"),
        },
        // `deferred` is followed by `delivered` or `bounce`; engagement is not a status.
        _ => Outcome::Ignored,
    };
    Status {
        delivery_id: text(DELIVERY_ARG).parse::<Uuid>().ok(),
        // `sg_message_id` is the X-Message-Id, a dot, then the receiving filter's id.
        provider_message_id: Some(text("sg_message_id"))
            .filter(|m| !m.is_empty())
            .map(|m| m.split('.').next().unwrap_or(m).to_owned()),
        outcome,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::channels::sendgrid::verification_key;

    const KEY: &str = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE83T4O/n84iotIvIW4mdBgQ/7dAfSmpqIM8kF9mN1flpVKS3GRqe62gw+2fNNRaINXvVpiglSI8eNEc6wEA3F+g==";
    const SIGNATURE: &str = "MEUCIGHQVtGj+Y3LkG9fLcxf3qfI10QysgDWmMOVmxG0u6ZUAiEAyBiXDWzM+uOe5W0JuG+luQAbPIqHh89M15TluLtEZtM=";
    const BODY: &str = "[{\"email\":\"hello@world.com\",\"event\":\"dropped\",\"reason\":\"Bounced Address\",\"sg_event_id\":\"ZHJvcC0xMDk5NDkxOS1MUnpYbF9OSFN0T0doUTRrb2ZTbV9BLTA\",\"sg_message_id\":\"LRzXl_NHStOGhQ4kofSm_A.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0\",\"smtp-id\":\"<LRzXl_NHStOGhQ4kofSm_A@ismtpd0039p1iad1.sendgrid.net>\",\"timestamp\":1600112492}]\r\n";

    #[test]
    fn the_published_vector_verifies() {
        let key = verification_key(KEY).unwrap();
        assert!(verify(&key, "1600112502", BODY.as_bytes(), SIGNATURE));
        // Without the body's last CR LF, another timestamp, another byte: refused.
        assert!(!verify(
            &key,
            "1600112502",
            BODY.trim_end().as_bytes(),
            SIGNATURE
        ));
        assert!(!verify(&key, "1600112503", BODY.as_bytes(), SIGNATURE));
        let tampered = BODY.replace("dropped", "delivered");
        assert!(!verify(&key, "1600112502", tampered.as_bytes(), SIGNATURE));
        assert!(!verify(&key, "1600112502", BODY.as_bytes(), "not base64!"));
    }

    #[test]
    fn events_become_statuses() {
        let read = statuses(BODY.as_bytes()).unwrap();
        assert_eq!(
            read,
            vec![Status {
                delivery_id: None,
                provider_message_id: Some("LRzXl_NHStOGhQ4kofSm_A".into()),
                outcome: Outcome::Failed {
                    reason: "Bounced Address".into(),
                    withdraw: None
                },
            }]
        );
        let id = Uuid::now_v7();
        let body = format!(
            r#"[{{"event":"bounce","type":"bounce","reason":"550 5.1.1 no such user","{DELIVERY_ARG}":"{id}"}},
               {{"event":"bounce","type":"blocked","reason":"421 try later","{DELIVERY_ARG}":"{id}"}},
               {{"event":"spamreport","{DELIVERY_ARG}":"{id}"}},
               {{"event":"open","{DELIVERY_ARG}":"{id}"}},
               {{"event":"delivered","{DELIVERY_ARG}":"not an id"}}]"#
        );
        let read = statuses(body.as_bytes()).unwrap();
        assert!(
            matches!(&read[0].outcome, Outcome::Failed { withdraw: Some("bounce"), reason } if reason.starts_with("550"))
        );
        assert!(matches!(
            &read[1].outcome,
            Outcome::Failed { withdraw: None, .. }
        ));
        assert!(matches!(
            &read[2].outcome,
            Outcome::Failed {
                withdraw: Some("complaint"),
                ..
            }
        ));
        assert_eq!(read[3].outcome, Outcome::Ignored);
        assert_eq!(read[0].delivery_id, Some(id));
        assert_eq!(read[4].delivery_id, None);
        assert!(statuses(b"{\"event\":\"delivered\"}").is_err());
        assert!(statuses(b"<html>").is_err());
        assert!(verification_key("bm90IGEga2V5").is_err());
    }
}
