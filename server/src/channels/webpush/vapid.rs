//! VAPID (RFC 8292): each request to a push service carries a JWT, signed with the
//! organization's P-256 key, naming the push service's origin (`aud`), an expiry within
//! a day (`exp`) and who to contact (`sub`), plus the public key the browser subscribed
//! with: `Authorization: vapid t=<jwt>, k=<key>`.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use ring::{
    rand::SystemRandom,
    signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_FIXED_SIGNING},
};
use serde_json::json;

/// How long a token holds: push services refuse more than 24 hours.
pub const TOKEN_LIFETIME_SECS: i64 = 12 * 3600;

pub struct Vapid {
    pair: EcdsaKeyPair,
    /// The public key, base64url: what browsers subscribe with (`applicationServerKey`).
    pub public_key: String,
    subject: String,
    rng: SystemRandom,
}

/// A new private key, as PKCS#8 in base64url (how settings keep it).
pub fn generate() -> Result<String, String> {
    let doc = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &SystemRandom::new())
        .map_err(|_| "could not generate a key".to_owned())?;
    Ok(URL_SAFE_NO_PAD.encode(doc.as_ref()))
}

/// The public key (base64url, uncompressed point) of a stored private key.
pub fn public_key(private: &str) -> Result<String, String> {
    Ok(pair(private)?.1)
}

fn pair(private: &str) -> Result<(EcdsaKeyPair, String), String> {
    let der = URL_SAFE_NO_PAD
        .decode(private.trim().trim_end_matches('=').as_bytes())
        .map_err(|_| "not base64url".to_owned())?;
    let pair =
        EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &der, &SystemRandom::new())
            .map_err(|_| "not a P-256 private key in PKCS#8 form".to_owned())?;
    let public = URL_SAFE_NO_PAD.encode(pair.public_key().as_ref());
    Ok((pair, public))
}

impl Vapid {
    pub fn new(private: &str, subject: &str) -> Result<Vapid, String> {
        let (pair, public_key) = pair(private)?;
        Ok(Vapid {
            pair,
            public_key,
            subject: subject.to_owned(),
            rng: SystemRandom::new(),
        })
    }

    /// The `Authorization` header for a request to `audience` (scheme://host[:port]).
    pub fn authorization(&self, audience: &str, now: i64) -> Result<String, String> {
        let header = URL_SAFE_NO_PAD.encode(br#"{"typ":"JWT","alg":"ES256"}"#);
        let claims = json!({
            "aud": audience,
            "exp": now + TOKEN_LIFETIME_SECS,
            "sub": self.subject,
        });
        let claims = URL_SAFE_NO_PAD.encode(claims.to_string().as_bytes());
        let signing_input = format!("{header}.{claims}");
        let signature = self
            .pair
            .sign(&self.rng, signing_input.as_bytes())
            .map_err(|_| "could not sign the VAPID token".to_owned())?;
        Ok(format!(
            "vapid t={signing_input}.{}, k={}",
            URL_SAFE_NO_PAD.encode(signature.as_ref()),
            self.public_key
        ))
    }
}

/// Checks a `vapid t=…, k=…` header as a push service does (RFC 8292 section 2 and 3):
/// the signature under `k`, ES256, an `aud` equal to `audience`, an `exp` in the next
/// 24 hours, a `sub` given. Returns the claims.
pub fn verify(header: &str, audience: &str, now: i64) -> Result<serde_json::Value, String> {
    use ring::signature::{UnparsedPublicKey, ECDSA_P256_SHA256_FIXED};
    let rest = header
        .strip_prefix("vapid ")
        .ok_or("not a vapid authorization")?;
    let mut token = None;
    let mut key = None;
    for part in rest.split(',').map(str::trim) {
        if let Some(t) = part.strip_prefix("t=") {
            token = Some(t);
        } else if let Some(k) = part.strip_prefix("k=") {
            key = Some(k);
        }
    }
    let (token, key) = (token.ok_or("no t=")?, key.ok_or("no k=")?);
    let key = URL_SAFE_NO_PAD
        .decode(key)
        .map_err(|_| "k is not base64url")?;
    let (signed, signature) = token.rsplit_once('.').ok_or("t is not a JWT")?;
    let signature = URL_SAFE_NO_PAD
        .decode(signature)
        .map_err(|_| "the signature is not base64url")?;
    UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, &key)
        .verify(signed.as_bytes(), &signature)
        .map_err(|_| "the signature does not verify under k")?;
    let (header, claims) = signed.split_once('.').ok_or("t is not a JWT")?;
    let decode = |part: &str| -> Result<serde_json::Value, String> {
        let bytes = URL_SAFE_NO_PAD.decode(part).map_err(|_| "not base64url")?;
        serde_json::from_slice(&bytes).map_err(|e| e.to_string())
    };
    let header = decode(header)?;
    if header["alg"] != "ES256" {
        return Err("alg is not ES256".into());
    }
    let claims = decode(claims)?;
    if claims["aud"] != audience {
        return Err(format!("aud is {}, not {audience}", claims["aud"]));
    }
    let exp = claims["exp"].as_i64().ok_or("no exp")?;
    if exp <= now || exp > now + 24 * 3600 {
        return Err("exp is not within the next 24 hours".into());
    }
    if claims["sub"].as_str().is_none_or(str::is_empty) {
        return Err("no sub".into());
    }
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 8292 section 2.4's example verifies (its exp is in the past: checked at the
    /// example's own time).
    #[test]
    fn the_rfc_8292_example_verifies() {
        let header = "vapid t=eyJ0eXAiOiJKV1QiLCJhbGciOiJFUzI1NiJ9.eyJhdWQiOiJodHRwczovL3B1c2guZXhhbXBsZS5uZXQiLCJleHAiOjE0NTM1MjM3NjgsInN1YiI6Im1haWx0bzpwdXNoQGV4YW1wbGUuY29tIn0.i3CYb7t4xfxCDquptFOepC9GAu_HLGkMlMuCGSK2rpiUfnK9ojFwDXb1JrErtmysazNjjvW2L9OkSSHzvoD1oA, k=BA1Hxzyi1RUM1b5wjxsn7nGxAszw2u61m164i3MrAIxHF6YK5h4SDYic-dRuU_RCPCfA5aq9ojSwk5Y2EmClBPs";
        let claims = verify(header, "https://push.example.net", 1_453_523_768 - 3600).unwrap();
        assert_eq!(claims["sub"], "mailto:push@example.com");
        assert!(verify(header, "https://push.example.net", 1_453_523_768 + 1).is_err());
        assert!(verify(header, "https://other.example", 1_453_523_768 - 3600).is_err());
        let tampered = header.replace("i3CYb7", "i3CYb8");
        assert!(verify(&tampered, "https://push.example.net", 1_453_523_768 - 3600).is_err());
    }

    #[test]
    fn our_tokens_verify_as_a_push_service_checks_them() {
        let private = generate().unwrap();
        let vapid = Vapid::new(&private, "mailto:ops@acme.test").unwrap();
        assert_eq!(vapid.public_key, public_key(&private).unwrap());
        let now = 1_700_000_000;
        let header = vapid
            .authorization("https://fcm.googleapis.com", now)
            .unwrap();
        let claims = verify(&header, "https://fcm.googleapis.com", now).unwrap();
        assert_eq!(claims["sub"], "mailto:ops@acme.test");
        assert!(verify(&header, "https://updates.push.services.mozilla.com", now).is_err());
        assert!(Vapid::new("bm90IGEga2V5", "mailto:x@y.z").is_err());
    }
}
