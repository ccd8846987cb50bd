//! Payment providers. An order is paid through the provider of its payment method:
//!
//! - [`OfflineProvider`]: bank transfer or cash on delivery. Nothing to call; platform finance
//!   (and nobody else: not the seller it is owed to, not the operator) confirms the money
//!   arrived with the bank's reference, and refunds are paid back by transfer and recorded
//!   with theirs.
//! - [`SandboxGateway`]: an online gateway that behaves like the real ones. Paying opens the
//!   gateway's own page (`/pay/sandbox.html`); when the buyer confirms there, the gateway sends
//!   a notification signed with HMAC-SHA256 to `POST /api/v1/payments/webhook/sandbox`, the same
//!   handler a real gateway's callback reaches, where it is verified (signature, timestamp
//!   within five minutes, amount, event id never seen before) before the order is marked paid.
//! - [`WechatPayProvider`] and [`AlipayProvider`]: the real gateways, wrapping the adapters in
//!   `farmgate_infra::pay` (WeChat Pay API v3 JSAPI/H5; Alipay `wap.pay`/`page.pay`). Our
//!   order number at the provider (`out_trade_no`) is the payment intent's id in simple form
//!   (32 hex digits, within both providers' limits), so a notification names its intent; our
//!   refund number (`out_refund_no` / `out_request_no`) is the refund's id, so a retried
//!   refund is the same refund on their side. The server builds them from settings
//!   (`OrdersConfig::online`); [`crate::Orders::provider_named`] and checkout offer exactly
//!   those configured.
//!
//! A notification reaches [`PaymentProvider::verify_webhook`] whole (every header and the raw
//! body, since WeChat signs with four headers and Alipay in the body) and comes out as a
//! [`Verified`]: a payment event the orders service applies, or a notice that changes no
//! payment (a refund's outcome) which is acknowledged and logged. What the provider is
//! answered is its own acknowledgement ([`PaymentProvider::acknowledge`]): WeChat Pay wants
//! `{"code":"SUCCESS"}` or a 4xx/5xx, Alipay the text `success`; the sandbox takes our JSON.

mod alipay;
mod gateway;
pub mod oauth;
mod wechat;

pub use alipay::AlipayProvider;
pub use farmgate_infra::pay::Ack as ProviderAck;
pub use farmgate_infra::pay::Refusal;
pub(crate) use gateway::intent_of;
pub use oauth::WechatOauth;
pub use wechat::WechatPayProvider;

use crate::domain::PaymentMethod;
use crate::domain::reconcile::BillEntry;
use async_trait::async_trait;
use axum::http::HeaderMap;
use chrono::{DateTime, NaiveDate, Utc};
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// How far a notification's timestamp may be from our clock before it is refused as stale
/// (a replay of an old, validly signed notification).
pub const WEBHOOK_TOLERANCE_SECS: i64 = 300;
/// The header carrying `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`.
pub const SIGNATURE_HEADER: &str = "farmgate-signature";

/// What the buyer is shown to pay with.
#[derive(Clone, Debug)]
pub struct ProviderIntent {
    /// Where to send the buyer (the gateway's page), if anywhere.
    pub pay_url: Option<String>,
    /// What the page hands to the provider's own script, if anything (WeChat's
    /// `wx.requestPayment` / `WeixinJSBridge` parameters: appId, timeStamp, nonceStr, package,
    /// signType, paySign).
    pub client_params: Option<serde_json::Value>,
    pub instructions_zh: String,
    pub instructions_en: String,
}

/// Who is paying, as far as a provider needs to know: WeChat JSAPI needs the buyer's
/// `openid` under our AppID, WeChat H5 the buyer's IP address, Alipay whether to open its
/// phone (`wap.pay`) or computer (`page.pay`) cashier.
#[derive(Clone, Copy, Debug, Default)]
pub struct PayerContext<'a> {
    pub wechat_openid: Option<&'a str>,
    pub client_ip: Option<&'a str>,
    pub desktop: bool,
}

/// An intent as the provider needs it.
#[derive(Clone, Debug)]
pub struct IntentRequest<'a> {
    pub intent_id: Uuid,
    pub order_number: &'a str,
    pub amount_fen: i64,
    pub expires_at: DateTime<Utc>,
    pub payer: PayerContext<'a>,
}

