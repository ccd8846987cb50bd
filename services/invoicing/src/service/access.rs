//! Who sees and does what with an invoice: the buyer organisation's members (request, see,
//! download), the seller organisation's members (see, issue, reject), platform finance (see
//! everything; issue and reject for the platform's own store) and the operator (see). Everyone
//! else is told the invoice does not exist.

use crate::error::{InvoicingError, Missing, Result};
use crate::store::invoice;
use farmgate_identity::Actor;
use farmgate_kernel::id::OrgId;

/// The caller's side of an invoice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Buyer,
    Seller,
    /// Platform finance or the operator.
    Platform,
}

/// The caller's side of an invoice; `None`: a stranger to it.
pub fn side_on(actor: &Actor, inv: &invoice::Model) -> Option<Side> {
    if actor.membership(OrgId(inv.seller_org_id)).is_some() {
        Some(Side::Seller)
    } else if actor.membership(OrgId(inv.buyer_org_id)).is_some() {
        Some(Side::Buyer)
    } else if actor.is_finance() || actor.is_operator() {
        Some(Side::Platform)
    } else {
        None
    }
}

/// The caller's side, or not found for strangers.
pub fn require_side(actor: &Actor, inv: &invoice::Model) -> Result<Side> {
    side_on(actor, inv).ok_or(InvoicingError::NotFound(Missing::Invoice))
}

/// May the caller issue or reject it: a member of the seller, or platform finance when the
/// seller is the platform's own store.
pub fn may_issue(actor: &Actor, inv: &invoice::Model, seller_is_platform_store: bool) -> bool {
    actor.membership(OrgId(inv.seller_org_id)).is_some()
        || (seller_is_platform_store && actor.is_finance())
}
