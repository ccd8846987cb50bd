//! Adapters behind small traits, and the HTTP plumbing every service shares.
//!
//! | concern | embedded default | production |
//! | --- | --- | --- |
//! | database | SQLite file | PostgreSQL |
//! | objects | local directory | S3-compatible (MinIO, Garage, cloud) |
//! | cache, counters | in-process | Redis |
//! | outbox | a table and a worker, on whichever database is configured | same |
//! | text messages | a table the operator reads (`sms_outbox`) | Alibaba Cloud or Tencent Cloud SMS |
//! | payments | (the orders service's offline and sandbox providers) | WeChat Pay API v3, Alipay ([`pay`]) |
//! | carrier tracking | (the seller enters logistics by hand) | 快递100's subscription and pushes ([`tracking`]) |
//!
//! Each adapter has one contract test suite (`tests/contract_*.rs`) run against every
//! implementation available on the machine.

pub mod breaker;
pub mod cache;
pub mod db;
pub mod http;
pub mod limit;
pub mod metrics;
pub mod objects;
pub mod outbox;
pub mod pay;
pub mod search;
pub mod sms;
pub mod tracking;

use std::sync::Arc;

pub use cache::Cache;
pub use farmgate_kernel::Clock;
pub use metrics::Metrics;
pub use objects::ObjectStore;
pub use outbox::Outbox;
pub use sea_orm::DatabaseConnection;
pub use sms::SmsSender;

/// Everything a service needs from the outside world, built once in `main` from the settings
/// and handed to every service. Cheap to clone.
#[derive(Clone)]
pub struct Infra {
    pub db: DatabaseConnection,
    pub objects: Arc<dyn ObjectStore>,
    pub cache: Arc<dyn Cache>,
    pub outbox: Outbox,
    /// Text messages: phone codes now, notifications later.
    pub sms: Arc<dyn SmsSender>,
    pub clock: Clock,
    pub metrics: Metrics,
    /// Bounded concurrency for the expensive steps rooms share (images, labels, exports).
    pub limits: limit::SharedLimits,
}

impl std::fmt::Debug for Infra {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Infra")
            .field("db", &db::backend_name(&self.db))
            .field("objects", &self.objects.backend())
            .field("cache", &self.cache.backend())
            .field("sms", &self.sms.backend())
            .finish_non_exhaustive()
    }
}
