//! What an import's consents rest on, channel by channel: the file's consent column (with
//! the words its people agreed to, when the mapping gives them) or the lawful basis the
//! mapping declares for every row with an address. Each channel's ledger rows carry its own.

use crate::consents::Provenance;
use app::model::{Channel, ImportMapping};
use std::collections::BTreeMap;
use uuid::Uuid;

pub struct Bases {
    /// Channels whose mapping says more than "consent, from a column, with no wording".
    declared: BTreeMap<Channel, Provenance>,
    column: Provenance,
}

impl Bases {
    pub fn of(import_id: Uuid, mapping: &ImportMapping) -> Self {
        let column = Provenance::import(import_id);
        let mut declared = BTreeMap::new();
        for (channel, wording) in &mapping.consent_wording {
            let p = Provenance {
                wording: Some(wording.clone()),
                ..column.clone()
            };
            declared.insert(*channel, p);
        }
        for (channel, d) in &mapping.lawful_bases {
            let p = Provenance {
                basis: d.lawful_basis,
                wording: Some(d.wording.clone()),
                ..column.clone()
            };
            declared.insert(*channel, p);
        }
        Bases { declared, column }
    }

    pub fn of_channel(&self, channel: Channel) -> &Provenance {
        self.declared.get(&channel).unwrap_or(&self.column)
    }
}
