//! Finance errors: one variant per stable code a client matches, its zh-CN and English text,
//! and how it looks over HTTP.

use crate::domain::{IllegalSettle, NotPending};
use axum::http::StatusCode;
use farmgate_identity::IdentityError;
use farmgate_infra::http::{Answer, HttpCode};
use farmgate_kernel::{FieldError, ValidationErrors, labelled_enum};
use farmgate_orders::OrdersError;
use sea_orm::DbErr;

labelled_enum!(
    /// What a request named that does not exist (or that the caller may not know exists).
    Missing {
        BankAccount => "bank_account", "结算账户", "settlement account";
        Batch => "payout_batch", "付款批次", "payout batch";
        Payout => "payout", "付款单", "payout";
        Organisation => "organisation", "组织", "organisation";
    }
);

#[derive(Debug, thiserror::Error)]
#[cfg_attr(test, derive(strum::EnumDiscriminants))]
#[cfg_attr(test, strum_discriminants(derive(strum::EnumIter, Hash)))]
pub enum FinanceError {
    /// `validation_failed`: field errors.
    #[error("invalid input: {0}")]
    Invalid(#[from] ValidationErrors),
    /// `not_found`.
    #[error("{} not found", .0.label_en())]
    NotFound(Missing),
    /// `forbidden`.
    #[error("not allowed")]
    Forbidden,
    /// `not_a_seller`: only a selling organisation is paid out.
    #[error("not a seller")]
    NotASeller,
    /// `code_required`: changing a registered account needs a code sent to the owner's phone.
    #[error("a phone code is required to change the account")]
    CodeRequired,
    /// `not_pending`: only a pending account is verified or rejected.
    #[error("the account is not pending review")]
    NotPending,
    /// `account_changed`: the account changed since finance looked at it.
    #[error("the account changed since it was read")]
    AccountChanged,
    /// `nothing_to_pay`: no seller with a verified account has anything payable.
    #[error("nothing to pay")]
    NothingToPay,
    /// `concurrent_update`: another batch took these sub-orders at the same moment.
    #[error("another batch is being made")]
    ConcurrentBatch,
    /// `already_paid`: paid with another reference (or paid, so it cannot fail).
    #[error("paid already")]
    AlreadyPaid,
    /// `already_failed`: failed already; its sub-orders are payable again.
    #[error("failed already")]
    AlreadyFailed,
    #[error(transparent)]
    Identity(#[from] IdentityError),
    #[error(transparent)]
    Orders(#[from] OrdersError),
    #[error("database")]
    Db(#[from] DbErr),
    #[error("internal: {0}")]
    Internal(String),
}

impl FinanceError {
    /// Status, code and message: the one list of this crate's answers.
    fn answer(&self) -> Answer {
        match self {
            Self::Invalid(_) => HttpCode::ValidationFailed.into(),
            Self::NotFound(what) => Answer::not_found(what.label()),
            Self::Forbidden => HttpCode::Forbidden.into(),
            Self::NotASeller => Answer::conflict(
                "not_a_seller",
                "只有供应端组织可以登记结算账户",
                "only a selling organisation has a settlement account",
            ),
            Self::CodeRequired => Answer::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "code_required",
                "更改结算账户需要输入发送到负责人手机的验证码",
                "changing the settlement account needs the code sent to the owner's phone",
            ),
            Self::NotPending => Answer::conflict(
                "not_pending",
                "该账户不在待审核状态",
                "the account is not waiting for review",
            ),
            Self::AccountChanged => Answer::conflict(
                "account_changed",
                "账户信息已被修改，请刷新后重新审核",
                "the account changed since you read it; reload and review again",
            ),
            Self::NothingToPay => Answer::conflict(
                "nothing_to_pay",
                "没有可付款的卖家（需已核验结算账户且有可结算订单）",
                "no seller with a verified account has anything payable",
            ),
            Self::ConcurrentBatch => Answer::conflict(
                "concurrent_update",
                "另一付款批次正在生成，请刷新后查看",
                "another payout batch is being made; reload and look",
            ),
            Self::AlreadyPaid => Answer::conflict(
                "already_paid",
                "该付款单已付款，银行流水号不能更改",
                "the payout is paid; its bank reference cannot change",
            ),
            Self::AlreadyFailed => Answer::conflict(
                "already_failed",
                "该付款单已标记失败，相关订单将进入下一批次",
                "the payout failed; its sub-orders join the next batch",
            ),
            Self::Identity(_) | Self::Orders(_) | Self::Db(_) | Self::Internal(_) => {
                HttpCode::Internal.into()
            }
        }
    }

    /// One value of every variant, for the catalogue test and the documentation.
    pub fn examples() -> Vec<Self> {
        vec![
            Self::Invalid(FieldError::new("reason", "required", "请填写原因", "say why").into()),
            Self::NotFound(Missing::Payout),
            Self::Forbidden,
            Self::NotASeller,
            Self::CodeRequired,
            Self::NotPending,
            Self::AccountChanged,
            Self::NothingToPay,
            Self::ConcurrentBatch,
            Self::AlreadyPaid,
            Self::AlreadyFailed,
            Self::Identity(IdentityError::Forbidden),
            Self::Orders(OrdersError::Forbidden),
            Self::Db(DbErr::Custom("example".to_owned())),
            Self::Internal("example".to_owned()),
        ]
    }
}

impl From<FieldError> for FinanceError {
    fn from(e: FieldError) -> Self {
        Self::Invalid(e.into())
    }
}

impl From<NotPending> for FinanceError {
    fn from(_: NotPending) -> Self {
        Self::NotPending
    }
}

impl From<IllegalSettle> for FinanceError {
    fn from(e: IllegalSettle) -> Self {
        match e {
            IllegalSettle::PaidWithAnotherReference | IllegalSettle::AlreadyPaid => {
                Self::AlreadyPaid
            }
            IllegalSettle::AlreadyFailed => Self::AlreadyFailed,
        }
    }
}

farmgate_infra::room_error_answers!(FinanceError {
    delegates: [Identity, Orders],
    internal: [Db, Internal],
});

pub type Result<T, E = FinanceError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;
    use farmgate_infra::http::ApiError;

    farmgate_infra::error_catalogue_tests!(FinanceError, FinanceErrorDiscriminants);

    #[test]
    fn codes_texts_and_statuses_stay_as_clients_know_them() {
        let api = |e: FinanceError| {
            let a = ApiError::from(e);
            (a.status.as_u16(), a.code.to_string())
        };
        assert_eq!(api(FinanceError::AlreadyPaid), (409, "already_paid".into()));
        assert_eq!(
            api(FinanceError::CodeRequired),
            (422, "code_required".into())
        );
        assert_eq!(
            api(FinanceError::NotFound(Missing::Batch)),
            (404, "not_found".into())
        );
        assert_eq!(
            api(FinanceError::ConcurrentBatch),
            (409, "concurrent_update".into())
        );
    }
}
