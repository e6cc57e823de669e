//! The venue's networks, as an organiser writes them (`192.168.1.0/24`, one per line or
//! separated by commas): a check-in from outside them is noted on the sheet.
use std::net::IpAddr;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Network {
    base: IpAddr,
    prefix: u8,
}

impl Network {
    /// `a.b.c.d/n`, `a:b::/n`, or a single address.
    pub fn parse(raw: &str) -> Option<Network> {
        let raw = raw.trim();
        let (addr, prefix) = match raw.split_once('/') {
            Some((a, p)) => (a.trim(), Some(p.trim().parse::<u8>().ok()?)),
            None => (raw, None),
        };
        let base: IpAddr = addr.parse().ok()?;
        let max = if base.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        (prefix <= max).then_some(Network { base, prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        match (self.base, ip) {
            (IpAddr::V4(b), IpAddr::V4(a)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(b) & mask == u32::from(a) & mask
            }
            (IpAddr::V6(b), IpAddr::V6(a)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(b) & mask == u128::from(a) & mask
            }
            _ => false,
        }
    }
}

/// The networks of a setting's text; `Err` names the first entry that is not one.
pub fn parse_networks(text: &str) -> Result<Vec<Network>, String> {
    text.split([',', '\n', ';', '，'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| Network::parse(s).ok_or_else(|| s.to_string()))
        .collect()
}

/// Whether `address` is inside any of `networks`; `None` when none are configured or the
/// address is unknown.
pub fn in_networks(networks: &[Network], address: &str) -> Option<bool> {
    if networks.is_empty() {
        return None;
    }
    let ip: IpAddr = address.parse().ok()?;
    Some(networks.iter().any(|n| n.contains(ip)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn networks_contain_their_addresses() {
        let n = parse_networks("192.168.1.0/24, 10.0.0.7\n2001:db8::/32").unwrap();
        assert_eq!(in_networks(&n, "192.168.1.200"), Some(true));
        assert_eq!(in_networks(&n, "192.168.2.1"), Some(false));
        assert_eq!(in_networks(&n, "10.0.0.7"), Some(true));
        assert_eq!(in_networks(&n, "10.0.0.8"), Some(false));
        assert_eq!(in_networks(&n, "2001:db8::1"), Some(true));
        assert_eq!(in_networks(&n, "::ffff:192.168.1.5"), Some(true));
        assert_eq!(in_networks(&[], "192.168.1.5"), None);
        assert_eq!(in_networks(&n, ""), None);
        assert_eq!(
            parse_networks("192.168.1.0/33"),
            Err("192.168.1.0/33".into())
        );
        assert_eq!(parse_networks("东关社区"), Err("东关社区".into()));
        assert_eq!(parse_networks("0.0.0.0/0").unwrap().len(), 1);
        assert_eq!(
            in_networks(&parse_networks("0.0.0.0/0").unwrap(), "8.8.8.8"),
            Some(true)
        );
    }
}