/// A notification as it arrived.
#[derive(Clone, Copy, Debug)]
pub struct Notice<'a> {
    /// Every header of the request.
    pub headers: &'a HeaderMap,
    /// The raw body, byte for byte: signatures cover it exactly.
    pub body: &'a [u8],
    pub now: DateTime<Utc>,
}

/// What a verified notification is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verified {
    /// A payment succeeded or failed: the orders service applies it.
    Payment(WebhookEvent),
    /// A refund reached the buyer, or did not: the orders service settles its ledger row.
    Refund(RefundNotice),
    /// Something that changes nothing of ours (a trade still unpaid): logged and
    /// acknowledged, so the provider stops sending it.
    Noted {
        event_id: String,
        /// For the log: what happened, without personal data.
        what: String,
        /// Someone must act (a refund that did not reach the buyer).
        alert: bool,
    },
}

/// What a refund notification says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefundNotice {
    pub event_id: String,
    /// Our refund id, as we sent it (`out_refund_no` / `out_request_no`).
    pub refund_id: Uuid,
    /// The intent whose payment it gives back.
    pub intent_id: Option<Uuid>,
    pub succeeded: bool,
    /// This refund's amount, when the provider says (WeChat does; Alipay gives the total
    /// refunded on the trade instead).
    pub amount_fen: Option<i64>,
    /// The provider's refund id, when it has one.
    pub reference: Option<String>,
    /// The provider's word (`SUCCESS`, `ABNORMAL`, `CLOSED` …).
    pub provider_state: String,
}

impl RefundNotice {
    /// SHA-256 (hex) of what the notice says, for its receipt.
    pub fn digest(&self) -> String {
        let text = format!(
            "refund\n{}\n{}\n{}\n{:?}\n{:?}",
            self.event_id, self.refund_id, self.succeeded, self.amount_fen, self.reference
        );
        hex::encode(Sha256::digest(text.as_bytes()))
    }
}

/// A trade as the provider reports it now ([`PaymentProvider::query`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProviderPayment {
    /// This provider cannot be asked (offline, sandbox).
    Unknown,
    /// Created, not paid (or never opened).
    Unpaid,
    Paid {
        transaction_id: String,
        amount_fen: i64,
    },
    /// Closed without payment.
    Closed,
}

/// A refund as the provider needs it.
#[derive(Clone, Debug)]
pub struct RefundCall<'a> {
    /// Our refund number at the provider: the same id twice is one refund.
    pub refund_id: Uuid,
    /// The provider's transaction the money came in with.
    pub transaction_id: Option<&'a str>,
    pub amount_fen: i64,
    /// What that transaction paid in all (WeChat Pay wants it beside the refund).
    pub paid_fen: i64,
}

/// What a gateway's notification says happened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookEvent {
    /// The gateway's id for this notification; a second delivery carries the same one.
    pub event_id: String,
    pub intent_id: Uuid,
    pub outcome: Outcome,
    pub amount_fen: i64,
    /// The gateway's transaction number.
    pub transaction_id: String,
}

impl WebhookEvent {
    /// SHA-256 (hex) of everything the notification says: a redelivery under the same event
    /// id must say the same, and the receipt keeps this to check it.
    pub fn digest(&self) -> String {
        let text = format!(
            "{}\n{}\n{}\n{}\n{}",
            self.event_id,
            self.intent_id,
            self.outcome.as_str(),
            self.amount_fen,
            self.transaction_id
        );
        hex::encode(Sha256::digest(text.as_bytes()))
    }
}

farmgate_kernel::wire_enum!(
    /// What a notification says became of the payment.
    Outcome {
        Succeeded => "succeeded",
        Failed => "failed",
    }
);

/// Why a notification was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum WebhookError {
    #[error("the signature header is missing or malformed")]
    MissingSignature,
    #[error("the signature does not match")]
    BadSignature,
    #[error("the notification is too old or from the future")]
    Stale,
    #[error("the body is not a notification: {0}")]
    Malformed(String),
    #[error("this provider takes no notifications")]
    NotSupported,
    /// Signed with a key we were not configured with (WeChat Pay rotating its key), or
    /// encrypted under another APIv3 key: the operator must load the new one.
    #[error("signed or encrypted with a key we do not hold: {0}")]
    UnknownKey(String),
    /// For another merchant or application.
    #[error("addressed to another merchant or application")]
    WrongRecipient,
}

