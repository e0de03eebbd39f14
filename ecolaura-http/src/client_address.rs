//! The client's address: the peer's, or, when the peer is a proxy that the
//! configuration vouches for (`ECOLAURA_TRUSTED_PROXIES`), the one that proxy
//! says it forwarded for.
//!
//! `X-Forwarded-For` is read right to left: each trusted hop appended the
//! address it received from, so the first address from the right that is
//! not a trusted proxy is the client. What an untrusted peer puts in the
//! header is ignored, so a client cannot choose the address it is counted
//! under.

use std::net::IpAddr;
use std::str::FromStr;

use ipnet::IpNet;
use poem::http::HeaderMap;

/// The proxies whose `X-Forwarded-For` is believed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

/// A list entry that is neither an IP address nor a CIDR block.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not an IP address or CIDR block (such as 10.0.0.0/8)")]
pub struct NotAProxyAddress(String);

impl TrustedProxies {
    /// No proxy: the peer is always the client.
    pub fn none() -> Self {
        Self::default()
    }

    /// Whether `addr` is a trusted proxy.
    pub fn trusts(&self, addr: IpAddr) -> bool {
        let addr = canonical(addr);
        self.0.iter().any(|net| net.contains(&addr))
    }

    /// The client behind `peer`, given the request's headers.
    pub fn client_address(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let peer = canonical(peer);
        if !self.trusts(peer) {
            return peer;
        }
        let mut client = peer;
        let hops = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .collect::<Vec<_>>();
        for hop in hops.into_iter().rev() {
            match IpAddr::from_str(hop.trim()) {
                Ok(addr) => {
                    client = canonical(addr);
                    if !self.trusts(client) {
                        break;
                    }
                }
                // A hop that is no address: the chain cannot be followed
                // further; the last trusted hop is all that is known.
                Err(_) => break,
            }
        }
        client
    }
}

impl FromStr for TrustedProxies {
    type Err = NotAProxyAddress;

    /// A comma-separated list of addresses and CIDR blocks; empty: none.
    fn from_str(list: &str) -> Result<Self, NotAProxyAddress> {
        list.split(',')
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .map(|entry| {
                entry
                    .parse::<IpNet>()
                    .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
                    .map(|net| net.trunc())
                    .map_err(|_| NotAProxyAddress(entry.to_owned()))
            })
            .collect::<Result<_, _>>()
            .map(Self)
    }
}

/// An IPv4 address mapped into IPv6 is the IPv4 address.
fn canonical(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(xff: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in xff {
            h.append("x-forwarded-for", v.parse().unwrap());
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_says() {
        let none = TrustedProxies::none();
        assert_eq!(
            none.client_address(ip("203.0.113.9"), &headers(&["1.2.3.4"])),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn behind_a_trusted_proxy_the_first_untrusted_hop_from_the_right_is_the_client() {
        let trusted: TrustedProxies = "10.0.0.0/8, 192.0.2.1".parse().unwrap();
        // The client forged the first entry; the proxy appended the real one.
        let h = headers(&["6.6.6.6, 198.51.100.7", "10.1.1.1"]);
        assert_eq!(
            trusted.client_address(ip("192.0.2.1"), &h),
            ip("198.51.100.7")
        );
        // No header: the proxy itself.
        assert_eq!(
            trusted.client_address(ip("10.0.0.5"), &HeaderMap::new()),
            ip("10.0.0.5")
        );
        // Garbage stops the walk at the last trusted hop.
        let h = headers(&["198.51.100.7, nonsense"]);
        assert_eq!(trusted.client_address(ip("10.0.0.5"), &h), ip("10.0.0.5"));
        // A v4-mapped peer is its IPv4 address.
        assert!(trusted.trusts(ip("::ffff:10.2.3.4")));
    }

    #[test]
    fn a_bad_entry_is_named() {
        let err = "10.0.0.0/8, proxy.local"
            .parse::<TrustedProxies>()
            .unwrap_err();
        assert_eq!(err, NotAProxyAddress("proxy.local".into()));
        assert_eq!(
            "".parse::<TrustedProxies>().unwrap(),
            TrustedProxies::none()
        );
    }
}
