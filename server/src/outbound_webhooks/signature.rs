//! Standard Webhooks signing: the secret is random bytes, shown as `whsec_<base64>`;
//! each request carries `webhook-signature: v1,<base64 of HMAC-SHA256(secret,
//! "{webhook-id}.{webhook-timestamp}.{body}")>`.

use base64::{engine::general_purpose::STANDARD, Engine};
use ring::{
    hmac,
    rand::{SecureRandom, SystemRandom},
};

/// 32 bytes: the signature's key, as long as its hash's block of output.
pub const SECRET_BYTES: usize = 32;
const PREFIX: &str = "whsec_";

/// A new signing secret's bytes.
pub fn new_secret() -> anyhow::Result<Vec<u8>> {
    let mut bytes = vec![0u8; SECRET_BYTES];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| anyhow::anyhow!("the system's random source failed"))?;
    Ok(bytes)
}

/// How the secret is shown to the endpoint's owner, once.
pub fn shown(secret: &[u8]) -> String {
    format!("{PREFIX}{}", STANDARD.encode(secret))
}

/// The value of the `webhook-signature` header.
pub fn sign(secret: &[u8], id: &str, timestamp: i64, body: &str) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret);
    let mut ctx = hmac::Context::with_key(&key);
    ctx.update(id.as_bytes());
    ctx.update(b".");
    ctx.update(timestamp.to_string().as_bytes());
    ctx.update(b".");
    ctx.update(body.as_bytes());
    format!("v1,{}", STANDARD.encode(ctx.sign().as_ref()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of the Standard Webhooks specification's reference implementations:
    /// this secret, id, timestamp and body give this signature.
    #[test]
    fn signs_as_the_specification_does() {
        let secret = STANDARD.decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let sig = sign(
            &secret,
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            r#"{"test": 2432232314}"#,
        );
        assert_eq!(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn shows_the_secret_with_its_prefix() {
        let s = new_secret().unwrap();
        assert_eq!(s.len(), SECRET_BYTES);
        let shown = shown(&s);
        assert_eq!(
            STANDARD
                .decode(shown.strip_prefix("whsec_").unwrap())
                .unwrap(),
            s
        );
        assert_ne!(new_secret().unwrap(), s);
    }
}
