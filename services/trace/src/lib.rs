//! Origin traceability: batches (批次) with their compliance certificate (承诺达标合格证), an
//! append-only event chain hashed with SHA-256 (see `CHAIN.md`), trace codes derived from the
//! first hash, QR codes and label sheets, per-box unit codes, the public scan page `/t/{code}`,
//! GS1 Digital Link and EPCIS export, verification anyone can run, and a daily Merkle digest.
//!
//! It owns the tables `batches`, `batch_events`, `trace_attachments`, `trace_units`,
//! `trace_scans`, `trace_digests`, `trace_object_audits`, the log's tables and
//! `trace_commitments` (chain format v2's private openings, CHAIN.md §13). It calls identity (who may act for a seller, the seller's
//! name) and catalog (the listing a batch is of, GTINs), and the shared infra (database,
//! object store, cache, outbox).
//!
//! Other services use [`Trace`]: `ensure_shippable` before a batch goes into a parcel,
//! `append_system` to chain a shipment or a recall inside their own transaction, and
//! `forget_page` after it commits.

pub mod chain;
pub mod commit;
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
pub mod tlog;

pub use error::TraceError;
pub use jobs::{AuditJob, CheckpointJob, DigestJob};

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
    /// The transparency log's name and key (CHAIN.md §10); `None`: a key made for this process
    /// only (tests), logged as such.
    pub log: Option<LogConfig>,
    /// The chain format of batches created from now on (CHAIN.md §13; default v2). A batch
    /// keeps its format forever: this never changes an existing batch.
    pub chain_version: chain::ChainVersion,
    /// Public verifications (`GET /api/v1/trace/{code}/verify`, which re-reads cited files)
    /// one client address may ask for per minute; an IPv6 client counts per /64.
    pub verify_per_address_per_minute: u32,
}

/// The transparency log's settings.
#[derive(Clone, Debug)]
pub struct LogConfig {
    /// The checkpoint origin, e.g. `nongyuan.example.cn/trace-log` (a schema-less URL).
    pub origin: String,
    /// The platform's Ed25519 note key.
    pub key: tlog::NamedKey,
    /// How often the checkpoint job runs (it signs only when the tree grew).
    pub checkpoint_every: chrono::Duration,
    /// The witnesses asked to cosign each checkpoint.
    pub witnesses: Vec<WitnessConfig>,
    /// Cosignatures a checkpoint needs before it is published.
    pub quorum: usize,
}

/// One witness: where it listens and its cosignature verifier key.
#[derive(Clone, Debug)]
pub struct WitnessConfig {
    pub url: String,
    pub key: tlog::PublicKey,
}

impl LogConfig {
    /// A log with a key made for this process only (tests; a warning in the log).
    pub fn ephemeral() -> Self {
        let key = tlog::NamedKey::fresh(EPHEMERAL_ORIGIN);
        LogConfig {
            origin: EPHEMERAL_ORIGIN.to_owned(),
            key,
            checkpoint_every: chrono::Duration::minutes(2),
            witnesses: Vec::new(),
            quorum: 0,
        }
    }
}

/// The origin of a log whose key is made for one process.
const EPHEMERAL_ORIGIN: &str = "farmgate.local/trace-log";

struct Inner {
    infra: Infra,
    identity: Identity,
    catalog: Catalog,
    config: TraceConfig,
    log: LogConfig,
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
        let log = config.log.clone().unwrap_or_else(|| {
            tracing::warn!(
                "trace log: no key configured, signing with a key made for this process only"
            );
            LogConfig::ephemeral()
        });
        Self {
            inner: Arc::new(Inner {
                infra,
                identity,
                catalog,
                config,
                log,
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

    pub fn log(&self) -> &LogConfig {
        &self.inner.log
    }
}
