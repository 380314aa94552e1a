//! The cipher: sealing, tampering, blind indexes, rotation.
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
