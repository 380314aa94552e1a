use chrono::{DateTime, Utc};

/// Dates as `YYYY-MM-DD`: unambiguous in every language we speak, and the same
/// on the server and in the browser (no time zone guessing during hydration).
pub fn date(at: &DateTime<Utc>) -> String {
    at.format("%Y-%m-%d").to_string()
}
