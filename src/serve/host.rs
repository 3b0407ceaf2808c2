//! Which `Host` names `serve` answers for: a protection against DNS rebinding.
//!
//! A web page of `evil.example` can make its own name resolve to 127.0.0.1 and then read
//! `http://evil.example:3000/` as a same-origin page; the only trace of the attack is the `Host`
//! header, which the page cannot forge. So `serve` answers only for loopback names (`localhost`,
//! `*.localhost`), IP addresses that reach it (loopback ones, the bind address, any address when
//! bound to all of them: a rebinding page cannot make the browser send an IP address), and the
//! names given with `--allowed-host`.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The host names a server answers for.
#[derive(Debug, Clone)]
pub(crate) struct Hosts {
    bind: IpAddr,
    /// `--allowed-host` names, lower-case, without a port or trailing dot.
    allowed: Vec<String>,
}

impl Hosts {
    /// The hosts of a server listening on `bind`, with the extra names `allowed`.
    pub(crate) fn new(bind: IpAddr, allowed: &[String]) -> Hosts {
        let allowed = allowed.iter().filter_map(|a| normalise(a)).collect();
        Hosts { bind: bind.to_canonical(), allowed }
    }

    /// Whether a request whose `Host` (or absolute URL's authority) is `host` is answered.
    pub(crate) fn allows(&self, host: &str) -> bool {
        let Some(name) = normalise(host) else { return false };
        if name == "localhost" || name.ends_with(".localhost") {
            return true;
        }
        if let Some(ip) = ip_literal(&name) {
            let ip = ip.to_canonical();
            return ip.is_loopback() || ip == self.bind || self.bind.is_unspecified();
        }
        self.allowed.contains(&name)
    }
}

/// A `Host` value without its port, lower-case, without a trailing dot; `None` when it is not a
/// host name or IP address (with an optional port).
pub(crate) fn normalise(host: &str) -> Option<String> {
    let name = if host.starts_with('[') {
        let end = host.find(']')?;
        let rest = &host[end + 1..];
        if !(rest.is_empty() || rest.strip_prefix(':').is_some_and(is_port)) {
            return None;
        }
        let name = &host[..=end];
        ip_literal(name)?;
        name
    } else {
        match host.rsplit_once(':') {
            Some((name, port)) if is_port(port) => name,
            Some(_) => return None,
            None => host,
        }
    };
    let name = name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase();
    let valid = !name.is_empty()
        && name.len() <= 253
        && (name.starts_with('[')
            || name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_'));
    valid.then_some(name)
}

fn is_port(p: &str) -> bool {
    !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit())
}

/// `127.0.0.1` or `[::1]` as an address.
fn ip_literal(name: &str) -> Option<IpAddr> {
    match name.strip_prefix('[').and_then(|n| n.strip_suffix(']')) {
        Some(v6) => v6.parse::<Ipv6Addr>().ok().map(IpAddr::V6),
        None => name.parse::<Ipv4Addr>().ok().map(IpAddr::V4),
    }
}

/// Parses an `--allowed-host` value: a host name or IP address, an optional port is ignored.
pub fn parse_allowed_host(value: &str) -> Result<String, String> {
    normalise(value.trim()).ok_or_else(|| {
        "expected a host name or IP address as the browser sends it, like preview.example or \
         preview.example:3000, without a scheme or path (e.g. --allowed-host preview.example)"
            .to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loopback(allowed: &[&str]) -> Hosts {
        Hosts::new(IpAddr::from([127, 0, 0, 1]), &allowed.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn loopback_names_with_or_without_a_port() {
        let h = loopback(&[]);
        for ok in [
            "localhost",
            "localhost:3000",
            "LOCALHOST:3000",
            "localhost.",
            "app.localhost:8080",
            "127.0.0.1",
            "127.0.0.1:3000",
            "127.0.0.2:3000",
            "[::1]",
            "[::1]:3000",
            "[::ffff:127.0.0.1]:3000",
        ] {
            assert!(h.allows(ok), "{ok}");
        }
        for bad in [
            "evil.example",
            "evil.example:3000",
            "localhost.evil.example",
            "127.0.0.1.nip.io",
            "10.0.0.5:3000",
            "[::2]:3000",
            "",
            ":3000",
            "localhost:",
            "localhost:abc",
            "[::1",
            "[::1]x",
            "local host",
            "user@localhost",
        ] {
            assert!(!h.allows(bad), "{bad:?}");
        }
    }

    #[test]
    fn the_bind_address_and_allowed_names() {
        let h = Hosts::new(IpAddr::from([192, 168, 1, 5]), &["Preview.Example".into(), "docs.internal:8443".into()]);
        assert!(h.allows("192.168.1.5:3000"));
        assert!(!h.allows("192.168.1.6:3000"));
        assert!(h.allows("preview.example"));
        assert!(h.allows("PREVIEW.example:1234"));
        assert!(h.allows("docs.internal"));
        assert!(!h.allows("sub.preview.example"));
        assert!(!h.allows("example"));
        // Bound to every address: any IP address reaches it (a rebinding page cannot send one).
        let all = Hosts::new(IpAddr::from([0, 0, 0, 0]), &[]);
        assert!(all.allows("192.168.1.6:3000"));
        assert!(all.allows("[fe80::1]:3000"));
        assert!(!all.allows("evil.example:3000"));
    }

    #[test]
    fn allowed_host_values() {
        assert_eq!(parse_allowed_host("Preview.Example").as_deref(), Ok("preview.example"));
        assert_eq!(parse_allowed_host("preview.example:3000").as_deref(), Ok("preview.example"));
        assert_eq!(parse_allowed_host("[::1]:3000").as_deref(), Ok("[::1]"));
        for bad in ["", "http://preview.example", "preview.example/x", "a b", "[zz]"] {
            assert!(parse_allowed_host(bad).is_err(), "{bad}");
        }
    }
}
