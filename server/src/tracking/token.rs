//! The token of a tracking URL: what was opened or clicked (a delivery, and for a click
//! one of its campaign's links), ids only, with an HMAC of them, so a hit cannot be made
//! up for another delivery or point a click anywhere else.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use ring::hmac;
use uuid::Uuid;

/// HMAC-SHA256, whole.
const MAC_LEN: usize = 32;
/// Kind, delivery id, link id.
const BODY_LEN: usize = 1 + 16 + 16;
/// Longer is not a token of ours; refused before decoding anything.
pub const MAX_LEN: usize = 128;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Open,
    Click,
}

impl Kind {
    fn byte(self) -> u8 {
        match self {
            Kind::Open => 1,
            Kind::Click => 2,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    pub kind: Kind,
    pub delivery_id: Uuid,
    /// The nil id for an open.
    pub link_id: Uuid,
}

impl Token {
    pub fn open(delivery_id: Uuid) -> Self {
        Token {
            kind: Kind::Open,
            delivery_id,
            link_id: Uuid::nil(),
        }
    }

    pub fn click(delivery_id: Uuid, link_id: Uuid) -> Self {
        Token {
            kind: Kind::Click,
            delivery_id,
            link_id,
        }
    }

    pub fn sign(&self, key: &hmac::Key) -> String {
        let mut bytes = self.body().to_vec();
        bytes.extend_from_slice(hmac::sign(key, &bytes).as_ref());
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// The token of `kind` that `raw` is, if we signed it.
    pub fn verify(kind: Kind, raw: &str, key: &hmac::Key) -> Option<Self> {
        if raw.len() > MAX_LEN {
            return None;
        }
        let bytes = URL_SAFE_NO_PAD.decode(raw).ok()?;
        if bytes.len() != BODY_LEN + MAC_LEN {
            return None;
        }
        let (body, mac) = bytes.split_at(BODY_LEN);
        // In constant time: a guessed MAC learns nothing from how long the refusal took.
        hmac::verify(key, body, mac).ok()?;
        if body[0] != kind.byte() {
            return None;
        }
        Some(Token {
            kind,
            delivery_id: Uuid::from_slice(&body[1..17]).ok()?,
            link_id: Uuid::from_slice(&body[17..33]).ok()?,
        })
    }

    fn body(&self) -> [u8; BODY_LEN] {
        let mut body = [0u8; BODY_LEN];
        body[0] = self.kind.byte();
        body[1..17].copy_from_slice(self.delivery_id.as_bytes());
        body[17..33].copy_from_slice(self.link_id.as_bytes());
        body
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> hmac::Key {
        hmac::Key::new(hmac::HMAC_SHA256, &[byte; 32])
    }

    #[test]
    fn a_token_verifies_only_as_itself() {
        let (d, l) = (Uuid::now_v7(), Uuid::now_v7());
        let click = Token::click(d, l).sign(&key(1));
        assert!(click.len() <= MAX_LEN);
        assert_eq!(
            Token::verify(Kind::Click, &click, &key(1)),
            Some(Token::click(d, l))
        );
        assert_eq!(Token::verify(Kind::Open, &click, &key(1)), None, "kind");
        assert_eq!(Token::verify(Kind::Click, &click, &key(2)), None, "key");
        let open = Token::open(d).sign(&key(1));
        assert_eq!(
            Token::verify(Kind::Open, &open, &key(1)),
            Some(Token::open(d))
        );
        // Another link under the same MAC, a cut token, garbage, a huge one.
        let mut raw = URL_SAFE_NO_PAD.decode(&click).unwrap();
        raw[20] ^= 1;
        let forged = URL_SAFE_NO_PAD.encode(raw);
        for bad in [
            forged.as_str(),
            &click[..40],
            "not a token",
            "",
            &"A".repeat(10_000),
        ] {
            assert_eq!(Token::verify(Kind::Click, bad, &key(1)), None, "{bad:.20}");
        }
    }
}
