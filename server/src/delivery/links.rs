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

/// The preference centre link of every message: `{public URL}/pref/{token}`. It names
/// the organization and the contact, and the day it was made: it opens the contact's
/// preferences for [`Preferences::VALID_DAYS`] days.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Preferences {
    pub organization_id: Uuid,
    pub contact_id: Uuid,
    /// Days since the Unix epoch.
    pub issued_day: u32,
}

const PREFERENCES_LEN: usize = 16 * 2 + 4;

/// Why a preference link does not open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkError {
    /// Not a link we signed, or altered.
    Invalid,
    /// Signed, but older than it may be.
    Expired,
}

impl Preferences {
    pub const VALID_DAYS: u32 = 180;

    /// The key that signs these links, derived from the master key.
    pub fn key(cipher: &crate::crypto::Cipher) -> hmac::Key {
        cipher.link_key("preferences")
    }

    pub fn new(
        organization_id: Uuid,
        contact_id: Uuid,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Self {
        Preferences {
            organization_id,
            contact_id,
            issued_day: u32::try_from(now.timestamp().div_euclid(86_400)).unwrap_or(0),
        }
    }

    pub fn token(&self, key: &hmac::Key) -> String {
        let mut bytes = Vec::with_capacity(PREFERENCES_LEN + MAC_LEN);
        bytes.extend_from_slice(self.organization_id.as_bytes());
        bytes.extend_from_slice(self.contact_id.as_bytes());
        bytes.extend_from_slice(&self.issued_day.to_be_bytes());
        bytes.extend_from_slice(hmac::sign(key, &bytes).as_ref());
        URL_SAFE_NO_PAD.encode(bytes)
    }

    pub fn verify(
        token: &str,
        key: &hmac::Key,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Self, LinkError> {
        if token.len() > 128 {
            return Err(LinkError::Invalid);
        }
        let bytes = URL_SAFE_NO_PAD
            .decode(token)
            .map_err(|_| LinkError::Invalid)?;
        if bytes.len() != PREFERENCES_LEN + MAC_LEN {
            return Err(LinkError::Invalid);
        }
        let (body, mac) = bytes.split_at(PREFERENCES_LEN);
        hmac::verify(key, body, mac).map_err(|_| LinkError::Invalid)?;
        let id = |i: usize| {
            Uuid::from_slice(&body[i * 16..(i + 1) * 16]).map_err(|_| LinkError::Invalid)
        };
        let mut day = [0u8; 4];
        day.copy_from_slice(&body[32..36]);
        let link = Preferences {
            organization_id: id(0)?,
            contact_id: id(1)?,
            issued_day: u32::from_be_bytes(day),
        };
        let today = Preferences::new(link.organization_id, link.contact_id, now).issued_day;
        if today.saturating_sub(link.issued_day) > Self::VALID_DAYS {
            return Err(LinkError::Expired);
        }
        Ok(link)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preference_links_verify_expire_and_refuse_tampering() {
        let key = hmac::Key::new(hmac::HMAC_SHA256, b"k");
        let now = chrono::Utc::now();
        let link = Preferences::new(Uuid::now_v7(), Uuid::now_v7(), now);
        let token = link.token(&key);
        assert_eq!(Preferences::verify(&token, &key, now), Ok(link));
        let later = now + chrono::Duration::days(i64::from(Preferences::VALID_DAYS) + 1);
        assert_eq!(
            Preferences::verify(&token, &key, later),
            Err(LinkError::Expired)
        );
        let mut bytes = URL_SAFE_NO_PAD.decode(&token).unwrap();
        bytes[33] ^= 1;
        let altered = URL_SAFE_NO_PAD.encode(&bytes);
        assert_eq!(
            Preferences::verify(&altered, &key, now),
            Err(LinkError::Invalid)
        );
        assert_eq!(Preferences::verify("x", &key, now), Err(LinkError::Invalid));
    }

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
