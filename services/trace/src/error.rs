//! Traceability's errors: one variant per stable code a client can match, its zh-CN and English
//! message, and how it looks over HTTP.

use crate::domain::ShipRefusal;
use axum::http::StatusCode;
use farmgate_catalog::CatalogError;
use farmgate_identity::IdentityError;
use farmgate_infra::http::{Answer, HttpCode};
use farmgate_infra::objects::ObjectError;
use farmgate_kernel::{FieldError, ValidationErrors, labelled_enum};
use sea_orm::DbErr;

labelled_enum!(
    /// What can be missing (the `not_found` message names it).
    Missing {
        Batch => "batch", "批次", "batch";
        Listing => "listing", "商品", "listing";
        Unit => "unit", "单品码", "unit code";
        TraceCode => "trace_code", "溯源码", "trace code";
        File => "file", "文件", "file";
        /// A record (event) of a batch, by its seq.
        Event => "event", "记录", "record";
        /// A batch that is not part of the digest a proof was asked for.
        DigestEntry => "digest_entry", "该日摘要中的批次", "batch in that digest";
        /// A code not (yet) in the latest published log checkpoint, or a size beyond it.
        LogEntry => "log_entry", "公开日志中的记录", "entry of the published log";
    }
);

#[derive(Debug, thiserror::Error)]
#[cfg_attr(test, derive(strum::EnumDiscriminants))]
#[cfg_attr(test, strum_discriminants(derive(strum::EnumIter, Hash)))]
pub enum TraceError {
    /// `validation_failed` (422), with the fields.
    #[error("invalid input: {0}")]
    Invalid(#[from] ValidationErrors),
    /// `not_found` (404).
    #[error("{0} not found")]
    NotFound(Missing),
    /// `forbidden` (403).
    #[error("not allowed")]
    Forbidden,
    /// `conflict` (409) with a `taken` error on `lot`: the listing has a batch with that lot.
    #[error("lot already taken")]
    LotTaken,
    /// `wrong_listing` (409): the batch is of another listing.
    #[error("batch of another listing")]
    WrongListing,
    /// `batch_recalled` (409).
    #[error("batch recalled")]
    BatchRecalled,
    /// `batch_blocked` (409): its latest inspection failed.
    #[error("batch blocked")]
    BatchBlocked,
    /// `not_inspected` (409): no inspection has passed yet.
    #[error("batch not inspected")]
    NotInspected,
    /// `chain_broken` (409): the batch's record does not verify.
    #[error("chain broken")]
    ChainBroken,
    /// `concurrent_update` (409): another record was written at the same moment.
    #[error("concurrent append")]
    ConcurrentUpdate,
    /// `busy` (409): unit codes were being issued at the same moment.
    #[error("units being issued")]
    Busy,
    /// `unsupported_file` (415).
    #[error("unsupported file")]
    UnsupportedFile,
    /// `too_many_attachments` (409): a batch holds at most 200 files.
    #[error("too many attachments")]
    TooManyAttachments,
    /// `payload_too_large` (413).
    #[error("file too large")]
    TooLarge,
    /// `malformed_multipart` (400).
    #[error("malformed multipart body")]
    MalformedMultipart,
    /// `file_altered` (409): a trace file's stored bytes no longer hash to what was recorded,
    /// so it is not served (other bytes must never pass for the recorded file).
    #[error("stored file altered")]
    FileAltered,
    #[error(transparent)]
    Identity(#[from] IdentityError),
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error("database")]
    Db(#[from] DbErr),
    #[error("object store")]
    Objects(#[from] ObjectError),
    #[error("internal: {0}")]
    Internal(String),
}

impl From<ShipRefusal> for TraceError {
    fn from(r: ShipRefusal) -> Self {
        match r {
            ShipRefusal::Recalled => TraceError::BatchRecalled,
            ShipRefusal::Blocked => TraceError::BatchBlocked,
            ShipRefusal::NotInspected => TraceError::NotInspected,
            ShipRefusal::ChainBroken => TraceError::ChainBroken,
        }
    }
}

impl TraceError {
    pub fn field(e: FieldError) -> Self {
        Self::Invalid(e.into())
    }

    /// Status, code and message: the one list of this crate's answers.
    fn answer(&self) -> Answer {
        match self {
            Self::Invalid(_) => HttpCode::ValidationFailed.into(),
            Self::NotFound(what) => Answer::not_found(what.label()),
            Self::Forbidden => HttpCode::Forbidden.into(),
            // A field error on `lot`, answered 409 like every uniqueness conflict.
            Self::LotTaken => {
                let m = HttpCode::ValidationFailed.message();
                Answer::conflict("conflict", m.zh, m.en).with_field(FieldError::new(
                    "lot",
                    "taken",
                    "该商品已有相同批号的批次",
                    "this listing already has a batch with that lot",
                ))
            }
            Self::WrongListing => Answer::conflict(
                "wrong_listing",
                "该批次不属于这个商品",
                "this batch is not of this listing",
            ),
            Self::BatchRecalled => Answer::conflict(
                "batch_recalled",
                "该批次已召回，不能发货",
                "this batch is recalled and cannot be shipped",
            ),
            Self::BatchBlocked => Answer::conflict(
                "batch_blocked",
                "该批次检测不合格，不能发货",
                "this batch failed its inspection and cannot be shipped",
            ),
            Self::NotInspected => Answer::conflict(
                "not_inspected",
                "该批次还没有合格的检测记录，检测合格后才能发货",
                "this batch has no passed inspection yet and cannot be shipped",
            ),
            Self::ChainBroken => Answer::conflict(
                "chain_broken",
                "该批次溯源记录校验失败，不能发货",
                "this batch's record does not verify and cannot be shipped",
            ),
            Self::ConcurrentUpdate => Answer::conflict(
                "concurrent_update",
                "另一条记录刚刚写入，请重试",
                "another record was just written; please retry",
            ),
            Self::Busy => Answer::conflict(
                "busy",
                "刚刚有人同时生成了单品码，请刷新后再试",
                "unit codes were being issued at the same moment; refresh and try again",
            ),
            Self::TooManyAttachments => Answer::conflict(
                "too_many_attachments",
                "这个批次的附件已达 200 个上限",
                "this batch already holds the most files allowed (200)",
            ),
            Self::UnsupportedFile => Answer::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_file",
                "仅支持 PDF 文件或 JPEG、PNG、WebP 图片",
                "only PDF files and JPEG, PNG or WebP images are accepted",
            ),
            Self::TooLarge => Answer::new(
                HttpCode::PayloadTooLarge.status(),
                HttpCode::PayloadTooLarge.code(),
                "文件太大：不超过 10 MB",
                "the file is too large: at most 10 MB",
            ),
            Self::MalformedMultipart => Answer::new(
                StatusCode::BAD_REQUEST,
                "malformed_multipart",
                "上传内容格式不正确",
                "the upload is not valid multipart form data",
            ),
            Self::FileAltered => Answer::conflict(
                "file_altered",
                "存储的文件与溯源记录中的 SHA-256 不符，可能已被替换，因此不予提供；平台已记录此问题",
                "the stored file does not match the SHA-256 in the trace record and may have been replaced, so it is not served; the platform has recorded the problem",
            ),
            Self::Identity(_)
            | Self::Catalog(_)
            | Self::Db(_)
            | Self::Objects(_)
            | Self::Internal(_) => HttpCode::Internal.into(),
        }
    }

    /// Why [`crate::Trace::ensure_shippable`] refused a batch, as opposed to a failure: the
    /// caller (shipping) reports these under the batch's field.
    pub fn refuses_shipping(&self) -> bool {
        matches!(
            self,
            TraceError::WrongListing
                | TraceError::BatchRecalled
                | TraceError::BatchBlocked
                | TraceError::NotInspected
                | TraceError::ChainBroken
        )
    }

    /// One value of every variant, for the catalogue test and the documentation.
    pub fn examples() -> Vec<Self> {
        vec![
            TraceError::field(FieldError::new("lot", "invalid", "批号不正确", "bad lot")),
            TraceError::NotFound(Missing::Batch),
            TraceError::Forbidden,
            TraceError::LotTaken,
            TraceError::WrongListing,
            TraceError::BatchRecalled,
            TraceError::BatchBlocked,
            TraceError::NotInspected,
            TraceError::ChainBroken,
            TraceError::ConcurrentUpdate,
            TraceError::Busy,
            TraceError::UnsupportedFile,
            TraceError::TooManyAttachments,
            TraceError::TooLarge,
            TraceError::MalformedMultipart,
            TraceError::FileAltered,
            TraceError::Identity(IdentityError::Forbidden),
            TraceError::Catalog(CatalogError::Forbidden),
            TraceError::Db(DbErr::Custom("example".into())),
            TraceError::Objects(ObjectError::InvalidKey("example".into())),
            TraceError::Internal("example".into()),
        ]
    }
}

farmgate_infra::room_error_answers!(TraceError {
    delegates: [Identity, Catalog],
    internal: [Db, Objects, Internal],
});

pub type Result<T, E = TraceError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;
    use farmgate_infra::http::ApiError;

    farmgate_infra::error_catalogue_tests!(TraceError, TraceErrorDiscriminants);

    #[test]
    fn codes_texts_and_statuses_are_the_ones_clients_know() {
        let api = |e: TraceError| {
            let a = ApiError::from(e);
            (a.status.as_u16(), a.code.to_string(), a.message.zh.clone())
        };
        assert_eq!(
            api(TraceError::NotInspected),
            (
                409,
                "not_inspected".into(),
                "该批次还没有合格的检测记录，检测合格后才能发货".into()
            )
        );
        assert_eq!(
            api(TraceError::NotFound(Missing::Batch)),
            (404, "not_found".into(), "批次不存在".into())
        );
        assert_eq!(
            api(TraceError::TooLarge),
            (
                413,
                "payload_too_large".into(),
                "文件太大：不超过 10 MB".into()
            )
        );
        // Another room's error answers with that room's own code.
        assert_eq!(
            TraceError::Identity(IdentityError::Forbidden).code(),
            "forbidden"
        );
        let taken = ApiError::from(TraceError::LotTaken);
        assert_eq!(taken.message.en, "please check the highlighted fields");
        assert_eq!(
            (taken.status.as_u16(), taken.code.as_ref()),
            (409, "conflict")
        );
        assert!(
            taken
                .fields
                .is_some_and(|f| f.errors()[0].field == "lot" && f.errors()[0].code == "taken")
        );
    }
}
