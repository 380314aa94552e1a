//! argon2id password hashing, off the async threads.

use anyhow::Context;
use argon2::{
    password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Argon2,
};
use std::sync::LazyLock;

/// Verified against when the account does not exist, so that a wrong email costs as much
/// time as a wrong password and response times do not reveal which accounts exist.
static DUMMY_HASH: LazyLock<Option<String>> =
    LazyLock::new(|| hash_blocking("no account here").ok());

fn hash_blocking(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("Failed to hash a password: {e}"))
}

pub async fn hash(password: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || hash_blocking(&password))
        .await
        .context("Failed to join the hashing task")?
}

/// Whether `password` matches `stored`; with no stored hash, burns the same time and says no.
pub async fn verify(password: String, stored: Option<String>) -> anyhow::Result<bool> {
    tokio::task::spawn_blocking(move || {
        let (hash, real) = match stored {
            Some(h) => (h, true),
            None => (DUMMY_HASH.clone().unwrap_or_default(), false),
        };
        let parsed = PasswordHash::new(&hash)
            .map_err(|e| anyhow::anyhow!("Failed to parse a stored password hash: {e}"))?;
        Ok(real
            && Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok())
    })
    .await
    .context("Failed to join the verification task")?
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn round_trip() {
        let h = super::hash("correct horse battery".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(
            super::verify("correct horse battery".into(), Some(h.clone()))
                .await
                .unwrap()
        );
        assert!(!super::verify("wrong horse battery".into(), Some(h))
            .await
            .unwrap());
        assert!(!super::verify("anything".into(), None).await.unwrap());
    }
}
