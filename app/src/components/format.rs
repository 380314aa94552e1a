use chrono::{DateTime, Utc};
use leptos_router::params::ParamsMap;

/// Dates as `YYYY-MM-DD`: unambiguous in every language we speak, and the same
/// on the server and in the browser (no time zone guessing during hydration).
pub fn date(at: &DateTime<Utc>) -> String {
    at.format("%Y-%m-%d").to_string()
}

/// Percent-encodes a value for a link's query (everything but unreserved characters).
pub fn query_value(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A query parameter as typed, trimmed; `None` when it is missing or blank.
pub fn query_text(query: &ParamsMap, key: &str) -> Option<String> {
    query
        .get(key)
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}
