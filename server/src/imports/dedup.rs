//! Duplicates in the file: a row whose email or phone appeared in an earlier valid row.
//! A property of the file alone, so the reader decides it, in file order, before any row
//! is written; a resumed run reads the rows already applied again to rebuild it.
//! Kept in memory, 16 bytes a key, instead of asking the database for every batch.

use super::prepare::Prepared;
use std::collections::HashSet;

pub const DUPLICATE: &str = "duplicate in file";

/// Keys reserved up front at most: a 1,000,000-row file with emails and phones.
const MAX_RESERVED: usize = 2_000_000;

pub struct InFile {
    keys: HashSet<u128>,
}

/// The first 128 bits of a hex blind index: collisions stay out of reach (2⁻⁶⁴ after
/// billions of rows) at half the memory of the whole HMAC.
fn short(index: &str) -> u128 {
    index
        .get(..32)
        .and_then(|h| u128::from_str_radix(h, 16).ok())
        .unwrap_or_default()
}

impl InFile {
    /// Room for `keys` keys from the start: growing the set later would briefly hold it
    /// twice, the largest allocation of a big import. Up to a bound (about 70 MB), as
    /// `keys` comes from the file's line count, which a file can make anything.
    pub fn with_capacity(keys: usize) -> Self {
        Self {
            keys: HashSet::with_capacity(keys.min(MAX_RESERVED)),
        }
    }

    /// `row` as it is, or skipped as a duplicate; remembers the keys of the first.
    pub fn check(&mut self, row: Prepared) -> Prepared {
        let Prepared::Row { line, candidate } = row else {
            return row;
        };
        if candidate.keys().any(|k| self.keys.contains(&short(k))) {
            return Prepared::Skip {
                line,
                reason: DUPLICATE.to_owned(),
            };
        }
        self.keys.extend(candidate.keys().map(short));
        Prepared::Row { line, candidate }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_compare_on_their_first_128_bits() {
        assert_eq!(
            short(&"0f".repeat(32)),
            u128::from_str_radix(&"0f".repeat(16), 16).unwrap()
        );
        assert_ne!(short(&"0f".repeat(32)), short(&"f0".repeat(32)));
    }
}
