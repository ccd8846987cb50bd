//! Alipay asynchronous notifications ("异步通知"): what `notify_url` receives.
//!
//! ```text
//! POST <notify_url>
//! Content-Type: application/x-www-form-urlencoded; charset=utf-8
//!
//! gmt_create=2026-12-06+10%3A00%3A00&charset=utf-8&notify_time=…&notify_type=trade_status_sync
//! &notify_id=ac05099524730693a8b330c5ecf72da9786&app_id=2021000000000001&trade_no=2026…
//! &out_trade_no=FG20261206001&trade_status=TRADE_SUCCESS&total_amount=12.34
//! &buyer_pay_amount=12.34&gmt_payment=…&sign_type=RSA2&sign=…
//! ```
//!
//! We URL-decode the parameters (`+` is a space), rebuild the signed text from all of them
//! except `sign` and `sign_type` ([`super::sign::sign_content`]) and verify `sign` with the
//! Alipay public key; then `app_id` must be ours. `trade_status` `TRADE_SUCCESS` /
//! `TRADE_FINISHED` is a payment, `TRADE_CLOSED` a closed trade, `WAIT_BUYER_PAY` pending; a
//! notification carrying `refund_fee` or `gmt_refund` reports a refund (`out_biz_no` is the
//! refund's `out_request_no`, `refund_fee` the total refunded so far). The event id is
//! `notify_id`. Alipay gives no timestamp window to check (it redelivers the same
//! notification for 25 hours); replays are caught upstream by the event id.
//!
//! Alipay takes the plain-text body `success` as received; anything else (we answer `fail`)
//! makes it deliver again (4m, 10m, 10m, 1h, 2h, 6h, 15h).

use super::super::money::yuan_to_fen;
use super::super::parse_china_time;
use super::super::{Ack, Notification, NotificationKind, PayError, PublicKey, RefundInfo, Refusal};
use super::PROVIDER;
use super::sign::sign_content;

/// Everything needed to accept a notification.
#[derive(Clone, Debug)]
pub struct NotificationVerifier {
    pub alipay_key: PublicKey,
    pub app_id: String,
}

fn malformed(what: impl Into<String>) -> PayError {
    PayError::Malformed {
        provider: PROVIDER,
        what: what.into(),
    }
}

impl NotificationVerifier {
    /// Verifies and reads one notification from its raw form body.
    pub fn verify(&self, body: &[u8]) -> Result<Notification, PayError> {
        let params: Vec<(String, String)> = form_urlencoded::parse(body).into_owned().collect();
        let get = |name: &str| {
            params
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
                .filter(|v| !v.is_empty())
        };
        let Some(signature) = get("sign") else {
            return Err(PayError::BadSignature {
                provider: PROVIDER,
                what: "notification",
            });
        };
        if get("sign_type").is_some_and(|t| t != "RSA2") {
            return Err(malformed("sign_type is not RSA2"));
        }
        let content = sign_content(
            params.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            &["sign", "sign_type"],
        );
        if !self.alipay_key.verify(content.as_bytes(), signature) {
            return Err(PayError::BadSignature {
                provider: PROVIDER,
                what: "notification",
            });
        }
        let app_id = get("app_id").unwrap_or("");
        if app_id != self.app_id {
            return Err(PayError::WrongRecipient {
                provider: PROVIDER,
                got: app_id.to_owned(),
                expected: self.app_id.clone(),
            });
        }
        let required =
            |name: &'static str| get(name).ok_or_else(|| malformed(format!("{name} missing")));
        let amount = |name: &'static str| -> Result<Option<i64>, PayError> {
            get(name)
                .map(|v| yuan_to_fen(v).map_err(|e| malformed(format!("{name}: {e}"))))
                .transpose()
        };
        let trade_status = required("trade_status")?.to_owned();
        let refunded = get("refund_fee").is_some() || get("gmt_refund").is_some();
        let kind = if refunded {
            NotificationKind::Refunded
        } else {
            match trade_status.as_str() {
                "TRADE_SUCCESS" | "TRADE_FINISHED" => NotificationKind::Paid,
                "TRADE_CLOSED" => NotificationKind::Closed,
                "WAIT_BUYER_PAY" => NotificationKind::Pending,
                other => return Err(malformed(format!("trade_status {other:?}"))),
            }
        };
        let refund = if refunded {
            Some(RefundInfo {
                out_refund_no: get("out_biz_no").map(str::to_owned),
                refund_id: None,
                amount_fen: None,
                total_refunded_fen: amount("refund_fee")?,
            })
        } else {
            None
        };
        let when = if refunded {
            get("gmt_refund")
        } else {
            match kind {
                NotificationKind::Paid => get("gmt_payment"),
                NotificationKind::Closed => get("gmt_close"),
                _ => None,
            }
        }
        .or_else(|| get("notify_time"));
        Ok(Notification {
            provider: PROVIDER,
            kind,
            event_id: required("notify_id")?.to_owned(),
            out_trade_no: required("out_trade_no")?.to_owned(),
            transaction_id: required("trade_no")?.to_owned(),
            amount_fen: amount("total_amount")?.ok_or_else(|| malformed("total_amount missing"))?,
            payer_total_fen: amount("buyer_pay_amount")?,
            refund,
            provider_state: trade_status,
            occurred_at: when.and_then(parse_china_time),
        })
    }
}

/// "Received": the text `success`.
pub fn ack_success() -> Ack {
    Ack {
        status: 200,
        content_type: "text/plain; charset=utf-8",
        body: b"success".to_vec(),
    }
}

/// "Not received" for a failure while reading the notification: see [`ack_refused`].
pub fn ack_failure(error: Option<&PayError>) -> Ack {
    ack_refused(match error {
        Some(PayError::BadSignature { .. } | PayError::WrongRecipient { .. }) => {
            Refusal::Unverified
        }
        Some(PayError::Malformed { .. }) => Refusal::Unreadable,
        _ => Refusal::Ours,
    })
}

/// "Not received": anything but `success` makes Alipay deliver again; the status only helps
/// our own logs and metrics (400 unverifiable or unreadable, 500 our failure).
pub fn ack_refused(why: Refusal) -> Ack {
    let status = match why {
        Refusal::Unverified | Refusal::Unreadable => 400,
        Refusal::Ours => 500,
    };
    Ack {
        status,
        content_type: "text/plain; charset=utf-8",
        body: b"fail".to_vec(),
    }
}
