//! Where the server may connect on a tenant's behalf. A provider's host comes from an
//! organization's settings; without this check an admin could point it at the
//! database or a cloud metadata address. Private, loopback and link-local addresses are
//! refused unless the operator allows them (`CARILLON_ALLOW_PRIVATE_NETWORKS`).

use std::net::{IpAddr, SocketAddr};

#[derive(Clone, Copy, Debug, Default)]
pub struct Egress {
    pub allow_private: bool,
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

impl Egress {
    /// The first address of `host` we may connect to.
    pub async fn resolve(&self, host: &str, port: u16) -> Result<SocketAddr, Unreachable> {
        let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
            .await
            .map_err(|e| Unreachable::Unresolved(format!("cannot resolve `{host}`: {e}")))?
            .collect();
        if addrs.is_empty() {
            return Err(Unreachable::Unresolved(format!("`{host}` has no address")));
        }
        addrs
            .iter()
            .copied()
            .find(|a| self.allow_private || is_public(a.ip()))
            .ok_or_else(|| {
                Unreachable::Refused(format!("`{host}` is a private or local address, which this server does not connect to (its operator can allow it with CARILLON_ALLOW_PRIVATE_NETWORKS=true)"))
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
    async fn private_addresses_need_permission() {
        let closed = Egress::default();
        for host in [
            "127.0.0.1",
            "10.1.2.3",
            "192.168.0.1",
            "169.254.169.254",
            "::1",
        ] {
            assert!(closed.resolve(host, 25).await.is_err(), "{host}");
            assert!(
                Egress {
                    allow_private: true
                }
                .resolve(host, 25)
                .await
                .is_ok(),
                "{host}"
            );
        }
        assert!(closed.resolve("93.184.215.14", 25).await.is_ok());
    }
}
