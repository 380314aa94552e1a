//! Personal data at rest: AES-256-GCM with the row's identity as associated data, and
//! HMAC blind indexes for equality lookups. The encryption key derives (HKDF-SHA256) from
//! the master key; a rotated-out master key stays readable while it is configured as a
//! previous one (see [`Cipher::with_previous`]). The index root, which keys blind indexes
//! and signed links, must outlive any master key, so it is kept in the database, sealed
//! under the current master key (see `keys`).

mod data_key;
mod master_key;
mod rotation;

pub use data_key::{open_personal, DataKey};
pub use master_key::{decode_previous, load_or_create, MasterKeyError};

use base64::{engine::general_purpose::STANDARD_NO_PAD, Engine};
use ring::{
    aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN},
    digest, hkdf, hmac,
    rand::{SecureRandom, SystemRandom},
};

/// Format of a stored value: `v1.<key id>.<base64(nonce ‖ ciphertext ‖ tag)>`.
const VERSION: &str = "v1";

/// Where a value lives; bound into the ciphertext so that a value copied to another
/// row, column or table no longer decrypts.
#[derive(Clone, Copy, Debug)]
pub struct Field<'a> {
    pub table: &'a str,
    pub column: &'a str,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CryptoError {
    #[error("the value is not in the expected encrypted format")]
    Malformed,
    #[error("the value was encrypted with another key (key id {0})")]
    UnknownKey(String),
    #[error("the value failed authentication: tampered with, or moved from another row")]
    Tampered,
    #[error("the system's random source failed")]
    Random,
    #[error("the value is sealed under a contact's own key, which is gone (erased)")]
    NoDataKey,
}

/// One master key: what it seals with, and the index root it would give a new install.
struct MasterKey {
    id: String,
    aead: LessSafeKey,
    derived_index_root: [u8; 32],
}

impl MasterKey {
    fn new(bytes: &[u8; 32]) -> Self {
        let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, b"carillon").extract(bytes);
        // The id names the master key without revealing anything about it.
        let id = hex::encode(
            &digest::digest(&digest::SHA256, &derive(&prk, b"carillon/v1/key-id")).as_ref()[..4],
        );
        MasterKey {
            id,
            aead: aead_key(&derive(&prk, b"carillon/v1/aes-256-gcm")),
            derived_index_root: derive(&prk, b"carillon/v1/blind-index"),
        }
    }
}

pub struct Cipher {
    current: MasterKey,
    /// Rotated-out keys, newest first: they open what they sealed, they seal nothing.
    previous: Vec<MasterKey>,
    index_root: [u8; 32],
    index: hmac::Key,
    random: SystemRandom,
}

impl std::fmt::Debug for Cipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cipher")
            .field("key_id", &self.current.id)
            .field(
                "previous",
                &self.previous.iter().map(|k| &k.id).collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

struct Len(usize);

impl hkdf::KeyType for Len {
    fn len(&self) -> usize {
        self.0
    }
}

fn derive(prk: &hkdf::Prk, info: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    // 32 bytes is far below HKDF-SHA256's limit of 255 × 32, so neither call can fail.
    if let Ok(okm) = prk.expand(&[info], Len(32)) {
        let _ = okm.fill(&mut out);
    }
    out
}

impl Cipher {
    pub fn new(master_key: &[u8; 32]) -> Self {
        Self::with_previous(master_key, &[])
    }

    /// Seals under `current`; opens what `current` or one of `previous` (newest first)
    /// sealed. Until [`Cipher::with_sealed_index_root`] says otherwise, the index root is
    /// the one the oldest of them derives, which is what an install that has never
    /// stored its root has been using.
    pub fn with_previous(current: &[u8; 32], previous: &[[u8; 32]]) -> Self {
        let current = MasterKey::new(current);
        let mut kept: Vec<MasterKey> = Vec::new();
        for key in previous.iter().map(MasterKey::new) {
            if key.id != current.id && kept.iter().all(|k| k.id != key.id) {
                kept.push(key);
            }
        }
        let root = kept.last().unwrap_or(&current).derived_index_root;
        Cipher {
            current,
            previous: kept,
            index_root: root,
            index: hmac::Key::new(hmac::HMAC_SHA256, &root),
            random: SystemRandom::new(),
        }
    }

    pub fn key_id(&self) -> &str {
        &self.current.id
    }

    pub fn encrypt(
        &self,
        field: Field<'_>,
        row_id: &str,
        plaintext: &str,
    ) -> Result<String, CryptoError> {
        let sealed = seal(&self.current.aead, &self.random, field, row_id, plaintext)?;
        Ok(format!("{VERSION}.{}.{sealed}", self.current.id))
    }

    pub fn decrypt(
        &self,
        field: Field<'_>,
        row_id: &str,
        stored: &str,
    ) -> Result<String, CryptoError> {
        let (key_id, body) = parts(stored).ok_or(CryptoError::Malformed)?;
        let key = std::iter::once(&self.current)
            .chain(&self.previous)
            .find(|k| k.id == key_id)
            .ok_or_else(|| CryptoError::UnknownKey(key_id.to_owned()))?;
        open(&key.aead, field, row_id, body)
    }

    /// The blind-index key of one organization, derived from the index root: the same
    /// address in two organizations gets two unrelated indexes, so a database dump does
    /// not link one person across organizations.
    pub fn index_key(&self, organization_id: uuid::Uuid) -> IndexKey {
        let mut ctx = hmac::Context::with_key(&self.index);
        ctx.update(b"carillon/v2/blind-index/organization/");
        ctx.update(organization_id.as_bytes());
        IndexKey(hmac::Key::new(hmac::HMAC_SHA256, ctx.sign().as_ref()))
    }
}

impl Cipher {
    /// The key that signs links of one kind (`unsubscribe`, ...) we put in messages:
    /// derived from the index root, so a link cannot be forged without it and a link
    /// sent before a key rotation still works after it.
    pub fn link_key(&self, purpose: &str) -> hmac::Key {
        let mut ctx = hmac::Context::with_key(&self.index);
        ctx.update(b"carillon/v1/links/");
        ctx.update(purpose.as_bytes());
        hmac::Key::new(hmac::HMAC_SHA256, ctx.sign().as_ref())
    }
}

/// One organization's blind-index key (see [`Cipher::index_key`]).
#[derive(Clone)]
pub struct IndexKey(hmac::Key);

impl std::fmt::Debug for IndexKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IndexKey(…)")
    }
}

