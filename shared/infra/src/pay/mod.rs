//! Online payment providers, spoken in their own published protocols:
//!
//! | provider | module | requests | notifications |
//! | --- | --- | --- | --- |
//! | WeChat Pay API v3 (微信支付) | [`wechat`] | JSON, `WECHATPAY2-SHA256-RSA2048` (RSA-SHA256) signed, every answer's signature checked | JSON, RSA-SHA256 signed by the platform key, `resource` encrypted with AEAD_AES_256_GCM under the APIv3 key |
//! | Alipay open platform (支付宝) | [`alipay`] | form parameters signed `RSA2` (SHA256withRSA), answers' `sign` checked | form parameters signed `RSA2` |
//!
//! This module holds what the rest of Farmgate sees: provider-neutral values. A paid order
//! is a [`Notification`] of kind [`NotificationKind::Paid`] whichever provider sent it; what
//! the provider wants back is an [`Ack`]; its daily bill is a list of [`BillLine`]s; every
//! failure is a [`PayError`], whose messages never carry a key, a signature or a payer's
//! details. Amounts are integer fen ([`money`] converts Alipay's yuan strings).
//!
//! Nothing here decides whether an order is paid: the orders service compares a
//! notification's amount and order number with its own records, keeps event ids to ignore
//! redeliveries, and asks [`wechat::WechatPay::query`] / [`alipay::Alipay::query`] when in
//! doubt.

pub mod alipay;
pub mod keys;
pub mod money;
pub mod wechat;
mod wire;

use chrono::{DateTime, Utc};

pub use keys::{KeyError, PrivateKey, PublicKey};

/// How far a signed timestamp may be from our clock (WeChat Pay recommends refusing
/// notifications and answers more than 5 minutes off, against replays).
pub const TOLERANCE_SECS: i64 = 300;

/// What a notification says happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NotificationKind {
    /// The buyer paid (WeChat `TRANSACTION.SUCCESS` / trade state `SUCCESS`; Alipay
    /// `TRADE_SUCCESS` or `TRADE_FINISHED` without a refund).
    Paid,
    /// Not paid yet (WeChat `NOTPAY`, `USERPAYING`; Alipay `WAIT_BUYER_PAY`).
    Pending,
    /// The trade ended without (further) payment: closed, revoked, failed (WeChat `CLOSED`,
    /// `REVOKED`, `PAYERROR`; Alipay `TRADE_CLOSED` without a refund).
    Closed,
    /// Money went back to the buyer (WeChat `REFUND.SUCCESS`; Alipay a notification with
    /// `refund_fee` / `gmt_refund`).
    Refunded,
    /// A refund did not reach the buyer (WeChat `REFUND.ABNORMAL`, `REFUND.CLOSED`): finance
    /// must act.
    RefundFailed,
}

/// A refund a notification reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefundInfo {
    /// Our refund id, as we sent it (WeChat `out_refund_no`, Alipay `out_biz_no`, which is
    /// the `out_request_no` of the refund call).
    pub out_refund_no: Option<String>,
    /// The provider's refund id (WeChat `refund_id`; Alipay has none).
    pub refund_id: Option<String>,
    /// This refund's amount (WeChat `amount.refund`; Alipay does not say).
    pub amount_fen: Option<i64>,
    /// Everything refunded on the trade so far (Alipay `refund_fee`; WeChat does not say).
    pub total_refunded_fen: Option<i64>,
}

/// A verified notification, provider-neutral.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notification {
    /// `"wechat"` or `"alipay"`.
    pub provider: &'static str,
    pub kind: NotificationKind,
    /// The provider's id for this notification (WeChat `id`, Alipay `notify_id`): a
    /// redelivery carries the same one.
    pub event_id: String,
    /// Our order number, as we sent it.
    pub out_trade_no: String,
    /// The provider's trade number (WeChat `transaction_id`, Alipay `trade_no`).
    pub transaction_id: String,
    /// The order total, in fen (WeChat `amount.total`, Alipay `total_amount`).
    pub amount_fen: i64,
    /// What the buyer paid out of pocket, after the provider's coupons (WeChat
    /// `amount.payer_total`, Alipay `buyer_pay_amount`), when the notification says.
    pub payer_total_fen: Option<i64>,
    pub refund: Option<RefundInfo>,
    /// The provider's own state word (`SUCCESS`, `TRADE_FINISHED`, `ABNORMAL` …), for logs.
    pub provider_state: String,
    /// When it happened, by the provider's clock, when the notification says.
    pub occurred_at: Option<DateTime<Utc>>,
}

