//! News errors: one variant per stable code a client matches, its zh-CN and English text, and
//! how it looks over HTTP.

use crate::domain::ReviewStatus;
use axum::http::StatusCode;
use farmgate_catalog::CatalogError;
use farmgate_identity::IdentityError;
use farmgate_infra::http::{Answer, HttpCode};
use farmgate_kernel::{FieldError, ValidationErrors, labelled_enum};
use sea_orm::DbErr;

labelled_enum!(
    /// What a request named that does not exist (or that the caller may not know exists).
    Missing {
        Article => "article", "资讯", "article";
        Image => "image", "图片", "picture";
    }
);

#[derive(Debug, thiserror::Error)]
#[cfg_attr(test, derive(strum::EnumDiscriminants))]
#[cfg_attr(test, strum_discriminants(derive(strum::EnumIter, Hash)))]
pub enum NewsError {
    /// `validation_failed`: field errors.
    #[error("invalid input: {0}")]
    Invalid(#[from] ValidationErrors),
    /// `not_found`.
    #[error("{} not found", .0.label_en())]
    NotFound(Missing),
    /// `forbidden`: news is written by the operator and county officials only.
    #[error("not allowed")]
    Forbidden,
    /// `not_operator`: only the platform operator reviews, pins and withdraws others' news.
    #[error("only the operator reviews news")]
    NotOperator,
    /// `own_article`: four eyes — nobody reviews their own article.
    #[error("an author does not review their own article")]
    OwnArticle,
    /// `wrong_status`: the move is not allowed where the article stands (or another request
    /// moved it first).
    #[error("the article is {}", .0.label_en())]
    WrongStatus(ReviewStatus),
    /// `not_published`: withdrawal needs a published article.
    #[error("the article is not published")]
    NotPublished,
    #[error(transparent)]
    Identity(#[from] IdentityError),
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error("database")]
    Db(#[from] DbErr),
    #[error("internal: {0}")]
    Internal(String),
}

impl NewsError {
    /// Status, code and message: the one list of this crate's answers.
    fn answer(&self) -> Answer {
        match self {
            Self::Invalid(_) => HttpCode::ValidationFailed.into(),
            Self::NotFound(what) => Answer::not_found(what.label()),
            Self::Forbidden => HttpCode::Forbidden.into(),
            Self::NotOperator => Answer::new(
                StatusCode::FORBIDDEN,
                "not_operator",
                "资讯由平台运营审核",
                "news is reviewed by the platform operator",
            ),
            Self::OwnArticle => Answer::new(
                StatusCode::FORBIDDEN,
                "own_article",
                "不能审核自己撰写的资讯，请由另一位运营人员审核",
                "you cannot review an article you wrote; another operator reviews it",
            ),
            Self::WrongStatus(s) => Answer::conflict(
                "wrong_status",
                format!("该资讯当前为“{}”，不能这样操作", s.label_zh()),
                format!("the article is {}; that cannot be done now", s.label_en()),
            ),
            Self::NotPublished => Answer::conflict(
                "not_published",
                "该资讯未在发布中",
                "the article is not published",
            ),
            Self::Identity(_) | Self::Catalog(_) | Self::Db(_) | Self::Internal(_) => {
                HttpCode::Internal.into()
            }
        }
    }

    /// One value of every variant, for the catalogue test and the documentation.
    pub fn examples() -> Vec<Self> {
        vec![
            Self::Invalid(FieldError::new("title", "required", "请填写", "required").into()),
            Self::NotFound(Missing::Article),
            Self::Forbidden,
            Self::NotOperator,
            Self::OwnArticle,
            Self::WrongStatus(ReviewStatus::Submitted),
            Self::NotPublished,
            Self::Identity(IdentityError::Forbidden),
            Self::Catalog(CatalogError::ImageTooLarge),
            Self::Db(DbErr::Custom("example".to_owned())),
            Self::Internal("example".to_owned()),
        ]
    }
}

impl From<FieldError> for NewsError {
    fn from(e: FieldError) -> Self {
        Self::Invalid(e.into())
    }
}

farmgate_infra::room_error_answers!(NewsError {
    delegates: [Identity, Catalog],
    internal: [Db, Internal],
});

pub type Result<T, E = NewsError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    farmgate_infra::error_catalogue_tests!(NewsError, NewsErrorDiscriminants);
}
