//! Translations, compiled in: one [`Strings`] table per locale. The locale is decided on
//! the server (cookie, then `Accept-Language`, then English) and travels to the browser
//! with the session info, so SSR and hydration render the same text.

mod campaigns;
mod contacts;
mod dashboard;
mod en;
mod fr;
mod privacy;
mod sending;
mod strings;
mod webhooks;

pub use campaigns::CampaignStrings;
pub use contacts::ContactStrings;
pub use dashboard::DashboardStrings;
pub use privacy::PrivacyStrings;
pub use sending::SendingStrings;
pub use strings::Strings;
pub use webhooks::WebhookStrings;

use serde::{Deserialize, Serialize};

/// The cookie the language switcher sets.
pub const LOCALE_COOKIE: &str = "carillon_locale";

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Locale {
    #[default]
    En,
    Fr,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::En, Locale::Fr];

    /// The BCP 47 tag, for `<html lang>` and the cookie.
    pub fn code(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Fr => "fr",
        }
    }

    /// The language's own name, so a reader of either can find theirs.
    pub fn native_name(self) -> &'static str {
        match self {
            Locale::En => "English",
            Locale::Fr => "Français",
        }
    }

    pub fn strings(self) -> &'static Strings {
        match self {
            Locale::En => &en::EN,
            Locale::Fr => &fr::FR,
        }
    }

    /// Accepts `fr`, `FR`, `fr-CA` and the like.
    pub fn parse(tag: &str) -> Option<Locale> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        Locale::ALL.into_iter().find(|l| l.code() == primary)
    }
}

/// Picks the locale: the switcher's cookie wins, then the browser's preferences.
pub fn negotiate(cookie_header: Option<&str>, accept_language: Option<&str>) -> Locale {
    cookie_header
        .and_then(locale_from_cookies)
        .or_else(|| accept_language.and_then(locale_from_accept_language))
        .unwrap_or_default()
}

/// The locale of the current request, when there is one (server side).
pub fn request_locale() -> Locale {
    let Some(parts) = leptos::prelude::use_context::<http::request::Parts>() else {
        return Locale::default();
    };
    let header = |name| parts.headers.get(name).and_then(|v| v.to_str().ok());
    negotiate(
        header(http::header::COOKIE),
        header(http::header::ACCEPT_LANGUAGE),
    )
}

fn locale_from_cookies(header: &str) -> Option<Locale> {
    header
        .split(';')
        .filter_map(|pair| pair.split_once('='))
        .find(|(name, _)| name.trim() == LOCALE_COOKIE)
        .and_then(|(_, value)| Locale::parse(value))
}

/// The supported language with the highest quality; ties go to the earlier entry.
fn locale_from_accept_language(header: &str) -> Option<Locale> {
    let mut best: Option<(Locale, f32)> = None;
    for entry in header.split(',') {
        let mut parts = entry.split(';');
        let Some(locale) = parts.next().and_then(Locale::parse) else {
            continue;
        };
        let quality = parts
            .find_map(|p| p.trim().strip_prefix("q="))
            .and_then(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        if quality > 0.0 && best.is_none_or(|(_, q)| quality > q) {
            best = Some((locale, quality));
        }
    }
    best.map(|(locale, _)| locale)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_wins_over_browser() {
        assert_eq!(
            negotiate(Some("a=b; carillon_locale=fr"), Some("en-US")),
            Locale::Fr
        );
        assert_eq!(
            negotiate(Some("carillon_locale=en"), Some("fr")),
            Locale::En
        );
    }

    #[test]
    fn unknown_cookie_falls_back_to_browser() {
        assert_eq!(
            negotiate(Some("carillon_locale=xx"), Some("fr-FR,fr;q=0.9")),
            Locale::Fr
        );
    }

    #[test]
    fn accept_language_by_quality() {
        assert_eq!(negotiate(None, Some("de-DE,fr;q=0.8,en;q=0.5")), Locale::Fr);
        assert_eq!(negotiate(None, Some("en;q=0.4, fr-CA;q=0.6")), Locale::Fr);
        assert_eq!(negotiate(None, Some("fr;q=0, en")), Locale::En);
        assert_eq!(negotiate(None, Some("de, es")), Locale::En);
        assert_eq!(negotiate(None, None), Locale::En);
    }

    #[test]
    fn both_tables_are_filled() {
        for locale in Locale::ALL {
            let s = locale.strings();
            assert!(!s.product.is_empty() && !s.invite_invalid.is_empty());
        }
    }
}
