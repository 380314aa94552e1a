//! The master key: `CARILLON_MASTER_KEY` (32 bytes, base64), or, for the embedded
//! default only, a key generated on first run and kept in `master.key` beside the database.

use base64::{engine::general_purpose::STANDARD, Engine};
use ring::rand::{SecureRandom, SystemRandom};
use std::{io::Write, path::Path};

#[derive(Debug, thiserror::Error)]
pub enum MasterKeyError {
    #[error("invalid configuration: CARILLON_MASTER_KEY: expected 32 bytes in base64 (generate one with `openssl rand -base64 32`)")]
    Invalid,
    #[error("invalid configuration: CARILLON_PREVIOUS_MASTER_KEYS: key {0} (counting from 1) is not 32 bytes in base64; list the retired keys, newest first, separated by commas")]
    InvalidPrevious(usize),
    #[error("CARILLON_MASTER_KEY is required with PostgreSQL (generate one with `openssl rand -base64 32`); only the embedded SQLite default generates its own")]
    Missing,
    #[error("Failed to read or write the master key file {path}: {source}")]
    File {
        path: String,
        source: std::io::Error,
    },
}

fn decode(raw: &str) -> Result<[u8; 32], MasterKeyError> {
    STANDARD
        .decode(raw.trim())
        .ok()
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .ok_or(MasterKeyError::Invalid)
}

/// `CARILLON_PREVIOUS_MASTER_KEYS`: the keys rotated out, newest first, comma-separated.
pub fn decode_previous(raw: &str) -> Result<Vec<[u8; 32]>, MasterKeyError> {
    raw.split(',')
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .enumerate()
        .map(|(i, k)| decode(k).map_err(|_| MasterKeyError::InvalidPrevious(i + 1)))
        .collect()
}

/// The configured key; else, when `generate_in` is given (embedded SQLite), the key in
/// `<dir>/master.key`, created with mode 0600 on first run.
pub fn load_or_create(
    configured: Option<&str>,
    generate_in: Option<&Path>,
) -> Result<[u8; 32], MasterKeyError> {
    if let Some(raw) = configured {
        return decode(raw);
    }
    let dir = generate_in.ok_or(MasterKeyError::Missing)?;
    let path = dir.join("master.key");
    let file_error = |source| MasterKeyError::File {
        path: path.display().to_string(),
        source,
    };
    match std::fs::read_to_string(&path) {
        Ok(raw) => return decode(&raw),
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(file_error(e)),
        Err(_) => {}
    }
    let mut key = [0u8; 32];
    SystemRandom::new()
        .fill(&mut key)
        .map_err(|_| file_error(std::io::Error::other("no randomness")))?;
    std::fs::create_dir_all(dir).map_err(file_error)?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&path).map_err(file_error)?;
    file.write_all(STANDARD.encode(key).as_bytes())
        .map_err(file_error)?;
    tracing::warn!(
        path = %path.display(),
        "generated a new master key for personal data; back this file up: without it the encrypted data cannot be read"
    );
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_once_then_reused() {
        let dir = tempfile::tempdir().unwrap();
        let a = load_or_create(None, Some(dir.path())).unwrap();
        let b = load_or_create(None, Some(dir.path())).unwrap();
        assert_eq!(a, b);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("master.key"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn configured_keys_are_checked_and_postgres_needs_one() {
        let k = STANDARD.encode([9u8; 32]);
        assert_eq!(load_or_create(Some(&k), None).unwrap(), [9u8; 32]);
        assert!(matches!(
            load_or_create(Some("short"), None),
            Err(MasterKeyError::Invalid)
        ));
        assert!(matches!(
            load_or_create(None, None),
            Err(MasterKeyError::Missing)
        ));
    }

    #[test]
    fn previous_keys_are_a_list_and_a_bad_one_is_named() {
        let (a, b) = (STANDARD.encode([1u8; 32]), STANDARD.encode([2u8; 32]));
        assert_eq!(
            decode_previous(&format!(" {a}, {b} ,")).unwrap(),
            vec![[1u8; 32], [2u8; 32]]
        );
        assert!(decode_previous("").unwrap().is_empty());
        assert!(matches!(
            decode_previous(&format!("{a},nope")),
            Err(MasterKeyError::InvalidPrevious(2))
        ));
    }
}
