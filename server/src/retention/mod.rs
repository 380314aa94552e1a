//! Retention: an organization's policy, kept in `retention_policies`, and the daily
//! `retention` job that applies it (see [`job`]), each run recorded with its counts.

mod job;
mod service;

pub use job::RetentionJob;
pub use service::Retention;
