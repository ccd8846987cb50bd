//! What the invoice endpoints answer with. The buyer's bank account and phone are shown to
//! the two parties (the seller prints them on a special invoice) and masked for platform staff.

use crate::domain::{EventKind, InvoiceKind, InvoiceStatus};
use crate::service::{InvoiceRecord, OrderInvoices, Side};
use chrono::{DateTime, Utc};
use farmgate_identity::Actor;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// The stored PDF: where to download it, and the SHA-256 it was issued with (every download is
/// checked against it).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PdfView {
    pub url: String,
    /// Lower-case hex SHA-256 of the file as issued.
    pub sha256: String,
    pub size: i64,
}

/// What the caller may do with the invoice now.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct InvoiceCan {
    pub issue: bool,
    pub reject: bool,
    pub download: bool,
}

/// One step of the invoice's history.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct InvoiceEventView {
    pub kind: EventKind,
    pub at: DateTime<Utc>,
}

/// An invoice.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct InvoiceView {
    pub id: Uuid,
    pub order_id: Uuid,
    pub sub_order_id: Uuid,
    pub sub_order_number: String,
    pub seller_org_id: Uuid,
    pub seller_name: String,
    pub buyer_org_id: Uuid,
    pub kind: InvoiceKind,
    pub status: InvoiceStatus,
    /// The invoice title (抬头).
    pub title: String,
    /// The buyer's tax number: its unified social credit code.
    pub tax_no: String,
    pub bank: Option<String>,
    /// Masked (last four digits) for platform staff.
    pub bank_account: Option<String>,
    pub address: Option<String>,
    /// Masked for platform staff.
    pub phone: Option<String>,
    /// Shown to the two parties only.
    pub email: Option<String>,
    pub requested_at: DateTime<Utc>,
    /// The invoice number, once issued.
    pub number: Option<String>,
    /// What it is issued for, in fen: paid less refunded at issue time.
    pub amount: Option<i64>,
    /// Refunded before issue (a discount line on the invoice), in fen.
    pub refunded_at_issue: Option<i64>,
    pub issued_at: Option<DateTime<Utc>>,
    /// Who issued it: `local` (the platform) or a provincial e-invoice service's adapter.
    pub issuer: Option<String>,
    pub pdf: Option<PdfView>,
    pub reject_reason: Option<String>,
    /// A refund came after issue: the invoice needs a red (红冲) reversal.
    pub red_needed: bool,
    pub red_needed_at: Option<DateTime<Utc>>,
    /// Refunded since issue, in fen (what the red reversal covers).
    pub refunded_after_issue: Option<i64>,
    pub can: InvoiceCan,
    pub events: Vec<InvoiceEventView>,
}

fn mask_tail(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let keep = chars.len().min(4);
    let tail: String = chars[chars.len() - keep..].iter().collect();
    format!("****{tail}")
}

impl InvoiceView {
    pub fn of(r: &InvoiceRecord, actor: &Actor) -> Self {
        let i = &r.invoice;
        let side = r.side(actor);
        let party = side != Side::Platform;
        let issued = i.status == InvoiceStatus::Issued;
        let can_issue = r.can_issue(actor);
        Self {
            id: i.id,
            order_id: i.order_id,
            sub_order_id: i.sub_order_id,
            sub_order_number: i.sub_order_number.clone(),
            seller_org_id: i.seller_org_id,
            seller_name: r.seller_name.clone(),
            buyer_org_id: i.buyer_org_id,
            kind: i.kind,
            status: i.status,
            title: i.title.clone(),
            tax_no: i.tax_no.clone(),
            bank: i.bank.clone(),
            bank_account: i
                .bank_account
                .as_deref()
                .map(|a| if party { a.to_owned() } else { mask_tail(a) }),
            address: i.address.clone(),
            phone: i
                .phone
                .as_deref()
                .map(|p| if party { p.to_owned() } else { mask_tail(p) }),
            email: if party { i.email.clone() } else { None },
            requested_at: i.created_at,
            number: i.number.clone(),
            amount: i.amount_fen,
            refunded_at_issue: i.refunded_at_issue_fen,
            issued_at: i.issued_at,
            issuer: i.issuer.clone(),
            pdf: match (issued, &i.pdf_sha256) {
                (true, Some(sha)) => Some(PdfView {
                    url: format!("/api/v1/invoices/{}/pdf", i.id),
                    sha256: sha.clone(),
                    size: i.pdf_size.unwrap_or(0),
                }),
                _ => None,
            },
            reject_reason: i.reject_reason.clone(),
            red_needed: i.red_needed_at.is_some(),
            red_needed_at: i.red_needed_at,
            refunded_after_issue: i.refunded_after_issue_fen,
            can: InvoiceCan {
                issue: can_issue,
                reject: can_issue,
                download: issued && i.pdf_sha256.is_some(),
            },
            events: r
                .events
                .iter()
                .map(|e| InvoiceEventView {
                    kind: e.kind,
                    at: e.at,
                })
                .collect(),
        }
    }
}

/// What a new request defaults to: the organisation's name and credit code.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct TitleDefaultsView {
    pub title: String,
    pub tax_no: String,
}

/// An order's invoices as the caller sees them.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct OrderInvoicesView {
    /// Present when the caller may request invoices on this order (a member of its verified
    /// business buyer): what the title and tax number default to.
    pub defaults: Option<TitleDefaultsView>,
    pub invoices: Vec<InvoiceView>,
}

impl OrderInvoicesView {
    pub fn of(o: &OrderInvoices, actor: &Actor) -> Self {
        Self {
            defaults: o.defaults.as_ref().map(|d| TitleDefaultsView {
                title: d.title.clone(),
                tax_no: d.tax_no.clone(),
            }),
            invoices: o
                .invoices
                .iter()
                .map(|r| InvoiceView::of(r, actor))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masking_keeps_the_last_four() {
        assert_eq!(mask_tail("6228480012345678901"), "****8901");
        assert_eq!(mask_tail("12"), "****12");
    }
}
