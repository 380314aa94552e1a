//! Hits that are not a person: mail privacy proxies fetch every pixel as the message
//! arrives, and link scanners follow every link within seconds, often with a `HEAD` or
//! a tell-tale user agent. Such hits are counted apart and kept out of the rates.

use std::time::Duration;

/// User agents of scanners and HTTP libraries (lower case; a substring is enough).
const MACHINE_AGENTS: &[&str] = &[
    "bot",
    "spider",
    "crawler",
    "scanner",
    "preview",
    "headless",
    "barracuda",
    "mimecast",
    "proofpoint",
    "messagelabs",
    "symantec",
    "trendmicro",
    "fireeye",
    "forcepoint",
    "sophos",
    "python-requests",
    "python-urllib",
    "curl/",
    "wget/",
    "go-http-client",
    "okhttp",
    "java/",
    "libwww",
    "httpclient",
];

/// What we know of a hit.
#[derive(Clone, Debug, Default)]
pub struct Hit {
    pub user_agent: Option<String>,
    /// A `HEAD` request: a scanner checking the link, never a person.
    pub head: bool,
    /// Since the message was handed to its provider (left out: measured from the
    /// delivery's `sent_at`).
    pub since_sent: Option<Duration>,
}

/// Why the hit is a machine's, if it is: `None` means a person, as far as we can tell.
pub fn verdict(hit: &Hit, window: Duration) -> Option<&'static str> {
    if hit.head {
        return Some("head");
    }
    let agent = hit.user_agent.as_deref().unwrap_or("").to_ascii_lowercase();
    if agent.trim().is_empty() {
        return Some("no_user_agent");
    }
    if MACHINE_AGENTS.iter().any(|m| agent.contains(m)) {
        return Some("user_agent");
    }
    // A person does not open a message in the moment it is sent; a proxy or a scanner does.
    if hit.since_sent.is_some_and(|d| d < window) {
        return Some("too_soon");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

    fn hit(agent: Option<&str>, head: bool, secs: Option<u64>) -> Hit {
        Hit {
            user_agent: agent.map(str::to_owned),
            head,
            since_sent: secs.map(Duration::from_secs),
        }
    }

    #[test]
    fn people_are_told_from_scanners_and_proxies() {
        let w = Duration::from_secs(2);
        assert_eq!(verdict(&hit(Some(FIREFOX), false, Some(60)), w), None);
        assert_eq!(verdict(&hit(Some(FIREFOX), false, None), w), None);
        assert_eq!(
            verdict(&hit(Some(FIREFOX), true, Some(60)), w),
            Some("head")
        );
        assert_eq!(
            verdict(&hit(Some(FIREFOX), false, Some(1)), w),
            Some("too_soon")
        );
        assert_eq!(
            verdict(&hit(None, false, Some(60)), w),
            Some("no_user_agent")
        );
        assert_eq!(
            verdict(
                &hit(Some("Mozilla/5.0 (compatible; Barracuda)"), false, Some(60)),
                w
            ),
            Some("user_agent")
        );
        assert_eq!(
            verdict(&hit(Some("curl/8.5.0"), false, Some(60)), w),
            Some("user_agent")
        );
        assert_eq!(
            verdict(&hit(Some(FIREFOX), false, Some(1)), Duration::ZERO),
            None
        );
    }
}
