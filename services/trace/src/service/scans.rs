//! Scan counting: scans are counted in memory and written every few seconds, so the scan page
//! never waits on a database write.

use crate::Trace;
use crate::error::Result;
use crate::store::queries;
use chrono::NaiveDate;
use farmgate_kernel::id::BatchId;
use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

/// How long the shared look-up counter lives before it starts again from the database (which
/// by then holds every look-up counted before it).
const LOOKUP_COUNTER_TTL: Duration = Duration::from_secs(6 * 3600);

fn lookup_counter_key(batch: BatchId) -> String {
    format!("trace:lookups:v1:{batch}")
}

/// Scans counted in memory, per batch and Beijing day, until the next flush.
#[derive(Debug, Default)]
pub struct ScanCounter {
    pending: Mutex<HashMap<(BatchId, NaiveDate), i64>>,
}

impl ScanCounter {
    pub fn record(&self, batch: BatchId, day: NaiveDate) {
        self.add(batch, day, 1);
    }

    /// Counts `n` scans at once (scans a failed write puts back).
    pub fn add(&self, batch: BatchId, day: NaiveDate, n: i64) {
        let mut p = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
        *p.entry((batch, day)).or_insert(0) += n;
    }

    /// Everything counted since the last take.
    pub fn take(&self) -> HashMap<(BatchId, NaiveDate), i64> {
        std::mem::take(&mut *self.pending.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// Scans of a batch not yet written (so a page can show an up-to-date count).
    pub fn pending_for(&self, batch: BatchId) -> i64 {
        let p = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
        p.iter()
            .filter(|((b, _), _)| *b == batch)
            .map(|(_, n)| *n)
            .sum()
    }
}

impl Trace {
    /// Counts one look-up of a batch's page and says how many there have been, this one
    /// included. The figure is one shared counter in the cache, started from the database's
    /// total, so every language and every replica shows the same number and the page's cached
    /// bytes never hold a count. Without the cache it is the database's total plus what this
    /// process has not written yet.
    pub async fn count_lookup(&self, batch: BatchId, day: NaiveDate) -> Result<i64> {
        self.scans().record(batch, day);
        let cache = &self.infra().cache;
        let key = lookup_counter_key(batch);
        let here = || async {
            let stored = queries::batch_scans(&self.infra().db, batch).await?;
            Ok::<i64, crate::error::TraceError>(stored + self.scans().pending_for(batch))
        };
        match cache.incr(&key, 1, LOOKUP_COUNTER_TTL).await {
            Ok(c) if c.value > 1 => Ok(c.value),
            Ok(_) => {
                // A new counter: add everything counted before this look-up.
                let before = here().await? - 1;
                match cache.incr(&key, before, LOOKUP_COUNTER_TTL).await {
                    Ok(c) => Ok(c.value),
                    Err(_) => Ok(before + 1),
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "look-up counter unavailable; counting from the database");
                here().await
            }
        }
    }

    /// Writes the scan counts gathered in memory to the database.
    pub async fn flush_scans(&self) -> Result<usize> {
        let pending: Vec<_> = self.scans().take().into_iter().collect();
        let n = pending.len();
        for (i, &((batch, day), count)) in pending.iter().enumerate() {
            if let Err(e) = queries::add_scans(&self.infra().db, batch, day, count).await {
                // Nothing counted is lost: what was not written waits for the next flush.
                for &((b, d), c) in &pending[i..] {
                    self.scans().add(b, d, c);
                }
                return Err(e.into());
            }
        }
        Ok(n)
    }
}
