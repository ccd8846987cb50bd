//! Scan counting: scans are counted in memory and written every few seconds, so the scan page
//! never waits on a database write.

use crate::Trace;
use crate::error::Result;
use crate::store::queries;
use chrono::NaiveDate;
use farmgate_kernel::id::BatchId;
use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

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
