//! The catalogue's errors and how they look over HTTP.

use crate::domain::WorkflowError;
use axum::http::StatusCode;
use farmgate_identity::IdentityError;
use farmgate_infra::http::ApiError;
use farmgate_infra::objects::ObjectError;
use farmgate_infra::search::SearchError;
use farmgate_kernel::{FieldError, ValidationErrors};
use sea_orm::DbErr;

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("invalid input: {0}")]
    Invalid(#[from] ValidationErrors),
    #[error(transparent)]
    Identity(#[from] IdentityError),
    #[error("{en} not found")]
    NotFound { zh: &'static str, en: &'static str },
    #[error("not allowed")]
    Forbidden,
    #[error("workflow: {0}")]
    Workflow(#[from] WorkflowError),
    #[error("{code}: {en}")]
    Conflict {
        code: &'static str,
        zh: String,
        en: String,
    },
    #[error("unsupported image")]
    UnsupportedImage,
    #[error("image too large")]
    ImageTooLarge,
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
    pub fn not_found(zh: &'static str, en: &'static str) -> Self {
        Self::NotFound { zh, en }
    }

    pub fn conflict(code: &'static str, zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self::Conflict {
            code,
            zh: zh.into(),
            en: en.into(),
        }
    }

    pub fn field(e: FieldError) -> Self {
        Self::Invalid(e.into())
    }
}

impl From<CatalogError> for ApiError {
    fn from(e: CatalogError) -> Self {
        match e {
            CatalogError::Invalid(errs) => ApiError::validation(errs),
            CatalogError::Identity(e) => e.into(),
            CatalogError::NotFound { zh, en } => ApiError::not_found(zh, en),
            CatalogError::Forbidden => ApiError::forbidden(),
            CatalogError::Workflow(w) => {
                let (zh, en) = match w {
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
                };
                ApiError::conflict("invalid_state", zh, en)
            }
            CatalogError::Conflict { code, zh, en } => ApiError::conflict(code, zh, en),
            CatalogError::UnsupportedImage => ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_image",
                "仅支持 JPEG、PNG、WebP 格式的图片",
                "only JPEG, PNG and WebP images are accepted",
            ),
            CatalogError::ImageTooLarge => ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "图片太大：文件不超过 8 MB，边长不超过 8000 像素",
                "the image is too large: at most 8 MB and 8000 pixels a side",
            ),
            e @ (CatalogError::Db(_) | CatalogError::Objects(_) | CatalogError::Image(_)) => {
                ApiError::internal(e)
            }
            e @ CatalogError::Search(_) => ApiError::unavailable(e),
        }
    }
}

pub type Result<T, E = CatalogError> = std::result::Result<T, E>;
