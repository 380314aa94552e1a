//! The suppression list: per organization and channel, blind indexes of addresses that
//! must never be sent to again. Entries are made when consent is withdrawn for a reason
//! that suppresses (unsubscribe, bounce, complaint, STOP), on erasure, and by admins;
//! the engine skips a suppressed address (`suppressed`) and an import never brings one
//! back as subscribed.

mod service;
pub mod store;

pub use service::Suppressions;
