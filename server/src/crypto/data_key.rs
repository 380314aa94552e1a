//! Per-contact data keys, for erasure by crypto-shredding: a contact's personal fields are
//! sealed under a random key of its own, stored wrapped by the master key beside them.
//! Erasing the contact deletes that wrapped key, after which every copy of those fields
//! (a backup, a replica, a dump) is noise: no key anywhere opens them.

use super::{aead_key, open, seal, Cipher, CryptoError, Field};
use base64::{engine::general_purpose::STANDARD_NO_PAD, Engine};
use ring::{
    aead::LessSafeKey,
    rand::{SecureRandom, SystemRandom},
};

/// Format of a value sealed under a data key: `k1.<base64(nonce ‖ ciphertext ‖ tag)>`.
/// No key id: the key is the row's own.
const VERSION: &str = "k1";

/// Where the wrapped key lives (bound into its wrapping, like any sealed value).
const WRAPPED: Field<'static> = Field {
    table: "contacts",
    column: "data_key",
};

pub struct DataKey {
    aead: LessSafeKey,
    random: SystemRandom,
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(…)")
    }
}

impl Cipher {
    /// A fresh data key for row `row_id`, and its wrapping under the master key, to store.
    pub fn new_data_key(&self, row_id: &str) -> Result<(DataKey, String), CryptoError> {
        let mut bytes = [0u8; 32];
        self.random
            .fill(&mut bytes)
            .map_err(|_| CryptoError::Random)?;
        let wrapped = self.encrypt(WRAPPED, row_id, &STANDARD_NO_PAD.encode(bytes))?;
        Ok((DataKey::from_bytes(&bytes), wrapped))
    }

    /// The data key of row `row_id` from its stored wrapping.
    pub fn open_data_key(&self, row_id: &str, wrapped: &str) -> Result<DataKey, CryptoError> {
        let encoded = self.decrypt(WRAPPED, row_id, wrapped)?;
        let bytes = STANDARD_NO_PAD
            .decode(encoded)
            .ok()
            .and_then(|b| <[u8; 32]>::try_from(b).ok())
            .ok_or(CryptoError::Malformed)?;
        Ok(DataKey::from_bytes(&bytes))
    }

    /// The wrapping of row `row_id`'s data key under the current master key; `None` when
    /// it already is. The data key itself, and so every value under it, stays.
    pub fn rewrap_data_key(
        &self,
        row_id: &str,
        wrapped: &str,
    ) -> Result<Option<String>, CryptoError> {
        self.reseal(WRAPPED, row_id, wrapped)
    }
}

impl DataKey {
    fn from_bytes(bytes: &[u8; 32]) -> Self {
        DataKey {
            aead: aead_key(bytes),
            random: SystemRandom::new(),
        }
    }

    pub fn encrypt(
        &self,
        field: Field<'_>,
        row_id: &str,
        plaintext: &str,
    ) -> Result<String, CryptoError> {
        let sealed = seal(&self.aead, &self.random, field, row_id, plaintext)?;
        Ok(format!("{VERSION}.{sealed}"))
    }

    pub fn decrypt(
        &self,
        field: Field<'_>,
        row_id: &str,
        stored: &str,
    ) -> Result<String, CryptoError> {
        match stored.split_once('.') {
            Some((VERSION, body)) => open(&self.aead, field, row_id, body),
            _ => Err(CryptoError::Malformed),
        }
    }
}

/// Whether `stored` is sealed under a data key (rather than the master key).
pub fn under_data_key(stored: &str) -> bool {
    stored.starts_with("k1.")
}

/// A personal value of a contact: under its data key, or, for a row written before
/// data keys existed and not rewritten since, under the master key.
pub fn open_personal(
    cipher: &Cipher,
    key: Option<&DataKey>,
    field: Field<'_>,
    row_id: &str,
    stored: &str,
) -> Result<String, CryptoError> {
    if under_data_key(stored) {
        key.ok_or(CryptoError::NoDataKey)?
            .decrypt(field, row_id, stored)
    } else {
        cipher.decrypt(field, row_id, stored)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EMAIL: Field<'static> = Field {
        table: "contacts",
        column: "email",
    };

    #[test]
    fn a_data_key_seals_and_only_its_wrapping_opens_it_again() {
        let master = Cipher::new(&[7; 32]);
        let (key, wrapped) = master.new_data_key("row-1").unwrap();
        let stored = key.encrypt(EMAIL, "row-1", "ada@example.org").unwrap();
        assert!(stored.starts_with("k1.") && !stored.contains("ada"));
        let again = master.open_data_key("row-1", &wrapped).unwrap();
        assert_eq!(
            again.decrypt(EMAIL, "row-1", &stored).unwrap(),
            "ada@example.org"
        );
        assert_eq!(
            open_personal(&master, Some(&again), EMAIL, "row-1", &stored).unwrap(),
            "ada@example.org"
        );
        // The wrapping is bound to its row, and no other key opens the value.
        assert_eq!(
            master.open_data_key("row-2", &wrapped).unwrap_err(),
            CryptoError::Tampered
        );
        let (other, _) = master.new_data_key("row-1").unwrap();
        assert_eq!(
            other.decrypt(EMAIL, "row-1", &stored),
            Err(CryptoError::Tampered)
        );
        assert!(master.decrypt(EMAIL, "row-1", &stored).is_err());
        assert_eq!(
            open_personal(&master, None, EMAIL, "row-1", &stored),
            Err(CryptoError::NoDataKey)
        );
    }

    #[test]
    fn a_rotation_rewraps_the_data_key_and_leaves_the_values_alone() {
        let old = Cipher::new(&[7; 32]);
        let (key, wrapped) = old.new_data_key("row-1").unwrap();
        let stored = key.encrypt(EMAIL, "row-1", "ada@example.org").unwrap();
        let rotated = Cipher::with_previous(&[8; 32], &[[7; 32]]);
        let rewrapped = rotated.rewrap_data_key("row-1", &wrapped).unwrap().unwrap();
        assert_eq!(rotated.rewrap_data_key("row-1", &rewrapped).unwrap(), None);
        let only_new = Cipher::new(&[8; 32]);
        let again = only_new.open_data_key("row-1", &rewrapped).unwrap();
        assert_eq!(
            again.decrypt(EMAIL, "row-1", &stored).unwrap(),
            "ada@example.org"
        );
        assert!(only_new.open_data_key("row-1", &wrapped).is_err());
    }

    #[test]
    fn values_written_before_data_keys_still_open() {
        let master = Cipher::new(&[7; 32]);
        let legacy = master.encrypt(EMAIL, "row-1", "ada@example.org").unwrap();
        let (key, _) = master.new_data_key("row-1").unwrap();
        assert_eq!(
            open_personal(&master, Some(&key), EMAIL, "row-1", &legacy).unwrap(),
            "ada@example.org"
        );
        assert_eq!(
            open_personal(&master, None, EMAIL, "row-1", &legacy).unwrap(),
            "ada@example.org"
        );
    }
}