/// What to answer the provider's notification request with. Anything but the success answer
/// makes the provider deliver the notification again later.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ack {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
}

/// Why a notification was not taken, as far as the answer to the provider is concerned:
/// each provider words and numbers its refusal its own way ([`alipay::ack_refused`],
/// [`wechat::ack_refused`]), but none of them may read as our own failure (5xx) unless it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Not from the provider as far as we can tell: no or a wrong signature, another
    /// recipient's, too old.
    Unverified,
    /// Authentic or not, it cannot be applied: unreadable, an unknown payment, an amount
    /// that differs, an event id that said something else before.
    Unreadable,
    /// Our failure (the database down): the provider should deliver it again.
    Ours,
}

/// A trade as the provider sees it (query answers).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TradeState {
    /// Created, not paid (WeChat `NOTPAY`; Alipay `WAIT_BUYER_PAY`).
    NotPaid,
    /// The buyer is paying (WeChat `USERPAYING`).
    Paying,
    /// Paid (WeChat `SUCCESS`; Alipay `TRADE_SUCCESS`).
    Paid,
    /// Paid, and (part of) it refunded since (WeChat `REFUND`).
    Refunded,
    /// Paid and no longer refundable (Alipay `TRADE_FINISHED`).
    Finished,
    /// Closed or revoked without payment, or fully refunded (Alipay `TRADE_CLOSED`).
    Closed,
    /// The payment failed (WeChat `PAYERROR`).
    Failed,
}

/// A trade's state from the query API.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trade {
    pub out_trade_no: String,
    /// Absent until the provider has a trade number (WeChat, unpaid).
    pub transaction_id: Option<String>,
    pub state: TradeState,
    pub provider_state: String,
    pub amount_fen: i64,
    pub payer_total_fen: Option<i64>,
    pub paid_at: Option<DateTime<Utc>>,
}

/// Where a refund stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefundState {
    /// Accepted, money on its way (WeChat `PROCESSING`).
    Processing,
    /// Back with the buyer (WeChat `SUCCESS`; Alipay `fund_change` `Y`).
    Succeeded,
    /// Accepted before and changed nothing now (Alipay `fund_change` `N` on a retry of an
    /// out_request_no already refunded).
    AlreadyDone,
    /// Closed by the provider (WeChat `CLOSED`).
    Closed,
    /// Stuck: the buyer's account cannot take it (WeChat `ABNORMAL`).
    Abnormal,
}

/// What a refund call answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefundResult {
    /// Our refund id.
    pub out_refund_no: String,
    /// The provider's refund id (WeChat), absent for Alipay.
    pub refund_id: Option<String>,
    pub state: RefundState,
    /// This refund's amount.
    pub amount_fen: i64,
    /// Everything refunded on the trade so far (Alipay `refund_fee`).
    pub total_refunded_fen: Option<i64>,
}

/// Which trade a call is about: our order number, or the provider's trade number (WeChat
/// `transaction_id`, Alipay `trade_no`). Both providers accept either for refunds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TradeRef<'a> {
    OutTradeNo(&'a str),
    TransactionId(&'a str),
}

/// A trade to create: what both pre-order APIs need.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewTrade {
    /// Our order number (6–32 characters of letters, digits, `_-|*` for WeChat; up to 64 for
    /// Alipay). The same number is never paid twice: both providers refuse a second trade.
    pub out_trade_no: String,
    /// What the buyer sees (WeChat `description`, Alipay `subject`), at most 127 characters.
    pub description: String,
    pub amount_fen: i64,
    /// After this the provider refuses to take the payment.
    pub expires_at: DateTime<Utc>,
}

/// One line of a provider's daily trade bill: a payment or a refund.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BillLine {
    pub trade_time: DateTime<Utc>,
    pub transaction_id: String,
    pub out_trade_no: String,
    /// The provider's word: WeChat `SUCCESS`, `REFUND`, `REVOKED`; Alipay `交易`, `退款`.
    pub status: String,
    /// The order amount, in fen (negative in Alipay refund lines).
    pub amount_fen: i64,
    /// Set on refund lines.
    pub refund: Option<BillRefund>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BillRefund {
    /// The provider's refund id, when the bill has one.
    pub refund_id: Option<String>,
    /// Our refund id.
    pub out_refund_no: String,
    pub amount_fen: i64,
}

