//! Login throttling: failed attempts counted per account and per client address in a
//! fixed window; past the limit, attempts are refused with a Retry-After.
//! Kept in memory: a restart forgets, and several instances count separately (noted
//! in docs/architecture.md).

use std::{
    collections::HashMap,
    net::IpAddr,
    sync::Mutex,
    time::{Duration, Instant},
};

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Key {
    Account(String),
    Ip(IpAddr),
}

#[derive(Clone, Copy, Debug)]
struct Window {
    started: Instant,
    failures: u32,
}

#[derive(Debug)]
pub struct LoginThrottle {
    windows: Mutex<HashMap<Key, Window>>,
    max_per_account: u32,
    max_per_ip: u32,
    window: Duration,
}

impl LoginThrottle {
    pub fn new(max_per_account: u32, max_per_ip: u32, window: Duration) -> Self {
        Self {
            windows: Mutex::new(HashMap::new()),
            max_per_account,
            max_per_ip,
            window,
        }
    }

    /// `Err(seconds to wait)` when either the account or the address is locked out.
    pub fn check(&self, ip: IpAddr, account: &str) -> Result<(), u64> {
        self.check_at(Instant::now(), ip, account)
    }

    fn check_at(&self, now: Instant, ip: IpAddr, account: &str) -> Result<(), u64> {
        let windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        let wait = [
            (Key::Account(account.to_owned()), self.max_per_account),
            (Key::Ip(ip), self.max_per_ip),
        ]
        .into_iter()
        .filter_map(|(key, max)| {
            let w = windows.get(&key)?;
            let elapsed = now.duration_since(w.started);
            (elapsed < self.window && w.failures >= max)
                .then(|| (self.window - elapsed).as_secs().max(1))
        })
        .max();
        wait.map_or(Ok(()), Err)
    }

    pub fn record_failure(&self, ip: IpAddr, account: &str) {
        self.record_failure_at(Instant::now(), ip, account)
    }

    fn record_failure_at(&self, now: Instant, ip: IpAddr, account: &str) {
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        if windows.len() > 100_000 {
            windows.retain(|_, w| now.duration_since(w.started) < self.window);
        }
        for key in [Key::Account(account.to_owned()), Key::Ip(ip)] {
            let w = windows.entry(key).or_insert(Window {
                started: now,
                failures: 0,
            });
            if now.duration_since(w.started) >= self.window {
                *w = Window {
                    started: now,
                    failures: 0,
                };
            }
            w.failures += 1;
        }
    }

    /// A successful login clears the account's count (not the address's).
    pub fn record_success(&self, account: &str) {
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        windows.remove(&Key::Account(account.to_owned()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const IP: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

    #[test]
    fn locks_an_account_after_the_limit_and_success_resets() {
        let t = LoginThrottle::new(3, 100, Duration::from_secs(60));
        for _ in 0..3 {
            assert!(t.check(IP, "a@x.org").is_ok());
            t.record_failure(IP, "a@x.org");
        }
        let wait = t.check(IP, "a@x.org").unwrap_err();
        assert!((1..=60).contains(&wait));
        assert!(
            t.check(IP, "b@x.org").is_ok(),
            "other accounts are not affected"
        );
        t.record_success("a@x.org");
        assert!(t.check(IP, "a@x.org").is_ok());
    }

    #[test]
    fn locks_an_address_across_accounts() {
        let t = LoginThrottle::new(100, 2, Duration::from_secs(60));
        t.record_failure(IP, "a@x.org");
        t.record_failure(IP, "b@x.org");
        assert!(t.check(IP, "c@x.org").is_err());
    }

    #[test]
    fn windows_expire() {
        let t = LoginThrottle::new(1, 1, Duration::from_secs(60));
        let start = Instant::now();
        t.record_failure_at(start, IP, "a@x.org");
        assert_eq!(
            t.check_at(start + Duration::from_secs(59), IP, "a@x.org"),
            Err(1)
        );
        assert!(t
            .check_at(start + Duration::from_secs(60), IP, "a@x.org")
            .is_ok());
    }
}
