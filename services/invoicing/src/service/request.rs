//! A business buyer asks for an invoice on a paid sub-order.

use crate::Invoicing;
use crate::domain::{EventKind, InvoiceId, InvoiceRequest, InvoiceStatus};
use crate::error::{InvoicingError, Missing, Result};
use crate::service::InvoiceRecord;
use crate::store::invoice;
use crate::store::queries::{self, ACTIVE_PER_SUB_ORDER};
use farmgate_identity::Actor;
use farmgate_identity::read::invoicing::invoice_party;
use farmgate_infra::db::{begin_write, violates};
use farmgate_kernel::id::SubOrderId;
use farmgate_orders::read::invoicing::invoiceable_sub_order;
use serde_json::json;

impl Invoicing {
    /// Requests an invoice for `sub` (a member of the verified business buyer that placed the
    /// order, once it is paid). One active invoice per sub-order: a second request — even one
    /// racing this one — is told `invoice_exists`.
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id, sub_order.id = %sub))]
    pub async fn request_invoice(
        &self,
        actor: &Actor,
        sub: SubOrderId,
        req: &InvoiceRequest,
    ) -> Result<InvoiceRecord> {
        let db = &self.infra().db;
        let s = invoiceable_sub_order(db, sub)
            .await?
            .ok_or(InvoicingError::NotFound(Missing::SubOrder))?;
        let buyer_member = s
            .buyer_org
            .is_some_and(|org| actor.membership(org).is_some());
        if !buyer_member {
            // Someone else's order is not there; one's own consumer order has no invoice.
            return Err(if s.buyer == actor.account_id {
                InvoicingError::BusinessBuyersOnly
            } else {
                InvoicingError::NotFound(Missing::SubOrder)
            });
        }
        let org_id = s.buyer_org.ok_or(InvoicingError::BusinessBuyersOnly)?;
        let org = invoice_party(db, org_id)
            .await?
            .ok_or(InvoicingError::NotFound(Missing::Organisation))?;
        if !org.is_verified_business_buyer() {
            return Err(InvoicingError::BusinessBuyersOnly);
        }
        let parsed = req.parse(&org.name, &org.credit_code)?;
        if !s.paid {
            return Err(InvoicingError::NotPaid);
        }
        if s.refunded.fen() >= s.total.fen() {
            return Err(InvoicingError::NothingToInvoice);
        }
        let now = self.now();
        let id = InvoiceId::new();
        let special = parsed.special.clone();
        let model = invoice::Model {
            id: id.0,
            order_id: s.order_id.0,
            sub_order_id: s.id.0,
            active_sub_order_id: Some(s.id.0),
            sub_order_number: s.number.clone(),
            buyer_org_id: org_id.0,
            seller_org_id: s.seller.0,
            requested_by: actor.account_id.0,
            kind: parsed.kind,
            status: InvoiceStatus::Requested,
            title: parsed.title.clone(),
            tax_no: parsed.tax_no.to_string(),
            bank: special.as_ref().map(|x| x.bank.clone()),
            bank_account: special.as_ref().map(|x| x.bank_account.clone()),
            address: special.as_ref().map(|x| x.address.clone()),
            phone: special.as_ref().map(|x| x.phone.clone()),
            email: parsed.email.clone(),
            number: None,
            amount_fen: None,
            refunded_at_issue_fen: None,
            issuer: None,
            external_ref: None,
            issued_by: None,
            issued_at: None,
            pdf_key: None,
            pdf_sha256: None,
            pdf_size: None,
            reject_reason: None,
            red_needed_at: None,
            refunded_after_issue_fen: None,
            created_at: now,
            updated_at: now,
        };
        let txn = begin_write(db).await?;
        let inserted = match queries::insert(&txn, model).await {
            Ok(m) => m,
            Err(e) if violates(&e, &ACTIVE_PER_SUB_ORDER) => {
                txn.rollback().await?;
                return Err(InvoicingError::InvoiceExists);
            }
            Err(e) => return Err(e.into()),
        };
        queries::add_event(
            &txn,
            id,
            EventKind::Requested,
            Some(actor.account_id),
            json!({"kind": parsed.kind, "title": parsed.title, "tax_no": parsed.tax_no}),
            now,
        )
        .await?;
        txn.commit().await?;
        tracing::info!(invoice.id = %id, "invoice requested");
        self.record(inserted).await
    }
}
