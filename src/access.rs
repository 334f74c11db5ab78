//! Whom the server believes: the public URL it is published under, the proxies whose `X-Forwarded-*` headers it
//! honours, and who may reload. Plain types and checks, set by `ssepot serve`'s flags; the HTTP layer applies them.
//!
//! By default nothing a client says about the origin is trusted: links are built from a validated `Host` header,
//! and `X-Forwarded-Host`/`-Proto`/`-Prefix` are ignored. A declared public URL wins over every header; a trusted
//! proxy's forwarded headers are honoured after they pass the same validation as `Host`.

use std::net::IpAddr;
use std::str::FromStr;

/// The access policy of a running server.
#[derive(Debug, Clone, Default)]
pub struct Access {
    /// Base of every absolute link (`--public-url`); forwarded headers and `Host` are then not used for links.
    pub public_url: Option<PublicUrl>,
    /// Peers whose `X-Forwarded-Host`, `-Proto` and `-Prefix` are honoured (`--trusted-proxy`).
    pub trusted_proxies: Vec<IpNet>,
    /// `POST /admin/reload` without a token from a loopback peer that did not come through a proxy
    /// (`--local-admin`).
    pub local_admin: bool,
    /// Origins whose pages may frame the embeddable views (`--embed-origin`, e.g. `https://www.medellin.gov.co`);
    /// every other site is refused with `Content-Security-Policy: frame-ancestors`.
    pub embed_origins: Vec<Origin>,
}

/// A web origin: `scheme://host[:port]`, without path, as browsers compare them for framing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin(pub String);

impl FromStr for Origin {
    type Err = String;

    /// ```
    /// # use ssepot::access::Origin;
    /// let o: Origin = "https://www.medellin.gov.co".parse().unwrap();
    /// assert_eq!(o.0, "https://www.medellin.gov.co");
    /// assert!("https://a.example/ruta".parse::<Origin>().is_err());
    /// assert!("*".parse::<Origin>().is_err());
    /// ```
    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim().trim_end_matches('/');
        let bad = || {
            format!(
                "`{s}` is not an origin such as https://www.example.org (scheme and host, no path)"
            )
        };
        let (scheme, authority) = s.split_once("://").ok_or_else(bad)?;
        if !matches!(scheme, "http" | "https") || !valid_authority(authority) {
            return Err(bad());
        }
        Ok(Self(format!(
            "{scheme}://{}",
            authority.to_ascii_lowercase()
        )))
    }
}

impl Access {
    /// The `Content-Security-Policy` of an embeddable view: this server and the configured origins may frame it.
    pub fn embed_policy(&self) -> String {
        let origins: Vec<&str> = self.embed_origins.iter().map(|o| o.0.as_str()).collect();
        format!(
            "frame-ancestors 'self'{}{}",
            if origins.is_empty() { "" } else { " " },
            origins.join(" ")
        )
    }
}

impl Access {
    /// Does this peer's word about the original host and scheme count?
    pub fn trusts(&self, peer: Option<IpAddr>) -> bool {
        peer.is_some_and(|p| self.trusted_proxies.iter().any(|n| n.contains(p)))
    }
}

/// An absolute `http`/`https` URL without query or fragment, e.g. `https://datos.example.org/ssepot`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicUrl {
    /// `http` or `https`.
    pub scheme: &'static str,
    /// `host[:port]`, validated by [`valid_authority`].
    pub authority: String,
    /// Path prefix without a trailing `/` (empty at the root), validated by [`valid_prefix`].
    pub prefix: String,
}

impl PublicUrl {
    /// `scheme://authority/prefix`, the base that paths such as `/collections` are appended to.
    pub fn base(&self) -> String {
        format!("{}://{}{}", self.scheme, self.authority, self.prefix)
    }
}

impl FromStr for PublicUrl {
    type Err = String;

    /// ```
    /// # use ssepot::access::PublicUrl;
    /// let u: PublicUrl = "https://datos.example.org/ssepot/".parse().unwrap();
    /// assert_eq!(u.base(), "https://datos.example.org/ssepot");
    /// assert!("javascript:alert(1)".parse::<PublicUrl>().is_err());
    /// ```
    fn from_str(s: &str) -> Result<Self, String> {
        let (scheme, rest) = s
            .split_once("://")
            .ok_or_else(|| format!("`{s}` is not an absolute URL such as https://example.org"))?;
        let scheme = valid_scheme(scheme)
            .ok_or_else(|| format!("`{s}`: the scheme must be http or https"))?;
        let (authority, path) = rest.find('/').map_or((rest, ""), |i| rest.split_at(i));
        if !valid_authority(authority) {
            return Err(format!("`{s}`: `{authority}` is not a host[:port]"));
        }
        let prefix = path.trim_end_matches('/');
        if !prefix.is_empty() && !valid_prefix(prefix) {
            return Err(format!(
                "`{s}`: the path may hold only letters, digits and - . _ ~ /"
            ));
        }
        Ok(Self {
            scheme,
            authority: authority.to_ascii_lowercase(),
            prefix: prefix.to_string(),
        })
    }
}

