//! Invoice rules as plain types and functions: the kinds and states, what a request must
//! carry (and the parsing that refuses anything else), the invoice document and its PDF,
//! amounts in capital numerals. No axum, no sea-orm.
//!
//! ```text
//!   request ──► requested ──issue──► issuing ──stored──► issued ──refund──► (red reversal due)
//!                   │                   │
//!                   └──reject──► rejected (a new request may follow)
//! ```
//! `issuing` is held while the document is made and stored; the request that moved the
//! invoice there finishes it, so two issue clicks make one invoice.

pub mod capital;
pub mod document;
pub mod pdf;
mod request;

pub use request::{InvoiceRequest, ParsedRequest, SpecialDetails, parse_email, parse_reason};

use farmgate_kernel::labelled_enum;

farmgate_kernel::define_id!(
    /// An invoice (one request for one sub-order, and what was issued for it).
    InvoiceId
);

labelled_enum!(
    /// What kind of invoice the buyer asks for (ordinary unless asked otherwise).
    #[derive(Default)]
    InvoiceKind {
        /// 普通发票: title and tax number.
        #[default]
        Normal => "normal", "普通发票", "ordinary invoice";
        /// 专用发票: also the buyer's bank, account, address and phone (input VAT is deducted
        /// with it).
        Special => "special", "专用发票", "special VAT invoice";
    }
);

labelled_enum!(
    /// Where an invoice stands.
    InvoiceStatus {
        Requested => "requested", "待开具", "requested";
        Issuing => "issuing", "开具中", "being issued";
        Issued => "issued", "已开具", "issued";
        Rejected => "rejected", "已拒绝", "rejected";
    }
);

impl InvoiceStatus {
    /// Requested, being issued or issued: holds the sub-order's one active invoice.
    pub fn is_active(self) -> bool {
        !matches!(self, InvoiceStatus::Rejected)
    }
}

labelled_enum!(
    /// What happened to an invoice (its history, `invoice_events`).
    #[schema(as = InvoiceEventKind)]
    EventKind {
        Requested => "requested", "申请开票", "requested";
        Issued => "issued", "已开具", "issued";
        Rejected => "rejected", "拒绝开票", "rejected";
        RedNeeded => "red_needed", "需红冲", "red reversal needed";
        TamperDetected => "tamper_detected", "文件校验不符", "stored file altered";
    }
);
