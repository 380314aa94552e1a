//! The existing contacts that an import's rows matched: a later row that matches the same
//! contact (through another email or phone) is a duplicate in the file too. Rebuilt from
//! the report when a crashed import resumes.

use crate::{db::entities::import_row, error::ServiceResult};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::HashSet;
use uuid::Uuid;

/// Report rows read per query by `load`.
const PAGE: u64 = 10_000;

#[derive(Default)]
pub struct Matched {
    contacts: HashSet<Uuid>,
    /// What the current batch added: removed again if its transaction rolls back.
    journal: Vec<Uuid>,
}

impl Matched {
    pub fn contains(&self, id: Uuid) -> bool {
        self.contacts.contains(&id)
    }

    pub fn add(&mut self, id: Uuid) {
        if self.contacts.insert(id) {
            self.journal.push(id);
        }
    }

    /// The current batch committed: its additions stay.
    pub fn commit(&mut self) {
        self.journal.clear();
    }

    /// The current batch rolled back: forget what it added.
    pub fn rollback(&mut self) {
        for id in self.journal.drain(..) {
            self.contacts.remove(&id);
        }
    }

    /// The contacts that committed rows of `import_id` matched: none for a new import.
    pub async fn load(db: &impl ConnectionTrait, import_id: Uuid) -> ServiceResult<Self> {
        let mut matched = Matched::default();
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
                matched.contacts.extend(*contact);
            }
            if (rows.len() as u64) < PAGE {
                return Ok(matched);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rolled_back_batch_leaves_no_trace() {
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let mut matched = Matched::default();
        matched.add(a);
        matched.commit();
        matched.add(b);
        matched.add(a);
        assert!(matched.contains(b));
        matched.rollback();
        assert!(
            matched.contains(a),
            "committed contacts stay, even when added again"
        );
        assert!(!matched.contains(b));
    }
}
