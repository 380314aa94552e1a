//! Typed configuration, read once from the environment (and `.env`).
//! Every variable has a default that makes the embedded SQLite run work.

use crate::egress::Egress;
use std::{path::PathBuf, str::FromStr, time::Duration};
use url::Url;

#[derive(Clone, Debug)]
pub struct Config {
    /// `DATABASE_URL`: `sqlite://...` (default, under the data dir) or `postgres://...`.
    pub database_url: String,
    /// `CARILLON_DATA_DIR`: where the embedded database and generated keys live.
    pub data_dir: PathBuf,
    /// `CARILLON_PUBLIC_URL`: the URL users reach us on; used for links we hand out and
    /// to decide on `Secure` cookies. Unset: links are built from the request's Host.
    pub public_url: Option<Url>,
    /// `CARILLON_LOG_FORMAT`: `human` (default) or `json`.
    pub log_format: LogFormat,
    /// `CARILLON_SESSION_IDLE_MINUTES`: a session unused this long ends (default 720).
    pub session_idle_timeout: Duration,
    /// `CARILLON_SESSION_ABSOLUTE_HOURS`: a session ends this long after login, used or not (default 168).
    pub session_absolute_timeout: Duration,
    /// `CARILLON_INVITATION_TTL_HOURS`: how long an invitation link works (default 72).
    pub invitation_ttl: Duration,
    /// `CARILLON_LOGIN_MAX_FAILURES`: failed logins per account within the window before 429 (default 5).
    pub login_max_failures_per_account: u32,
    /// `CARILLON_LOGIN_MAX_FAILURES_PER_IP`: the same per client address (default 50).
    pub login_max_failures_per_ip: u32,
    /// `CARILLON_LOGIN_WINDOW_SECONDS`: the throttling window (default 900).
    pub login_window: Duration,
    /// `CARILLON_TRUST_PROXY`: take the client address from `X-Forwarded-For` (default false).
    pub trust_proxy: bool,
    /// `CARILLON_MASTER_KEY`: 32 bytes, base64; the root of the keys that encrypt personal
    /// data. Required with PostgreSQL; the embedded default generates `master.key`
    /// beside its database.
    pub master_key: Option<Secret>,
    /// `CARILLON_PREVIOUS_MASTER_KEYS`: master keys rotated out, newest first,
    /// comma-separated. They only open what they sealed; `carillon rekey` moves it all
    /// under `CARILLON_MASTER_KEY`, after which they can go.
    pub previous_master_keys: Option<Secret>,
    /// `CARILLON_SIGNUP_MAX_PER_IP`: sign-ups per client address per throttling window.
    pub signup_max_per_ip: u32,
    /// `CARILLON_METRICS_TOKEN`: when set, `/metrics` answers only to
    /// `Authorization: Bearer <token>`.
    pub metrics_token: Option<Secret>,
    /// `CARILLON_WORKERS`: sending loops in this process (default 4: while one loop
    /// renders its batch, the others keep the database busy; 0: this process sends
    /// nothing, e.g. a web-only process beside `carillon worker` processes).
    pub workers: usize,
    /// `CARILLON_RETRY_BASE_MS`: the wait before a refused message is tried again; it
    /// doubles with each refusal, up to an hour (default 30000).
    pub retry_base: Duration,
    /// `CARILLON_MAX_ATTEMPTS`: sends per message before it fails for good (default 5).
    pub max_attempts: u32,
    /// `CARILLON_DELIVERY_LEASE_SECONDS`: how long a worker's claim holds unrenewed; a
    /// worker that died is replaced after it (default 120).
    pub delivery_lease: Duration,
    /// `CARILLON_OUTBOUND_ALLOW`: hosts and networks (CIDR) that providers, gateways
    /// and push endpoints may reach although they are private or local (default none:
    /// an organization's settings cannot reach the servers beside Carillon).
    pub outbound_allow: Egress,
    /// `CARILLON_TRACKING_MACHINE_SECONDS`: an open or click sooner than this after the
    /// send is a machine's (a privacy proxy, a link scanner), kept out of the rates
    /// (default 2).
    pub machine_window: Duration,
    /// `CARILLON_WEBHOOK_RETRY_BASE_MS`: the wait before an outbound webhook that
    /// failed is tried again; it doubles with each failure, up to an hour, for 24 hours
    /// (default 5000; 0 retries at once).
    pub webhook_retry_base: Duration,
    /// `CARILLON_WEBHOOK_DISABLE_AFTER_SECONDS`: an outbound webhook endpoint whose every
    /// attempt has failed for this long is disabled (default 86400; 0: at the first
    /// failure).
    pub webhook_disable_after: Duration,
    /// `CARILLON_WEBHOOK_TIMEOUT_SECONDS`: how long an outbound webhook POST may take,
    /// 1 to 60 (default 10).
    pub webhook_timeout: Duration,
}

/// A value that must never reach a log: `Debug` prints a placeholder.
#[derive(Clone)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Human,
    Json,
}

impl FromStr for LogFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "human" => Ok(LogFormat::Human),
            "json" => Ok(LogFormat::Json),
            _ => Err("expected `human` or `json`".into()),
        }
    }
}

