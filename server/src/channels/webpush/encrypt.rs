//! Message encryption for Web Push (RFC 8291) in the `aes128gcm` content coding
//! (RFC 8188), one record: an ephemeral P-256 key agreed with the subscription's
//! `p256dh` key, mixed with its `auth` secret, gives the content key and nonce.

use ring::{
    aead, agreement,
    hmac::{self, HMAC_SHA256},
    rand::SecureRandom,
};

/// The record size written in the header: the whole message is one record.
const RECORD_SIZE: u32 = 4096;

/// The header: salt (16), record size (4), key id length (1), our public key (65).
const HEADER_LEN: usize = 16 + 4 + 1 + 65;

/// The longest plaintext: push services must accept bodies of 4096 octets, from which
/// go the header, the padding delimiter and the AEAD tag.
pub const MAX_PLAINTEXT: usize = RECORD_SIZE as usize - HEADER_LEN - 1 - 16;

#[derive(Debug, PartialEq, Eq)]
pub enum EncryptError {
    /// The subscription's keys are not a P-256 point and a 16-octet secret.
    BadKeys,
    TooLong,
    Crypto,
}

fn hmac(key: &[u8], parts: &[&[u8]]) -> hmac::Tag {
    let mut context = hmac::Context::with_key(&hmac::Key::new(HMAC_SHA256, key));
    for part in parts {
        context.update(part);
    }
    context.sign()
}

/// The encrypted body for a subscription with keys `ua_public` (p256dh, 65 octets) and
/// `auth` (16 octets). `rng` gives the ephemeral key, then the salt.
pub fn encrypt(
    plaintext: &[u8],
    ua_public: &[u8],
    auth: &[u8],
    rng: &dyn SecureRandom,
) -> Result<Vec<u8>, EncryptError> {
    if plaintext.len() > MAX_PLAINTEXT {
        return Err(EncryptError::TooLong);
    }
    if ua_public.len() != 65 || ua_public[0] != 0x04 || auth.len() != 16 {
        return Err(EncryptError::BadKeys);
    }
    let private = agreement::EphemeralPrivateKey::generate(&agreement::ECDH_P256, rng)
        .map_err(|_| EncryptError::Crypto)?;
    let as_public = private
        .compute_public_key()
        .map_err(|_| EncryptError::Crypto)?;
    let mut salt = [0u8; 16];
    rng.fill(&mut salt).map_err(|_| EncryptError::Crypto)?;
    let peer = agreement::UnparsedPublicKey::new(&agreement::ECDH_P256, ua_public);
    let ecdh_secret = agreement::agree_ephemeral(private, &peer, |s| s.to_vec())
        .map_err(|_| EncryptError::BadKeys)?;

    let prk_key = hmac(auth, &[&ecdh_secret]);
    let ikm = hmac(
        prk_key.as_ref(),
        &[b"WebPush: info\0", ua_public, as_public.as_ref(), &[1]],
    );
    let prk = hmac(&salt, &[ikm.as_ref()]);
    let cek = hmac(prk.as_ref(), &[b"Content-Encoding: aes128gcm\0", &[1]]);
    let nonce = hmac(prk.as_ref(), &[b"Content-Encoding: nonce\0", &[1]]);

    let key = aead::LessSafeKey::new(
        aead::UnboundKey::new(&aead::AES_128_GCM, &cek.as_ref()[..16])
            .map_err(|_| EncryptError::Crypto)?,
    );
    let nonce = aead::Nonce::try_assume_unique_for_key(&nonce.as_ref()[..12])
        .map_err(|_| EncryptError::Crypto)?;
    // One record, the last: the plaintext, then the delimiter 0x02, no padding.
    let mut record = Vec::with_capacity(plaintext.len() + 1 + 16);
    record.extend_from_slice(plaintext);
    record.push(2);
    key.seal_in_place_append_tag(nonce, aead::Aad::empty(), &mut record)
        .map_err(|_| EncryptError::Crypto)?;

    let mut body = Vec::with_capacity(HEADER_LEN + record.len());
    body.extend_from_slice(&salt);
    body.extend_from_slice(&RECORD_SIZE.to_be_bytes());
    body.push(65);
    body.extend_from_slice(as_public.as_ref());
    body.extend_from_slice(&record);
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};

    fn b64(s: &str) -> Vec<u8> {
        URL_SAFE_NO_PAD.decode(s).unwrap()
    }

    /// RFC 8291, section 5 and appendix A: with the example's ephemeral key and salt,
    /// the body is the example's, byte for byte.
    #[test]
    #[allow(deprecated)]
    fn the_rfc_8291_example_is_reproduced() {
        let as_private = b64("yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw");
        let salt = b64("DGv6ra1nlYgDCS1FRnbzlw");
        let rng = ring::test::rand::FixedSliceSequenceRandom {
            bytes: &[&as_private, &salt],
            current: core::cell::UnsafeCell::new(0),
        };
        let body = encrypt(
            &b64("V2hlbiBJIGdyb3cgdXAsIEkgd2FudCB0byBiZSBhIHdhdGVybWVsb24"),
            &b64("BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4"),
            &b64("BTBZMqHH6r4Tts7J_aSIgg"),
            &rng,
        )
        .unwrap();
        assert_eq!(
            URL_SAFE_NO_PAD.encode(&body),
            "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN"
        );
        assert_eq!(body.len(), 144);
    }

    #[test]
    fn bad_keys_and_long_messages_are_refused() {
        let rng = ring::rand::SystemRandom::new();
        let ua = b64("BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4");
        let auth = [7u8; 16];
        assert_eq!(
            encrypt(b"x", &ua[..64], &auth, &rng),
            Err(EncryptError::BadKeys)
        );
        assert_eq!(
            encrypt(b"x", &ua, &auth[..8], &rng),
            Err(EncryptError::BadKeys)
        );
        let mut off_curve = ua.clone();
        off_curve[5] ^= 1;
        assert_eq!(
            encrypt(b"x", &off_curve, &auth, &rng),
            Err(EncryptError::BadKeys)
        );
        assert_eq!(
            encrypt(&vec![b'a'; MAX_PLAINTEXT + 1], &ua, &auth, &rng),
            Err(EncryptError::TooLong)
        );
        let body = encrypt(&vec![b'a'; MAX_PLAINTEXT], &ua, &auth, &rng).unwrap();
        assert_eq!(body.len(), 4096);
    }
}