/// A refund as the provider took it.
#[derive(Clone, Debug)]
pub struct RefundReceipt {
    pub reference: String,
    /// The money is back with the buyer already (Alipay, the sandbox, offline). `false`:
    /// the provider is still paying it (WeChat `PROCESSING`); its notification settles it.
    pub settled: bool,
}

/// A way of taking money for an order and giving it back.
#[async_trait]
pub trait PaymentProvider: Send + Sync + 'static {
    /// The name stored on intents, payments and refunds.
    fn name(&self) -> &'static str;

    /// Starts collecting `req.amount_fen` for an order.
    async fn create_intent(&self, req: &IntentRequest<'_>) -> Result<ProviderIntent, String>;

    /// Checks a notification's authenticity and freshness and reads it.
    fn verify_webhook(&self, notice: &Notice<'_>) -> Result<Verified, WebhookError>;

    /// The provider's own answer to its notification: `Ok` once it is safely handled (or a
    /// duplicate), otherwise a refusal, worded and numbered as the provider reads it, that
    /// makes it deliver again. `None`: answer with our JSON (the sandbox).
    fn acknowledge(&self, _outcome: Result<(), Refusal>) -> Option<ProviderAck> {
        None
    }

    /// The intent's trade as the provider sees it now (when a notification is late).
    async fn query(&self, _intent_id: Uuid) -> Result<ProviderPayment, String> {
        Ok(ProviderPayment::Unknown)
    }

    /// Stops the provider taking money for an intent (before its order is cancelled).
    async fn close(&self, _intent_id: Uuid) -> Result<(), String> {
        Ok(())
    }

    /// Gives `call.amount_fen` of a payment back. `call.refund_id` is the merchant refund
    /// number: the same id twice is one refund.
    async fn refund(&self, call: &RefundCall<'_>) -> Result<RefundReceipt, String>;

    /// The provider's trade bill of one day (Asia/Shanghai) as entries to reconcile with the
    /// ledger. `Ok(None)`: this provider keeps no bill (offline, sandbox). An error: the bill
    /// could not be had (not ready yet, the provider down); the run is tried again later.
    async fn bill(&self, _date: NaiveDate) -> Result<Option<Vec<BillEntry>>, String> {
        Ok(None)
    }

    /// Whether [`Self::bill`] has anything to give (the daily reconciliation asks it).
    fn keeps_bill(&self) -> bool {
        false
    }
    /// Where a refund the provider took stands now, when its notification is late:
    /// `Some(true)` back with the buyer, `Some(false)` it could not be (with the provider's
    /// word), `None` still on its way (or a provider that cannot be asked).
    async fn refund_outcome(&self, _refund_id: Uuid) -> Result<Option<(bool, String)>, String> {
        Ok(None)
    }
}

/// The header value named `name`, if readable.
pub fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

type HmacSha256 = Hmac<Sha256>;

/// `hex(HMAC-SHA256(secret, "{t}.{body}"))`.
pub fn signature(secret: &[u8], t: i64, body: &[u8]) -> String {
    mac(secret, t, body).map_or_else(String::new, |m| hex::encode(m.finalize().into_bytes()))
}

/// The MAC over `"{t}.{body}"` (HMAC takes a key of any length, so `None` never happens).
fn mac(secret: &[u8], t: i64, body: &[u8]) -> Option<HmacSha256> {
    let mut m = <HmacSha256 as KeyInit>::new_from_slice(secret).ok()?;
    m.update(t.to_string().as_bytes());
    m.update(b".");
    m.update(body);
    Some(m)
}

/// The header value for `body` signed at `t`.
pub fn signature_header(secret: &[u8], t: i64, body: &[u8]) -> String {
    format!("t={t},v1={}", signature(secret, t, body))
}

/// Checks `t=...,v1=...` against `body`: the MAC in constant time, then the timestamp.
pub fn verify_signature(
    secret: &[u8],
    header: Option<&str>,
    body: &[u8],
    now: DateTime<Utc>,
) -> Result<(), WebhookError> {
    let header = header.ok_or(WebhookError::MissingSignature)?;
    let mut t = None;
    let mut sigs = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => t = v.parse::<i64>().ok(),
            Some(("v1", v)) => sigs.push(hex::decode(v).map_err(|_| WebhookError::BadSignature)?),
            _ => {}
        }
    }
    let t = t.ok_or(WebhookError::MissingSignature)?;
    if sigs.is_empty() {
        return Err(WebhookError::MissingSignature);
    }
    let ok = sigs
        .iter()
        .any(|sig| mac(secret, t, body).is_some_and(|m| m.verify_slice(sig).is_ok()));
    if !ok {
        return Err(WebhookError::BadSignature);
    }
    if (now.timestamp() - t).abs() > WEBHOOK_TOLERANCE_SECS {
        return Err(WebhookError::Stale);
    }
    Ok(())
}

