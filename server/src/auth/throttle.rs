//! Throttling of password guesses and sign-ups, in fixed windows per key.
//!
//! A login (or an invitation accepted with an existing account's password) takes an
//! [`Attempt`] *before* the password is verified: the check and the count are one step
//! under the lock, so parallel guesses cannot all pass the check before any is counted.
//! An attempt that succeeds is refunded; one that fails or is abandoned stays counted.
//! Sign-ups are counted per client address, each one.
//!
//! Kept in memory: a restart forgets, and several instances count separately (noted in
//! docs/architecture.md).

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
    Signup(IpAddr),
}

#[derive(Clone, Copy, Debug)]
struct Window {
    started: Instant,
    count: u32,
}

/// The limits, each per window.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub failures_per_account: u32,
    pub failures_per_ip: u32,
    pub signups_per_ip: u32,
    pub window: Duration,
}

#[derive(Debug)]
pub struct LoginThrottle {
    windows: Mutex<HashMap<Key, Window>>,
    limits: Limits,
}

/// A counted password attempt. [`Attempt::succeeded`] refunds it.
#[must_use]
pub struct Attempt<'a> {
    throttle: &'a LoginThrottle,
    ip: IpAddr,
    account: String,
}

impl Attempt<'_> {
    /// The password was right: the account's count starts over and the address gets its
    /// attempt back.
    pub fn succeeded(self) {
        let mut windows = self.throttle.lock();
        windows.remove(&Key::Account(self.account));
        if let Some(w) = windows.get_mut(&Key::Ip(self.ip)) {
            w.count = w.count.saturating_sub(1);
        }
    }
}

impl LoginThrottle {
    pub fn new(limits: Limits) -> Self {
        Self {
            windows: Mutex::new(HashMap::new()),
            limits,
        }
    }

    /// Counts a password attempt for `account` from `ip`, or `Err(seconds to wait)` when
    /// either has used up its window (then nothing is counted).
    pub fn attempt(&self, ip: IpAddr, account: &str) -> Result<Attempt<'_>, u64> {
        let keys = [
            (
                Key::Account(account.to_owned()),
                self.limits.failures_per_account,
            ),
            (Key::Ip(ip), self.limits.failures_per_ip),
        ];
        self.take(Instant::now(), &keys)?;
        Ok(Attempt {
            throttle: self,
            ip,
            account: account.to_owned(),
        })
    }

    /// Counts a sign-up from `ip`, or `Err(seconds to wait)`.
    pub fn signup(&self, ip: IpAddr) -> Result<(), u64> {
        self.take(
            Instant::now(),
            &[(Key::Signup(ip), self.limits.signups_per_ip)],
        )
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Window>> {
        self.windows.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Checks every key against its limit and, when all are below, counts one for each:
    /// in one critical section.
    fn take(&self, now: Instant, keys: &[(Key, u32)]) -> Result<(), u64> {
        let window = self.limits.window;
        let mut windows = self.lock();
        if windows.len() > 100_000 {
            windows.retain(|_, w| now.duration_since(w.started) < window);
        }
        let wait = keys
            .iter()
            .filter_map(|(key, max)| {
                let w = windows.get(key)?;
                let elapsed = now.duration_since(w.started);
                (elapsed < window && w.count >= *max).then(|| (window - elapsed).as_secs().max(1))
            })
            .max();
        if let Some(wait) = wait {
            return Err(wait);
        }
        for (key, _) in keys {
            let w = windows.entry(key.clone()).or_insert(Window {
                started: now,
                count: 0,
            });
            if now.duration_since(w.started) >= window {
                *w = Window {
                    started: now,
                    count: 0,
                };
            }
            w.count += 1;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const IP: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

    fn throttle(per_account: u32, per_ip: u32) -> LoginThrottle {
        LoginThrottle::new(Limits {
            failures_per_account: per_account,
            failures_per_ip: per_ip,
            signups_per_ip: 2,
            window: Duration::from_secs(60),
        })
    }

    #[test]
    fn locks_an_account_after_the_limit_and_success_resets() {
        let t = throttle(3, 100);
        for _ in 0..3 {
            drop(t.attempt(IP, "a@x.org").expect("allowed"));
        }
        let wait = t.attempt(IP, "a@x.org").err().expect("locked");
        assert!((1..=60).contains(&wait));
        assert!(
            t.attempt(IP, "b@x.org").is_ok(),
            "other accounts are not affected"
        );
        t.lock().remove(&Key::Account("a@x.org".into()));
        t.attempt(IP, "a@x.org").expect("allowed").succeeded();
        t.attempt(IP, "a@x.org")
            .expect("the count started over")
            .succeeded();
    }

    #[test]
    fn an_attempt_is_counted_before_its_outcome_is_known() {
        let t = throttle(2, 100);
        let first = t.attempt(IP, "a@x.org").expect("allowed");
        let second = t.attempt(IP, "a@x.org").expect("allowed");
        assert!(
            t.attempt(IP, "a@x.org").is_err(),
            "two under way use the window up"
        );
        first.succeeded();
        drop(second);
        assert!(t.attempt(IP, "a@x.org").is_ok());
    }

    #[test]
    fn locks_an_address_across_accounts_and_refunds_successes() {
        let t = throttle(100, 2);
        t.attempt(IP, "a@x.org").expect("allowed").succeeded();
        drop(t.attempt(IP, "b@x.org").expect("allowed"));
        drop(t.attempt(IP, "c@x.org").expect("allowed"));
        assert!(t.attempt(IP, "d@x.org").is_err());
    }

    #[test]
    fn signups_are_counted_per_address() {
        let t = throttle(100, 100);
        assert!(t.signup(IP).is_ok() && t.signup(IP).is_ok());
        assert!(t.signup(IP).is_err());
        assert!(t
            .signup(IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 1)))
            .is_ok());
    }

    #[test]
    fn windows_expire() {
        let t = throttle(1, 1);
        let start = Instant::now();
        let keys = [(Key::Account("a@x.org".into()), 1)];
        assert!(t.take(start, &keys).is_ok());
        assert_eq!(t.take(start + Duration::from_secs(59), &keys), Err(1));
        assert!(t.take(start + Duration::from_secs(60), &keys).is_ok());
    }
}