/// A variable that is set but unusable. The message names it and says why.
#[derive(Debug, thiserror::Error)]
#[error("invalid configuration: {name}={value:?}: {reason}")]
pub struct ConfigError {
    pub name: &'static str,
    pub value: String,
    pub reason: String,
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads through `lookup` so tests can configure without touching the process env.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let var = |name: &'static str| lookup(name).filter(|v| !v.trim().is_empty());
        let data_dir = PathBuf::from(var("CARILLON_DATA_DIR").unwrap_or_else(|| "data".into()));
        let database_url = match var("DATABASE_URL") {
            Some(url) => check_database_url(url)?,
            None => format!(
                "sqlite://{}?mode=rwc",
                data_dir.join("carillon.db").display()
            ),
        };
        let public_url = var("CARILLON_PUBLIC_URL")
            .map(|raw| match Url::parse(&raw) {
                Ok(url) if matches!(url.scheme(), "http" | "https") && url.has_host() => Ok(url),
                Ok(_) => Err(err(
                    "CARILLON_PUBLIC_URL",
                    &raw,
                    "expected an http(s) URL with a host",
                )),
                Err(e) => Err(err("CARILLON_PUBLIC_URL", &raw, &e.to_string())),
            })
            .transpose()?;
        let parse = |name: &'static str, default: &str| -> Result<u64, ConfigError> {
            let raw = var(name).unwrap_or_else(|| default.to_owned());
            match raw.trim().parse::<u64>() {
                Ok(n) if n > 0 => Ok(n),
                _ => Err(err(name, &raw, "expected a whole number greater than 0")),
            }
        };
        let log_format = {
            let raw = var("CARILLON_LOG_FORMAT").unwrap_or_else(|| "human".into());
            raw.parse()
                .map_err(|why: String| err("CARILLON_LOG_FORMAT", &raw, &why))?
        };
        let flag = |name: &'static str| -> Result<bool, ConfigError> {
            let raw = var(name).unwrap_or_else(|| "false".into());
            match raw.as_str() {
                "true" | "1" | "yes" => Ok(true),
                "false" | "0" | "no" => Ok(false),
                _ => Err(err(name, &raw, "expected true or false")),
            }
        };
        let trust_proxy = flag("CARILLON_TRUST_PROXY")?;
        let workers = {
            let raw = var("CARILLON_WORKERS").unwrap_or_else(|| "4".into());
            match raw.trim().parse::<usize>() {
                Ok(n) if n <= 64 => n,
                _ => {
                    return Err(err(
                        "CARILLON_WORKERS",
                        &raw,
                        "expected a whole number from 0 to 64",
                    ))
                }
            }
        };
        let machine_window = {
            let raw = var("CARILLON_TRACKING_MACHINE_SECONDS").unwrap_or_else(|| "2".into());
            match raw.trim().parse::<u64>() {
                Ok(n) if n <= 3600 => Duration::from_secs(n),
                _ => {
                    return Err(err(
                        "CARILLON_TRACKING_MACHINE_SECONDS",
                        &raw,
                        "expected a whole number of seconds from 0 to 3600",
                    ))
                }
            }
        };
        let whole = |name: &'static str, default: &str, max: u64| -> Result<u64, ConfigError> {
            let raw = var(name).unwrap_or_else(|| default.to_owned());
            match raw.trim().parse::<u64>() {
                Ok(n) if n <= max => Ok(n),
                _ => Err(err(
                    name,
                    &raw,
                    &format!("expected a whole number from 0 to {max}"),
                )),
            }
        };
        let webhook_retry_base =
            Duration::from_millis(whole("CARILLON_WEBHOOK_RETRY_BASE_MS", "5000", 3_600_000)?);
        let webhook_disable_after = Duration::from_secs(whole(
            "CARILLON_WEBHOOK_DISABLE_AFTER_SECONDS",
            "86400",
            30 * 86400,
        )?);
        let webhook_timeout =
            Duration::from_secs(whole("CARILLON_WEBHOOK_TIMEOUT_SECONDS", "10", 60)?.max(1));
        let outbound_allow = {
            let raw = var("CARILLON_OUTBOUND_ALLOW").unwrap_or_default();
            Egress::parse(&raw).map_err(|why| err("CARILLON_OUTBOUND_ALLOW", &raw, &why))?
        };
        Ok(Config {
            database_url,
            data_dir,
            public_url,
            log_format,
            session_idle_timeout: Duration::from_secs(
                60 * parse("CARILLON_SESSION_IDLE_MINUTES", "720")?,
            ),
            session_absolute_timeout: Duration::from_secs(
                3600 * parse("CARILLON_SESSION_ABSOLUTE_HOURS", "168")?,
            ),
            invitation_ttl: Duration::from_secs(
                3600 * parse("CARILLON_INVITATION_TTL_HOURS", "72")?,
            ),
            login_max_failures_per_account: u32::try_from(parse(
                "CARILLON_LOGIN_MAX_FAILURES",
                "5",
            )?)
            .unwrap_or(u32::MAX),
            login_max_failures_per_ip: u32::try_from(parse(
                "CARILLON_LOGIN_MAX_FAILURES_PER_IP",
                "50",
            )?)
            .unwrap_or(u32::MAX),
            signup_max_per_ip: u32::try_from(parse("CARILLON_SIGNUP_MAX_PER_IP", "10")?)
                .unwrap_or(u32::MAX),
            login_window: Duration::from_secs(parse("CARILLON_LOGIN_WINDOW_SECONDS", "900")?),
            trust_proxy,
            master_key: var("CARILLON_MASTER_KEY").map(Secret),
            previous_master_keys: var("CARILLON_PREVIOUS_MASTER_KEYS").map(Secret),
            metrics_token: var("CARILLON_METRICS_TOKEN").map(Secret),
            workers,
            retry_base: Duration::from_millis(parse("CARILLON_RETRY_BASE_MS", "30000")?),
            max_attempts: u32::try_from(parse("CARILLON_MAX_ATTEMPTS", "5")?.min(50)).unwrap_or(5),
            delivery_lease: Duration::from_secs(
                parse("CARILLON_DELIVERY_LEASE_SECONDS", "120")?.max(3),
            ),
            outbound_allow,
            machine_window,
            webhook_retry_base,
            webhook_disable_after,
            webhook_timeout,
        })
    }

    /// Cookies get `Secure` and the `__Host-` prefix only when we are served over HTTPS.
    pub fn secure_cookies(&self) -> bool {
        self.public_url
            .as_ref()
            .is_some_and(|u| u.scheme() == "https")
    }

    pub fn is_sqlite(&self) -> bool {
        self.database_url.starts_with("sqlite:")
    }

    /// The master key for personal data (see `crypto`): configured, or for the embedded
    /// database generated once beside it.
    pub fn load_master_key(&self) -> Result<[u8; 32], crate::crypto::MasterKeyError> {
        let beside_database = crate::db::sqlite_path(&self.database_url).map(|p| {
            std::path::Path::new(p)
                .parent()
                .map(std::path::Path::to_path_buf)
                .unwrap_or_default()
        });
        crate::crypto::load_or_create(
            self.master_key.as_ref().map(|s| s.0.as_str()),
            beside_database.as_deref(),
        )
    }
}

