//! Buying: delivery addresses, a cart per account, checkout into one order with a sub-order per
//! seller, stock reserved atomically with the order, payment (offline confirmation; gateways
//! plug in behind the same state change), unpaid orders expiring on a schedule that survives
//! restarts, and the seller's order console.
//!
//! Orders are legal records: lines, prices and the address are written once; everything that
//! happens later is an appended `order_events` row (see `store.rs`).

pub mod domain;
pub mod error;
pub mod http;
pub mod jobs;
pub mod service;
pub mod store;
pub mod views;

pub use error::OrdersError;
pub use jobs::PaymentDueJob;

use chrono::Duration;
use farmgate_catalog::Catalog;
use farmgate_identity::Identity;
use farmgate_infra::Infra;
use std::sync::Arc;

/// Settings the orders service needs.
#[derive(Clone, Debug)]
pub struct OrdersConfig {
    /// How long an order paid online may stay unpaid before its stock goes back.
    pub gateway_pay_within: Duration,
    /// How long an order paid by bank transfer or cash may stay unconfirmed.
    pub offline_pay_within: Duration,
}

impl Default for OrdersConfig {
    fn default() -> Self {
        Self {
            gateway_pay_within: Duration::minutes(30),
            offline_pay_within: Duration::hours(24),
        }
    }
}

struct Inner {
    infra: Infra,
    identity: Identity,
    catalog: Catalog,
    config: OrdersConfig,
}

/// The orders service. Cheap to clone.
#[derive(Clone)]
pub struct Orders {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Orders {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Orders")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

impl Orders {
    pub fn new(infra: Infra, identity: Identity, catalog: Catalog, config: OrdersConfig) -> Self {
        Self {
            inner: Arc::new(Inner {
                infra,
                identity,
                catalog,
                config,
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

    pub fn config(&self) -> &OrdersConfig {
        &self.inner.config
    }
}