impl IndexKey {
    /// A keyed hash of an already-normalized value, for lookups and deduplication
    /// without storing the value. Scoped by field: the same email in two columns has
    /// two unrelated indexes.
    pub fn blind_index(&self, field: Field<'_>, normalized: &str) -> String {
        let mut ctx = hmac::Context::with_key(&self.0);
        ctx.update(field.table.as_bytes());
        ctx.update(b"/");
        ctx.update(field.column.as_bytes());
        ctx.update(b"/");
        ctx.update(normalized.as_bytes());
        hex::encode(ctx.sign().as_ref())
    }
}

/// The key id and the body of a value in our format.
fn parts(stored: &str) -> Option<(&str, &str)> {
    let mut parts = stored.splitn(3, '.');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(VERSION), Some(id), Some(body)) => Some((id, body)),
        _ => None,
    }
}

fn aad(field: Field<'_>, row_id: &str) -> Vec<u8> {
    format!("carillon/{}/{}/{}", field.table, field.column, row_id).into_bytes()
}

/// `base64(nonce ‖ ciphertext ‖ tag)` of `plaintext` under `key`, bound to its place.
fn seal(
    key: &LessSafeKey,
    random: &SystemRandom,
    field: Field<'_>,
    row_id: &str,
    plaintext: &str,
) -> Result<String, CryptoError> {
    let mut nonce = [0u8; NONCE_LEN];
    random.fill(&mut nonce).map_err(|_| CryptoError::Random)?;
    let mut buffer = plaintext.as_bytes().to_vec();
    key.seal_in_place_append_tag(
        Nonce::assume_unique_for_key(nonce),
        Aad::from(aad(field, row_id)),
        &mut buffer,
    )
    .map_err(|_| CryptoError::Random)?;
    let mut stored = nonce.to_vec();
    stored.extend_from_slice(&buffer);
    Ok(STANDARD_NO_PAD.encode(stored))
}

/// The inverse of [`seal`].
fn open(
    key: &LessSafeKey,
    field: Field<'_>,
    row_id: &str,
    body: &str,
) -> Result<String, CryptoError> {
    let raw = STANDARD_NO_PAD
        .decode(body)
        .map_err(|_| CryptoError::Malformed)?;
    if raw.len() < NONCE_LEN + AES_256_GCM.tag_len() {
        return Err(CryptoError::Malformed);
    }
    let (nonce, sealed) = raw.split_at(NONCE_LEN);
    let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| CryptoError::Malformed)?;
    let mut sealed = sealed.to_vec();
    let plain = key
        .open_in_place(nonce, Aad::from(aad(field, row_id)), &mut sealed)
        .map_err(|_| CryptoError::Tampered)?;
    String::from_utf8(plain.to_vec()).map_err(|_| CryptoError::Malformed)
}

/// An AES-256-GCM key from 32 bytes.
fn aead_key(bytes: &[u8; 32]) -> LessSafeKey {
    match UnboundKey::new(&AES_256_GCM, bytes) {
        Ok(k) => LessSafeKey::new(k),
        // AES-256-GCM takes exactly 32 bytes, which is what we pass.
        Err(_) => unreachable!("a 32-byte key is valid for AES-256-GCM"),
    }
}

#[cfg(test)]
mod tests;
