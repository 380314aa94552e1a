//! Double opt-in: a list's public sign-up form. A visitor leaves an address and ticks the
//! consent wording; nothing is granted yet. A confirmation mail goes out through the
//! organization's email channel (background work: [`SignupMailer`]) with a signed link
//! that expires; only when its owner follows it is the contact subscribed to the list,
//! with a consent that records both the sign-up and the confirmation (time, address).
//!
//! One row per list and contact (`list_signups`): a form posted twice is one pending
//! confirmation, and its mail is sent again at most every [`RESEND_AFTER`]. A visitor
//! always gets the same answer, so the form tells nobody whether an address is known.

mod confirm;
mod form;
mod link;
mod mailer;

pub use confirm::{Confirmation, LinkState};
pub use form::{FormView, SignupInput, Visitor};
pub use mailer::SignupMailer;

use crate::{
    channels::Channels,
    crypto::{Cipher, Field},
    jobs::Wake,
};
use sea_orm::DatabaseConnection;
use std::sync::Arc;

/// How long a confirmation link works.
pub const VALID_FOR: chrono::Duration = chrono::Duration::hours(48);
/// A pending sign-up posted again gets its mail again only after this long.
pub const RESEND_AFTER: chrono::Duration = chrono::Duration::minutes(10);

pub(crate) const IP: Field<'static> = Field {
    table: "list_signups",
    column: "ip",
};
pub(crate) const USER_AGENT: Field<'static> = Field {
    table: "list_signups",
    column: "user_agent",
};

pub struct Signups {
    db: DatabaseConnection,
    cipher: Arc<Cipher>,
    channels: Arc<Channels>,
    public_url: String,
    link_key: ring::hmac::Key,
    wake: Wake,
}

impl Signups {
    pub fn new(
        db: DatabaseConnection,
        cipher: Arc<Cipher>,
        channels: Arc<Channels>,
        public_url: String,
    ) -> Self {
        let link_key = cipher.link_key("signup");
        Self {
            db,
            cipher,
            channels,
            public_url,
            link_key,
            wake: Wake::default(),
        }
    }

    /// The background job that mails the confirmations.
    pub fn mailer(self: &Arc<Self>) -> SignupMailer {
        SignupMailer {
            signups: self.clone(),
        }
    }

    /// The public address of a list's form.
    pub fn form_url(&self, list_id: uuid::Uuid) -> String {
        format!("{}/f/{list_id}", self.public_url)
    }
}
