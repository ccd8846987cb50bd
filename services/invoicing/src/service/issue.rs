//! The seller (or platform finance, for the platform's own store) issues a requested invoice:
//! for what was paid less what is refunded now, through the configured issuer, its PDF stored
//! with its SHA-256.
//!
//! Two clicks at once make one invoice: the request that moves it `requested` → `issuing` (a
//! conditional update) issues it; the other is told it is being issued. If the issuer fails,
//! the invoice goes back to `requested`. If the process dies in between, an invoice left
//! `issuing` for [`STUCK_AFTER`] is picked up again by the next issue request, with the number
//! and amount it was claimed with.

use super::access::{may_issue, require_side};
use crate::Invoicing;
use crate::domain::document::{DocumentLine, InvoiceDocument};
use crate::domain::{EventKind, InvoiceId, InvoiceStatus, SpecialDetails};
use crate::error::{InvoicingError, Missing, Result};
use crate::issuer::IssueStatus;
use crate::service::InvoiceRecord;
use crate::store::invoice;
use crate::store::queries::{self, Claim, Issued, NUMBER};
use chrono::{DateTime, Duration, Utc};
use farmgate_identity::Actor;
use farmgate_identity::read::invoicing::invoice_party;
use farmgate_infra::db::{begin_write, violates};
use farmgate_infra::objects::ObjectKey;
use farmgate_kernel::clock::shanghai;
use farmgate_kernel::id::{OrgId, SubOrderId};
use farmgate_orders::read::invoicing::{InvoiceableSubOrder, invoiceable_sub_order};
use serde_json::json;

/// How long an invoice may stay `issuing` before another issue request takes it over.
pub const STUCK_AFTER: Duration = Duration::minutes(2);

/// A new invoice number: the day in China and twelve random digits (20 digits, as the tax
/// authority's fully digitised invoices have; a provincial service replaces it with its own).
fn new_number(at: DateTime<Utc>) -> String {
    let day = at.with_timezone(&shanghai()).format("%Y%m%d");
    let r = u128::from_be_bytes(uuid::Uuid::new_v4().into_bytes()) % 1_000_000_000_000;
    format!("{day}{r:012}")
}

fn lines_of(s: &InvoiceableSubOrder) -> Vec<DocumentLine> {
    s.lines
        .iter()
        .map(|l| DocumentLine {
            name: l.title.clone(),
            spec: l.sku_name.clone(),
            unit: l.unit.clone(),
            quantity: Some(l.quantity),
            unit_price_fen: Some(l.unit_price.fen()),
            amount_fen: l.amount.fen(),
        })
        .collect()
}

