//! Reading a publication time: RFC 3339 with an offset, or a local wall-clock time read
//! in the organization's time zone.

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

pub fn parse_time_zone(name: &str) -> Result<Tz, String> {
    name.parse::<Tz>()
        .map_err(|_| format!("unknown time zone `{name}`"))
}

pub fn parse(raw: &str, tz: Tz) -> Result<DateTime<Utc>, String> {
    let raw = raw.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(raw) {
        return Ok(t.with_timezone(&Utc));
    }
    let local = [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(raw, f).ok())
    .ok_or_else(|| {
        format!(
            "`{raw}` is not a date and time like 2026-02-25T09:00:00 (optionally with an offset)"
        )
    })?;
    match tz.from_local_datetime(&local) {
        chrono::LocalResult::Single(t) => Ok(t.with_timezone(&Utc)),
        // Clocks going back: the same wall time happens twice; take the first.
        chrono::LocalResult::Ambiguous(first, _) => Ok(first.with_timezone(&Utc)),
        chrono::LocalResult::None => {
            Err(format!("{raw} does not exist in {tz} (the clocks skip it)"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_times_are_read_in_the_zone() {
        let paris = parse_time_zone("Europe/Paris").unwrap();
        assert_eq!(
            parse("2026-02-25T09:00:00", paris).unwrap().to_rfc3339(),
            "2026-02-25T08:00:00+00:00"
        );
        assert_eq!(
            parse("2026-07-01T09:00", paris).unwrap().to_rfc3339(),
            "2026-07-01T07:00:00+00:00"
        );
        assert_eq!(
            parse("2026-02-25T09:00:00Z", paris).unwrap().to_rfc3339(),
            "2026-02-25T09:00:00+00:00"
        );
        assert_eq!(
            parse("2026-02-25T09:00:00-05:00", paris)
                .unwrap()
                .to_rfc3339(),
            "2026-02-25T14:00:00+00:00"
        );
        assert!(parse("2026-03-29T02:30:00", paris)
            .unwrap_err()
            .contains("does not exist"));
        assert!(parse("tomorrow", paris).is_err());
        assert!(parse_time_zone("Mars/Olympus").is_err());
    }
}
