//! Random draws the generator shares: a normal variate, spans of seconds, weighted picks, and
//! ids for moments in the past.

use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use rand::rngs::StdRng;
use uuid::Uuid;

pub(super) fn normal(rng: &mut StdRng) -> f64 {
    let u1: f64 = rng.random::<f64>().max(1e-12);
    let u2: f64 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

pub(super) fn secs(rng: &mut StdRng, from: i64, to: i64) -> Duration {
    Duration::seconds(rng.random_range(from..to.max(from + 1)))
}

/// A moment with sub-second digits, as the system clock gives them.
pub(super) fn jitter(rng: &mut StdRng, t: DateTime<Utc>) -> DateTime<Utc> {
    t + Duration::microseconds(rng.random_range(0..1_000_000))
}

/// Draws an index by weight from a running total.
pub(super) fn pick(prefix: &[f64], rng: &mut StdRng) -> Option<usize> {
    let total = *prefix.last()?;
    if total <= 0.0 {
        return None;
    }
    let x = rng.random::<f64>() * total;
    Some(prefix.partition_point(|p| *p <= x).min(prefix.len() - 1))
}

pub(super) fn running_total(weights: impl IntoIterator<Item = f64>) -> Vec<f64> {
    let mut acc = 0.0;
    weights
        .into_iter()
        .map(|w| {
            acc += w.max(0.0);
            acc
        })
        .collect()
}

/// A version-7 id for a moment in the past (ids sort by time, as `Uuid::now_v7` would have).
pub(super) fn uuid_at(ids: &mut StdRng, t: DateTime<Utc>) -> Uuid {
    let millis = u64::try_from(t.timestamp_millis()).unwrap_or(0);
    let bytes: [u8; 10] = ids.random();
    uuid::Builder::from_unix_timestamp_millis(millis, &bytes).into_uuid()
}
