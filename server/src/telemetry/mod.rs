//! Logging: human-readable by default, JSON lines with `CARILLON_LOG_FORMAT=json`.
//! `RUST_LOG` filters as usual.

pub mod metrics;

use crate::config::LogFormat;
use tracing_subscriber::{fmt, EnvFilter};

pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn,tower_sessions=warn"));
    let builder = fmt().with_env_filter(filter).with_target(false);
    // try_init: tests may initialise more than once in one process.
    let _ = match format {
        LogFormat::Human => builder.try_init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .try_init(),
    };
}