/// Bank transfer or cash on delivery.
#[derive(Clone, Debug)]
pub struct OfflineProvider {
    /// The account buyers transfer to, as shown to them.
    pub payee: String,
}

#[async_trait]
impl PaymentProvider for OfflineProvider {
    fn name(&self) -> &'static str {
        PaymentMethod::Offline.as_str()
    }

    async fn create_intent(&self, req: &IntentRequest<'_>) -> Result<ProviderIntent, String> {
        let yuan = farmgate_kernel::Money::from_fen(req.amount_fen);
        Ok(ProviderIntent {
            pay_url: None,
            client_params: None,
            instructions_zh: format!(
                "请转账 {yuan} 至 {}，附言填写订单号 {}；也可货到付款。到账后由平台确认。",
                self.payee, req.order_number
            ),
            instructions_en: format!(
                "Transfer {yuan} to {}, with the order number {} as the reference, or pay cash on delivery. The platform confirms when the money arrives.",
                self.payee, req.order_number
            ),
        })
    }

    fn verify_webhook(&self, _notice: &Notice<'_>) -> Result<Verified, WebhookError> {
        Err(WebhookError::NotSupported)
    }

    async fn refund(&self, call: &RefundCall<'_>) -> Result<RefundReceipt, String> {
        // Paid back by transfer; the ledger row is the instruction to the finance desk.
        Ok(RefundReceipt {
            reference: format!("OFFLINE-{}", call.refund_id.simple()),
            settled: true,
        })
    }
}

/// The sandbox gateway: signs its notifications like a real one.
#[derive(Clone)]
pub struct SandboxGateway {
    secret: Vec<u8>,
}

impl std::fmt::Debug for SandboxGateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxGateway").finish_non_exhaustive()
    }
}

impl SandboxGateway {
    pub fn new(secret: impl Into<Vec<u8>>) -> Self {
        Self {
            secret: secret.into(),
        }
    }

    /// The notification the gateway sends when the buyer finishes on its page, with its
    /// signature header.
    pub fn notification(&self, event: &WebhookEvent, now: DateTime<Utc>) -> (Vec<u8>, String) {
        let body = serde_json::to_vec(event).unwrap_or_default();
        let header = signature_header(&self.secret, now.timestamp(), &body);
        (body, header)
    }
}

