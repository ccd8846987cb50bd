//! WeChat Pay API v3 notifications ("支付通知", "退款结果通知"): what `notify_url` receives.
//!
//! ```text
//! POST <notify_url>
//! Wechatpay-Timestamp, Wechatpay-Nonce, Wechatpay-Signature, Wechatpay-Serial
//!
//! {"id":"EV-2018022511223320873","create_time":"2015-05-20T13:29:35+08:00",
//!  "resource_type":"encrypt-resource","event_type":"TRANSACTION.SUCCESS","summary":"支付成功",
//!  "resource":{"original_type":"transaction","algorithm":"AEAD_AES_256_GCM",
//!              "ciphertext":"…","associated_data":"transaction","nonce":"fdasflkja484"}}
//! ```
//!
//! We verify the signature over the raw body first ([`super::sign::PlatformKeys::verify`]:
//! serial, then the 5-minute window, then RSA), then decrypt `resource` with the APIv3 key
//! (AEAD_AES_256_GCM, nonce and associated data as given), then read the plaintext:
//! a transaction (`TRANSACTION.*`: `mchid`, `appid`, `out_trade_no`, `transaction_id`,
//! `trade_state`, `success_time`, `amount.total`, `amount.payer_total`) or a refund
//! (`REFUND.SUCCESS`, `REFUND.ABNORMAL`, `REFUND.CLOSED`: `out_refund_no`, `refund_id`,
//! `refund_status`, `amount.refund` …). `mchid` (and `appid` for transactions) must be ours.
//! The event id is the notification's `id`: a redelivery carries the same one.
//!
//! WeChat Pay takes HTTP 200 or 204 as received; any other status (with
//! `{"code":"FAIL","message":"失败"}`) makes it deliver again, 15s/15s/30s/3m/10m/… over a day.

use super::super::keys::aes_256_gcm_open;
use super::super::{
    Ack, Notification, NotificationKind, PayError, RefundInfo, Refusal, Trade, TradeState,
};
use super::PROVIDER;
use super::sign::PlatformKeys;
use chrono::{DateTime, Utc};
use http::HeaderMap;
use serde::Deserialize;

/// The outer, signed notification.
#[derive(Debug, Deserialize)]
struct Envelope {
    id: String,
    event_type: String,
    resource: Resource,
}

#[derive(Debug, Deserialize)]
struct Resource {
    algorithm: String,
    ciphertext: String,
    #[serde(default)]
    associated_data: String,
    nonce: String,
}

/// A transaction as notifications and the query API describe it.
#[derive(Debug, Deserialize)]
pub(super) struct Transaction {
    pub mchid: Option<String>,
    pub appid: Option<String>,
    pub out_trade_no: String,
    pub transaction_id: Option<String>,
    pub trade_state: String,
    pub success_time: Option<String>,
    pub amount: Option<TransactionAmount>,
}

#[derive(Debug, Deserialize)]
pub(super) struct TransactionAmount {
    pub total: Option<i64>,
    pub payer_total: Option<i64>,
}

/// A refund as the refund notification and the refund API describe it.
#[derive(Debug, Deserialize)]
pub(super) struct Refund {
    pub mchid: Option<String>,
    pub out_trade_no: String,
    pub transaction_id: String,
    pub out_refund_no: String,
    pub refund_id: String,
    #[serde(alias = "status")]
    pub refund_status: String,
    pub success_time: Option<String>,
    pub amount: RefundAmount,
}

#[derive(Debug, Deserialize)]
pub(super) struct RefundAmount {
    pub total: i64,
    pub refund: i64,
    pub payer_total: Option<i64>,
}

fn malformed(what: impl Into<String>) -> PayError {
    PayError::Malformed {
        provider: PROVIDER,
        what: what.into(),
    }
}

/// An RFC 3339 time as WeChat writes it (`2018-06-08T10:34:56+08:00`).
pub(super) fn parse_time(text: Option<&str>) -> Option<DateTime<Utc>> {
    text.and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.with_timezone(&Utc))
}

fn fen(value: Option<i64>, what: &str) -> Result<i64, PayError> {
    match value {
        Some(v) if v >= 0 => Ok(v),
        _ => Err(malformed(format!("{what} (not a non-negative amount)"))),
    }
}

/// WeChat's trade state word, sorted.
pub(super) fn trade_state(word: &str) -> Option<TradeState> {
    Some(match word {
        "SUCCESS" => TradeState::Paid,
        "REFUND" => TradeState::Refunded,
        "NOTPAY" => TradeState::NotPaid,
        "USERPAYING" => TradeState::Paying,
        "CLOSED" | "REVOKED" => TradeState::Closed,
        "PAYERROR" => TradeState::Failed,
        _ => return None,
    })
}

impl Transaction {
    pub(super) fn into_trade(self) -> Result<Trade, PayError> {
        let state = trade_state(&self.trade_state)
            .ok_or_else(|| malformed(format!("trade_state {:?}", self.trade_state)))?;
        let amount = self.amount.as_ref();
        Ok(Trade {
            amount_fen: fen(amount.and_then(|a| a.total), "amount.total")?,
            payer_total_fen: amount.and_then(|a| a.payer_total),
            paid_at: parse_time(self.success_time.as_deref()),
            out_trade_no: self.out_trade_no,
            transaction_id: self.transaction_id.filter(|t| !t.is_empty()),
            state,
            provider_state: self.trade_state,
        })
    }
}

/// Everything needed to accept a notification.
#[derive(Clone, Debug)]
pub struct NotificationVerifier {
    pub platform: PlatformKeys,
    /// The APIv3 key's 32 bytes.
    pub api_v3_key: Vec<u8>,
    pub mch_id: String,
    pub app_id: String,
}

