//! The confirmation link mailed to a sign-up: `{public URL}/f/{list}/confirm/{token}`.
//! The token names the sign-up and carries an HMAC of it, so it cannot be forged; it
//! holds no personal data. Its expiry is the sign-up's own (`expires_at`).

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use ring::hmac;
use uuid::Uuid;

const BODY_LEN: usize = 32;
const MAC_LEN: usize = 32;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConfirmLink {
    pub list_id: Uuid,
    pub signup_id: Uuid,
}

impl ConfirmLink {
    pub fn token(&self, key: &hmac::Key) -> String {
        let mut bytes = Vec::with_capacity(BODY_LEN + MAC_LEN);
        bytes.extend_from_slice(self.list_id.as_bytes());
        bytes.extend_from_slice(self.signup_id.as_bytes());
        bytes.extend_from_slice(hmac::sign(key, &bytes).as_ref());
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// `None` for anything we did not sign.
    pub fn verify(token: &str, key: &hmac::Key) -> Option<Self> {
        if token.len() > 128 {
            return None;
        }
        let bytes = URL_SAFE_NO_PAD.decode(token).ok()?;
        if bytes.len() != BODY_LEN + MAC_LEN {
            return None;
        }
        let (body, mac) = bytes.split_at(BODY_LEN);
        hmac::verify(key, body, mac).ok()?;
        Some(ConfirmLink {
            list_id: Uuid::from_slice(&body[..16]).ok()?,
            signup_id: Uuid::from_slice(&body[16..]).ok()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_our_signature_passes() {
        let key = hmac::Key::new(hmac::HMAC_SHA256, b"k");
        let link = ConfirmLink {
            list_id: Uuid::now_v7(),
            signup_id: Uuid::now_v7(),
        };
        let token = link.token(&key);
        assert_eq!(ConfirmLink::verify(&token, &key), Some(link));
        let other = hmac::Key::new(hmac::HMAC_SHA256, b"other");
        assert_eq!(ConfirmLink::verify(&token, &other), None);
        let mut bytes = URL_SAFE_NO_PAD.decode(&token).unwrap();
        bytes[3] ^= 1;
        assert_eq!(
            ConfirmLink::verify(&URL_SAFE_NO_PAD.encode(bytes), &key),
            None
        );
        assert_eq!(ConfirmLink::verify("not-a-token", &key), None);
    }
}
