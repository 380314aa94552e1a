//! Campaigns: content per channel, audience, schedule, and the transitions between states.

pub mod audience;
pub mod content;
mod fields;
mod preview;
pub mod render;
mod schedule_time;
mod service;
pub mod store;
pub mod transitions;

pub use service::Campaigns;
pub use transitions::{transition, By, System};