impl NotificationVerifier {
    /// Verifies and reads one notification, given all its headers and its raw body.
    pub fn verify(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        now: DateTime<Utc>,
    ) -> Result<Notification, PayError> {
        self.platform.verify(headers, body, now, "notification")?;
        let envelope: Envelope =
            serde_json::from_slice(body).map_err(|e| malformed(format!("notification: {e}")))?;
        if envelope.resource.algorithm != "AEAD_AES_256_GCM" {
            return Err(malformed(format!(
                "resource.algorithm {:?}",
                envelope.resource.algorithm
            )));
        }
        let plaintext = aes_256_gcm_open(
            &self.api_v3_key,
            &envelope.resource.nonce,
            &envelope.resource.associated_data,
            &envelope.resource.ciphertext,
        )
        .map_err(|cause| PayError::Decrypt {
            provider: PROVIDER,
            cause,
        })?;
        let event_id = envelope.id;
        match envelope.event_type.split_once('.') {
            Some(("TRANSACTION", _)) => {
                let t: Transaction = serde_json::from_slice(&plaintext)
                    .map_err(|e| malformed(format!("transaction resource: {e}")))?;
                self.check_recipient(t.mchid.as_deref(), t.appid.as_deref(), true)?;
                let trade = t.into_trade()?;
                let kind = match trade.state {
                    TradeState::Paid | TradeState::Refunded | TradeState::Finished => {
                        NotificationKind::Paid
                    }
                    TradeState::NotPaid | TradeState::Paying => NotificationKind::Pending,
                    TradeState::Closed | TradeState::Failed => NotificationKind::Closed,
                };
                Ok(Notification {
                    provider: PROVIDER,
                    kind,
                    event_id,
                    transaction_id: trade
                        .transaction_id
                        .ok_or_else(|| malformed("transaction_id missing"))?,
                    out_trade_no: trade.out_trade_no,
                    amount_fen: trade.amount_fen,
                    payer_total_fen: trade.payer_total_fen,
                    refund: None,
                    provider_state: trade.provider_state,
                    occurred_at: trade.paid_at,
                })
            }
            Some(("REFUND", _)) => {
                let r: Refund = serde_json::from_slice(&plaintext)
                    .map_err(|e| malformed(format!("refund resource: {e}")))?;
                self.check_recipient(r.mchid.as_deref(), None, false)?;
                let kind = match r.refund_status.as_str() {
                    "SUCCESS" => NotificationKind::Refunded,
                    "ABNORMAL" | "CLOSED" => NotificationKind::RefundFailed,
                    other => return Err(malformed(format!("refund_status {other:?}"))),
                };
                Ok(Notification {
                    provider: PROVIDER,
                    kind,
                    event_id,
                    out_trade_no: r.out_trade_no,
                    transaction_id: r.transaction_id,
                    amount_fen: fen(Some(r.amount.total), "amount.total")?,
                    payer_total_fen: r.amount.payer_total,
                    refund: Some(RefundInfo {
                        out_refund_no: Some(r.out_refund_no),
                        refund_id: Some(r.refund_id),
                        amount_fen: Some(fen(Some(r.amount.refund), "amount.refund")?),
                        total_refunded_fen: None,
                    }),
                    occurred_at: parse_time(r.success_time.as_deref()),
                    provider_state: r.refund_status,
                })
            }
            _ => Err(malformed(format!("event_type {:?}", envelope.event_type))),
        }
    }

    fn check_recipient(
        &self,
        mch_id: Option<&str>,
        app_id: Option<&str>,
        app_required: bool,
    ) -> Result<(), PayError> {
        let wrong = |got: &str, expected: &str| PayError::WrongRecipient {
            provider: PROVIDER,
            got: got.to_owned(),
            expected: expected.to_owned(),
        };
        match mch_id {
            Some(m) if m == self.mch_id => {}
            other => return Err(wrong(other.unwrap_or(""), &self.mch_id)),
        }
        match app_id {
            Some(a) if a != self.app_id => Err(wrong(a, &self.app_id)),
            None if app_required => Err(wrong("", &self.app_id)),
            _ => Ok(()),
        }
    }
}

/// "Received": WeChat Pay stops delivering this notification.
pub fn ack_success() -> Ack {
    Ack {
        status: 200,
        content_type: "application/json",
        body: r#"{"code":"SUCCESS","message":"成功"}"#.as_bytes().to_vec(),
    }
}

/// "Not received" for a failure while reading the notification: see [`ack_refused`].
pub fn ack_failure(error: Option<&PayError>) -> Ack {
    ack_refused(match error {
        Some(
            PayError::BadSignature { .. }
            | PayError::WrongKeySerial { .. }
            | PayError::Stale { .. }
            | PayError::Decrypt { .. },
        ) => Refusal::Unverified,
        Some(PayError::Malformed { .. } | PayError::WrongRecipient { .. }) => Refusal::Unreadable,
        _ => Refusal::Ours,
    })
}

/// "Not received": WeChat Pay delivers again later. A notification we could not verify gets
/// 401, one we could not read or apply 400, our own failure (the database down) 500.
pub fn ack_refused(why: Refusal) -> Ack {
    let status = match why {
        Refusal::Unverified => 401,
        Refusal::Unreadable => 400,
        Refusal::Ours => 500,
    };
    Ack {
        status,
        content_type: "application/json",
        body: r#"{"code":"FAIL","message":"失败"}"#.as_bytes().to_vec(),
    }
}
