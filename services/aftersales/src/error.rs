//! After-sales errors and how they look over HTTP.

use farmgate_catalog::CatalogError;
use farmgate_identity::IdentityError;
use farmgate_infra::http::ApiError;
use farmgate_infra::objects::ObjectError;
use farmgate_kernel::{FieldError, ValidationErrors};
use farmgate_orders::OrdersError;
use sea_orm::DbErr;

#[derive(Debug, thiserror::Error)]
pub enum AftersalesError {
    #[error("invalid input: {0}")]
    Invalid(#[from] ValidationErrors),
    #[error(transparent)]
    Identity(#[from] IdentityError),
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error(transparent)]
    Orders(#[from] OrdersError),
    #[error(transparent)]
    Trace(#[from] farmgate_trace::TraceError),
    #[error("{en} not found")]
    NotFound { zh: &'static str, en: &'static str },
    #[error("not allowed")]
    Forbidden,
    /// A state conflict the person can act on (out of the window, not your turn ...).
    #[error("{code}: {en}")]
    Conflict {
        code: &'static str,
        zh: String,
        en: String,
    },
    #[error("object store")]
    Objects(#[from] ObjectError),
    #[error("database")]
    Db(#[from] DbErr),
    #[error("internal: {0}")]
    Internal(String),
}

impl AftersalesError {
    pub fn not_found(zh: &'static str, en: &'static str) -> Self {
        Self::NotFound { zh, en }
    }

    pub fn claim_not_found() -> Self {
        Self::not_found("售后申请", "claim")
    }

    pub fn conflict(code: &'static str, zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self::Conflict {
            code,
            zh: zh.into(),
            en: en.into(),
        }
    }
}

impl From<FieldError> for AftersalesError {
    fn from(e: FieldError) -> Self {
        Self::Invalid(e.into())
    }
}

impl From<AftersalesError> for ApiError {
    fn from(e: AftersalesError) -> Self {
        match e {
            AftersalesError::Invalid(errs) => ApiError::validation(errs),
            AftersalesError::Identity(e) => e.into(),
            AftersalesError::Catalog(e) => e.into(),
            AftersalesError::Orders(e) => e.into(),
            AftersalesError::Trace(e) => e.into(),
            AftersalesError::NotFound { zh, en } => ApiError::not_found(zh, en),
            AftersalesError::Forbidden => ApiError::forbidden(),
            AftersalesError::Conflict { code, zh, en } => ApiError::conflict(code, zh, en),
            e @ (AftersalesError::Objects(_)
            | AftersalesError::Db(_)
            | AftersalesError::Internal(_)) => ApiError::internal(e),
        }
    }
}

pub type Result<T, E = AftersalesError> = std::result::Result<T, E>;
