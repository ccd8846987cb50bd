//! Scan counting. A scan is tallied in the cache (Redis in production: shared by every replica
//! and kept across a replica's crash; in process when embedded), per Beijing day and batch, and
//! the worker writes the tallies to `trace_scans` in batches every few seconds. The scan page
//! never waits on a database write, and a CDN that serves the page's HTML still lets each view
//! be counted: the page's beacon (`/t/{code}/seen`) counts, not the HTML.
//!
//! What can still be lost: the tallies a flush took in the moment between taking them from the
//! cache and committing them (the flush puts back what it could not write), and a tally the
//! cache refused outright (logged). While Redis is unavailable the cache tallies in process and
//! the same flush writes those too.

use crate::Trace;
use crate::error::Result;
use crate::store::queries;
use chrono::{Days, NaiveDate};
use farmgate_kernel::id::BatchId;
use std::net::IpAddr;
use std::time::Duration;

/// How long a day's tally waits for a flush before the cache may drop it.
const TALLY_TTL: Duration = Duration::from_secs(3 * 24 * 3600);

/// How many days back a flush looks: a scan at 23:59:59 is flushed after midnight.
const FLUSH_DAYS: u64 = 2;

/// One visitor (the scan page's random id, kept in the phone's storage) counts once per batch
/// in this window: reloading the page or coming back to it soon is not another scan.
const VISITOR_WINDOW: Duration = Duration::from_secs(30 * 60);

/// One client address counts at most this many views of a batch an hour. A ceiling against a
/// loop, not one scan per address: many phones share a carrier's NAT address, and a market
/// stall's shoppers all scan the same box.
pub const ADDRESS_VIEWS_PER_HOUR: i64 = 120;

/// A visitor id the page may send: 8 to 64 URL-safe characters. Anything else is no id.
pub fn visitor_id(raw: Option<&str>) -> Option<&str> {
    raw.filter(|v| {
        (8..=64).contains(&v.len())
            && v.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    })
}

