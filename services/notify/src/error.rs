//! Notifications' errors: one variant per stable code a client matches, its zh-CN and English
//! text, and how it looks over HTTP.

use farmgate_identity::IdentityError;
use farmgate_infra::http::{Answer, HttpCode};
use farmgate_kernel::{FieldError, ValidationErrors, labelled_enum};
use sea_orm::DbErr;

labelled_enum!(
    /// What a request named that does not exist (or that the caller may not know exists).
    Missing {
        Notification => "notification", "通知", "notification";
    }
);

#[derive(Debug, thiserror::Error)]
#[cfg_attr(test, derive(strum::EnumDiscriminants))]
#[cfg_attr(test, strum_discriminants(derive(strum::EnumIter, Hash)))]
pub enum NotifyError {
    /// `validation_failed`: field errors.
    #[error("invalid input: {0}")]
    Invalid(#[from] ValidationErrors),
    /// `not_found`: no such notification of the caller's (someone else's is not found either).
    #[error("{} not found", .0.label_en())]
    NotFound(Missing),
    #[error(transparent)]
    Identity(#[from] IdentityError),
    #[error("database")]
    Db(#[from] DbErr),
    #[error("internal: {0}")]
    Internal(String),
}

impl NotifyError {
    /// Status, code and message: the one list of this crate's answers.
    fn answer(&self) -> Answer {
        match self {
            Self::Invalid(_) => HttpCode::ValidationFailed.into(),
            Self::NotFound(what) => Answer::not_found(what.label()),
            Self::Identity(_) | Self::Db(_) | Self::Internal(_) => HttpCode::Internal.into(),
        }
    }

    /// One value of every variant, for the catalogue test and the documentation.
    pub fn examples() -> Vec<Self> {
        vec![
            Self::Invalid(FieldError::new("quiet_hours", "invalid", "格式不对", "invalid").into()),
            Self::NotFound(Missing::Notification),
            Self::Identity(IdentityError::Forbidden),
            Self::Db(DbErr::Custom("example".to_owned())),
            Self::Internal("example".to_owned()),
        ]
    }
}

impl From<FieldError> for NotifyError {
    fn from(e: FieldError) -> Self {
        Self::Invalid(e.into())
    }
}

farmgate_infra::room_error_answers!(NotifyError {
    delegates: [Identity],
    internal: [Db, Internal],
});

pub type Result<T, E = NotifyError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    farmgate_infra::error_catalogue_tests!(NotifyError, NotifyErrorDiscriminants);
}
