//! Orders' errors and how they look over HTTP.

use farmgate_catalog::CatalogError;
use farmgate_identity::IdentityError;
use farmgate_infra::http::ApiError;
use farmgate_kernel::{FieldError, ValidationErrors};
use farmgate_trace::TraceError;
use sea_orm::DbErr;

#[derive(Debug, thiserror::Error)]
pub enum OrdersError {
    #[error("invalid input: {0}")]
    Invalid(#[from] ValidationErrors),
    #[error(transparent)]
    Identity(#[from] IdentityError),
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error(transparent)]
    Trace(#[from] TraceError),
    /// A request that can never succeed as sent (a forged or stale gateway notification).
    #[error("{code}: {en}")]
    Rejected {
        code: &'static str,
        zh: &'static str,
        en: &'static str,
    },
    #[error("{en} not found")]
    NotFound { zh: &'static str, en: &'static str },
    #[error("not allowed")]
    Forbidden,
    /// A state or stock conflict the buyer or seller can act on (sold out, price changed …).
    #[error("{code}: {en}")]
    Conflict {
        code: &'static str,
        zh: String,
        en: String,
        fields: Option<ValidationErrors>,
    },
    #[error("database")]
    Db(#[from] DbErr),
    #[error("internal: {0}")]
    Internal(String),
}

impl OrdersError {
    pub fn not_found(zh: &'static str, en: &'static str) -> Self {
        Self::NotFound { zh, en }
    }

    pub fn conflict(code: &'static str, zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self::Conflict {
            code,
            zh: zh.into(),
            en: en.into(),
            fields: None,
        }
    }

    /// A conflict that also names the fields (cart lines) it is about.
    pub fn conflict_at(
        code: &'static str,
        zh: impl Into<String>,
        en: impl Into<String>,
        fields: ValidationErrors,
    ) -> Self {
        Self::Conflict {
            code,
            zh: zh.into(),
            en: en.into(),
            fields: Some(fields),
        }
    }

    pub fn rejected(code: &'static str, zh: &'static str, en: &'static str) -> Self {
        Self::Rejected { code, zh, en }
    }

    pub fn field(e: FieldError) -> Self {
        Self::Invalid(e.into())
    }
}

impl From<OrdersError> for ApiError {
    fn from(e: OrdersError) -> Self {
        match e {
            OrdersError::Invalid(errs) => ApiError::validation(errs),
            OrdersError::Identity(e) => e.into(),
            OrdersError::Catalog(e) => e.into(),
            OrdersError::Trace(e) => e.into(),
            OrdersError::Rejected { code, zh, en } => ApiError::bad_request(code, zh, en),
            OrdersError::NotFound { zh, en } => ApiError::not_found(zh, en),
            OrdersError::Forbidden => ApiError::forbidden(),
            OrdersError::Conflict {
                code,
                zh,
                en,
                fields,
            } => {
                let mut err = ApiError::conflict(code, zh, en);
                err.fields = fields.map(Box::new);
                err
            }
            e @ (OrdersError::Db(_) | OrdersError::Internal(_)) => ApiError::internal(e),
        }
    }
}

impl From<FieldError> for OrdersError {
    fn from(e: FieldError) -> Self {
        Self::Invalid(e.into())
    }
}

pub type Result<T, E = OrdersError> = std::result::Result<T, E>;
