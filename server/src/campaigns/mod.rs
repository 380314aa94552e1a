//! Campaigns: content per channel, audience, schedule, and the transitions between states.

mod audience;
mod preview;
pub mod content;
mod fields;
mod schedule_time;
mod service;
mod transitions;

pub use service::{CampaignFilter, Campaigns};