/// Why a payment call or a notification failed. Messages name what went wrong, never a key,
/// a signature value, a payer's identity or an amount's owner.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PayError {
    /// No answer: refused connection, timeout, broken TLS, or a gateway's 5xx page. Try again.
    #[error("{provider}: the provider could not be reached ({detail})")]
    Transport {
        provider: &'static str,
        detail: String,
    },
    /// The provider answered and refused (WeChat `code`/`message` with 4xx/5xx; Alipay
    /// `sub_code`/`sub_msg`).
    #[error("{provider} refused the request (HTTP {status}): {code}: {message}")]
    Rejected {
        provider: &'static str,
        status: u16,
        code: String,
        message: String,
    },
    /// A signature (on an answer or a notification) does not verify.
    #[error("{provider}: the {what} signature does not verify")]
    BadSignature {
        provider: &'static str,
        what: &'static str,
    },
    /// Signed with a key we were not configured with (WeChat `Wechatpay-Serial`): the
    /// operator must load the provider's new key.
    #[error("{provider}: signed with key {got:?}, but the configured key is {expected:?}")]
    WrongKeySerial {
        provider: &'static str,
        got: String,
        expected: String,
    },
    /// The signed timestamp is more than [`TOLERANCE_SECS`] from our clock.
    #[error("{provider}: the signed timestamp {timestamp} is more than 5 minutes from our clock")]
    Stale {
        provider: &'static str,
        timestamp: i64,
    },
    /// For another merchant or application (Alipay `app_id`, WeChat `mchid`/`appid`).
    #[error("{provider}: addressed to {got:?}, we are {expected:?}")]
    WrongRecipient {
        provider: &'static str,
        got: String,
        expected: String,
    },
    /// The encrypted resource does not open under our APIv3 key.
    #[error("{provider}: could not decrypt the notification: {cause}")]
    Decrypt {
        provider: &'static str,
        #[source]
        cause: keys::DecryptError,
    },
    /// Signed and readable, but not what the protocol says (a missing field, a bad amount).
    #[error("{provider}: malformed {what}")]
    Malformed {
        provider: &'static str,
        what: String,
    },
    /// We could not build the request (our key could not sign, a bad argument).
    #[error("{provider}: could not build the request: {what}")]
    Request {
        provider: &'static str,
        what: String,
    },
}

impl PayError {
    /// Worth trying again later (the provider was unreachable), as opposed to a refusal.
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Transport { .. })
    }
}

/// A setting that makes an adapter impossible to build. Names the setting, never its value.
#[derive(Debug, thiserror::Error)]
pub enum PayConfigError {
    #[error("payment setting {0} is missing")]
    Missing(&'static str),
    #[error("payment setting {name} is invalid: {why}")]
    Invalid { name: &'static str, why: String },
    #[error(transparent)]
    Key(#[from] KeyError),
    #[error("could not build the HTTP client")]
    Client(#[source] reqwest::Error),
}

/// `"2026-12-06 10:00:00"` read as China Standard Time (UTC+8, no daylight saving), the
/// zone both providers' bills and Alipay's timestamps use.
pub(crate) fn parse_china_time(text: &str) -> Option<DateTime<Utc>> {
    let naive = chrono::NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%d %H:%M:%S").ok()?;
    let offset = chrono::FixedOffset::east_opt(8 * 3600)?;
    naive
        .and_local_timezone(offset)
        .single()
        .map(|t| t.with_timezone(&Utc))
}

/// `now` as China Standard Time text, `yyyy-MM-dd HH:mm:ss`.
pub(crate) fn format_china_time(now: DateTime<Utc>) -> String {
    (now.naive_utc() + chrono::Duration::hours(8))
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

#[cfg(test)]
#[expect(clippy::expect_used, reason = "a failed setup is a failed test")]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn china_time_is_utc_plus_eight_both_ways() {
        let t = Utc
            .with_ymd_and_hms(2026, 12, 5, 16, 30, 0)
            .single()
            .expect("time");
        assert_eq!(format_china_time(t), "2026-12-06 00:30:00");
        assert_eq!(parse_china_time("2026-12-06 00:30:00"), Some(t));
        assert_eq!(parse_china_time("2026-12-06T00:30:00"), None);
        assert_eq!(parse_china_time("2026-13-06 00:30:00"), None);
    }
}
