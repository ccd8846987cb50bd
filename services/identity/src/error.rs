//! Identity's errors and how they look over HTTP.

use axum::http::StatusCode;
use farmgate_infra::cache::CacheError;
use farmgate_infra::http::ApiError;
use farmgate_kernel::{FieldError, ValidationErrors};
use sea_orm::DbErr;

#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    #[error("invalid input: {0}")]
    Invalid(#[from] ValidationErrors),
    #[error("wrong login or password")]
    InvalidCredentials,
    #[error("too many attempts; retry after {retry_after_secs}s")]
    TooManyAttempts { retry_after_secs: u64 },
    #[error("not logged in")]
    Unauthenticated,
    #[error("account disabled")]
    AccountDisabled,
    #[error("not allowed")]
    Forbidden,
    #[error("county officials have read-only access")]
    ReadOnly,
    #[error("cross-site request refused")]
    CrossSite,
    #[error("{en} not found")]
    NotFound { zh: &'static str, en: &'static str },
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
    #[error("database")]
    Db(#[from] DbErr),
    #[error("cache")]
    Cache(#[from] CacheError),
    #[error("password hashing: {0}")]
    Hashing(String),
}

impl IdentityError {
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

impl From<IdentityError> for ApiError {
    fn from(e: IdentityError) -> Self {
        match e {
            IdentityError::Invalid(errs) => ApiError::validation(errs),
            IdentityError::InvalidCredentials => ApiError::new(
                StatusCode::UNAUTHORIZED,
                "invalid_credentials",
                "账号或密码错误",
                "wrong login or password",
            ),
            IdentityError::TooManyAttempts { retry_after_secs } => {
                ApiError::too_many(retry_after_secs)
            }
            IdentityError::Unauthenticated => ApiError::unauthenticated(),
            IdentityError::AccountDisabled => ApiError::new(
                StatusCode::FORBIDDEN,
                "account_disabled",
                "该账号已停用，请联系平台客服",
                "this account is disabled; please contact the platform",
            ),
            IdentityError::Forbidden => ApiError::forbidden(),
            IdentityError::ReadOnly => ApiError::new(
                StatusCode::FORBIDDEN,
                "read_only",
                "县级主管部门账号为只读，不能修改数据",
                "county official accounts are read-only",
            ),
            IdentityError::CrossSite => ApiError::new(
                StatusCode::FORBIDDEN,
                "cross_site_request",
                "请求来源不被允许",
                "cross-site requests are not allowed",
            ),
            IdentityError::NotFound { zh, en } => ApiError::not_found(zh, en),
            IdentityError::Taken { field, zh, en } => {
                let mut err = ApiError::validation(FieldError::new(field, "taken", zh, en));
                err.status = StatusCode::CONFLICT;
                err.code = "conflict".into();
                err
            }
            IdentityError::Conflict { code, zh, en } => ApiError::conflict(code, zh, en),
            e @ (IdentityError::Db(_) | IdentityError::Hashing(_)) => ApiError::internal(e),
            e @ IdentityError::Cache(_) => ApiError::unavailable(e),
        }
    }
}

pub type Result<T, E = IdentityError> = std::result::Result<T, E>;
