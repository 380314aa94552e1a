//! Twilio's status callbacks and inbound messages: form-encoded, signed in
//! `X-Twilio-Signature` with the base64 HMAC-SHA1, keyed with the auth token, of the
//! URL Twilio called followed by each parameter's name and value, sorted by name.
//! A status callback carries `MessageSid` and `MessageStatus`; an inbound message
//! carries `Body` and `From`, and "STOP" or a synonym withdraws SMS consent.

use super::{Outcome, Status};
use base64::{engine::general_purpose::STANDARD, Engine as _};
use ring::hmac;

pub const SIGNATURE_HEADER: &str = "x-twilio-signature";

/// The consent source of an SMS opt-out.
pub const STOP_SOURCE: &str = "stop";

/// The words Twilio's own opt-out handling recognizes.
const STOP_WORDS: &[&str] = &[
    "STOP",
    "STOPALL",
    "UNSUBSCRIBE",
    "CANCEL",
    "END",
    "QUIT",
    "REVOKE",
    "OPTOUT",
];

/// Twilio error codes that say the number will never take SMS (unknown destination,
/// a landline): as final as a hard bounce. 21610: the recipient had replied STOP.
const GONE: &[&str] = &["30005", "30006"];
const OPTED_OUT: &str = "21610";

/// A form body's parameters, decoded.
pub fn params(body: &[u8]) -> Result<Vec<(String, String)>, String> {
    if std::str::from_utf8(body).is_err() {
        return Err("not a form body (application/x-www-form-urlencoded)".into());
    }
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if pairs.is_empty() || pairs.iter().any(|(k, _)| k.is_empty()) {
        return Err("not a form body (application/x-www-form-urlencoded)".into());
    }
    Ok(pairs)
}

/// Whether `signature` signs `url` and `params` under `auth_token`.
pub fn verify(auth_token: &str, url: &str, params: &[(String, String)], signature: &str) -> bool {
    let Ok(signature) = STANDARD.decode(signature.trim().as_bytes()) else {
        return false;
    };
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    sorted.sort();
    let mut signed = url.to_owned();
    for (name, value) in sorted {
        signed.push_str(name);
        signed.push_str(value);
    }
    let key = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, auth_token.as_bytes());
    hmac::verify(&key, signed.as_bytes(), &signature).is_ok()
}

/// What a verified request is.
#[derive(Debug, PartialEq)]
pub enum Callback {
    Status(Status),
    /// An inbound message asking to stop, from this number.
    Stop {
        from: String,
    },
    /// Another inbound message.
    Inbound,
}

pub fn read(params: &[(String, String)]) -> Result<Callback, String> {
    let get = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_default()
    };
    let status = match get("MessageStatus") {
        "" => get("SmsStatus"),
        s => s,
    };
    if status == "received" || (status.is_empty() && !get("Body").is_empty()) {
        let word = get("Body")
            .trim()
            .trim_end_matches(['.', '!'])
            .to_ascii_uppercase();
        return Ok(if STOP_WORDS.contains(&word.as_str()) {
            Callback::Stop {
                from: get("From").to_owned(),
            }
        } else {
            Callback::Inbound
        });
    }
    let sid = match get("MessageSid") {
        "" => get("SmsSid"),
        s => s,
    };
    if sid.is_empty() || status.is_empty() {
        return Err("neither a status callback (MessageSid, MessageStatus) nor an inbound message (Body, From)".into());
    }
    let code = get("ErrorCode");
    let reason = || {
        let mut words = format!("Twilio: {status}");
        if !code.is_empty() {
            words.push_str(&format!(" (error {code})"));
        }
        words
    };
    let outcome = match status {
        "delivered" | "read" => Outcome::Delivered,
        "undelivered" | "failed" => Outcome::Failed {
            reason: reason(),
            withdraw: if code == OPTED_OUT {
                Some(STOP_SOURCE)
            } else if GONE.contains(&code) {
                Some("bounce")
            } else {
                None
            },
        },
        _ => Outcome::Ignored,
    };
    Ok(Callback::Status(Status {
        delivery_id: None,
        provider_message_id: Some(sid.to_owned()),
        outcome,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect()
    }

    #[test]
    fn the_published_vectors_verify() {
        let url = "https://mycompany.com/myapp.php?foo=1&bar=2";
        let a = pairs(&[
            ("CallSid", "CA1234567890ABCDE"),
            ("Caller", "+14158675310"),
            ("Digits", "1234"),
            ("From", "+14158675310"),
            ("To", "+18005551212"),
        ]);
        assert!(verify("12345", url, &a, "GvWf1cFY/Q7PnoempGyD5oXAezc="));
        let b = pairs(&[
            ("CallSid", "CA1234567890ABCDE"),
            ("Caller", "+12349013030"),
            ("Digits", "1234"),
            ("From", "+12349013030"),
            ("To", "+18005551212"),
        ]);
        assert!(verify("12345", url, &b, "0/KCTR6DLpKmkAf8muzZqo1nDgQ="));
        // Another URL (http, no query), another token, another value: refused.
        assert!(!verify(
            "12345",
            "http://mycompany.com/myapp.php?foo=1&bar=2",
            &a,
            "GvWf1cFY/Q7PnoempGyD5oXAezc="
        ));
        assert!(!verify(
            "12345",
            "https://mycompany.com/myapp.php",
            &a,
            "GvWf1cFY/Q7PnoempGyD5oXAezc="
        ));
        assert!(!verify("54321", url, &a, "GvWf1cFY/Q7PnoempGyD5oXAezc="));
        assert!(!verify("12345", url, &b, "GvWf1cFY/Q7PnoempGyD5oXAezc="));
    }

    #[test]
    fn callbacks_are_read() {
        let delivered = read(&pairs(&[
            ("MessageSid", "SM1"),
            ("MessageStatus", "delivered"),
        ]))
        .unwrap();
        assert_eq!(
            delivered,
            Callback::Status(Status {
                delivery_id: None,
                provider_message_id: Some("SM1".into()),
                outcome: Outcome::Delivered
            })
        );
        let gone = read(&pairs(&[
            ("MessageSid", "SM1"),
            ("MessageStatus", "undelivered"),
            ("ErrorCode", "30006"),
        ]))
        .unwrap();
        assert!(matches!(
            gone,
            Callback::Status(Status {
                outcome: Outcome::Failed {
                    withdraw: Some("bounce"),
                    ..
                },
                ..
            })
        ));
        let queued = read(&pairs(&[
            ("MessageSid", "SM1"),
            ("MessageStatus", "queued"),
        ]))
        .unwrap();
        assert!(matches!(
            queued,
            Callback::Status(Status {
                outcome: Outcome::Ignored,
                ..
            })
        ));
        for word in ["STOP", " stop ", "Unsubscribe", "quit."] {
            let stop = read(&pairs(&[
                ("MessageSid", "SM2"),
                ("SmsStatus", "received"),
                ("Body", word),
                ("From", "+15550100"),
            ]))
            .unwrap();
            assert_eq!(
                stop,
                Callback::Stop {
                    from: "+15550100".into()
                },
                "{word}"
            );
        }
        let chat = read(&pairs(&[
            ("MessageSid", "SM2"),
            ("SmsStatus", "received"),
            ("Body", "stop it please"),
            ("From", "+15550100"),
        ]))
        .unwrap();
        assert_eq!(chat, Callback::Inbound);
        assert!(read(&pairs(&[("Foo", "bar")])).is_err());
        assert!(params(b"").is_err());
        assert!(params(&[0xff, 0xfe]).is_err());
    }
}
