//! The desk's rules as plain types and functions: what a ticket is about and how urgent, the
//! limits that follow from both, the ticket's state machine, the 7-day reopen window, the survey
//! and the figures' arithmetic (`figures`).

pub mod conversation;
pub mod figures;
mod limits;

pub use limits::{Limit, default_limit};

use chrono::{DateTime, Duration, Utc};
use farmgate_kernel::{FieldError, labelled_enum};

farmgate_kernel::define_id!(
    /// A service-desk ticket (工单).
    TicketId
);

farmgate_kernel::define_id!(
    /// A canned reply (常用回复).
    CannedReplyId
);

farmgate_kernel::define_id!(
    /// A problem-customer record (劣质客户备案).
    CustomerRecordId
);

labelled_enum!(
    /// What a ticket is about.
    TicketKind {
        SellerComplaint => "seller_complaint", "投诉商家", "complaint about a seller";
        MisleadingListing => "misleading_listing", "商品信息不实", "misleading listing";
        AccountProblem => "account_problem", "账号问题", "account problem";
        Suggestion => "suggestion", "意见建议", "suggestion";
        Other => "other", "其他", "other";
    }
);

labelled_enum!(
    /// How urgent a ticket is: it sets the response and resolution limits.
    TicketUrgency {
        Low => "low", "低", "low";
        Normal => "normal", "普通", "normal";
        High => "high", "高", "high";
        Urgent => "urgent", "紧急", "urgent";
    }
);

labelled_enum!(
    /// How the ticket reached the desk.
    TicketChannel {
        Web => "web", "网页", "web";
        Hotline => "hotline", "热线", "hotline";
    }
);

labelled_enum!(
    /// Where a ticket stands; see [`transition`].
    TicketStatus {
        /// Waiting for the desk (new, or the customer wrote again).
        Open => "open", "待处理", "open";
        /// The desk answered; waiting for the customer.
        Answered => "answered", "已回复", "answered";
        Closed => "closed", "已关闭", "closed";
        /// A duplicate folded into another ticket (terminal).
        Merged => "merged", "已合并", "merged";
    }
);

labelled_enum!(
    /// What a ticket may point at, checked through the owning room when it is opened.
    LinkKind {
        Order => "order", "订单", "order";
        Listing => "listing", "商品", "listing";
        Claim => "claim", "售后申请", "claim";
    }
);

labelled_enum!(
    /// Who wrote a message on a ticket.
    AuthorRole {
        Customer => "customer", "客户", "customer";
        Agent => "agent", "客服", "agent";
    }
);

labelled_enum!(
    /// An entry in a ticket's event log (append-only).
    TicketEventKind {
        Opened => "opened", "创建", "opened";
        Assigned => "assigned", "派单", "assigned";
        Replied => "replied", "回复", "replied";
        Noted => "noted", "内部备注", "internal note";
        CustomerWrote => "customer_wrote", "客户留言", "customer wrote";
        UrgencyChanged => "urgency_changed", "调整紧急程度", "urgency changed";
        Overdue => "overdue", "超时", "overdue";
        Closed => "closed", "关闭", "closed";
        Reopened => "reopened", "重新打开", "reopened";
        Merged => "merged", "合并", "merged";
        Rated => "rated", "满意度评价", "rated";
        FollowedUp => "followed_up", "回访", "followed up";
    }
);

labelled_enum!(
    /// Which limit a deadline is.
    DueKind {
        Response => "response", "首次响应", "first response";
        Resolution => "resolution", "解决", "resolution";
    }
);

labelled_enum!(
    /// What came of a follow-up call (回访).
    FollowUpOutcome {
        Satisfied => "satisfied", "客户满意", "customer satisfied";
        Unsatisfied => "unsatisfied", "客户不满意", "customer not satisfied";
        Unreachable => "unreachable", "联系不上", "could not reach the customer";
        Declined => "declined", "客户拒绝回访", "customer declined";
    }
);

