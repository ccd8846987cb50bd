//! Origin traceability: batches (批次) with their compliance certificate (承诺达标合格证), an
//! append-only event chain hashed with SHA-256 (see `CHAIN.md`), trace codes derived from the
//! first hash, QR codes and label sheets, per-box unit codes, the public scan page `/t/{code}`,
//! GS1 Digital Link and EPCIS export, verification anyone can run, and a daily Merkle digest.
//!
//! Other services use [`Trace`]: `ensure_shippable` before a batch goes into a parcel.

pub mod chain;
pub mod domain;
pub mod epcis;
pub mod error;
pub mod http;
pub mod jobs;
pub mod labels;
pub mod page;
pub mod read;
pub mod serial;
pub mod service;
pub mod store;

pub use error::TraceError;
pub use jobs::DigestJob;

use chrono::NaiveDate;
use farmgate_catalog::Catalog;
use farmgate_identity::Identity;
use farmgate_infra::Infra;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use uuid::Uuid;

/// Scans counted in memory and written to the database every few seconds, so the scan page
/// never waits on a write.
#[derive(Debug, Default)]
pub struct ScanCounter {
    pending: Mutex<HashMap<(Uuid, NaiveDate), i64>>,
}

impl ScanCounter {
    pub fn record(&self, batch: Uuid, day: NaiveDate) {
        self.add(batch, day, 1);
    }

    /// Counts `n` scans at once (scans a failed write puts back).
    pub fn add(&self, batch: Uuid, day: NaiveDate, n: i64) {
        let mut p = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
        *p.entry((batch, day)).or_insert(0) += n;
    }

    /// Everything counted since the last take.
    pub fn take(&self) -> HashMap<(Uuid, NaiveDate), i64> {
        std::mem::take(&mut *self.pending.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// Scans of a batch not yet written (so a page can show an up-to-date count).
    pub fn pending_for(&self, batch: Uuid) -> i64 {
        let p = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
        p.iter()
            .filter(|((b, _), _)| *b == batch)
            .map(|(_, n)| *n)
            .sum()
    }
}

/// Settings the trace service needs.
#[derive(Clone, Debug, Default)]
pub struct TraceConfig {
    /// The address printed in QR codes, e.g. `https://nongyuan.example.cn`. When unset, the
    /// address the request came to is used.
    pub public_url: Option<String>,
}

struct Inner {
    infra: Infra,
    identity: Identity,
    catalog: Catalog,
    config: TraceConfig,
    scans: ScanCounter,
}

/// The trace service. Cheap to clone.
#[derive(Clone)]
pub struct Trace {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Trace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Trace")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

impl Trace {
    pub fn new(infra: Infra, identity: Identity, catalog: Catalog, config: TraceConfig) -> Self {
        Self {
            inner: Arc::new(Inner {
                infra,
                identity,
                catalog,
                config,
                scans: ScanCounter::default(),
            }),
        }
    }

    pub fn infra(&self) -> &Infra {
        &self.inner.infra
    }

    pub fn identity(&self) -> &Identity {
        &self.inner.identity
    }

    pub fn catalog(&self) -> &Catalog {
        &self.inner.catalog
    }

    pub fn config(&self) -> &TraceConfig {
        &self.inner.config
    }

    pub fn scans(&self) -> &ScanCounter {
        &self.inner.scans
    }
}
