//! Duplicates in the file: a row whose email or phone appeared in an earlier valid row.
//! A property of the file alone, so the reader decides it, in file order, before any row
//! is written; a resumed run reads the rows already applied again to rebuild it.
//! Kept in memory, 16 bytes a key, instead of asking the database for every batch, and
//! bounded: past [`MAX_KEYS`] keys (a file of about a million rows with emails and
//! phones) no more are remembered, so a later repeat of a row beyond that is not
//! reported as a duplicate in the file; it still meets the contact the earlier row
//! created (the blind indexes are unique) and is merged into it like any match.

use super::prepare::Prepared;
use std::collections::HashSet;

pub const DUPLICATE: &str = "duplicate in file";

/// Keys remembered at most (about 70 MB): a 1,000,000-row file with emails and phones.
const MAX_KEYS: usize = 2_000_000;

pub struct InFile {
    keys: HashSet<u128>,
    max: usize,
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
    /// twice, the largest allocation of a big import. Up to [`MAX_KEYS`], as `keys`
    /// comes from the file's line count, which a file can make anything.
    pub fn with_capacity(keys: usize) -> Self {
        Self::bounded(keys, MAX_KEYS)
    }

    fn bounded(keys: usize, max: usize) -> Self {
        Self {
            keys: HashSet::with_capacity(keys.min(max)),
            max,
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
        let room = self.max.saturating_sub(self.keys.len());
        self.keys.extend(candidate.keys().map(short).take(room));
        Prepared::Row { line, candidate }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_duplicate(p: &Prepared) -> bool {
        matches!(p, Prepared::Skip { reason, .. } if reason == DUPLICATE)
    }

    #[test]
    fn memory_stops_at_the_bound_and_what_it_holds_still_counts() {
        use crate::imports::prepare::tests::run;
        let row = |email: &str| run(&[email, "", "A", "", "", ""]);
        let mut seen = InFile::bounded(10, 2);
        assert!(!is_duplicate(&seen.check(row("a@x.org"))));
        assert!(!is_duplicate(&seen.check(row("b@x.org"))));
        assert!(
            !is_duplicate(&seen.check(row("c@x.org"))),
            "past the bound: not remembered"
        );
        assert!(
            is_duplicate(&seen.check(row("a@x.org"))),
            "remembered before the bound"
        );
        assert!(
            !is_duplicate(&seen.check(row("c@x.org"))),
            "left to the database's unique index"
        );
        assert_eq!(seen.keys.len(), 2);
        assert!(seen.keys.capacity() < 100, "reserved up to the bound only");
    }

    #[test]
    fn keys_compare_on_their_first_128_bits() {
        assert_eq!(
            short(&"0f".repeat(32)),
            u128::from_str_radix(&"0f".repeat(16), 16).unwrap()
        );
        assert_ne!(short(&"0f".repeat(32)), short(&"f0".repeat(32)));
    }
}