labelled_enum!(
    /// What kind of problem a problem-customer record (劣质客户备案) notes.
    CustomerRecordKind {
        MaliciousClaims => "malicious_claims", "恶意索赔", "malicious claims";
        Abuse => "abuse", "辱骂客服", "abusive to staff";
        Fraud => "fraud", "欺诈", "fraud";
        Other => "other", "其他", "other";
    }
);

/// How long after closing the customer may reopen a ticket.
pub fn reopen_window() -> Duration {
    Duration::days(7)
}

/// A move on a ticket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Move {
    /// An agent replies to the customer.
    AgentReply,
    /// The customer writes on the ticket.
    CustomerWrites,
    /// An agent (or the customer) closes it.
    Close,
    /// The customer reopens a closed ticket (within [`reopen_window`]).
    Reopen,
    /// An agent folds it into another ticket.
    Merge,
}

/// Why a move is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum IllegalMove {
    #[error("the ticket is closed")]
    Closed,
    #[error("the ticket is not closed")]
    NotClosed,
    #[error("the ticket was merged into another")]
    Merged,
    #[error("the reopen window has passed")]
    ReopenWindowPassed,
}

/// The ticket machine.
///
/// ```text
///            AgentReply              CustomerWrites
///   Open ─────────────▶ Answered ────────────────▶ Open
///    │  ◀───────────── (AgentReply keeps Answered)
///    │ Close               │ Close
///    ▼                     ▼
///  Closed ──Reopen (≤ 7 days after closing)──▶ Open
///  Open/Answered ──Merge──▶ Merged (terminal)
/// ```
pub fn transition(
    from: TicketStatus,
    mv: Move,
    closed_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<TicketStatus, IllegalMove> {
    use TicketStatus::*;
    match (from, mv) {
        (Merged, _) => Err(IllegalMove::Merged),
        (Open | Answered, Move::AgentReply) => Ok(Answered),
        (Open | Answered, Move::CustomerWrites) => Ok(Open),
        (Open | Answered, Move::Close) => Ok(Closed),
        (Open | Answered, Move::Merge) => Ok(Merged),
        (Open | Answered, Move::Reopen) => Err(IllegalMove::NotClosed),
        (Closed, Move::Reopen) => match closed_at {
            Some(at) if now - at <= reopen_window() => Ok(Open),
            _ => Err(IllegalMove::ReopenWindowPassed),
        },
        (Closed, _) => Err(IllegalMove::Closed),
    }
}

/// The deadline the queue sorts by: the first response while there is none, then the
/// resolution; none once closed or merged.
pub fn next_due(
    status: TicketStatus,
    first_response_at: Option<DateTime<Utc>>,
    respond_by: DateTime<Utc>,
    resolve_by: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    match status {
        TicketStatus::Closed | TicketStatus::Merged => None,
        _ if first_response_at.is_none() => Some(respond_by),
        _ => Some(resolve_by),
    }
}

/// One score of the survey: 1–5.
pub fn score(field: &str, value: i64) -> Result<i16, FieldError> {
    if (1..=5).contains(&value) {
        Ok(i16::try_from(value).unwrap_or(1))
    } else {
        Err(FieldError::new(
            field,
            "out_of_range",
            "请打 1 到 5 分",
            "a score from 1 to 5",
        ))
    }
}

/// A phone a caller gives: a mobile or a landline (`0797-1234567`), digits with spaces, `-`,
/// `+` or brackets; stored as typed (trimmed), 5–20 digits.
pub fn contact_phone(field: &str, input: &str) -> Result<String, FieldError> {
    let s = input.trim();
    let digits = s.chars().filter(char::is_ascii_digit).count();
    let allowed = s
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '+' | '(' | ')'));
    if allowed && (5..=20).contains(&digits) && s.chars().count() <= 20 {
        Ok(s.to_owned())
    } else {
        Err(FieldError::new(
            field,
            "invalid",
            "请填写有效的电话号码",
            "a valid phone number",
        ))
    }
}

