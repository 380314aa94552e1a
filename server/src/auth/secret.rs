//! Random secrets (API tokens, invitation links) and their stored hashes.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use ring::{
    digest,
    rand::{SecureRandom, SystemRandom},
};

/// `prefix` + 256 random bits, URL-safe.
pub fn generate(prefix: &str) -> anyhow::Result<String> {
    let mut bytes = [0u8; 32];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| anyhow::anyhow!("Failed to read the system's random source"))?;
    Ok(format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes)))
}

/// What we store instead of a secret: its SHA-256, hex.
pub fn sha256_hex(secret: &str) -> String {
    hex::encode(digest::digest(&digest::SHA256, secret.as_bytes()))
}

/// Comparison whose time does not depend on where the inputs differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_prefixed_unique_and_hashed() {
        let a = generate("crln_").unwrap();
        let b = generate("crln_").unwrap();
        assert!(a.starts_with("crln_") && a.len() == 5 + 43);
        assert_ne!(a, b);
        assert_eq!(
            sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(constant_time_eq(&sha256_hex(&a), &sha256_hex(&a)));
        assert!(!constant_time_eq(&sha256_hex(&a), &sha256_hex(&b)));
    }
}
