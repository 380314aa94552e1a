//! Background work, in one place. A job is a loop of rounds: each round claims what is
//! due (rows under a [`Lease`], so several Carillon processes share the work through
//! the database) and does it. `serve` (and later `worker`) start the loops; other
//! commands never do. Tests call [`Jobs::drain`] instead of waiting for a loop.
//!
//! A new job is one module implementing [`Job`] and one line in `state.rs`.

mod cleanup;
mod lease;
mod runner;

pub use cleanup::Cleanup;
pub use lease::{claim, Lease, Leased};
pub use runner::{Job, Jobs, Round, Stop, Wake};