/// `http` or `https` (any case), as the static lower-case name.
pub fn valid_scheme(s: &str) -> Option<&'static str> {
    match s.to_ascii_lowercase().as_str() {
        "http" => Some("http"),
        "https" => Some("https"),
        _ => None,
    }
}

/// `host[:port]`: a DNS name or IPv4 address, or a bracketed IPv6 address, and an optional port 0–65535.
///
/// ```
/// # use ssepot::access::valid_authority;
/// assert!(valid_authority("datos.example.org:8443"));
/// assert!(valid_authority("[::1]:8080"));
/// assert!(!valid_authority(r#"x"],"injected":1,"zz":[""#));
/// assert!(!valid_authority("evil.org/path"));
/// ```
pub fn valid_authority(s: &str) -> bool {
    let (host, port) = if let Some(rest) = s.strip_prefix('[') {
        let Some((v6, after)) = rest.split_once(']') else {
            return false;
        };
        if v6.parse::<std::net::Ipv6Addr>().is_err() {
            return false;
        }
        match after {
            "" => return true,
            p => match p.strip_prefix(':') {
                Some(port) => ("", Some(port)),
                None => return false,
            },
        }
    } else {
        match s.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (s, None),
        }
    };
    let port_ok = port.is_none_or(|p| {
        !p.is_empty()
            && p.len() <= 5
            && p.bytes().all(|b| b.is_ascii_digit())
            && p.parse::<u16>().is_ok()
    });
    let host_ok = s.starts_with('[')
        || (!host.is_empty()
            && host.len() <= 253
            && host.split('.').all(|label| {
                label.len() <= 63
                    && label
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            })
            && !host.split('.').rev().skip(1).any(str::is_empty));
    port_ok && host_ok
}

/// A path prefix such as `/ssepot` or `/a/b`: starts with `/`, then unreserved characters and `/`, no `..`.
pub fn valid_prefix(s: &str) -> bool {
    s.starts_with('/')
        && s.len() <= 200
        && !s.split('/').any(|seg| seg == "." || seg == "..")
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/'))
}

/// An IP address or a network in CIDR notation (`10.0.0.0/8`, `::1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpNet {
    addr: IpAddr,
    prefix: u8,
}

impl IpNet {
    /// Is `ip` in this network? IPv4-mapped IPv6 peers (`::ffff:10.0.0.1`) count as their IPv4 address.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        match (self.addr, ip) {
            (IpAddr::V4(n), IpAddr::V4(a)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(n) & mask == u32::from(a) & mask
            }
            (IpAddr::V6(n), IpAddr::V6(a)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(n) & mask == u128::from(a) & mask
            }
            _ => false,
        }
    }
}

impl FromStr for IpNet {
    type Err = String;

    /// ```
    /// # use ssepot::access::IpNet;
    /// let n: IpNet = "10.0.0.0/8".parse().unwrap();
    /// assert!(n.contains("10.1.2.3".parse().unwrap()));
    /// assert!(!n.contains("11.0.0.1".parse().unwrap()));
    /// assert!("10.0.0.0/33".parse::<IpNet>().is_err());
    /// ```
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("`{s}` is not an IP address or network (e.g. 127.0.0.1, 10.0.0.0/8)");
        let (addr, prefix) = s.split_once('/').map_or((s, None), |(a, p)| (a, Some(p)));
        let addr: IpAddr = addr.trim().parse().map_err(|_| bad())?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) => p
                .trim()
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(bad)?,
            None => max,
        };
        Ok(Self { addr, prefix })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_with_quotes_slashes_or_spaces_are_not_authorities() {
        for bad in [
            "",
            "evil\"x",
            "a b",
            "host:",
            "host:99999",
            "host:80:80",
            "[::1",
            "[zz]:80",
            "a..b",
            "javascript:alert(1)",
            "x\"],\"injected\":1,\"zz\":[\"",
        ] {
            assert!(!valid_authority(bad), "{bad:?} was accepted");
        }
        for good in [
            "localhost",
            "127.0.0.1:8080",
            "[::1]",
            "datos.medellin.gov.co",
            "a-b_c.example.",
        ] {
            assert!(valid_authority(good), "{good:?} was refused");
        }
    }

    #[test]
    fn only_http_and_https_are_schemes_of_links() {
        assert_eq!(valid_scheme("HTTPS"), Some("https"));
        assert_eq!(valid_scheme("javascript"), None);
        assert_eq!(valid_scheme("http "), None);
    }

    #[test]
    fn ipv4_mapped_peers_match_ipv4_networks() {
        let n: IpNet = "127.0.0.1".parse().unwrap();
        assert!(n.contains("::ffff:127.0.0.1".parse().unwrap()));
        assert!(!n.contains("127.0.0.2".parse().unwrap()));
        let all: IpNet = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains("203.0.113.9".parse().unwrap()));
    }
}
