//! Personal data at rest: AES-256-GCM with the row's identity as associated data, and
//! HMAC blind indexes for equality lookups. The encryption key derives (HKDF-SHA256) from
//! the master key; a rotated-out master key stays readable while it is configured as a
//! previous one (see [`Cipher::with_previous`]). The index root, which keys blind indexes
//! and signed links, must outlive any master key, so it is kept in the database, sealed
//! under the current master key (see `keys`).

mod data_key;
mod master_key;

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

/// Where the index root is kept, sealed (see `keys::index_root`).
pub const INDEX_ROOT: Field<'static> = Field {
    table: "crypto_keys",
    column: "sealed",
};
const INDEX_ROOT_ROW: &str = "index_root";

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

    /// The ids of the keys this cipher opens: the current one first.
    pub fn key_ids(&self) -> Vec<&str> {
        std::iter::once(&self.current)
            .chain(&self.previous)
            .map(|k| k.id.as_str())
            .collect()
    }

    /// How every value sealed under the current key begins (for finding the others).
    pub fn current_prefix(&self) -> String {
        format!("{VERSION}.{}.", self.current.id)
    }

    /// The id of the master key `stored` is sealed under, if it is in our format.
    pub fn sealed_with(stored: &str) -> Option<&str> {
        let mut parts = stored.splitn(3, '.');
        match (parts.next(), parts.next(), parts.next()) {
            (Some(VERSION), Some(id), Some(_)) => Some(id),
            _ => None,
        }
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

    /// `stored` sealed again under the current key; `None` when it already is.
    pub fn reseal(
        &self,
        field: Field<'_>,
        row_id: &str,
        stored: &str,
    ) -> Result<Option<String>, CryptoError> {
        if Self::sealed_with(stored) == Some(self.current.id.as_str()) {
            return Ok(None);
        }
        let plain = self.decrypt(field, row_id, stored)?;
        self.encrypt(field, row_id, &plain).map(Some)
    }

    /// The index root, sealed under the current key, to keep in the database.
    pub fn sealed_index_root(&self) -> Result<String, CryptoError> {
        self.encrypt(
            INDEX_ROOT,
            INDEX_ROOT_ROW,
            &STANDARD_NO_PAD.encode(self.index_root),
        )
    }

    /// This cipher with the index root kept in the database.
    pub fn with_sealed_index_root(mut self, stored: &str) -> Result<Self, CryptoError> {
        let root = STANDARD_NO_PAD
            .decode(self.decrypt(INDEX_ROOT, INDEX_ROOT_ROW, stored)?)
            .ok()
            .and_then(|b| <[u8; 32]>::try_from(b).ok())
            .ok_or(CryptoError::Malformed)?;
        self.index_root = root;
        self.index = hmac::Key::new(hmac::HMAC_SHA256, &root);
        Ok(self)
    }

    pub fn decrypt(
        &self,
        field: Field<'_>,
        row_id: &str,
        stored: &str,
    ) -> Result<String, CryptoError> {
        let mut parts = stored.splitn(3, '.');
        let (Some(VERSION), Some(key_id), Some(body)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(CryptoError::Malformed);
        };
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
mod tests {
    use super::*;

    const EMAIL: Field<'static> = Field {
        table: "contacts",
        column: "email",
    };
    const PHONE: Field<'static> = Field {
        table: "contacts",
        column: "phone",
    };

    fn cipher(byte: u8) -> Cipher {
        Cipher::new(&[byte; 32])
    }

    #[test]
    fn round_trip_with_a_fresh_nonce_each_time() {
        let c = cipher(7);
        let a = c.encrypt(EMAIL, "row-1", "ada@example.org").unwrap();
        let b = c.encrypt(EMAIL, "row-1", "ada@example.org").unwrap();
        assert_ne!(a, b, "random nonces");
        assert!(!a.contains("ada"));
        assert!(a.starts_with(&format!("v1.{}.", c.key_id())));
        assert_eq!(c.decrypt(EMAIL, "row-1", &a).unwrap(), "ada@example.org");
        assert_eq!(
            c.decrypt(EMAIL, "row-1", &c.encrypt(EMAIL, "row-1", "").unwrap())
                .unwrap(),
            ""
        );
    }

    #[test]
    fn tampering_and_moving_are_detected() {
        let c = cipher(7);
        let stored = c.encrypt(EMAIL, "row-1", "ada@example.org").unwrap();
        assert_eq!(
            c.decrypt(EMAIL, "row-2", &stored),
            Err(CryptoError::Tampered),
            "another row"
        );
        assert_eq!(
            c.decrypt(PHONE, "row-1", &stored),
            Err(CryptoError::Tampered),
            "another column"
        );
        let mut raw = STANDARD_NO_PAD
            .decode(stored.rsplit('.').next().unwrap())
            .unwrap();
        let last = raw.len() - 1;
        raw[last] ^= 1;
        let flipped = format!("v1.{}.{}", c.key_id(), STANDARD_NO_PAD.encode(raw));
        assert_eq!(
            c.decrypt(EMAIL, "row-1", &flipped),
            Err(CryptoError::Tampered),
            "a flipped bit"
        );
        assert_eq!(
            c.decrypt(EMAIL, "row-1", "plain@example.org"),
            Err(CryptoError::Malformed)
        );
        assert!(matches!(
            cipher(8).decrypt(EMAIL, "row-1", &stored),
            Err(CryptoError::UnknownKey(_))
        ));
    }

    #[test]
    fn a_previous_key_opens_what_it_sealed_and_reseal_moves_it_to_the_current_one() {
        let old = cipher(7);
        let stored = old.encrypt(EMAIL, "row-1", "ada@example.org").unwrap();
        let rotated = Cipher::with_previous(&[8; 32], &[[7; 32], [8; 32], [7; 32]]);
        assert_eq!(rotated.key_ids(), vec![cipher(8).key_id(), old.key_id()]);
        assert_eq!(
            rotated.decrypt(EMAIL, "row-1", &stored).unwrap(),
            "ada@example.org"
        );
        let moved = rotated.reseal(EMAIL, "row-1", &stored).unwrap().unwrap();
        assert!(moved.starts_with(&rotated.current_prefix()));
        assert_eq!(Cipher::sealed_with(&moved), Some(rotated.key_id()));
        assert_eq!(rotated.reseal(EMAIL, "row-1", &moved).unwrap(), None);
        assert_eq!(
            cipher(8).decrypt(EMAIL, "row-1", &moved).unwrap(),
            "ada@example.org"
        );
        assert!(matches!(
            cipher(8).decrypt(EMAIL, "row-1", &stored),
            Err(CryptoError::UnknownKey(_))
        ));
        // Bound to its place under the new key too.
        assert_eq!(
            rotated.reseal(EMAIL, "row-2", &stored),
            Err(CryptoError::Tampered)
        );
    }

    #[test]
    fn the_index_root_survives_the_master_key_it_was_first_derived_from() {
        let acme = uuid::Uuid::from_u128(1);
        let before = cipher(7)
            .index_key(acme)
            .blind_index(EMAIL, "ada@example.org");
        let link = hmac::sign(&cipher(7).link_key("unsubscribe"), b"token");
        // Rotated: the oldest key's root until the database says which root it keeps.
        let rotated = Cipher::with_previous(&[8; 32], &[[7; 32]]);
        assert_eq!(
            rotated
                .index_key(acme)
                .blind_index(EMAIL, "ada@example.org"),
            before
        );
        let sealed = rotated.sealed_index_root().unwrap();
        // The old key retired: the root comes from its sealed copy, under the new key.
        let retired = cipher(8).with_sealed_index_root(&sealed).unwrap();
        assert_eq!(
            retired
                .index_key(acme)
                .blind_index(EMAIL, "ada@example.org"),
            before
        );
        assert!(hmac::verify(&retired.link_key("unsubscribe"), b"token", link.as_ref()).is_ok());
        assert!(matches!(
            cipher(9).with_sealed_index_root(&sealed),
            Err(CryptoError::UnknownKey(_))
        ));
    }

    #[test]
    fn blind_indexes_are_deterministic_keyed_and_scoped() {
        let (acme, globex) = (uuid::Uuid::from_u128(1), uuid::Uuid::from_u128(2));
        let c = cipher(7).index_key(acme);
        let i = c.blind_index(EMAIL, "ada@example.org");
        assert_eq!(
            i,
            cipher(7)
                .index_key(acme)
                .blind_index(EMAIL, "ada@example.org")
        );
        assert_eq!(i.len(), 64);
        assert_ne!(i, c.blind_index(EMAIL, "bob@example.org"));
        assert_ne!(i, c.blind_index(PHONE, "ada@example.org"));
        assert_ne!(
            i,
            cipher(8)
                .index_key(acme)
                .blind_index(EMAIL, "ada@example.org")
        );
        assert_ne!(
            i,
            cipher(7)
                .index_key(globex)
                .blind_index(EMAIL, "ada@example.org"),
            "one person, two organizations: unrelated indexes"
        );
    }
}
