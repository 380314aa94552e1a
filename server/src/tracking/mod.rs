//! Open and click tracking: what a message's links become at render time
//! ([`links::Rewriter`]: `{public URL}/t/c/{token}` for links, the pixel
//! `{public URL}/t/o/{token}` in HTML emails), the signed [`token`], and how a machine's
//! hit is told from a person's ([`machine`]). Hits are recorded by
//! `delivery::engagement`, beside the rest of a delivery's life.

pub mod links;
pub mod machine;
pub mod rewrite;
pub mod token;

use crate::crypto::Cipher;
use ring::hmac;

/// What signs tracking tokens (derived from the index root, like every link key).
pub fn key(cipher: &Cipher) -> hmac::Key {
    cipher.link_key("tracking")
}
