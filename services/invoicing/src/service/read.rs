//! Reading invoices: one invoice, an order's invoices (the order page, with the title and tax
//! number a new request defaults to), a seller's queue, and every seller's for platform staff.

use super::access::{Side, may_issue, require_side, side_on};
use crate::Invoicing;
use crate::domain::{InvoiceId, InvoiceStatus};
use crate::error::{InvoicingError, Missing, Result};
use crate::store::{event, invoice, queries};
use farmgate_identity::Actor;
use farmgate_identity::read::invoicing::invoice_party;
use farmgate_kernel::id::{OrderId, OrgId};
use farmgate_kernel::{Page, Paged};
use farmgate_orders::read::invoicing::order_parties;
use std::collections::HashMap;

/// An invoice with what its views show beside it.
#[derive(Clone, Debug)]
pub struct InvoiceRecord {
    pub invoice: invoice::Model,
    pub seller_name: String,
    /// The seller is the platform's own store (platform finance issues its invoices).
    pub seller_is_platform_store: bool,
    pub events: Vec<event::Model>,
}

/// What a new request on this order defaults to: the buyer organisation's name and code.
#[derive(Clone, Debug)]
pub struct TitleDefaults {
    pub title: String,
    pub tax_no: String,
}

/// An order's invoices as the caller may see them.
#[derive(Clone, Debug)]
pub struct OrderInvoices {
    /// Present when the caller may request invoices on this order.
    pub defaults: Option<TitleDefaults>,
    pub invoices: Vec<InvoiceRecord>,
}

impl Invoicing {
    /// Adds the seller's name, kind and the history to an invoice.
    pub(crate) async fn record(&self, inv: invoice::Model) -> Result<InvoiceRecord> {
        let db = &self.infra().db;
        let seller = invoice_party(db, OrgId(inv.seller_org_id)).await?;
        let events = queries::events(db, InvoiceId(inv.id)).await?;
        Ok(InvoiceRecord {
            seller_name: seller.as_ref().map(|s| s.name.clone()).unwrap_or_default(),
            seller_is_platform_store: seller.is_some_and(|s| s.is_platform_store()),
            events,
            invoice: inv,
        })
    }

    /// One invoice, for its parties and platform finance or the operator.
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id, invoice.id = %id))]
    pub async fn invoice(&self, actor: &Actor, id: InvoiceId) -> Result<InvoiceRecord> {
        let inv = queries::by_id(&self.infra().db, id)
            .await?
            .ok_or(InvoicingError::NotFound(Missing::Invoice))?;
        require_side(actor, &inv)?;
        self.record(inv).await
    }

    /// An order's invoices: the buyer's members see all of them, a seller's members their own
    /// sub-orders', platform finance and the operator all. Strangers: not found.
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id, order.id = %order))]
    pub async fn order_invoices(&self, actor: &Actor, order: OrderId) -> Result<OrderInvoices> {
        let db = &self.infra().db;
        let parties = order_parties(db, order)
            .await?
            .ok_or(InvoicingError::NotFound(Missing::Order))?;
        let buyer_member = parties
            .buyer_org
            .is_some_and(|o| actor.membership(o).is_some());
        let seller_member = parties
            .sellers
            .iter()
            .any(|(_, o)| actor.membership(*o).is_some());
        let platform = actor.is_finance() || actor.is_operator();
        if !(buyer_member || seller_member || platform || parties.buyer == actor.account_id) {
            return Err(InvoicingError::NotFound(Missing::Order));
        }
        let mut defaults = None;
        if buyer_member && let Some(org) = parties.buyer_org {
            let party = invoice_party(db, org).await?;
            defaults = party
                .filter(|p| p.is_verified_business_buyer())
                .map(|p| TitleDefaults {
                    title: p.name,
                    tax_no: p.credit_code,
                });
        }
        let mut invoices = Vec::new();
        for inv in queries::of_order(db, order).await? {
            if side_on(actor, &inv).is_some() {
                invoices.push(self.record(inv).await?);
            }
        }
        Ok(OrderInvoices { defaults, invoices })
    }

    /// A seller's invoices, newest first (its members; platform finance and the operator).
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id, org.id = %org))]
    pub async fn seller_invoices(
        &self,
        actor: &Actor,
        org: OrgId,
        status: Option<InvoiceStatus>,
        page: Page,
    ) -> Result<Paged<InvoiceRecord>> {
        if actor.membership(org).is_none() && !actor.is_finance() && !actor.is_operator() {
            return Err(InvoicingError::Forbidden);
        }
        let list = queries::of_seller(&self.infra().db, org, status, page).await?;
        self.records_of(list).await
    }

    /// Every seller's invoices, newest first, or one seller's (`org`): platform finance (who
    /// issues the platform's own store's, not being its members) and the operator.
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id))]
    pub async fn platform_invoices(
        &self,
        actor: &Actor,
        org: Option<OrgId>,
        status: Option<InvoiceStatus>,
        page: Page,
    ) -> Result<Paged<InvoiceRecord>> {
        if !actor.is_finance() && !actor.is_operator() {
            return Err(InvoicingError::Forbidden);
        }
        let list = queries::listed(&self.infra().db, org, status, page).await?;
        self.records_of(list).await
    }

    /// A page of invoices with their sellers' names and histories.
    async fn records_of(&self, list: Paged<invoice::Model>) -> Result<Paged<InvoiceRecord>> {
        let db = &self.infra().db;
        let mut items = Vec::with_capacity(list.items.len());
        let mut names: HashMap<OrgId, Option<(String, bool)>> = HashMap::new();
        for inv in list.items {
            let seller = OrgId(inv.seller_org_id);
            if let std::collections::hash_map::Entry::Vacant(slot) = names.entry(seller) {
                let p = invoice_party(db, seller).await?;
                slot.insert(p.map(|p| (p.name.clone(), p.is_platform_store())));
            }
            let (seller_name, store) = names.get(&seller).cloned().flatten().unwrap_or_default();
            let events = queries::events(db, InvoiceId(inv.id)).await?;
            items.push(InvoiceRecord {
                invoice: inv,
                seller_name,
                seller_is_platform_store: store,
                events,
            });
        }
        Ok(Paged {
            items,
            total: list.total,
            limit: list.limit,
            offset: list.offset,
        })
    }
}

impl InvoiceRecord {
    /// The caller's side (strangers never get a record).
    pub fn side(&self, actor: &Actor) -> Side {
        side_on(actor, &self.invoice).unwrap_or(Side::Platform)
    }

    /// May the caller issue or reject it now?
    pub fn can_issue(&self, actor: &Actor) -> bool {
        self.invoice.status == InvoiceStatus::Requested
            && may_issue(actor, &self.invoice, self.seller_is_platform_store)
    }
}
