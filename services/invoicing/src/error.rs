//! Invoicing errors: one variant per stable code a client matches, its zh-CN and English text,
//! and how it looks over HTTP.

use crate::domain::InvoiceStatus;
use axum::http::StatusCode;
use farmgate_identity::IdentityError;
use farmgate_infra::http::{Answer, HttpCode};
use farmgate_infra::objects::ObjectError;
use farmgate_kernel::{FieldError, ValidationErrors, labelled_enum};
use sea_orm::DbErr;

labelled_enum!(
    /// What a request named that does not exist (or that the caller may not know exists).
    Missing {
        Order => "order", "订单", "order";
        SubOrder => "sub_order", "子订单", "sub-order";
        Invoice => "invoice", "发票", "invoice";
        Organisation => "organisation", "组织", "organisation";
    }
);

#[derive(Debug, thiserror::Error)]
#[cfg_attr(test, derive(strum::EnumDiscriminants))]
#[cfg_attr(test, strum_discriminants(derive(strum::EnumIter, Hash)))]
pub enum InvoicingError {
    /// `validation_failed`: field errors.
    #[error("invalid input: {0}")]
    Invalid(#[from] ValidationErrors),
    /// `not_found`.
    #[error("{} not found", .0.label_en())]
    NotFound(Missing),
    /// `forbidden`.
    #[error("not allowed")]
    Forbidden,
    /// `business_buyers_only`: the order was not placed for a verified business buyer the
    /// caller is a member of.
    #[error("invoices are for business buyers")]
    BusinessBuyersOnly,
    /// `not_paid`: an invoice is requested once the sub-order is paid.
    #[error("the sub-order is not paid")]
    NotPaid,
    /// `invoice_exists`: the sub-order has an invoice requested or issued already.
    #[error("an invoice is requested or issued for this sub-order already")]
    InvoiceExists,
    /// `not_requested`: only a requested invoice is issued or rejected.
    #[error("the invoice is {}", .0.label_en())]
    NotRequested(InvoiceStatus),
    /// `nothing_to_invoice`: refunded in full.
    #[error("nothing left to invoice")]
    NothingToInvoice,
    /// `invoice_file_altered`: the stored file is not the one issued.
    #[error("the stored invoice file does not match its SHA-256")]
    FileAltered,
    /// `issuer_unavailable`: the e-invoice service could not issue it now.
    #[error("the e-invoice service is unavailable: {0}")]
    IssuerUnavailable(String),
    #[error(transparent)]
    Identity(#[from] IdentityError),
    #[error("object store")]
    Objects(#[from] ObjectError),
    #[error("database")]
    Db(#[from] DbErr),
    #[error("internal: {0}")]
    Internal(String),
}

impl InvoicingError {
    /// Status, code and message: the one list of this crate's answers.
    fn answer(&self) -> Answer {
        match self {
            Self::Invalid(_) => HttpCode::ValidationFailed.into(),
            Self::NotFound(what) => Answer::not_found(what.label()),
            Self::Forbidden => HttpCode::Forbidden.into(),
            Self::BusinessBuyersOnly => Answer::new(
                StatusCode::FORBIDDEN,
                "business_buyers_only",
                "仅已认证采购商的成员可为本单位的订单申请发票",
                "invoices are requested by members of the verified business buyer that placed the order",
            ),
            Self::NotPaid => Answer::conflict(
                "not_paid",
                "订单付款后才能申请发票",
                "an invoice can be requested once the order is paid",
            ),
            Self::InvoiceExists => Answer::conflict(
                "invoice_exists",
                "该子订单已申请或已开具发票",
                "an invoice is already requested or issued for this sub-order",
            ),
            Self::NotRequested(status) => Answer::conflict(
                "not_requested",
                format!("发票当前状态为“{}”，不能再开具或拒绝", status.label_zh()),
                format!(
                    "the invoice is {}; only a requested invoice is issued or rejected",
                    status.label_en()
                ),
            ),
            Self::NothingToInvoice => Answer::conflict(
                "nothing_to_invoice",
                "该子订单已全额退款，无可开票金额",
                "the sub-order is refunded in full; there is nothing to invoice",
            ),
            Self::FileAltered => Answer::conflict(
                "invoice_file_altered",
                "存储的发票文件与开具时记录的 SHA-256 不一致，已拒绝下载并记录，请联系平台",
                "the stored invoice file does not match the SHA-256 recorded at issue; the download is refused and the platform has been alerted",
            ),
            Self::IssuerUnavailable(_) => Answer::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "issuer_unavailable",
                "电子发票服务暂时不可用，请稍后再开具",
                "the e-invoice service is unavailable; try issuing again later",
            ),
            Self::Identity(_) | Self::Objects(_) | Self::Db(_) | Self::Internal(_) => {
                HttpCode::Internal.into()
            }
        }
    }

    /// One value of every variant, for the catalogue test and the documentation.
    pub fn examples() -> Vec<Self> {
        vec![
            Self::Invalid(FieldError::new("tax_no", "required", "请填写", "required").into()),
            Self::NotFound(Missing::Invoice),
            Self::Forbidden,
            Self::BusinessBuyersOnly,
            Self::NotPaid,
            Self::InvoiceExists,
            Self::NotRequested(InvoiceStatus::Issued),
            Self::NothingToInvoice,
            Self::FileAltered,
            Self::IssuerUnavailable("example".to_owned()),
            Self::Identity(IdentityError::Forbidden),
            Self::Objects(ObjectError::InvalidKey("example".to_owned())),
            Self::Db(DbErr::Custom("example".to_owned())),
            Self::Internal("example".to_owned()),
        ]
    }
}

impl From<FieldError> for InvoicingError {
    fn from(e: FieldError) -> Self {
        Self::Invalid(e.into())
    }
}

farmgate_infra::room_error_answers!(InvoicingError {
    delegates: [Identity],
    internal: [Objects, Db, Internal],
});

pub type Result<T, E = InvoicingError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;
    use farmgate_infra::http::ApiError;

    farmgate_infra::error_catalogue_tests!(InvoicingError, InvoicingErrorDiscriminants);

    #[test]
    fn a_tampered_file_is_refused_in_words_the_buyer_understands() {
        let a = ApiError::from(InvoicingError::FileAltered);
        assert_eq!(a.status.as_u16(), 409);
        assert_eq!(a.code, "invoice_file_altered");
        assert!(a.message.zh.contains("SHA-256"));
    }
}
