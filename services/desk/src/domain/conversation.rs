//! Conversations (咨询) between a buyer and a seller about a listing or an order: who is on
//! which side, the unread count and the one-notice-per-burst rule, and the seller's first
//! response time.
//!
//! **One notice per burst.** Each side has an unread count and a `noticed` flag. A message
//! raises the recipient's count; it sends a notice only when the recipient has not been
//! noticed since they last read the conversation. Reading clears both. So a buyer who sends
//! five messages in a row while the seller is away causes one notification, and the next
//! one goes out after the seller has read them.
//!
//! **First response.** The clock starts at the buyer's first message and stops at the
//! seller's first message after it; a seller's message before the buyer wrote anything does
//! not count as a response.

use chrono::{DateTime, Utc};
use farmgate_kernel::labelled_enum;

farmgate_kernel::define_id!(
    /// A buyer ↔ seller conversation (咨询).
    ConversationId
);

farmgate_kernel::define_id!(
    /// A message in a conversation.
    ConversationMessageId
);

farmgate_kernel::define_id!(
    /// A report of an abusive conversation message.
    ConversationReportId
);

labelled_enum!(
    /// What a conversation is about.
    ConversationSubject {
        Listing => "listing", "商品", "listing";
        Order => "order", "订单", "order";
    }
);

labelled_enum!(
    /// Which party wrote.
    Side {
        Buyer => "buyer", "买家", "buyer";
        Seller => "seller", "卖家", "seller";
    }
);

labelled_enum!(
    /// What the operator decided about a reported message.
    ReportOutcome {
        Hidden => "hidden", "已隐藏", "hidden";
        Dismissed => "dismissed", "已驳回", "dismissed";
    }
);

/// Longest message (characters).
pub const MAX_MESSAGE: usize = 1000;
/// Longest reason for a report (characters).
pub const MAX_REPORT_REASON: usize = 500;
/// Longest reason for hiding a message or for the operator's reading (characters).
pub const MAX_OPERATOR_REASON: usize = 200;

impl Side {
    pub fn other(self) -> Self {
        match self {
            Self::Buyer => Self::Seller,
            Self::Seller => Self::Buyer,
        }
    }
}

/// One side's unread state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Inbox {
    pub unread: i32,
    /// A notice went out since this side last read.
    pub noticed: bool,
}

/// A message reached this side: the new state, and whether to send a notice.
pub fn on_message(recipient: Inbox) -> (Inbox, bool) {
    (
        Inbox {
            unread: recipient.unread.saturating_add(1),
            noticed: true,
        },
        !recipient.noticed,
    )
}

/// This side read the conversation.
pub fn on_read(_: Inbox) -> Inbox {
    Inbox {
        unread: 0,
        noticed: false,
    }
}

/// The seller's response clock of one conversation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ResponseClock {
    pub first_buyer_message_at: Option<DateTime<Utc>>,
    pub first_seller_reply_at: Option<DateTime<Utc>>,
}

impl ResponseClock {
    /// After a message by `side` at `at`.
    pub fn on_message(self, side: Side, at: DateTime<Utc>) -> Self {
        match side {
            Side::Buyer => Self {
                first_buyer_message_at: self.first_buyer_message_at.or(Some(at)),
                ..self
            },
            Side::Seller => Self {
                first_seller_reply_at: self
                    .first_seller_reply_at
                    .or(self.first_buyer_message_at.map(|_| at)),
                ..self
            },
        }
    }

    /// Seconds from the buyer's first message to the seller's first response.
    pub fn response_seconds(self) -> Option<i64> {
        match (self.first_buyer_message_at, self.first_seller_reply_at) {
            (Some(a), Some(b)) => Some((b - a).num_seconds().max(0)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(min: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 6, 8, 0, 0)
            .single()
            .unwrap_or_default()
            + chrono::Duration::minutes(min)
    }

    #[test]
    fn a_burst_of_messages_sends_one_notice_until_the_recipient_reads() {
        let fresh = Inbox {
            unread: 0,
            noticed: false,
        };
        let (one, notify) = on_message(fresh);
        assert!(notify);
        let (two, notify_again) = on_message(one);
        assert!(
            !notify_again,
            "the second message of the burst is not noticed"
        );
        assert_eq!(two.unread, 2);
        let read = on_read(two);
        assert_eq!(read, fresh);
        assert!(
            on_message(read).1,
            "after reading, the next message is noticed"
        );
    }

    #[test]
    fn the_clock_runs_from_the_buyers_first_message_to_the_sellers_first_answer() {
        let c = ResponseClock::default()
            .on_message(Side::Seller, t(0))
            .on_message(Side::Buyer, t(5))
            .on_message(Side::Buyer, t(6))
            .on_message(Side::Seller, t(17))
            .on_message(Side::Seller, t(30));
        assert_eq!(c.first_buyer_message_at, Some(t(5)));
        assert_eq!(c.first_seller_reply_at, Some(t(17)));
        assert_eq!(c.response_seconds(), Some(12 * 60));
    }

    #[test]
    fn an_unanswered_conversation_has_no_response_time() {
        let c = ResponseClock::default().on_message(Side::Buyer, t(0));
        assert_eq!(c.response_seconds(), None);
        assert_eq!(Side::Buyer.other(), Side::Seller);
    }
}
