//! Turning what people type into the canonical values we encrypt, index and compare.
//! Shared by the API and the CSV import so both dedupe the same way.

use crate::crypto::Field;
use phonenumber::country;

pub const EMAIL: Field<'static> = Field {
    table: "contacts",
    column: "email",
};
pub const PHONE: Field<'static> = Field {
    table: "contacts",
    column: "phone",
};

const NAME_MAX: usize = 100;
const LOCALE_MAX: usize = 35;

/// The organization's `default_region` (ISO 3166 alpha-2) as the phone library knows it;
/// unknown regions mean "international format only".
pub fn region(code: &str) -> Option<country::Id> {
    code.trim().to_ascii_uppercase().parse().ok()
}

/// E.164 (`+33612345678`) from international or national input, read in `region`.
pub fn normalize_phone(raw: &str, region: Option<country::Id>) -> Result<String, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err("a phone number is required".into());
    }
    // The parser accepts letters (vanity numbers) and odd punctuation; a contact's phone
    // is digits with the usual separators only.
    if !raw
        .chars()
        .all(|c| c.is_ascii_digit() || " +-.()/".contains(c))
        || raw.len() > 32
    {
        return Err("not a valid phone number".into());
    }
    let number =
        phonenumber::parse(region, raw).map_err(|_| "not a valid phone number".to_owned())?;
    if !number.is_valid() {
        return Err("not a valid phone number for its country".into());
    }
    Ok(number.format().mode(phonenumber::Mode::E164).to_string())
}

pub fn normalize_email(raw: &str) -> Result<String, String> {
    // The message of the shared rule quotes the input; ours must not (it ends up in
    // import reports and logs).
    app::model::normalize_email(raw).map_err(|_| "not a valid email address".to_owned())
}

/// Trimmed; empty means absent.
pub fn optional(raw: Option<&str>) -> Option<&str> {
    raw.map(str::trim).filter(|s| !s.is_empty())
}

pub fn name(raw: &str) -> Result<String, String> {
    let name = raw.trim();
    if name.chars().count() > NAME_MAX {
        Err(format!("at most {NAME_MAX} characters"))
    } else if name.chars().any(char::is_control) {
        Err("no control characters".into())
    } else {
        Ok(name.to_owned())
    }
}

/// A BCP 47-shaped tag (`fr`, `fr-FR`, `zh-Hant-TW`), normalized to `-` separators.
pub fn locale(raw: &str) -> Result<String, String> {
    let tag = raw.trim().replace('_', "-");
    let well_formed = !tag.is_empty()
        && tag.len() <= LOCALE_MAX
        && tag.split('-').all(|part| {
            (1..=8).contains(&part.len()) && part.chars().all(|c| c.is_ascii_alphanumeric())
        })
        && tag.split('-').next().is_some_and(|lang| {
            lang.chars().all(|c| c.is_ascii_alphabetic()) && (2..=3).contains(&lang.len())
        });
    if well_formed {
        Ok(tag)
    } else {
        Err("not a locale such as `fr` or `fr-FR`".into())
    }
}

/// An IANA time zone name, e.g. `Europe/Paris`.
pub fn time_zone(raw: &str) -> Result<String, String> {
    let tz = raw.trim();
    tz.parse::<chrono_tz::Tz>()
        .map(|z| z.name().to_owned())
        .map_err(|_| "not an IANA time zone such as `Europe/Paris`".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_from_national_and_international_formats() {
        let fr = region("FR");
        assert_eq!(
            normalize_phone("06 12 34 56 78", fr).unwrap(),
            "+33612345678"
        );
        assert_eq!(
            normalize_phone("06.12.34.56.78", fr).unwrap(),
            "+33612345678"
        );
        assert_eq!(
            normalize_phone("+33 6 12 34 56 78", fr).unwrap(),
            "+33612345678"
        );
        assert_eq!(
            normalize_phone("0033612345678", fr).unwrap(),
            "+33612345678"
        );
        // International input ignores the default region.
        assert_eq!(
            normalize_phone("+1 (415) 555-2671", fr).unwrap(),
            "+14155552671"
        );
        assert_eq!(
            normalize_phone("(415) 555-2671", region("us")).unwrap(),
            "+14155552671"
        );
        assert_eq!(
            normalize_phone("030 123456", region("DE")).unwrap(),
            "+4930123456"
        );
    }

    #[test]
    fn invalid_phones_are_refused() {
        let fr = region("FR");
        for bad in [
            "",
            "   ",
            "12",
            "06 12 34",
            "call me",
            "0612345678abc",
            "+33 6 12 34 56 78 90 12 34",
            "1-800-FLOWERS",
        ] {
            assert!(normalize_phone(bad, fr).is_err(), "{bad:?}");
        }
        // A national number without a region cannot be placed.
        assert!(normalize_phone("06 12 34 56 78", None).is_err());
        assert_eq!(region("ZZ"), None);
    }

    #[test]
    fn emails_locales_and_time_zones() {
        assert_eq!(
            normalize_email(" Ada@Example.ORG ").unwrap(),
            "ada@example.org"
        );
        assert_eq!(
            normalize_email("nope").unwrap_err(),
            "not a valid email address"
        );
        assert_eq!(locale("fr_FR").unwrap(), "fr-FR");
        assert!(locale("french!").is_err());
        assert!(locale("1x").is_err());
        assert_eq!(time_zone("Europe/Paris").unwrap(), "Europe/Paris");
        assert!(time_zone("Mars/Olympus").is_err());
        assert!(name(&"x".repeat(101)).is_err());
    }
}