#[async_trait]
impl PaymentProvider for SandboxGateway {
    fn name(&self) -> &'static str {
        "sandbox"
    }

    async fn create_intent(&self, req: &IntentRequest<'_>) -> Result<ProviderIntent, String> {
        Ok(ProviderIntent {
            pay_url: Some(format!("/pay/sandbox.html?intent={}", req.intent_id)),
            client_params: None,
            instructions_zh: "模拟支付：在支付页确认即可模拟付款，不会产生真实扣款。".to_owned(),
            instructions_en:
                "Sandbox payment: confirm on the payment page to simulate paying; no real money moves."
                    .to_owned(),
        })
    }

    fn verify_webhook(&self, notice: &Notice<'_>) -> Result<Verified, WebhookError> {
        verify_signature(
            &self.secret,
            header(notice.headers, SIGNATURE_HEADER),
            notice.body,
            notice.now,
        )?;
        serde_json::from_slice(notice.body)
            .map(Verified::Payment)
            .map_err(|e| WebhookError::Malformed(e.to_string()))
    }

    async fn refund(&self, call: &RefundCall<'_>) -> Result<RefundReceipt, String> {
        Ok(RefundReceipt {
            reference: format!("SBXR{}", call.refund_id.simple()),
            settled: true,
        })
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    fn at(s: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(s, 0).unwrap()
    }

    #[test]
    fn a_signed_body_verifies_and_any_change_does_not() {
        let secret = b"whsec_test";
        let body = br#"{"event_id":"e1"}"#;
        let h = signature_header(secret, 1_700_000_000, body);
        assert!(verify_signature(secret, Some(&h), body, at(1_700_000_010)).is_ok());
        // Another body, another secret, another timestamp in the header.
        assert_eq!(
            verify_signature(secret, Some(&h), br#"{"event_id":"e2"}"#, at(1_700_000_010)),
            Err(WebhookError::BadSignature)
        );
        assert_eq!(
            verify_signature(b"other", Some(&h), body, at(1_700_000_010)),
            Err(WebhookError::BadSignature)
        );
        let moved = h.replace("t=1700000000", "t=1700000001");
        assert_eq!(
            verify_signature(secret, Some(&moved), body, at(1_700_000_010)),
            Err(WebhookError::BadSignature)
        );
    }

    #[test]
    fn old_and_malformed_signatures_are_refused() {
        let secret = b"whsec_test";
        let body = b"{}";
        let h = signature_header(secret, 1_700_000_000, body);
        assert_eq!(
            verify_signature(secret, Some(&h), body, at(1_700_000_000 + 301)),
            Err(WebhookError::Stale)
        );
        assert_eq!(
            verify_signature(secret, Some(&h), body, at(1_700_000_000 - 301)),
            Err(WebhookError::Stale)
        );
        assert!(verify_signature(secret, Some(&h), body, at(1_700_000_000 + 300)).is_ok());
        for bad in ["", "t=1", "v1=00", "t=x,v1=00", "t=1,v1=zz"] {
            assert!(
                verify_signature(secret, Some(bad), body, at(1)).is_err(),
                "{bad}"
            );
        }
        assert_eq!(
            verify_signature(secret, None, body, at(1)),
            Err(WebhookError::MissingSignature)
        );
    }

    #[tokio::test]
    async fn offline_and_sandbox_cannot_be_asked_and_have_nothing_to_close() {
        let sandbox = SandboxGateway::new(b"k".to_vec());
        let offline = OfflineProvider { payee: "x".into() };
        for p in [&sandbox as &dyn PaymentProvider, &offline] {
            assert_eq!(
                p.query(Uuid::nil()).await.unwrap(),
                ProviderPayment::Unknown
            );
            p.close(Uuid::nil()).await.unwrap();
            assert!(p.acknowledge(Ok(())).is_none(), "answered with our JSON");
        }
        let call = RefundCall {
            refund_id: Uuid::nil(),
            transaction_id: None,
            amount_fen: 1,
            paid_fen: 1,
        };
        assert!(
            sandbox
                .refund(&call)
                .await
                .unwrap()
                .reference
                .starts_with("SBXR")
        );
        assert!(
            offline
                .refund(&call)
                .await
                .unwrap()
                .reference
                .starts_with("OFFLINE-")
        );
    }

    #[test]
    fn the_sandbox_reads_what_it_signed() {
        let gw = SandboxGateway::new(b"k".to_vec());
        let ev = WebhookEvent {
            event_id: "evt_1".into(),
            intent_id: Uuid::nil(),
            outcome: Outcome::Succeeded,
            amount_fen: 1234,
            transaction_id: "SBX1".into(),
        };
        let now = at(1_800_000_000);
        let (body, header) = gw.notification(&ev, now);
        let mut headers = HeaderMap::new();
        headers.insert(SIGNATURE_HEADER, header.parse().unwrap());
        let notice = Notice {
            headers: &headers,
            body: &body,
            now,
        };
        assert_eq!(gw.verify_webhook(&notice).unwrap(), Verified::Payment(ev));
        assert_eq!(
            OfflineProvider { payee: "x".into() }.verify_webhook(&notice),
            Err(WebhookError::NotSupported)
        );
        // Without the header it is unsigned.
        let bare = HeaderMap::new();
        assert_eq!(
            gw.verify_webhook(&Notice {
                headers: &bare,
                ..notice
            }),
            Err(WebhookError::MissingSignature)
        );
    }
}
