//! Rotating the master key: which key sealed a value, sealing it again under the
//! current one, and the index root kept sealed in the database (see `keys`).

use super::{parts, Cipher, CryptoError, Field, VERSION};
use base64::{engine::general_purpose::STANDARD_NO_PAD, Engine};
use ring::hmac;

/// Where the index root is kept, sealed (see `keys::index_root`).
const INDEX_ROOT: Field<'static> = Field {
    table: "crypto_keys",
    column: "sealed",
};
const INDEX_ROOT_ROW: &str = "index_root";

impl Cipher {
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
        parts(stored).map(|(id, _)| id)
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
}