impl Config {
    /// The current master key and the rotated-out ones: what [`crate::crypto::Cipher`]
    /// seals and opens with (the index root comes from the database: `keys::open`).
    pub fn load_master_keys(
        &self,
    ) -> Result<([u8; 32], Vec<[u8; 32]>), crate::crypto::MasterKeyError> {
        let previous = match &self.previous_master_keys {
            Some(raw) => crate::crypto::decode_previous(&raw.0)?,
            None => Vec::new(),
        };
        Ok((self.load_master_key()?, previous))
    }
}

fn check_database_url(url: String) -> Result<String, ConfigError> {
    if url.starts_with("sqlite:")
        || url.starts_with("postgres://")
        || url.starts_with("postgresql://")
    {
        Ok(url)
    } else {
        // Never echo a URL that may hold a password.
        Err(ConfigError {
            name: "DATABASE_URL",
            value: url.split(':').next().unwrap_or_default().to_owned() + ":…",
            reason: "expected a sqlite:// or postgres:// URL".into(),
        })
    }
}

fn err(name: &'static str, value: &str, reason: &str) -> ConfigError {
    ConfigError {
        name,
        value: value.to_owned(),
        reason: reason.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_make_the_embedded_run_work() {
        let c = config(&[]).unwrap();
        assert_eq!(c.database_url, "sqlite://data/carillon.db?mode=rwc");
        assert!(c.is_sqlite());
        assert!(!c.secure_cookies());
        assert_eq!(c.log_format, LogFormat::Human);
    }

    #[test]
    fn bad_values_name_the_variable() {
        let e = config(&[("CARILLON_SESSION_IDLE_MINUTES", "soon")]).unwrap_err();
        assert_eq!(e.name, "CARILLON_SESSION_IDLE_MINUTES");
        assert!(e.to_string().contains("whole number"));
        let e = config(&[("DATABASE_URL", "mysql://root:hunter2@db/x")]).unwrap_err();
        assert_eq!(e.name, "DATABASE_URL");
        assert!(!e.to_string().contains("hunter2"), "{e}");
        assert_eq!(
            config(&[("CARILLON_LOG_FORMAT", "xml")]).unwrap_err().name,
            "CARILLON_LOG_FORMAT"
        );
        assert_eq!(
            config(&[("CARILLON_PUBLIC_URL", "ftp://x")])
                .unwrap_err()
                .name,
            "CARILLON_PUBLIC_URL"
        );
    }

    #[test]
    fn the_master_key_never_prints() {
        let c = config(&[(
            "CARILLON_MASTER_KEY",
            "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTMyYg==",
        )])
        .unwrap();
        assert!(!format!("{c:?}").contains("c2VjcmV0"));
    }

    #[test]
    fn https_public_url_means_secure_cookies() {
        let c = config(&[("CARILLON_PUBLIC_URL", "https://carillon.example.com")]).unwrap();
        assert!(c.secure_cookies());
    }
}