/// The address a ceiling counts by: an IPv4 address, or an IPv6 address's /64 (one customer's
/// network: a phone changes the low half at will).
pub fn address_bucket(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

fn tally_key(day: NaiveDate) -> String {
    format!("trace:scans:v1:{day}")
}

/// The days a flush takes: today and the [`FLUSH_DAYS`] before it.
fn flush_days(today: NaiveDate) -> impl Iterator<Item = NaiveDate> {
    (0..=FLUSH_DAYS).filter_map(move |back| today.checked_sub_days(Days::new(back)))
}

impl Trace {
    /// Whether a view of the batch counts as a scan: not when this visitor was counted for it
    /// within [`VISITOR_WINDOW`], nor beyond [`ADDRESS_VIEWS_PER_HOUR`] from one address. While
    /// the cache is unavailable every view counts (a count is not worth refusing a page over).
    pub async fn admit_view(
        &self,
        batch: BatchId,
        visitor: Option<&str>,
        ip: Option<IpAddr>,
    ) -> bool {
        let cache = &self.infra().cache;
        if let Some(v) = visitor_id(visitor) {
            let key = format!("trace:seen:v1:{batch}:{v}");
            match cache.incr(&key, 1, VISITOR_WINDOW).await {
                Ok(c) if c.value > 1 => return false,
                Ok(_) => {}
                Err(e) => tracing::debug!(error = %e, "visitor window unavailable"),
            }
        }
        if let Some(ip) = ip {
            let key = format!("trace:seen:ip:v1:{batch}:{}", address_bucket(ip));
            match cache.incr(&key, 1, Duration::from_secs(3600)).await {
                Ok(c) if c.value > ADDRESS_VIEWS_PER_HOUR => return false,
                Ok(_) => {}
                Err(e) => tracing::debug!(error = %e, "address ceiling unavailable"),
            }
        }
        true
    }

    /// Tallies one scan of a batch on a day (Beijing). A cache that refuses loses this one
    /// scan, never the page.
    pub async fn record_scan(&self, batch: BatchId, day: NaiveDate) {
        let field = batch.to_string();
        if let Err(e) = self
            .infra()
            .cache
            .tally(&tally_key(day), &field, 1, TALLY_TTL)
            .await
        {
            tracing::warn!(error = %e, %batch, "a scan could not be tallied");
        }
    }

    /// Scans of a batch tallied but not yet written (so a page shows an up-to-date count).
    pub async fn pending_scans(&self, batch: BatchId) -> i64 {
        let today = crate::service::shanghai_day(self.infra().clock.now());
        let field = batch.to_string();
        let mut n = 0i64;
        for day in flush_days(today) {
            match self.infra().cache.tally_of(&tally_key(day), &field).await {
                Ok(v) => n = n.saturating_add(v),
                Err(e) => tracing::debug!(error = %e, "pending scans unavailable"),
            }
        }
        n
    }

    /// A batch's look-up total, after tallying one more look-up when `count` is set: the
    /// database's total plus what is tallied and not yet written. Both are shared by every
    /// replica, so every language and every replica shows the same figure, and the page's
    /// cached bytes never hold one. (While a flush is between taking a tally and committing
    /// it, for a few milliseconds, the figure may lack that tally.)
    pub async fn count_lookup(&self, batch: BatchId, day: NaiveDate, count: bool) -> Result<i64> {
        if count {
            self.record_scan(batch, day).await;
        }
        let stored = queries::batch_scans(&self.infra().db, batch).await?;
        Ok(stored.saturating_add(self.pending_scans(batch).await))
    }

    /// Writes the tallied scans to the database: each recent day's tally is taken from the
    /// cache and written in one transaction; a tally that cannot be written is put back for
    /// the next flush. Returns how many (batch, day) rows were written.
    pub async fn flush_scans(&self) -> Result<usize> {
        let today = crate::service::shanghai_day(self.infra().clock.now());
        let cache = &self.infra().cache;
        let mut written = 0;
        for day in flush_days(today) {
            let key = tally_key(day);
            let taken = match cache.take_tally(&key).await {
                Ok(t) => t,
                Err(e) => {
                    tracing::warn!(error = %e, %day, "scan tally unavailable; flushing later");
                    continue;
                }
            };
            let rows: Vec<(BatchId, i64)> = taken
                .iter()
                .filter(|(_, n)| *n != 0)
                .filter_map(|(field, n)| match field.parse::<BatchId>() {
                    Ok(b) => Some((b, *n)),
                    Err(_) => {
                        tracing::warn!(field, "a scan tally names no batch: dropped");
                        None
                    }
                })
                .collect();
            if rows.is_empty() {
                continue;
            }
            if let Err(e) = queries::add_scans_many(&self.infra().db, day, &rows).await {
                // Nothing counted is lost: what was not written waits for the next flush.
                for (batch, n) in &rows {
                    let field = batch.to_string();
                    if let Err(back) = cache.tally(&key, &field, *n, TALLY_TTL).await {
                        tracing::error!(error = %back, %batch, scans = n, "scans lost: could not put back a tally");
                    }
                }
                return Err(e.into());
            }
            written += rows.len();
        }
        Ok(written)
    }
}

#[cfg(test)]
#[expect(clippy::expect_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn a_flush_looks_at_today_and_two_days_back() {
        let today = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap_or_default();
        let days: Vec<_> = flush_days(today).map(|d| d.to_string()).collect();
        assert_eq!(days, ["2026-03-01", "2026-02-28", "2026-02-27"]);
        assert_eq!(tally_key(today), "trace:scans:v1:2026-03-01");
    }

    #[test]
    fn visitor_ids_are_short_url_safe_tokens() {
        assert_eq!(visitor_id(Some("a1B2-c3_d4")), Some("a1B2-c3_d4"));
        assert_eq!(visitor_id(Some("short")), None);
        assert_eq!(visitor_id(Some(&"x".repeat(65))), None);
        assert_eq!(visitor_id(Some("has space in it")), None);
        assert_eq!(visitor_id(Some("键键键键键键键键")), None);
        assert_eq!(visitor_id(None), None);
    }

    #[test]
    fn an_ipv6_address_counts_by_its_slash_64() {
        let a: IpAddr = "2408:8207:1850:6f0::1".parse().expect("v6");
        let b: IpAddr = "2408:8207:1850:6f0:dead:beef:1:2".parse().expect("v6");
        let c: IpAddr = "2408:8207:1850:6f1::1".parse().expect("v6");
        assert_eq!(address_bucket(a), address_bucket(b));
        assert_ne!(address_bucket(a), address_bucket(c));
        let v4: IpAddr = "10.1.2.3".parse().expect("v4");
        assert_eq!(address_bucket(v4), "10.1.2.3");
        let mapped: IpAddr = "::ffff:10.1.2.3".parse().expect("mapped");
        assert_eq!(address_bucket(mapped), "10.1.2.3");
    }
}