impl Invoicing {
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id, invoice.id = %id))]
    pub async fn issue_invoice(&self, actor: &Actor, id: InvoiceId) -> Result<InvoiceRecord> {
        let db = &self.infra().db;
        let inv = queries::by_id(db, id)
            .await?
            .ok_or(InvoicingError::NotFound(Missing::Invoice))?;
        require_side(actor, &inv)?;
        let seller = invoice_party(db, OrgId(inv.seller_org_id))
            .await?
            .ok_or(InvoicingError::NotFound(Missing::Organisation))?;
        if !may_issue(actor, &inv, seller.is_platform_store()) {
            return Err(InvoicingError::Forbidden);
        }
        let now = self.now();
        let stuck = inv.status == InvoiceStatus::Issuing && inv.updated_at + STUCK_AFTER < now;
        if inv.status != InvoiceStatus::Requested && !stuck {
            return Err(InvoicingError::NotRequested(inv.status));
        }
        let sub = invoiceable_sub_order(db, SubOrderId(inv.sub_order_id))
            .await?
            .ok_or(InvoicingError::NotFound(Missing::SubOrder))?;
        let claimed = if stuck {
            inv.clone()
        } else {
            self.claim(actor, &inv, &sub, now).await?
        };
        let refunded = claimed.refunded_at_issue_fen.unwrap_or(0);
        let (lines, total) =
            InvoiceDocument::lines_for(lines_of(&sub), sub.shipping.fen(), refunded);
        let doc = InvoiceDocument {
            number: claimed.number.clone().unwrap_or_default(),
            kind: claimed.kind,
            issued_at: claimed.issued_at.unwrap_or(now),
            seller_name: seller.name.clone(),
            seller_tax_no: seller.credit_code.clone(),
            buyer_title: claimed.title.clone(),
            buyer_tax_no: claimed.tax_no.clone(),
            special: special_of(&claimed),
            lines,
            total_fen: total,
            sub_order_number: claimed.sub_order_number.clone(),
            issuer_name: actor.display_name.clone(),
        };
        if Some(total) != claimed.amount_fen {
            // The lines are the sub-order's as bought; they always add up to what was paid.
            queries::release_claim(db, id, now).await?;
            return Err(InvoicingError::Internal(format!(
                "invoice {id}: lines add up to {total}, claimed {:?}",
                claimed.amount_fen
            )));
        }
        let submission = match self.issuer().submit(&doc).await {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(error = %e, "the issuer failed; the invoice is requested again");
                queries::release_claim(db, id, self.now()).await?;
                return Err(InvoicingError::IssuerUnavailable(e.to_string()));
            }
        };
        match (&submission.status, submission.pdf) {
            (IssueStatus::Issued { number }, Some(pdf)) => {
                let key = ObjectKey::parse(&format!("invoices/{id}/{number}.pdf"))?;
                let stored = match self.infra().objects.put(&key, pdf, "application/pdf").await {
                    Ok(stored) => stored,
                    Err(e) => {
                        // Nothing was issued as far as anyone can see: it may be issued again.
                        queries::release_claim(db, id, self.now()).await?;
                        return Err(e.into());
                    }
                };
                let at = self.now();
                let txn = begin_write(db).await?;
                let finished = queries::finish_issue(
                    &txn,
                    id,
                    &Issued {
                        number: number.clone(),
                        external_ref: submission.external_ref.clone(),
                        pdf_key: key.to_string(),
                        pdf_sha256: stored.sha256.clone(),
                        pdf_size: i64::try_from(stored.size).unwrap_or(i64::MAX),
                        at,
                    },
                )
                .await?;
                if !finished {
                    return Err(InvoicingError::NotRequested(InvoiceStatus::Issued));
                }
                queries::add_event(
                    &txn,
                    id,
                    EventKind::Issued,
                    Some(actor.account_id),
                    json!({"number": number, "amount_fen": total, "sha256": stored.sha256, "issuer": self.issuer().name()}),
                    at,
                )
                .await?;
                txn.commit().await?;
                tracing::info!(invoice.number = %number, amount_fen = total, "invoice issued");
            }
            (IssueStatus::Failed { reason }, _) => {
                queries::release_claim(db, id, self.now()).await?;
                return Err(InvoicingError::IssuerUnavailable(reason.clone()));
            }
            // Pending at a provincial service (or issued without a file yet): it stays
            // `issuing` until the service answers; see the README.
            _ => {
                tracing::info!(external_ref = %submission.external_ref, "invoice submitted, pending at the issuer");
            }
        }
        self.invoice(actor, id).await
    }

    /// `requested` → `issuing` with a fresh number and the amount due now.
    async fn claim(
        &self,
        actor: &Actor,
        inv: &invoice::Model,
        sub: &InvoiceableSubOrder,
        now: DateTime<Utc>,
    ) -> Result<invoice::Model> {
        let db = &self.infra().db;
        let id = InvoiceId(inv.id);
        let amount = sub.total.fen() - sub.refunded.fen();
        if amount <= 0 {
            return Err(InvoicingError::NothingToInvoice);
        }
        for _ in 0..3 {
            let c = Claim {
                number: new_number(now),
                amount_fen: amount,
                refunded_at_issue_fen: sub.refunded.fen(),
                issuer: self.issuer().name(),
                issued_by: actor.account_id,
                at: now,
            };
            match queries::claim_for_issue(db, id, &c).await {
                Ok(true) => {
                    return queries::by_id(db, id)
                        .await?
                        .ok_or(InvoicingError::NotFound(Missing::Invoice));
                }
                Ok(false) => {
                    let status = queries::by_id(db, id)
                        .await?
                        .map_or(InvoiceStatus::Rejected, |i| i.status);
                    return Err(InvoicingError::NotRequested(status));
                }
                Err(e) if violates(&e, &NUMBER) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(InvoicingError::Internal(
            "three invoice numbers in a row were taken".to_owned(),
        ))
    }
}

/// The special invoice's buyer details, as recorded.
pub(super) fn special_of(inv: &invoice::Model) -> Option<SpecialDetails> {
    match (&inv.bank, &inv.bank_account, &inv.address, &inv.phone) {
        (Some(bank), Some(acc), Some(address), Some(phone)) => Some(SpecialDetails {
            bank: bank.clone(),
            bank_account: acc.clone(),
            address: address.clone(),
            phone: phone.clone(),
        }),
        _ => None,
    }
}
