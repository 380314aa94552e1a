//! The signed unsubscribe link put in every email: `{public URL}/u/{token}`. The token
//! names organization, contact, campaign and channel (ids only, no personal data) and
//! carries an HMAC of them, so it cannot be forged or altered.

use app::model::Channel;
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use ring::hmac;
use uuid::Uuid;

/// HMAC-SHA256, whole.
const MAC_LEN: usize = 32;
const BODY_LEN: usize = 16 * 3 + 1;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unsubscribe {
    pub organization_id: Uuid,
    pub contact_id: Uuid,
    pub campaign_id: Uuid,
    pub channel: Channel,
}

impl Unsubscribe {
    pub fn token(&self, key: &hmac::Key) -> String {
        let mut bytes = self.body().to_vec();
        bytes.extend_from_slice(hmac::sign(key, &bytes).as_ref());
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// `None` for anything that is not a token we signed.
    pub fn verify(token: &str, key: &hmac::Key) -> Option<Self> {
        if token.len() > 128 {
            return None;
        }
        let bytes = URL_SAFE_NO_PAD.decode(token).ok()?;
        if bytes.len() != BODY_LEN + MAC_LEN {
            return None;
        }
        let (body, mac) = bytes.split_at(BODY_LEN);
        // In constant time: a guessed MAC learns nothing from how long the refusal took.
        hmac::verify(key, body, mac).ok()?;
        let id = |i: usize| Uuid::from_slice(&body[i * 16..(i + 1) * 16]).ok();
        let channel = match body[48] {
            0 => Channel::Email,
            1 => Channel::Sms,
            2 => Channel::Push,
            _ => return None,
        };
        Some(Unsubscribe {
            organization_id: id(0)?,
            contact_id: id(1)?,
            campaign_id: id(2)?,
            channel,
        })
    }

    fn body(&self) -> [u8; BODY_LEN] {
        let mut body = [0u8; BODY_LEN];
        body[..16].copy_from_slice(self.organization_id.as_bytes());
        body[16..32].copy_from_slice(self.contact_id.as_bytes());
        body[32..48].copy_from_slice(self.campaign_id.as_bytes());
        body[48] = match self.channel {
            Channel::Email => 0,
            Channel::Sms => 1,
            Channel::Push => 2,
        };
        body
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_and_refuse_tampering() {
        let key = hmac::Key::new(hmac::HMAC_SHA256, b"k");
        let link = Unsubscribe {
            organization_id: Uuid::now_v7(),
            contact_id: Uuid::now_v7(),
            campaign_id: Uuid::now_v7(),
            channel: Channel::Email,
        };
        let token = link.token(&key);
        assert_eq!(Unsubscribe::verify(&token, &key), Some(link));
        let mut bytes = URL_SAFE_NO_PAD.decode(&token).unwrap();
        bytes[20] ^= 1;
        assert_eq!(
            Unsubscribe::verify(&URL_SAFE_NO_PAD.encode(&bytes), &key),
            None
        );
        let other = hmac::Key::new(hmac::HMAC_SHA256, b"other");
        assert_eq!(Unsubscribe::verify(&token, &other), None);
        assert_eq!(Unsubscribe::verify("not-a-token", &key), None);
    }
}
