//! Input rules run by both the browser (for instant feedback) and the server (for truth).

use std::collections::BTreeMap;

pub const PASSWORD_MIN: usize = 10;
pub const PASSWORD_MAX: usize = 128;
const EMAIL_MAX: usize = 254;
const NAME_MAX: usize = 100;

/// Field name → what is wrong with it.
pub type FieldErrors = BTreeMap<String, String>;

/// Trims and lower-cases an address and checks its shape. Deliberately simple: one `@`,
/// a non-empty local part, a dotted domain, no spaces or control characters.
pub fn normalize_email(raw: &str) -> Result<String, String> {
    let email = raw.trim().to_lowercase();
    if email.is_empty() {
        return Err("an email address is required".into());
    }
    if email.chars().count() > EMAIL_MAX {
        return Err(format!(
            "an email address has at most {EMAIL_MAX} characters"
        ));
    }
    let valid = match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains("..")
                && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        }
        None => false,
    };
    if valid {
        Ok(email)
    } else {
        Err(format!("`{}` is not a valid email address", raw.trim()))
    }
}

pub fn validate_password(password: &str) -> Result<(), String> {
    let n = password.chars().count();
    if n < PASSWORD_MIN {
        Err(format!("a password has at least {PASSWORD_MIN} characters"))
    } else if n > PASSWORD_MAX {
        Err(format!("a password has at most {PASSWORD_MAX} characters"))
    } else {
        Ok(())
    }
}

/// Names of organizations, tokens and the like: trimmed, 1 to 100 characters.
pub fn validate_name(raw: &str, what: &str) -> Result<String, String> {
    let name = raw.trim();
    if name.is_empty() {
        Err(format!("a {what} is required"))
    } else if name.chars().count() > NAME_MAX {
        Err(format!("a {what} has at most {NAME_MAX} characters"))
    } else if name.chars().any(char::is_control) {
        Err(format!("a {what} cannot contain control characters"))
    } else {
        Ok(name.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert_eq!(
            normalize_email("  Ada@Example.ORG ").unwrap(),
            "ada@example.org"
        );
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.org",
            "ada@example",
            "a b@example.org",
            "a@b@c.org",
            "a@.org",
            "a@example..org",
        ] {
            assert!(normalize_email(bad).is_err(), "{bad:?} should be refused");
        }
        assert!(normalize_email(&format!("{}@example.org", "a".repeat(250))).is_err());
    }

    #[test]
    fn passwords() {
        assert!(validate_password("123456789").is_err());
        assert!(validate_password("1234567890").is_ok());
        assert!(validate_password(&"x".repeat(128)).is_ok());
        assert!(validate_password(&"x".repeat(129)).is_err());
        // characters, not bytes
        assert!(validate_password("éééééééééé").is_ok());
    }

    #[test]
    fn names() {
        assert_eq!(validate_name("  Acme ", "name").unwrap(), "Acme");
        assert!(validate_name("   ", "name").is_err());
        assert!(validate_name(&"x".repeat(101), "name").is_err());
        assert!(validate_name("a\u{0}b", "name").is_err());
    }
}
