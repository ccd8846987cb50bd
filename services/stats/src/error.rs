//! Statistics errors and how they look over HTTP.

use farmgate_aftersales::AftersalesError;
use farmgate_identity::IdentityError;
use farmgate_infra::http::ApiError;
use farmgate_kernel::{FieldError, ValidationErrors};
use sea_orm::DbErr;

#[derive(Debug, thiserror::Error)]
pub enum StatsError {
    #[error("invalid input: {0}")]
    Invalid(#[from] ValidationErrors),
    #[error(transparent)]
    Identity(#[from] IdentityError),
    #[error(transparent)]
    Aftersales(#[from] AftersalesError),
    #[error("database: {0}")]
    Db(#[from] DbErr),
}

impl From<FieldError> for StatsError {
    fn from(e: FieldError) -> Self {
        Self::Invalid(e.into())
    }
}

impl From<StatsError> for ApiError {
    fn from(e: StatsError) -> Self {
        match e {
            StatsError::Invalid(errs) => ApiError::validation(errs),
            StatsError::Identity(e) => e.into(),
            StatsError::Aftersales(e) => e.into(),
            e @ StatsError::Db(_) => ApiError::internal(e),
        }
    }
}

pub type Result<T, E = StatsError> = std::result::Result<T, E>;
