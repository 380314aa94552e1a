//! What an import has already seen: the blind indexes of its rows and the existing
//! contacts it matched, so that a later row for the same person is reported as a
//! duplicate in the file. Kept in memory (16 bytes a key) rather than asked of the
//! database for every batch; a resumed run rebuilds it from the rows already reported.

use super::prepare::Prepared;
use crate::{db::entities::import_row, error::ServiceResult};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::HashSet;
use uuid::Uuid;

/// Report rows read per query by `load`.
const PAGE: u64 = 10_000;

#[derive(Default)]
pub struct Seen {
    keys: HashSet<u128>,
    contacts: HashSet<Uuid>,
    /// What the current batch added: removed again if its transaction rolls back.
    journal: Vec<Added>,
}

enum Added {
    Key(u128),
    Contact(Uuid),
}

/// The first 128 bits of a hex blind index: collisions stay out of reach (2⁻⁶⁴ after
/// billions of rows) at half the memory of the whole HMAC.
fn short(index: &str) -> u128 {
    index.get(..32).and_then(|h| u128::from_str_radix(h, 16).ok()).unwrap_or_default()
}

impl Seen {
    pub fn has_key(&self, index: &str) -> bool {
        self.keys.contains(&short(index))
    }

    pub fn add_key(&mut self, index: &str) {
        let k = short(index);
        if self.keys.insert(k) {
            self.journal.push(Added::Key(k));
        }
    }

    pub fn has_contact(&self, id: Uuid) -> bool {
        self.contacts.contains(&id)
    }

    pub fn add_contact(&mut self, id: Uuid) {
        if self.contacts.insert(id) {
            self.journal.push(Added::Contact(id));
        }
    }

    /// The current batch committed: its additions stay.
    pub fn commit(&mut self) {
        self.journal.clear();
    }

    /// The current batch rolled back: forget what it added.
    pub fn rollback(&mut self) {
        for added in self.journal.drain(..) {
            match added {
                Added::Key(k) => self.keys.remove(&k),
                Added::Contact(id) => self.contacts.remove(&id),
            };
        }
    }

    /// Rows that a crashed run already applied, read again by the resumed run: their
    /// keys count as seen, exactly as the first run counted them.
    pub fn replay(&mut self, rows: &[Prepared]) {
        for row in rows {
            if let Prepared::Row { candidate, .. } = row {
                if !candidate.keys().any(|k| self.has_key(k)) {
                    candidate.keys().for_each(|k| self.add_key(k));
                }
            }
        }
        self.commit();
    }

    /// The existing contacts that committed rows of `import_id` matched: none for a new
    /// import, what a crashed run left for a resumed one (whose keys come from `replay`).
    /// Room for `keys` keys from the start: growing the set later would briefly hold it
    /// twice, the largest allocation of a big import.
    pub async fn load(db: &impl ConnectionTrait, import_id: Uuid, keys: usize) -> ServiceResult<Self> {
        let mut seen = Seen { keys: HashSet::with_capacity(keys), ..Seen::default() };
        let mut after = 0i64;
        loop {
            let rows: Vec<(i64, Option<Uuid>)> = import_row::Entity::find()
                .select_only()
                .columns([import_row::Column::Line, import_row::Column::ContactId])
                .filter(import_row::Column::ImportId.eq(import_id))
                .filter(import_row::Column::ContactId.is_not_null())
                .filter(import_row::Column::Line.gt(after))
                .order_by_asc(import_row::Column::Line)
                .limit(PAGE)
                .into_tuple()
                .all(db)
                .await?;
            for (line, contact) in &rows {
                after = *line;
                seen.contacts.extend(*contact);
            }
            if (rows.len() as u64) < PAGE {
                return Ok(seen);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rolled_back_batch_leaves_no_trace() {
        let (a, b) = ("aa".repeat(32), "bb".repeat(32));
        let mut seen = Seen::default();
        seen.add_key(&a);
        seen.commit();
        seen.add_key(&b);
        seen.add_key(&a);
        seen.add_contact(Uuid::nil());
        assert!(seen.has_key(&b) && seen.has_contact(Uuid::nil()));
        seen.rollback();
        assert!(seen.has_key(&a), "committed keys stay, even when added again");
        assert!(!seen.has_key(&b) && !seen.has_contact(Uuid::nil()));
    }

    #[test]
    fn keys_compare_on_their_first_128_bits() {
        assert_eq!(short(&"0f".repeat(32)), u128::from_str_radix(&"0f".repeat(16), 16).unwrap());
        assert_ne!(short(&"0f".repeat(32)), short(&"f0".repeat(32)));
    }
}
