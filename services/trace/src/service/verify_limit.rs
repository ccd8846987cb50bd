//! The public verification's per-address allowance. `GET /api/v1/trace/{code}/verify` re-reads
//! every file a record cites (a match is reused for 60 s), so one address asking for it in a
//! loop across many codes would tire the object store: each client address gets
//! [`crate::TraceConfig::verify_per_address_per_minute`] verifications per minute, counted in
//! the shared cache so every replica counts together (and not at all while the cache is down:
//! the verdict stays up). An IPv6 client counts per /64, the block
//! one subscriber is given; a client whose address is unknown is not counted.

use crate::Trace;
use crate::error::Result;
use std::net::IpAddr;
use std::time::Duration;

const WINDOW: Duration = Duration::from_secs(60);

/// The counter a client address falls in: the address itself for IPv4, its /64 for IPv6.
pub(crate) fn address_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => format!("trace:verify:{v4}"),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => format!("trace:verify:{v4}"),
            None => {
                let s = v6.segments();
                format!(
                    "trace:verify:{:x}:{:x}:{:x}:{:x}::/64",
                    s[0], s[1], s[2], s[3]
                )
            }
        },
    }
}

impl Trace {
    /// Counts one public verification for `ip`: `Ok(None)` when it may go ahead,
    /// `Ok(Some(seconds))` when the address has used its minute's allowance (retry after).
    pub async fn admit_public_verification(&self, ip: Option<IpAddr>) -> Result<Option<u64>> {
        let Some(ip) = ip else { return Ok(None) };
        let limit = i64::from(self.config().verify_per_address_per_minute.max(1));
        // A cache outage must not take the public verdict down with it: count nothing then.
        let counter = match self.infra().cache.incr(&address_key(ip), 1, WINDOW).await {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(error = %e, "public verification not counted: cache unavailable");
                return Ok(None);
            }
        };
        if counter.value > limit {
            self.infra().metrics.event("trace_verify_rate_limited");
            return Ok(Some(counter.expires_in.as_secs().max(1)));
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::address_key;
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

    fn v6(segments: [u16; 8]) -> String {
        let [a, b, c, d, e, f, g, h] = segments;
        address_key(IpAddr::V6(Ipv6Addr::new(a, b, c, d, e, f, g, h)))
    }

    fn v4(a: u8, b: u8, c: u8, d: u8) -> String {
        address_key(IpAddr::V4(Ipv4Addr::new(a, b, c, d)))
    }

    #[test]
    fn an_ipv6_subscriber_counts_once_for_its_whole_64() {
        let a = v6([0x2001, 0xdb8, 1, 2, 0xaaaa, 0, 0, 1]);
        let b = v6([0x2001, 0xdb8, 1, 2, 0xffff, 1, 2, 3]);
        let other = v6([0x2001, 0xdb8, 1, 3, 0, 0, 0, 1]);
        assert_eq!(a, b);
        assert_ne!(a, other);
    }

    #[test]
    fn ipv4_addresses_count_apart_and_mapped_ones_as_themselves() {
        let a = v4(203, 0, 113, 7);
        assert_ne!(a, v4(203, 0, 113, 8));
        let mapped = IpAddr::V6(Ipv4Addr::new(203, 0, 113, 7).to_ipv6_mapped());
        assert_eq!(a, address_key(mapped));
    }
}
