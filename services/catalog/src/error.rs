//! The catalogue's errors: one variant per stable code a client matches, with its zh-CN and
//! English text, and how each looks over HTTP.

use crate::domain::WorkflowError;
use axum::http::StatusCode;
use farmgate_identity::IdentityError;
use farmgate_infra::http::{ApiError, HttpCode};
use farmgate_infra::objects::ObjectError;
use farmgate_infra::search::SearchError;
use farmgate_kernel::{FieldError, Msg, ValidationErrors};
use sea_orm::DbErr;

farmgate_kernel::labelled_enum!(
    /// What a `not_found` answer says is missing.
    Missing {
        Category => "category", "类目", "category";
        Seller => "seller", "商家", "seller";
        Listing => "listing", "商品", "listing";
        Revision => "revision", "审核记录", "revision";
        Sku => "sku", "规格", "SKU";
        Image => "image", "图片", "image";
        Document => "document", "证件图片", "document";
        VocabularyEntry => "vocabulary_entry", "词条", "vocabulary entry";
        /// A photo file under `/media/` (only public copies are served).
        File => "file", "文件", "file";
    }
);

#[derive(Debug, thiserror::Error)]
#[cfg_attr(test, derive(strum::EnumDiscriminants))]
#[cfg_attr(test, strum_discriminants(derive(strum::EnumIter, Hash)))]
pub enum CatalogError {
    /// `validation_failed` (422): the body's `fields` name the problems.
    #[error("invalid input: {0}")]
    Invalid(#[from] ValidationErrors),
    /// `not_found` (404).
    #[error("{} not found", .0.label_en())]
    NotFound(Missing),
    /// `forbidden` (403).
    #[error("not allowed")]
    Forbidden,
    /// `invalid_state` (409): a review move the listing's state does not allow.
    #[error("workflow: {0}")]
    Workflow(#[from] WorkflowError),
    /// `too_many_images` (409): a listing holds at most 9 photos.
    #[error("too many images")]
    TooManyImages,
    /// `too_many_drafts` (409): an organisation holds at most
    /// [`MAX_DRAFT_PHOTOS`](crate::service::MAX_DRAFT_PHOTOS) photos not yet attached.
    #[error("too many unattached photos")]
    TooManyDrafts,
    /// `too_many_documents` (409): an organisation holds at most 5 application pictures.
    #[error("too many documents")]
    TooManyDocuments,
    /// `documents_locked` (409): the organisation is verified; what the operator approved
    /// cannot be removed or replaced by its owner (only the operator removes a picture then).
    #[error("documents locked by verification")]
    DocumentsLocked,
    /// `idempotency_key_reused` (409): the `Idempotency-Key` made a different listing.
    #[error("Idempotency-Key reused for another listing")]
    KeyReused,
    /// `unsupported_image` (415).
    #[error("unsupported image")]
    UnsupportedImage,
    /// `payload_too_large` (413), with the photo limits in the message.
    #[error("image too large")]
    ImageTooLarge,
    /// `server_busy` (503, with `Retry-After`): every photo-decoding slot is taken.
    #[error(transparent)]
    Busy(#[from] farmgate_infra::limit::Busy),
    /// `malformed_multipart` (400): an upload that is not multipart form data.
    #[error("malformed multipart upload")]
    MalformedMultipart,
    /// `vocabulary_duplicate` (409): the search vocabulary already has this entry (the
    /// county's own, or the shipped defaults).
    #[error("vocabulary entry exists")]
    VocabularyDuplicate,
    /// Identity's error, answered with identity's own code.
    #[error(transparent)]
    Identity(#[from] IdentityError),
    #[error("database")]
    Db(#[from] DbErr),
    #[error("object store")]
    Objects(#[from] ObjectError),
    #[error("search")]
    Search(#[from] SearchError),
    #[error("image processing: {0}")]
    Image(String),
}

impl CatalogError {
    pub fn field(e: FieldError) -> Self {
        Self::Invalid(e.into())
    }

    /// The stable code clients match.
    pub fn code(&self) -> &'static str {
        match self {
            CatalogError::Invalid(_) => HttpCode::ValidationFailed.code(),
            CatalogError::NotFound(_) => HttpCode::NotFound.code(),
            CatalogError::Forbidden => HttpCode::Forbidden.code(),
            CatalogError::Workflow(_) => "invalid_state",
            CatalogError::TooManyImages => "too_many_images",
            CatalogError::TooManyDrafts => "too_many_drafts",
            CatalogError::TooManyDocuments => "too_many_documents",
            CatalogError::DocumentsLocked => "documents_locked",
            CatalogError::KeyReused => "idempotency_key_reused",
            CatalogError::UnsupportedImage => "unsupported_image",
            CatalogError::ImageTooLarge => HttpCode::PayloadTooLarge.code(),
            CatalogError::MalformedMultipart => "malformed_multipart",
            CatalogError::VocabularyDuplicate => "vocabulary_duplicate",
            CatalogError::Identity(e) => e.code(),
            CatalogError::Db(_) | CatalogError::Objects(_) | CatalogError::Image(_) => {
                HttpCode::Internal.code()
            }
            CatalogError::Search(_) => HttpCode::Unavailable.code(),
            CatalogError::Busy(_) => HttpCode::Busy.code(),
        }
    }

    /// The text for people, in both languages.
    pub fn message(&self) -> Msg {
        let (zh, en) = match self {
            CatalogError::NotFound(what) => return HttpCode::not_found_for(what.label()),
            CatalogError::Workflow(w) => match w {
                WorkflowError::AlreadyPending => (
                    "该商品已在审核中",
                    "this listing is already waiting for review",
                ),
                WorkflowError::AlreadyApproved => (
                    "该商品已上架；修改标题、类目或产地会自动提交审核",
                    "this listing is live; changes to its title, category or origin are reviewed automatically",
                ),
                WorkflowError::NoSku => (
                    "请至少添加一个在售规格后再提交审核",
                    "add at least one SKU on sale before submitting",
                ),
                WorkflowError::NotListed => (
                    "只有已上架或待审核的商品可以下架",
                    "only a live or waiting listing can be delisted",
                ),
                WorkflowError::AlreadyDecided => {
                    ("该修改已审核过", "this revision was already decided")
                }
            },
            CatalogError::TooManyImages => {
                ("每个商品最多 9 张图片", "at most 9 photos per listing")
            }
            CatalogError::TooManyDrafts => (
                "未保存的图片太多（最多 30 张）：请先保存商品，或等 24 小时后未使用的图片自动清除",
                "too many unsaved photos (at most 30): save a listing first, or wait 24 hours for unused ones to be cleared",
            ),
            CatalogError::DocumentsLocked => (
                "组织已认证：审核时看过的证件图片不能删除或替换。证件有变化时，请修改组织信息重新提交审核，或联系平台运营",
                "the organisation is verified: the papers the operator checked cannot be removed or replaced. If they changed, edit the organisation's details to send it back to review, or ask the operator",
            ),
            CatalogError::TooManyDocuments => (
                "每个组织最多上传 5 张证件图片",
                "at most 5 document pictures per organisation",
            ),
            CatalogError::KeyReused => (
                "这个 Idempotency-Key 已用于另一个不同的商品",
                "this Idempotency-Key was used for a different listing",
            ),
            CatalogError::UnsupportedImage => (
                "仅支持 JPEG、PNG、WebP 格式的图片",
                "only JPEG, PNG and WebP images are accepted",
            ),
            CatalogError::ImageTooLarge => (
                "图片太大：文件不超过 8 MB，边长不超过 8000 像素",
                "the image is too large: at most 8 MB and 8000 pixels a side",
            ),
            CatalogError::MalformedMultipart => (
                "上传内容格式不正确",
                "the upload is not valid multipart form data",
            ),
            CatalogError::VocabularyDuplicate => (
                "词库里已有这一条（本县添加的或系统自带的）",
                "the vocabulary already has this entry (the county's or the shipped one)",
            ),
            CatalogError::Identity(e) => return e.message(),
            CatalogError::Invalid(_) => return HttpCode::ValidationFailed.message(),
            CatalogError::Forbidden => return HttpCode::Forbidden.message(),
            CatalogError::Db(_) | CatalogError::Objects(_) | CatalogError::Image(_) => {
                return HttpCode::Internal.message();
            }
            CatalogError::Search(_) => return HttpCode::Unavailable.message(),
            CatalogError::Busy(_) => return HttpCode::Busy.message(),
        };
        Msg::new(zh, en)
    }

    /// The HTTP status of the catalogue's own codes; `None` for identity's, whose status
    /// identity's own conversion gives.
    fn status(&self) -> Option<StatusCode> {
        Some(match self {
            CatalogError::Invalid(_) => HttpCode::ValidationFailed.status(),
            CatalogError::NotFound(_) => HttpCode::NotFound.status(),
            CatalogError::Forbidden => HttpCode::Forbidden.status(),
            CatalogError::Workflow(_)
            | CatalogError::TooManyImages
            | CatalogError::TooManyDrafts
            | CatalogError::TooManyDocuments
            | CatalogError::DocumentsLocked
            | CatalogError::KeyReused
            | CatalogError::VocabularyDuplicate => StatusCode::CONFLICT,
            CatalogError::UnsupportedImage => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            CatalogError::ImageTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            CatalogError::MalformedMultipart => StatusCode::BAD_REQUEST,
            CatalogError::Identity(_) => return None,
            CatalogError::Db(_) | CatalogError::Objects(_) | CatalogError::Image(_) => {
                HttpCode::Internal.status()
            }
            CatalogError::Search(_) => HttpCode::Unavailable.status(),
            CatalogError::Busy(_) => HttpCode::Busy.status(),
        })
    }

    /// One value of every variant, for the catalogue test and the OpenAPI check.
    pub fn examples() -> Vec<Self> {
        vec![
            CatalogError::Invalid(ValidationErrors::from(FieldError::new(
                "title",
                "required",
                "请填写标题",
                "enter a title",
            ))),
            CatalogError::NotFound(Missing::Listing),
            CatalogError::Forbidden,
            CatalogError::Workflow(WorkflowError::AlreadyPending),
            CatalogError::TooManyImages,
            CatalogError::TooManyDrafts,
            CatalogError::TooManyDocuments,
            CatalogError::DocumentsLocked,
            CatalogError::KeyReused,
            CatalogError::UnsupportedImage,
            CatalogError::ImageTooLarge,
            CatalogError::MalformedMultipart,
            CatalogError::VocabularyDuplicate,
            CatalogError::Busy(farmgate_infra::limit::Busy {
                name: "image_decode",
                retry_after_secs: 1,
            }),
            CatalogError::Identity(IdentityError::Forbidden),
            CatalogError::Db(DbErr::Custom("example".into())),
            CatalogError::Objects(ObjectError::InvalidKey("example".into())),
            CatalogError::Search(SearchError::Index("example".into())),
            CatalogError::Image("example".into()),
        ]
    }
}

/// No decoding slot (`server_busy`), or the decoding task panicked (a failure of ours).
impl From<farmgate_infra::limit::LimitError> for CatalogError {
    fn from(e: farmgate_infra::limit::LimitError) -> Self {
        match e {
            farmgate_infra::limit::LimitError::Busy(b) => CatalogError::Busy(b),
            farmgate_infra::limit::LimitError::Panicked(j) => CatalogError::Image(j.to_string()),
        }
    }
}

impl From<CatalogError> for ApiError {
    fn from(e: CatalogError) -> Self {
        match e {
            // Identity decides its own answers (status, code, text, fields, Retry-After).
            CatalogError::Identity(e) => e.into(),
            CatalogError::Busy(b) => b.into(),
            CatalogError::Invalid(errs) => ApiError::validation(errs),
            // Failures of ours: the cause goes to the log, the client gets a generic message.
            e @ (CatalogError::Db(_) | CatalogError::Objects(_) | CatalogError::Image(_)) => {
                ApiError::internal(e)
            }
            e @ CatalogError::Search(_) => ApiError::unavailable(e),
            e => {
                let m = e.message();
                let status = e.status().unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                ApiError::new(status, e.code(), m.zh, m.en)
            }
        }
    }
}

pub type Result<T, E = CatalogError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    farmgate_infra::error_catalogue_tests!(CatalogError, CatalogErrorDiscriminants);

    #[test]
    fn codes_texts_and_statuses_are_the_ones_clients_already_match() {
        let answer = |e: CatalogError| {
            let code = e.code();
            let a = ApiError::from(e);
            assert_eq!(a.code, code);
            (
                a.status.as_u16(),
                code,
                a.message.zh.clone(),
                a.message.en.clone(),
            )
        };
        assert_eq!(
            answer(CatalogError::NotFound(Missing::Sku)),
            (
                404,
                "not_found",
                "规格不存在".into(),
                "SKU not found".into()
            )
        );
        assert_eq!(
            answer(CatalogError::Workflow(WorkflowError::AlreadyDecided)),
            (
                409,
                "invalid_state",
                "该修改已审核过".into(),
                "this revision was already decided".into()
            )
        );
        assert_eq!(
            answer(CatalogError::TooManyImages),
            (
                409,
                "too_many_images",
                "每个商品最多 9 张图片".into(),
                "at most 9 photos per listing".into()
            )
        );
        assert_eq!(
            answer(CatalogError::ImageTooLarge).0,
            413,
            "payload_too_large keeps its status"
        );
        assert_eq!(answer(CatalogError::MalformedMultipart).0, 400);
        assert_eq!(answer(CatalogError::UnsupportedImage).0, 415);
        assert_eq!(
            answer(CatalogError::Identity(IdentityError::Forbidden)).1,
            "forbidden"
        );
        assert_eq!(
            answer(CatalogError::Search(SearchError::Index("down".into()))).0,
            503
        );
    }
}
