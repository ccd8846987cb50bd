//! Invoicing (发票): a member of a verified business buyer asks for an invoice on each paid
//! sub-order of an order the organisation placed (each seller invoices its own goods), as an
//! ordinary (普通) or special VAT (专用) invoice whose title and tax number are the
//! organisation's. The seller's members issue it — platform finance for the platform's own
//! store — for what was paid less what was refunded by then, or reject it with a reason. The
//! issued PDF is stored in the object store with its SHA-256, and every download checks the
//! stored bytes against it. A refund after issue marks the invoice for a red reversal (红冲).
//! Who really issues it sits behind [`issuer::EInvoiceIssuer`]: the platform itself by default
//! ([`issuer::LocalPdfIssuer`]), a provincial e-invoice service where a deployment has one.
//!
//! It owns the tables `invoices` and `invoice_events` (`store`, private). It reads orders
//! through `farmgate_orders::read::invoicing` and organisations through
//! `farmgate_identity::read::invoicing`, and stores files through `farmgate_infra::objects`.

pub mod domain;
pub mod error;
pub mod http;
pub mod issuer;
pub mod jobs;
pub mod service;
mod store;

pub use error::InvoicingError;
pub use issuer::{EInvoiceIssuer, LocalPdfIssuer};
pub use jobs::RefundedAfterIssueJob;

use farmgate_identity::Identity;
use farmgate_infra::Infra;
use std::sync::Arc;

struct Inner {
    infra: Infra,
    identity: Identity,
    issuer: Arc<dyn EInvoiceIssuer>,
}

/// The invoicing service. Cheap to clone.
#[derive(Clone)]
pub struct Invoicing {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Invoicing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Invoicing")
            .field("issuer", &self.inner.issuer.name())
            .finish_non_exhaustive()
    }
}

impl Invoicing {
    /// Invoicing with the platform issuing invoices itself.
    pub fn new(infra: Infra, identity: Identity) -> Self {
        Self::with_issuer(infra, identity, Arc::new(LocalPdfIssuer))
    }

    /// Invoicing through another issuer (a provincial e-invoice service's adapter).
    pub fn with_issuer(infra: Infra, identity: Identity, issuer: Arc<dyn EInvoiceIssuer>) -> Self {
        Self {
            inner: Arc::new(Inner {
                infra,
                identity,
                issuer,
            }),
        }
    }

    pub fn infra(&self) -> &Infra {
        &self.inner.infra
    }

    pub fn identity(&self) -> &Identity {
        &self.inner.identity
    }

    pub fn issuer(&self) -> &Arc<dyn EInvoiceIssuer> {
        &self.inner.issuer
    }
}
