//! Consent as proof: every change is appended to a ledger (who, what wording, which
//! lawful basis, from where, when) and the current state per contact and channel is
//! derived from it in the same transaction. The engine reads only the current state.

pub mod history;
pub mod ledger;
pub(crate) mod provenance;

pub use ledger::{Change, MAX_WORDING};
pub use provenance::Provenance;
