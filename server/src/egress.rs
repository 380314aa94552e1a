//! Where the server may connect on a tenant's behalf. A provider's host, an HTTP SMS
//! gateway or a push endpoint comes from an organization's settings or a browser;
//! without this check they could point at the database or a cloud metadata address.
//! Loopback, private, link-local and unique-local addresses are refused, after DNS
//! resolution (a public name that resolves to 127.0.0.1 is refused too), unless the
//! operator lists the host or its network in `CARILLON_OUTBOUND_ALLOW`.
//!
//! HTTP goes through [`Egress::http_client`], whose resolver applies the same rule to
//! every connection it opens; IP-literal URLs, which skip the resolver, are checked by
//! [`Egress::check_url`].

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::{
    net::{IpAddr, SocketAddr},
    sync::Arc,
    time::Duration,
};

/// The operator's exceptions: host names (exact, case-insensitive) and networks.
#[derive(Clone, Debug, Default)]
pub struct Egress {
    allow: Arc<Allow>,
}

#[derive(Debug, Default)]
struct Allow {
    hosts: Vec<String>,
    nets: Vec<Net>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Net {
    addr: IpAddr,
    prefix: u8,
}

impl Net {
    fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, canonical(ip)) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// An IPv4-mapped IPv6 address is the IPv4 address it maps.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// Why there is no address to connect to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unreachable {
    /// The name did not resolve (perhaps for now).
    Unresolved(String),
    /// Only private or local addresses: refused for good.
    Refused(String),
}

impl std::fmt::Display for Unreachable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unreachable::Unresolved(why) | Unreachable::Refused(why) => f.write_str(why),
        }
    }
}

impl std::error::Error for Unreachable {}

impl Egress {
    /// Parses `CARILLON_OUTBOUND_ALLOW`: comma-separated host names, addresses and
    /// networks in CIDR form (`localhost, 127.0.0.1, 10.0.0.0/8, ::1`).
    pub fn parse(list: &str) -> Result<Egress, String> {
        let mut allow = Allow::default();
        for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            if let Some((addr, prefix)) = item.split_once('/') {
                let addr: IpAddr = addr
                    .parse()
                    .map_err(|_| format!("`{item}`: not a network (address/prefix)"))?;
                let max = if addr.is_ipv4() { 32 } else { 128 };
                let prefix: u8 = prefix
                    .parse()
                    .ok()
                    .filter(|p| *p <= max)
                    .ok_or_else(|| format!("`{item}`: the prefix is 0 to {max}"))?;
                allow.nets.push(Net {
                    addr: canonical(addr),
                    prefix,
                });
            } else if let Ok(addr) = item.trim_matches(['[', ']']).parse::<IpAddr>() {
                let addr = canonical(addr);
                let prefix = if addr.is_ipv4() { 32 } else { 128 };
                allow.nets.push(Net { addr, prefix });
            } else if item
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
            {
                allow
                    .hosts
                    .push(item.trim_end_matches('.').to_ascii_lowercase());
            } else {
                return Err(format!("`{item}`: not a host name, address or network"));
            }
        }
        Ok(Egress {
            allow: Arc::new(allow),
        })
    }

    /// Whether `ip`, found for `host`, may be connected to.
    pub fn permits(&self, host: &str, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        is_public(ip)
            || self.allow.nets.iter().any(|n| n.contains(ip))
            || self
                .allow
                .hosts
                .iter()
                .any(|h| h.eq_ignore_ascii_case(host.trim_end_matches('.')))
    }

    /// The addresses of `host` we may connect to (at least one).
    pub async fn resolve_all(&self, host: &str, port: u16) -> Result<Vec<SocketAddr>, Unreachable> {
        let found: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
            .await
            .map_err(|e| Unreachable::Unresolved(format!("cannot resolve `{host}`: {e}")))?
            .collect();
        if found.is_empty() {
            return Err(Unreachable::Unresolved(format!("`{host}` has no address")));
        }
        let allowed: Vec<SocketAddr> = found
            .into_iter()
            .filter(|a| self.permits(host, a.ip()))
            .collect();
        if allowed.is_empty() {
            return Err(refused(host));
        }
        Ok(allowed)
    }

    /// The first address of `host` we may connect to.
    pub async fn resolve(&self, host: &str, port: u16) -> Result<SocketAddr, Unreachable> {
        Ok(self.resolve_all(host, port).await?[0])
    }

    /// Checks what the resolver cannot: the scheme, and a host that is an address.
    pub fn check_url(&self, url: &url::Url) -> Result<(), Unreachable> {
        if !matches!(url.scheme(), "https" | "http") {
            return Err(Unreachable::Refused(format!(
                "`{url}`: only http and https URLs are called"
            )));
        }
        let ip = match url.host() {
            Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip),
            Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip),
            Some(url::Host::Domain(_)) => return Ok(()),
            None => return Err(Unreachable::Refused(format!("`{url}` has no host"))),
        };
        if self.permits(&ip.to_string(), ip) {
            Ok(())
        } else {
            Err(refused(&ip.to_string()))
        }
    }

    /// An HTTP client whose every connection goes through this check: it resolves names
    /// itself, follows no redirects (a redirect could lead anywhere) and ignores proxy
    /// settings of the environment (a proxy would resolve the name for us).
    pub fn http_client(&self, timeout: Duration) -> reqwest::Result<reqwest::Client> {
        reqwest::Client::builder()
            .dns_resolver(Arc::new(Guarded(self.clone())))
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .timeout(timeout)
            .pool_idle_timeout(Duration::from_secs(60))
            .user_agent(concat!("Carillon/", env!("CARGO_PKG_VERSION")))
            .build()
    }

    /// Whether a failed HTTP call was refused by this check (the error chain holds it).
    pub fn refusal(error: &reqwest::Error) -> Option<String> {
        let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
        while let Some(e) = source {
            if let Some(Unreachable::Refused(why)) = e.downcast_ref::<Unreachable>() {
                return Some(why.clone());
            }
            source = e.source();
        }
        None
    }
}

