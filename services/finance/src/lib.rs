//! Finance (平台财务): sellers' settlement bank accounts and their payouts.
//!
//! A seller's owner registers the organisation's settlement account; platform finance verifies
//! or rejects it; a change needs a code sent to the owner's phone and makes the account pending
//! again, which holds the seller's payouts until finance has verified it anew. Finance makes a
//! payout batch for a period: every seller with a verified account gets one payout of all its
//! sub-orders whose after-sales window has closed and that no active payout holds; the others
//! are reported as held. The batch is exported for the bank (CSV, XLSX) and each payout is
//! marked paid with the bank's reference, or failed (its sub-orders are payable again).
//!
//! It owns the tables `seller_bank_accounts`, `seller_bank_account_changes`,
//! `payout_batches`, `payouts` and `payout_lines` (`store`, private). It reads orders through
//! `farmgate_orders::read::payouts` (which sub-orders are payable, for how much: the
//! settlement statement's own line) and asks identity who is acting, organisation names, and
//! to prove the owner's phone — never their tables.

pub mod domain;
pub mod error;
pub mod export;
pub mod http;
pub mod jobs;
pub mod read;
pub mod service;
mod store;

pub use error::FinanceError;
pub use jobs::RefundAfterPayoutJob;

use farmgate_identity::Identity;
use farmgate_infra::Infra;
use std::sync::Arc;

struct Inner {
    infra: Infra,
    identity: Identity,
}

/// The finance service. Cheap to clone.
#[derive(Clone)]
pub struct Finance {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Finance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Finance").finish_non_exhaustive()
    }
}

impl Finance {
    pub fn new(infra: Infra, identity: Identity) -> Self {
        Self {
            inner: Arc::new(Inner { infra, identity }),
        }
    }

    pub fn infra(&self) -> &Infra {
        &self.inner.infra
    }

    pub fn identity(&self) -> &Identity {
        &self.inner.identity
    }
}