/// A ticket number people can read out on the phone: `GD` + the Shanghai date + 6 digits.
pub fn ticket_number(now: DateTime<Utc>, random: u32) -> String {
    let day = now.with_timezone(&farmgate_kernel::clock::shanghai());
    format!("GD{}{:06}", day.format("%Y%m%d"), random % 1_000_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(h: i64) -> DateTime<Utc> {
        DateTime::<Utc>::UNIX_EPOCH + Duration::hours(h)
    }

    #[test]
    fn an_agent_reply_answers_and_the_customer_writing_again_reopens_the_queue_item() {
        assert_eq!(
            transition(TicketStatus::Open, Move::AgentReply, None, t(0)),
            Ok(TicketStatus::Answered)
        );
        assert_eq!(
            transition(TicketStatus::Answered, Move::CustomerWrites, None, t(0)),
            Ok(TicketStatus::Open)
        );
        assert_eq!(
            transition(TicketStatus::Answered, Move::Close, None, t(0)),
            Ok(TicketStatus::Closed)
        );
    }

    #[test]
    fn a_closed_ticket_reopens_within_seven_days_and_not_after() {
        let closed = Some(t(0));
        assert_eq!(
            transition(TicketStatus::Closed, Move::Reopen, closed, t(7 * 24)),
            Ok(TicketStatus::Open)
        );
        assert_eq!(
            transition(TicketStatus::Closed, Move::Reopen, closed, t(7 * 24 + 1)),
            Err(IllegalMove::ReopenWindowPassed)
        );
        assert_eq!(
            transition(TicketStatus::Closed, Move::CustomerWrites, closed, t(1)),
            Err(IllegalMove::Closed)
        );
        assert_eq!(
            transition(TicketStatus::Open, Move::Reopen, None, t(1)),
            Err(IllegalMove::NotClosed)
        );
    }

    #[test]
    fn a_merged_ticket_is_final() {
        for mv in [
            Move::AgentReply,
            Move::CustomerWrites,
            Move::Close,
            Move::Reopen,
            Move::Merge,
        ] {
            assert_eq!(
                transition(TicketStatus::Merged, mv, Some(t(0)), t(1)),
                Err(IllegalMove::Merged)
            );
        }
        assert_eq!(
            transition(TicketStatus::Closed, Move::Merge, Some(t(0)), t(1)),
            Err(IllegalMove::Closed)
        );
    }

    #[test]
    fn the_queue_sorts_by_the_response_limit_until_answered_then_by_the_resolution_limit() {
        assert_eq!(next_due(TicketStatus::Open, None, t(1), t(8)), Some(t(1)));
        assert_eq!(
            next_due(TicketStatus::Open, Some(t(0)), t(1), t(8)),
            Some(t(8))
        );
        assert_eq!(next_due(TicketStatus::Closed, None, t(1), t(8)), None);
    }

    #[test]
    fn scores_are_one_to_five() {
        assert_eq!(score("speed", 5), Ok(5));
        assert!(score("speed", 0).is_err());
        assert!(score("speed", 6).is_err());
    }

    #[test]
    fn callers_phones_may_be_landlines_but_not_words() {
        assert_eq!(
            contact_phone("phone", " 0797-1234567 ").as_deref(),
            Ok("0797-1234567")
        );
        assert!(contact_phone("phone", "13800138000").is_ok());
        assert!(contact_phone("phone", "call me").is_err());
        assert!(contact_phone("phone", "123").is_err());
        assert!(contact_phone("phone", &"1".repeat(21)).is_err());
    }

    #[test]
    fn ticket_numbers_carry_the_shanghai_date() {
        // 1970-01-01 20:00 UTC is already the 2nd in Shanghai.
        assert_eq!(ticket_number(t(20), 42), "GD19700102000042");
    }
}
