//! After-sales (售后理赔): a buyer claims damage on a received parcel within the line's claim
//! window, with photos; the seller answers by a deadline (full or partial refund, a reship, or
//! rejection with a reason); the buyer accepts or escalates to the operator, whose decision is
//! final; a missed deadline escalates, or refunds small claims at once. Refunds go through the
//! orders service's ledger (idempotent, never above what was paid, back through the order's
//! payment provider). Liability is recorded per claim; a carrier's share opens a recourse record
//! from the waybill. Every step is an appended `claim_events` row. Also batch recalls (召回)
//! with their notices and refunds, and the service-quality figures.
//!
//! It owns the tables `claims`, `claim_lines`, `claim_evidence`, `claim_events`,
//! `claim_messages`, `carrier_recourse`, `recalls` and `recall_notices` (`store`, private).
//! It may call identity (actors, names), orders (`Orders::refund_sub_order`,
//! `create_replacement`, and what it reads of sub-orders and parcels through
//! `farmgate_orders::read::aftersales`), trace (the recall event through `Trace`, the batch
//! through `farmgate_trace::read::aftersales`) and catalog (photos, taking a listing off sale,
//! category names) — never their tables.

pub mod domain;
pub mod error;
pub mod http;
pub mod jobs;
pub mod read;
pub mod service;
mod store;

/// The service-quality figures (`service::quality`), by the name the statistics crate uses.
pub use service::quality as metrics;

pub use error::AftersalesError;
pub use jobs::{FailedInspectionRecallJob, OfferDueJob, ResponseDueJob, UnsentReplacementJob};

use chrono::Duration;
use farmgate_identity::Identity;
use farmgate_infra::Infra;
use farmgate_kernel::Money;
use farmgate_orders::Orders;
use std::sync::Arc;

/// The after-sales policy.
#[derive(Clone, Debug)]
pub struct AftersalesConfig {
    /// How long the seller has to answer a claim.
    pub respond_within: Duration,
    /// A claim the seller leaves unanswered is refunded at once up to this amount, and goes to
    /// the operator above it (customer first: 可退可不退的以退为主).
    pub auto_approve_up_to: Money,
    /// How long the buyer has to answer a seller's offer; unanswered, it is accepted.
    pub answer_within: Duration,
    /// How long the operator has to decide an escalated claim before it is overdue.
    pub arbitrate_within: Duration,
    /// How long before the seller's or the buyer's deadline they are reminded.
    pub remind_before: Duration,
    /// When a parcel that has not arrived may be claimed as not received.
    pub transit: domain::deadlines::TransitPolicy,
}

impl Default for AftersalesConfig {
    fn default() -> Self {
        Self {
            respond_within: Duration::hours(24),
            auto_approve_up_to: Money::from_fen(5_000),
            answer_within: Duration::hours(72),
            arbitrate_within: Duration::hours(48),
            remind_before: Duration::hours(4),
            transit: domain::deadlines::TransitPolicy::default(),
        }
    }
}

struct Inner {
    infra: Infra,
    identity: Identity,
    orders: Orders,
    config: AftersalesConfig,
}

/// The after-sales service. Cheap to clone.
#[derive(Clone)]
pub struct Aftersales {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Aftersales {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Aftersales")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

impl Aftersales {
    pub fn new(infra: Infra, identity: Identity, orders: Orders, config: AftersalesConfig) -> Self {
        Self {
            inner: Arc::new(Inner {
                infra,
                identity,
                orders,
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

    pub fn orders(&self) -> &Orders {
        &self.inner.orders
    }

    pub fn config(&self) -> &AftersalesConfig {
        &self.inner.config
    }
}
