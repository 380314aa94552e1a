//! Campaigns: content per channel, audience, schedule, and the transitions between states.

mod audience;
pub mod content;
mod fields;
mod preview;
mod schedule_time;
mod service;
mod transitions;

pub use service::{CampaignFilter, Campaigns};
