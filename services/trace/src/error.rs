//! Traceability's errors and how they look over HTTP.

use axum::http::StatusCode;
use farmgate_catalog::CatalogError;
use farmgate_identity::IdentityError;
use farmgate_infra::http::ApiError;
use farmgate_infra::objects::ObjectError;
use farmgate_kernel::{FieldError, ValidationErrors};
use sea_orm::DbErr;

#[derive(Debug, thiserror::Error)]
pub enum TraceError {
    #[error("invalid input: {0}")]
    Invalid(#[from] ValidationErrors),
    #[error(transparent)]
    Identity(#[from] IdentityError),
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error("{en} not found")]
    NotFound { zh: &'static str, en: &'static str },
    #[error("not allowed")]
    Forbidden,
    #[error("{field} already taken")]
    Taken {
        field: &'static str,
        zh: &'static str,
        en: &'static str,
    },
    #[error("{code}: {en}")]
    Conflict {
        code: &'static str,
        zh: String,
        en: String,
    },
    #[error("unsupported file")]
    UnsupportedFile,
    #[error("file too large")]
    TooLarge,
    #[error("database")]
    Db(#[from] DbErr),
    #[error("object store")]
    Objects(#[from] ObjectError),
    #[error("internal: {0}")]
    Internal(String),
}

impl TraceError {
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

impl From<TraceError> for ApiError {
    fn from(e: TraceError) -> Self {
        match e {
            TraceError::Invalid(errs) => ApiError::validation(errs),
            TraceError::Identity(e) => e.into(),
            TraceError::Catalog(e) => e.into(),
            TraceError::NotFound { zh, en } => ApiError::not_found(zh, en),
            TraceError::Forbidden => ApiError::forbidden(),
            TraceError::Taken { field, zh, en } => {
                let mut err = ApiError::validation(FieldError::new(field, "taken", zh, en));
                err.status = StatusCode::CONFLICT;
                err.code = "conflict".into();
                err
            }
            TraceError::Conflict { code, zh, en } => ApiError::conflict(code, zh, en),
            TraceError::UnsupportedFile => ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_file",
                "仅支持 PDF 文件或 JPEG、PNG、WebP 图片",
                "only PDF files and JPEG, PNG or WebP images are accepted",
            ),
            TraceError::TooLarge => ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "文件太大：不超过 10 MB",
                "the file is too large: at most 10 MB",
            ),
            e @ (TraceError::Db(_) | TraceError::Objects(_) | TraceError::Internal(_)) => {
                ApiError::internal(e)
            }
        }
    }
}

pub type Result<T, E = TraceError> = std::result::Result<T, E>;
