//! Who is calling: sessions, API tokens, passwords, throttling, and the one
//! authorization gate. (The HTTP middleware that turns a request into an `Actor` is
//! `web::authenticate`.)

pub mod password;
pub mod secret;
pub mod session_auth;
pub mod session_store;
pub mod throttle;

use crate::error::{forbidden, ServiceResult};
use app::model::{authorize, Action, Actor};

/// The services' one authorization gate: `authorize` from the shared model, as a `Result`.
pub fn require(actor: &Actor, action: Action) -> ServiceResult<()> {
    if authorize(actor, action) {
        Ok(())
    } else {
        Err(forbidden())
    }
}
