//! Origin traceability: batches (批次) with their compliance certificate (承诺达标合格证), an
//! append-only event chain hashed with SHA-256 (see `CHAIN.md`), trace codes derived from the
//! first hash, QR codes and label sheets, per-box unit codes, the public scan page `/t/{code}`,
//! GS1 Digital Link and EPCIS export, verification anyone can run, and a daily Merkle digest.
//!
//! It owns the tables `batches`, `batch_events`, `trace_attachments`, `trace_units`,
//! `trace_scans` and `trace_digests`. It calls identity (who may act for a seller, the seller's
//! name) and catalog (the listing a batch is of, GTINs), and the shared infra (database,
//! object store, cache, outbox).
//!
//! Other services use [`Trace`]: `ensure_shippable` before a batch goes into a parcel,
//! `append_system` to chain a shipment or a recall inside their own transaction, and
//! `forget_page` after it commits.

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
pub(crate) mod store;

pub use error::TraceError;
pub use jobs::{AuditJob, DigestJob};
pub use service::ScanCounter;

use farmgate_catalog::Catalog;
use farmgate_identity::Identity;
use farmgate_infra::Infra;
use std::sync::Arc;

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