fn refused(host: &str) -> Unreachable {
    Unreachable::Refused(format!(
        "`{host}` is a private or local address, which this server does not connect to (its operator can allow it in CARILLON_OUTBOUND_ALLOW)"
    ))
}

/// reqwest's resolver, filtered.
struct Guarded(Egress);

impl Resolve for Guarded {
    fn resolve(&self, name: Name) -> Resolving {
        let egress = self.0.clone();
        Box::pin(async move {
            // The port is the URL's: reqwest replaces this one.
            let addrs = egress.resolve_all(name.as_str(), 0).await?;
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            !(v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_documentation()
                || o[0] == 0
                || (o[0] == 100 && (64..128).contains(&o[1]))
                || o[0] >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn private_addresses_need_the_operators_leave() {
        let closed = Egress::default();
        let open = Egress::parse("127.0.0.0/8, 10.0.0.0/8, 192.168.0.1, 169.254.0.0/16, ::1")
            .expect("a valid list");
        for host in [
            "127.0.0.1",
            "10.1.2.3",
            "192.168.0.1",
            "169.254.169.254",
            "::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(closed.resolve(host, 25).await.is_err(), "{host}");
            assert!(open.resolve(host, 25).await.is_ok(), "{host}");
        }
        assert!(open.resolve("192.168.0.2", 25).await.is_err());
        assert!(open.resolve("172.16.0.1", 25).await.is_err());
        assert!(closed.resolve("93.184.215.14", 25).await.is_ok());
    }

    #[tokio::test]
    async fn a_name_is_judged_by_its_addresses_unless_listed() {
        // `localhost` resolves to loopback: refused, though the name looks harmless.
        let refused = Egress::default().resolve("localhost", 80).await;
        assert!(
            matches!(refused, Err(Unreachable::Refused(_))),
            "{refused:?}"
        );
        let named = Egress::parse("LocalHost").expect("a valid list");
        assert!(named.resolve("localhost", 80).await.is_ok());
        assert!(!named.permits("example.com", "127.0.0.1".parse().unwrap()));
    }

    #[test]
    fn urls_with_addresses_are_checked_without_the_resolver() {
        let closed = Egress::default();
        for url in [
            "http://127.0.0.1:8080/x",
            "https://[::1]/",
            "http://10.0.0.1/",
            "http://169.254.169.254/latest/meta-data",
            "ftp://example.com/",
            "file:///etc/passwd",
        ] {
            let url = url::Url::parse(url).unwrap();
            assert!(closed.check_url(&url).is_err(), "{url}");
        }
        let url = url::Url::parse("https://api.sendgrid.com/v3/mail/send").unwrap();
        assert!(closed.check_url(&url).is_ok());
        let open = Egress::parse("127.0.0.1").unwrap();
        assert!(open
            .check_url(&url::Url::parse("http://127.0.0.1:9/").unwrap())
            .is_ok());
    }

    #[test]
    fn bad_lists_say_which_item() {
        for bad in ["10.0.0.0/33", "::1/129", "not a host", "1.2.3.4/x"] {
            let err = Egress::parse(bad).unwrap_err();
            assert!(err.contains(bad.trim()), "{err}");
        }
        assert!(Egress::parse("").is_ok());
        assert!(Egress::parse(" , ").is_ok());
    }

    #[tokio::test]
    async fn the_http_client_refuses_a_name_that_resolves_privately() {
        let client = Egress::default()
            .http_client(Duration::from_secs(5))
            .unwrap();
        let err = client
            .get("http://localhost:9/")
            .send()
            .await
            .expect_err("refused");
        assert!(Egress::refusal(&err).is_some(), "{err:?}");
    }

    #[tokio::test]
    async fn the_http_client_reaches_a_listed_name_on_the_urls_port() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            let (mut stream, _) = listener.accept().await.unwrap();
            let mut request = [0u8; 1024];
            let _ = stream.read(&mut request).await;
            let _ = stream
                .write_all(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n")
                .await;
        });
        let client = Egress::parse("localhost")
            .unwrap()
            .http_client(Duration::from_secs(5))
            .unwrap();
        let answer = client
            .get(format!("http://localhost:{port}/"))
            .send()
            .await
            .expect("connected through the filtered resolver");
        assert_eq!(answer.status(), reqwest::StatusCode::NO_CONTENT);
    }
}
