//! Desk errors: one variant per stable code a client matches, its zh-CN and English text, and
//! how it looks over HTTP.

use crate::domain::IllegalMove;
use farmgate_aftersales::AftersalesError;
use farmgate_catalog::CatalogError;
use farmgate_identity::IdentityError;
use farmgate_infra::http::{Answer, HttpCode};
use farmgate_kernel::{FieldError, ValidationErrors, labelled_enum};
use farmgate_orders::OrdersError;
use sea_orm::DbErr;

labelled_enum!(
    /// What a request named that does not exist (or that the caller may not know exists).
    Missing {
        Ticket => "ticket", "工单", "ticket";
        Agent => "agent", "客服", "agent";
        CannedReply => "canned_reply", "常用回复", "canned reply";
        FollowUp => "follow_up", "回访任务", "follow-up";
        CustomerRecord => "customer_record", "客户备案", "customer record";
        Conversation => "conversation", "咨询会话", "conversation";
        Message => "message", "消息", "message";
        Report => "report", "举报", "report";
        Attachment => "attachment", "照片", "photo";
    }
);

#[derive(Debug, thiserror::Error)]
#[cfg_attr(test, derive(strum::EnumDiscriminants))]
#[cfg_attr(test, strum_discriminants(derive(strum::EnumIter, Hash)))]
pub enum DeskError {
    /// `validation_failed`: field errors.
    #[error("invalid input: {0}")]
    Invalid(#[from] ValidationErrors),
    /// `not_found`.
    #[error("{} not found", .0.label_en())]
    NotFound(Missing),
    /// `forbidden`.
    #[error("not allowed")]
    Forbidden,
    /// `ticket_closed`: nothing more is written on a closed ticket (reopen it first).
    #[error("the ticket is closed")]
    Closed,
    /// `ticket_not_closed`: only a closed ticket is reopened, rated or followed up.
    #[error("the ticket is not closed")]
    NotClosed,
    /// `ticket_merged`: the ticket was folded into another; write there.
    #[error("the ticket was merged")]
    Merged,
    /// `reopen_window_passed`: a ticket reopens within 7 days of closing.
    #[error("the reopen window has passed")]
    ReopenWindowPassed,
    /// `already_assigned`: another agent took the ticket first.
    #[error("already assigned")]
    AlreadyAssigned,
    /// `concurrent_update`: the ticket changed while this request was handled.
    #[error("the ticket changed meanwhile")]
    Concurrent,
    /// `no_agent_on_duty`: round-robin needs at least one agent on duty.
    #[error("no agent on duty")]
    NoAgentOnDuty,
    /// `already_rated`.
    #[error("already rated")]
    AlreadyRated,
    /// `already_followed_up`.
    #[error("already followed up")]
    AlreadyFollowedUp,
    /// `already_reported`: one report per message and person.
    #[error("already reported")]
    AlreadyReported,
    /// `already_hidden`: the message is hidden already.
    #[error("already hidden")]
    AlreadyHidden,
    /// `already_resolved`: the report was decided already.
    #[error("already resolved")]
    AlreadyResolved,
    /// `idempotency_key_reused`: the `Idempotency-Key` came with another ticket before.
    #[error("Idempotency-Key reused for another ticket")]
    KeyReused,
    /// `too_many_attachments`: too many photos uploaded and not yet sent.
    #[error("too many unsent photos")]
    TooManyAttachments,
    /// A photo the catalogue's image checks refused (`unsupported_image`, `payload_too_large`, …).
    #[error(transparent)]
    Catalog(CatalogError),
    #[error(transparent)]
    Identity(#[from] IdentityError),
    #[error("database")]
    Db(#[from] DbErr),
    #[error("internal: {0}")]
    Internal(String),
}

impl DeskError {
    /// Status, code and message: the one list of this crate's answers.
    fn answer(&self) -> Answer {
        match self {
            Self::Invalid(_) => HttpCode::ValidationFailed.into(),
            Self::NotFound(what) => Answer::not_found(what.label()),
            Self::Forbidden => HttpCode::Forbidden.into(),
            Self::Closed => Answer::conflict(
                "ticket_closed",
                "工单已关闭，请先重新打开",
                "the ticket is closed; reopen it first",
            ),
            Self::NotClosed => Answer::conflict(
                "ticket_not_closed",
                "工单尚未关闭",
                "the ticket is not closed",
            ),
            Self::Merged => Answer::conflict(
                "ticket_merged",
                "该工单已合并到另一工单",
                "this ticket was merged into another",
            ),
            Self::ReopenWindowPassed => Answer::conflict(
                "reopen_window_passed",
                "工单关闭已超过 7 天，不能重新打开，请新建工单",
                "a ticket can be reopened within 7 days of closing; open a new one",
            ),
            Self::AlreadyAssigned => Answer::conflict(
                "already_assigned",
                "该工单已被其他客服接单",
                "another agent took this ticket first",
            ),
            Self::Concurrent => Answer::conflict(
                "concurrent_update",
                "工单刚被他人修改，请刷新后重试",
                "the ticket just changed; reload and try again",
            ),
            Self::NoAgentOnDuty => Answer::conflict(
                "no_agent_on_duty",
                "当前没有在岗客服",
                "no agent is on duty",
            ),
            Self::AlreadyRated => Answer::conflict(
                "already_rated",
                "已经评价过了",
                "you have already rated this ticket",
            ),
            Self::AlreadyFollowedUp => Answer::conflict(
                "already_followed_up",
                "该回访已登记",
                "this follow-up is recorded already",
            ),
            Self::AlreadyReported => Answer::conflict(
                "already_reported",
                "你已经举报过这条消息",
                "you have already reported this message",
            ),
            Self::AlreadyHidden => Answer::conflict(
                "already_hidden",
                "这条消息已被隐藏",
                "this message is hidden already",
            ),
            Self::AlreadyResolved => Answer::conflict(
                "already_resolved",
                "这条举报已处理",
                "this report is decided already",
            ),
            Self::KeyReused => Answer::conflict(
                "idempotency_key_reused",
                "这个 Idempotency-Key 已用于另一张不同的工单",
                "this Idempotency-Key was used for a different ticket",
            ),
            Self::TooManyAttachments => Answer::conflict(
                "too_many_attachments",
                "已上传但未发送的照片太多，请先发送或稍后再试",
                "too many photos uploaded and not sent; send them first",
            ),
            Self::Catalog(_) | Self::Identity(_) | Self::Db(_) | Self::Internal(_) => {
                HttpCode::Internal.into()
            }
        }
    }

    /// One value of every variant, for the catalogue test and the documentation.
    pub fn examples() -> Vec<Self> {
        vec![
            Self::Invalid(FieldError::new("body", "required", "请填写内容", "say what").into()),
            Self::NotFound(Missing::Ticket),
            Self::Forbidden,
            Self::Closed,
            Self::NotClosed,
            Self::Merged,
            Self::ReopenWindowPassed,
            Self::AlreadyAssigned,
            Self::Concurrent,
            Self::NoAgentOnDuty,
            Self::AlreadyRated,
            Self::AlreadyFollowedUp,
            Self::AlreadyReported,
            Self::AlreadyHidden,
            Self::AlreadyResolved,
            Self::KeyReused,
            Self::TooManyAttachments,
            Self::Catalog(CatalogError::UnsupportedImage),
            Self::Identity(IdentityError::Forbidden),
            Self::Db(DbErr::Custom("example".to_owned())),
            Self::Internal("example".to_owned()),
        ]
    }

    /// A linked record the opener may not see, or that does not exist, is a field error on
    /// `link_id` (never a hint about whose it is).
    pub(crate) fn link_not_found() -> Self {
        Self::Invalid(
            FieldError::new(
                "link_id",
                "not_found",
                "找不到该记录，或你无权查看",
                "no such record that you may see",
            )
            .into(),
        )
    }
}

impl From<FieldError> for DeskError {
    fn from(e: FieldError) -> Self {
        Self::Invalid(e.into())
    }
}

impl From<IllegalMove> for DeskError {
    fn from(e: IllegalMove) -> Self {
        match e {
            IllegalMove::Closed => Self::Closed,
            IllegalMove::NotClosed => Self::NotClosed,
            IllegalMove::Merged => Self::Merged,
            IllegalMove::ReopenWindowPassed => Self::ReopenWindowPassed,
        }
    }
}

/// Another room's "not found" or "forbidden" when checking a link is the link's field error;
/// anything else is our failure.
macro_rules! link_error {
    ($t:ty, $($pat:pat),+) => {
        impl From<$t> for DeskError {
            fn from(e: $t) -> Self {
                match e {
                    $($pat)|+ => Self::link_not_found(),
                    other => Self::Internal(format!("checking a ticket's link: {other}")),
                }
            }
        }
    };
}

link_error!(
    OrdersError,
    OrdersError::NotFound(_),
    OrdersError::Forbidden
);
link_error!(
    CatalogError,
    CatalogError::NotFound(_),
    CatalogError::Forbidden
);
link_error!(
    AftersalesError,
    AftersalesError::NotFound(_),
    AftersalesError::Forbidden
);

farmgate_infra::room_error_answers!(DeskError {
    delegates: [Identity, Catalog],
    internal: [Db, Internal],
});

pub type Result<T, E = DeskError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;
    use farmgate_infra::http::ApiError;

    farmgate_infra::error_catalogue_tests!(DeskError, DeskErrorDiscriminants);

    #[test]
    fn codes_texts_and_statuses_stay_as_clients_know_them() {
        let api = |e: DeskError| {
            let a = ApiError::from(e);
            (a.status.as_u16(), a.code.to_string(), a.message.en)
        };
        assert_eq!(
            api(DeskError::ReopenWindowPassed),
            (
                409,
                "reopen_window_passed".to_owned(),
                "a ticket can be reopened within 7 days of closing; open a new one".to_owned()
            )
        );
        assert_eq!(api(DeskError::NotFound(Missing::Ticket)).0, 404);
        assert_eq!(api(DeskError::link_not_found()).0, 422);
        assert_eq!(api(DeskError::Forbidden).1, "forbidden");
    }
}
