//! After-sales errors: one variant per stable code a client matches, its zh-CN and English text,
//! and how it looks over HTTP.

use crate::domain::IllegalMove;
use chrono::{DateTime, Utc};
use farmgate_catalog::CatalogError;
use farmgate_identity::IdentityError;
use farmgate_infra::http::{Answer, HttpCode};
use farmgate_infra::objects::ObjectError;
use farmgate_kernel::{FieldError, ValidationErrors, labelled_enum};
use farmgate_orders::OrdersError;
use farmgate_trace::TraceError;
use sea_orm::DbErr;

labelled_enum!(
    /// What a request named that does not exist (or that the caller may not know exists).
    Missing {
        SubOrder => "sub_order", "子订单", "sub-order";
        Claim => "claim", "售后申请", "claim";
        Photo => "photo", "照片", "photo";
        Batch => "batch", "批次", "batch";
        Recall => "recall", "召回", "recall";
        RecallNotice => "recall_notice", "召回通知", "recall notice";
        Recourse => "recourse", "承运商追偿", "carrier recourse";
    }
);

#[derive(Debug, thiserror::Error)]
#[cfg_attr(test, derive(strum::EnumDiscriminants))]
#[cfg_attr(test, strum_discriminants(derive(strum::EnumIter, Hash)))]
pub enum AftersalesError {
    /// `validation_failed`: field errors.
    #[error("invalid input: {0}")]
    Invalid(#[from] ValidationErrors),
    /// `not_found`.
    #[error("{} not found", .0.label_en())]
    NotFound(Missing),
    /// `forbidden`.
    #[error("not allowed")]
    Forbidden,
    /// `too_many_photos`: an account holds too many photos no claim uses yet.
    #[error("too many unused photos")]
    TooManyPhotos,
    /// `not_received`: a claim is filed once the parcel is received.
    #[error("the sub-order is not received")]
    NotReceived,
    /// `not_shipped`: a claim before receipt needs a parcel on its way.
    #[error("the sub-order has not shipped")]
    NotShipped,
    /// `already_received`: "not received" or "lost" on a parcel the buyer received.
    #[error("the parcel was received")]
    AlreadyReceived,
    /// `too_early`: tracking moved recently and the parcel is not overdue; "not received" may
    /// be claimed from `from`.
    #[error("not received may be claimed from {from}")]
    TooEarly { from: DateTime<Utc> },
    /// `not_reported_lost`: "lost" needs the carrier's report.
    #[error("the carrier has not reported the parcel lost")]
    NotReportedLost,
    /// `claim_open`: a "not received" or "lost" claim on this parcel is being handled.
    #[error("a claim before receipt is open")]
    ClaimOpen,
    /// `window_closed`: the after-sales window of the parcel closed at `closes`.
    #[error("the after-sales window closed at {closes}")]
    WindowClosed { closes: DateTime<Utc> },
    /// `nothing_to_refund`: the sub-order is refunded in full already.
    #[error("nothing left to refund")]
    NothingToRefund,
    /// `not_your_turn`: the claim is not waiting for this person (or this move).
    #[error("not your turn")]
    NotYourTurn,
    /// `already_decided`: settled; the platform's decision is final.
    #[error("already decided")]
    AlreadyDecided,
    /// `not_resolved`: the handling is rated once the claim is resolved.
    #[error("not resolved")]
    NotResolved,
    /// `already_rated`.
    #[error("already rated")]
    AlreadyRated,
    /// `concurrent_update`: another request is recalling the same batch right now.
    #[error("the batch is being recalled")]
    RecallInProgress,
    /// `recourse_closed`: collected in full or written off; nothing more to do.
    #[error("the recourse is closed")]
    RecourseClosed,
    /// `reference_used`: a collection with this reference, but another amount or day, is
    /// recorded on the recourse already.
    #[error("the reference is used")]
    ReferenceUsed,
    #[error(transparent)]
    Identity(#[from] IdentityError),
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error(transparent)]
    Orders(#[from] OrdersError),
    #[error(transparent)]
    Trace(#[from] TraceError),
    #[error("object store")]
    Objects(#[from] ObjectError),
    #[error("database")]
    Db(#[from] DbErr),
    #[error("internal: {0}")]
    Internal(String),
}

impl AftersalesError {
    /// Status, code and message: the one list of this crate's answers.
    fn answer(&self) -> Answer {
        match self {
            Self::Invalid(_) => HttpCode::ValidationFailed.into(),
            Self::NotFound(what) => Answer::not_found(what.label()),
            Self::Forbidden => HttpCode::Forbidden.into(),
            Self::TooManyPhotos => Answer::conflict(
                "too_many_photos",
                "未使用的照片太多，请先提交售后申请",
                "too many photos not yet used in a claim",
            ),
            Self::NotReceived => Answer::conflict(
                "not_received",
                "确认收货后才能申请售后",
                "a claim can be filed once the parcel is received",
            ),
            Self::NotShipped => Answer::conflict(
                "not_shipped",
                "商品尚未发货，可申请取消订单",
                "nothing has shipped yet; cancel the order instead",
            ),
            Self::AlreadyReceived => Answer::conflict(
                "already_received",
                "包裹已确认收货，请按实际问题申请售后",
                "the parcel was received; claim what is wrong with it instead",
            ),
            Self::TooEarly { from } => Answer::conflict(
                "too_early",
                format!(
                    "物流近期仍有更新，{} 后仍未收到可申请",
                    farmgate_kernel::clock::format_shanghai(*from)
                ),
                "tracking moved recently; if the parcel has not come by then, claim it later",
            ),
            Self::NotReportedLost => Answer::conflict(
                "not_reported_lost",
                "承运商未报告丢件，请选择“未收到货”",
                "the carrier has not reported the parcel lost; claim it as not received",
            ),
            Self::ClaimOpen => Answer::conflict(
                "claim_open",
                "该包裹已有处理中的未收到货/丢件申请",
                "a not-received or lost claim on this parcel is being handled",
            ),
            Self::WindowClosed { closes } => Answer::conflict(
                "window_closed",
                format!(
                    "已超过售后期限（{}）",
                    farmgate_kernel::clock::format_shanghai(*closes)
                ),
                "the after-sales window of this parcel has closed",
            ),
            Self::NothingToRefund => Answer::conflict(
                "nothing_to_refund",
                "该订单已全额退款",
                "this sub-order has been refunded in full",
            ),
            Self::NotYourTurn => Answer::conflict(
                "not_your_turn",
                "售后申请当前不在等待你处理的状态",
                "the claim is not waiting for you",
            ),
            Self::AlreadyDecided => Answer::conflict(
                "already_decided",
                "该申请已处理完毕，平台裁决为最终决定",
                "the claim is settled; the platform's decision is final",
            ),
            Self::NotResolved => Answer::conflict(
                "not_resolved",
                "处理完毕后才能评价",
                "rate the handling once the claim is resolved",
            ),
            Self::AlreadyRated => Answer::conflict(
                "already_rated",
                "已经评价过了",
                "you have already rated this claim",
            ),
            Self::RecallInProgress => Answer::conflict(
                "concurrent_update",
                "该批次正在召回，请稍后查看",
                "this batch is being recalled; look again in a moment",
            ),
            Self::RecourseClosed => Answer::conflict(
                "recourse_closed",
                "该追偿已收回或已核销",
                "this recourse is collected or written off",
            ),
            Self::ReferenceUsed => Answer::conflict(
                "reference_used",
                "该收款凭证号已登记过另一笔收款",
                "a collection with this reference is recorded already, with another amount or day",
            ),
            Self::Identity(_)
            | Self::Catalog(_)
            | Self::Orders(_)
            | Self::Trace(_)
            | Self::Objects(_)
            | Self::Db(_)
            | Self::Internal(_) => HttpCode::Internal.into(),
        }
    }

    /// One value of every variant, for the catalogue test and the documentation.
    pub fn examples() -> Vec<Self> {
        vec![
            Self::Invalid(FieldError::new("reason", "required", "请填写原因", "say why").into()),
            Self::NotFound(Missing::Claim),
            Self::Forbidden,
            Self::TooManyPhotos,
            Self::NotReceived,
            Self::NotShipped,
            Self::AlreadyReceived,
            Self::TooEarly {
                from: DateTime::<Utc>::UNIX_EPOCH,
            },
            Self::NotReportedLost,
            Self::ClaimOpen,
            Self::WindowClosed {
                closes: DateTime::<Utc>::UNIX_EPOCH,
            },
            Self::NothingToRefund,
            Self::NotYourTurn,
            Self::AlreadyDecided,
            Self::NotResolved,
            Self::AlreadyRated,
            Self::RecallInProgress,
            Self::RecourseClosed,
            Self::ReferenceUsed,
            Self::Identity(IdentityError::Forbidden),
            Self::Catalog(CatalogError::UnsupportedImage),
            Self::Orders(OrdersError::Forbidden),
            Self::Trace(TraceError::Forbidden),
            Self::Objects(ObjectError::InvalidKey("example".to_owned())),
            Self::Db(DbErr::Custom("example".to_owned())),
            Self::Internal("example".to_owned()),
        ]
    }
}

impl From<FieldError> for AftersalesError {
    fn from(e: FieldError) -> Self {
        Self::Invalid(e.into())
    }
}

impl From<IllegalMove> for AftersalesError {
    fn from(e: IllegalMove) -> Self {
        match e {
            IllegalMove::NotYourTurn => Self::NotYourTurn,
            IllegalMove::AlreadyDecided => Self::AlreadyDecided,
            IllegalMove::NotResolved => Self::NotResolved,
        }
    }
}

farmgate_infra::room_error_answers!(AftersalesError {
    delegates: [Identity, Catalog, Orders, Trace],
    internal: [Objects, Db, Internal],
});

pub type Result<T, E = AftersalesError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;
    use farmgate_infra::http::ApiError;

    farmgate_infra::error_catalogue_tests!(AftersalesError, AftersalesErrorDiscriminants);

    #[test]
    fn codes_texts_and_statuses_stay_as_clients_know_them() {
        let api = |e: AftersalesError| {
            let a = ApiError::from(e);
            (
                a.status.as_u16(),
                a.code.to_string(),
                a.message.zh,
                a.message.en,
            )
        };
        assert_eq!(
            api(AftersalesError::NotYourTurn),
            (
                409,
                "not_your_turn".to_owned(),
                "售后申请当前不在等待你处理的状态".to_owned(),
                "the claim is not waiting for you".to_owned()
            )
        );
        assert_eq!(
            api(AftersalesError::NotFound(Missing::RecallNotice)),
            (
                404,
                "not_found".to_owned(),
                "召回通知不存在".to_owned(),
                "recall notice not found".to_owned()
            )
        );
        let closed = api(AftersalesError::WindowClosed {
            closes: DateTime::<Utc>::UNIX_EPOCH,
        });
        assert_eq!(closed.2, "已超过售后期限（1970-01-01 08:00）");
        assert_eq!(api(AftersalesError::Forbidden).1, "forbidden");
        assert_eq!(
            api(AftersalesError::RecallInProgress).1,
            "concurrent_update"
        );
    }
}
