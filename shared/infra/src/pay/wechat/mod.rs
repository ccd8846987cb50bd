//! WeChat Pay API v3 (微信支付 APIv3), direct merchant (普通商户) mode.
//!
//! | operation | request | answer |
//! | --- | --- | --- |
//! | JSAPI prepay (in WeChat's browser) | `POST /v3/pay/transactions/jsapi` | `{"prepay_id"}`, which we sign into the `wx.requestPayment` / `WeixinJSBridge` parameters |
//! | H5 prepay (other phone browsers) | `POST /v3/pay/transactions/h5` | `{"h5_url"}` |
//! | query | `GET /v3/pay/transactions/out-trade-no/{out_trade_no}?mchid=…` | the transaction |
//! | close | `POST /v3/pay/transactions/out-trade-no/{out_trade_no}/close` | `204 No Content` |
//! | refund | `POST /v3/refund/domestic/refunds` (`out_refund_no` = our refund id, so a retry is the same refund) | the refund |
//! | trade bill | `GET /v3/bill/tradebill?bill_date=…&bill_type=ALL`, then `GET download_url` | `{"download_url","hash_type","hash_value"}`, then the file ([`bill`]) |
//!
//! Every request is signed ([`sign::Signer`]); every answer's `Wechatpay-*` signature is
//! checked against the configured platform key before its body is read, refusals included
//! when they are signed. The one exception is the bill file itself, which WeChat Pay does not
//! sign: its SHA-1 must equal the `hash_value` of the signed answer that gave its URL, and
//! the URL must be on the configured API host (so our `Authorization` goes nowhere else).
//! Refusals are `{"code","message"}` with a 4xx status ([`PayError::Rejected`]); a 5xx or an
//! answer that is not WeChat's JSON is [`PayError::Transport`] (try again).
//!
//! Notifications are [`notify`]; amounts are integer fen throughout, as WeChat Pay sends them.

pub mod bill;
pub mod jssdk;
pub mod notify;
pub mod oauth;
pub mod sign;

use super::keys::{Certified, PrivateKey, PublicKey};
use super::{
    Ack, BillLine, NewTrade, PayConfigError, PayError, RefundResult, RefundState, Trade, TradeRef,
    wire,
};
use chrono::{DateTime, NaiveDate, Utc};
use farmgate_kernel::Clock;
use http::HeaderMap;
use notify::NotificationVerifier;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha1::{Digest, Sha1};
use sign::{PlatformKeys, Signer};
use std::time::Duration;

pub use notify::{ack_failure, ack_refused, ack_success};

pub const PROVIDER: &str = "wechat";
pub const DEFAULT_BASE_URL: &str = "https://api.mch.weixin.qq.com";

/// How to reach WeChat Pay as one merchant. Secrets never print.
#[derive(Clone)]
pub struct WechatConfig {
    /// 商户号.
    pub mch_id: String,
    /// The official account's (公众号) or mini program's AppID the buyer pays in.
    pub app_id: String,
    /// `apiclient_key.pem`: the merchant API private key.
    pub merchant_key_pem: String,
    /// The merchant API certificate's serial number (商户API证书序列号).
    pub merchant_serial: String,
    /// The APIv3 key: exactly 32 ASCII characters.
    pub api_v3_key: String,
    /// "微信支付公钥" mode: the platform public key (`pub_key.pem`) …
    pub platform_public_key_pem: Option<String>,
    /// … and its id (`PUB_KEY_ID_…`), which `Wechatpay-Serial` names.
    pub platform_public_key_id: Option<String>,
    /// Platform-certificate mode: the certificate; its key and serial are read from it.
    /// May be set beside the public key while WeChat Pay migrates a merchant.
    pub platform_certificate_pem: Option<String>,
    /// Unset: [`DEFAULT_BASE_URL`]. Tests point it at a simulator.
    pub base_url: Option<String>,
    /// Where WeChat Pay sends notifications (https, no query).
    pub notify_url: String,
    /// The longest a whole exchange may take.
    pub timeout: Duration,
}

impl std::fmt::Debug for WechatConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WechatConfig")
            .field("mch_id", &self.mch_id)
            .field("app_id", &self.app_id)
            .field("merchant_key_pem", &"***")
            .field("merchant_serial", &self.merchant_serial)
            .field("api_v3_key", &"***")
            .field("platform_public_key_id", &self.platform_public_key_id)
            .field(
                "platform_certificate_pem",
                &self.platform_certificate_pem.as_ref().map(|_| "…"),
            )
            .field("base_url", &self.base_url)
            .field("notify_url", &self.notify_url)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// The parameters the page hands to `wx.requestPayment` (mini program) or
/// `WeixinJSBridge.invoke('getBrandWCPayRequest', …)` (official account), with their
/// documented camel-case names. `paySign` is RSA-SHA256 under the merchant key of
/// `appId\ntimeStamp\nnonceStr\npackage\n`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JsapiPayment {
    #[serde(skip)]
    pub prepay_id: String,
    pub app_id: String,
    pub time_stamp: String,
    pub nonce_str: String,
    pub package: String,
    pub sign_type: String,
    pub pay_sign: String,
}

/// A WeChat Pay merchant: pre-orders, queries, closes, refunds, bills and notifications.
pub struct WechatPay {
    app_id: String,
    notify_url: String,
    signer: Signer,
    verifier: NotificationVerifier,
    base: reqwest::Url,
    client: reqwest::Client,
    clock: Clock,
}

impl std::fmt::Debug for WechatPay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WechatPay")
            .field("mch_id", &self.signer.mch_id)
            .field("app_id", &self.app_id)
            .field("base", &self.base.as_str())
            .field("platform_keys", &self.verifier.platform.serials())
            .finish_non_exhaustive()
    }
}

fn malformed(what: impl Into<String>) -> PayError {
    PayError::Malformed {
        provider: PROVIDER,
        what: what.into(),
    }
}

/// WeChat's `out_trade_no` / `out_refund_no`: 6–32 (refunds 1–64) letters, digits, `_-|*`.
/// Checked before it goes into a URL path.
fn check_number(value: &str, what: &'static str, max: usize) -> Result<(), PayError> {
    let ok = (1..=max).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_-|*".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(PayError::Request {
            provider: PROVIDER,
            what: format!("{what} must be 1–{max} letters, digits or _-|*"),
        })
    }
}

impl WechatPay {
    /// Reads the keys and builds the client (no network yet). `clock` dates signatures and
    /// checks answers' timestamps: the system clock in production.
    pub fn new(config: WechatConfig, clock: Clock) -> Result<Self, PayConfigError> {
        for (name, value) in [
            ("wechat.mch_id", &config.mch_id),
            ("wechat.app_id", &config.app_id),
            ("wechat.merchant_serial", &config.merchant_serial),
            ("wechat.notify_url", &config.notify_url),
        ] {
            if value.trim().is_empty() {
                return Err(PayConfigError::Missing(name));
            }
        }
        if config.api_v3_key.len() != 32 {
            return Err(PayConfigError::Invalid {
                name: "wechat.api_v3_key",
                why: "must be exactly 32 characters".into(),
            });
        }
        let key = PrivateKey::parse(&config.merchant_key_pem, "wechat.merchant_key")?;
        let mut platform = Vec::new();
        match (
            &config.platform_public_key_pem,
            &config.platform_public_key_id,
        ) {
            (Some(pem), Some(id)) if !id.trim().is_empty() => platform.push((
                id.trim().to_owned(),
                PublicKey::parse(pem, "wechat.platform_public_key")?,
            )),
            (Some(_), _) => return Err(PayConfigError::Missing("wechat.platform_public_key_id")),
            (None, _) => {}
        }
        if let Some(pem) = &config.platform_certificate_pem {
            let cert = Certified::parse(pem, "wechat.platform_certificate")?;
            platform.push((cert.serial, cert.key));
        }
        if platform.is_empty() {
            return Err(PayConfigError::Missing("wechat.platform_public_key"));
        }
        let notify = wire::checked_url(&config.notify_url, "wechat.notify_url", true)?;
        // WeChat Pay only calls https notification URLs.
        if notify.scheme() != "https" {
            return Err(PayConfigError::Invalid {
                name: "wechat.notify_url",
                why: "must be https".into(),
            });
        }
        let base = wire::checked_url(
            config.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL),
            "wechat.base_url",
            false,
        )?;
        Ok(Self {
            app_id: config.app_id.clone(),
            notify_url: notify.to_string(),
            signer: Signer {
                mch_id: config.mch_id.clone(),
                serial_no: config.merchant_serial.clone(),
                key,
            },
            verifier: NotificationVerifier {
                platform: PlatformKeys::new(platform),
                api_v3_key: config.api_v3_key.as_bytes().to_vec(),
                mch_id: config.mch_id,
                app_id: config.app_id,
            },
            client: wire::http_client(config.timeout)?,
            base,
            clock,
        })
    }

    /// Where requests go (for the start-up log).
    pub fn base_url(&self) -> &str {
        self.base.as_str()
    }

    fn order_body(&self, trade: &NewTrade) -> Result<serde_json::Value, PayError> {
        check_number(&trade.out_trade_no, "out_trade_no", 32)?;
        if trade.amount_fen <= 0 {
            return Err(PayError::Request {
                provider: PROVIDER,
                what: "the amount must be at least 1 fen".into(),
            });
        }
        Ok(json!({
            "appid": self.app_id,
            "mchid": self.signer.mch_id,
            "description": trade.description.chars().take(127).collect::<String>(),
            "out_trade_no": trade.out_trade_no,
            "time_expire": format_time(trade.expires_at),
            "notify_url": self.notify_url,
            "amount": { "total": trade.amount_fen, "currency": "CNY" },
        }))
    }

    /// JSAPI pre-order for a buyer inside WeChat (`openid` under our AppID), and the signed
    /// parameters their page passes to WeChat's payment sheet.
    #[tracing::instrument(skip_all, fields(pay.provider = PROVIDER, pay.out_trade_no = %trade.out_trade_no))]
    pub async fn jsapi_prepay(
        &self,
        trade: &NewTrade,
        openid: &str,
    ) -> Result<JsapiPayment, PayError> {
        let mut body = self.order_body(trade)?;
        body["payer"] = json!({ "openid": openid });
        #[derive(Deserialize)]
        struct Answer {
            prepay_id: String,
        }
        let answer: Answer = self
            .call_json("POST", "/v3/pay/transactions/jsapi", Some(&body))
            .await?;
        self.jsapi_payment(answer.prepay_id)
    }

    /// The `wx.requestPayment` parameters for a prepay id (also to re-open the sheet for an
    /// order whose prepay id is still valid, two hours).
    pub fn jsapi_payment(&self, prepay_id: String) -> Result<JsapiPayment, PayError> {
        let time_stamp = self.clock.now().timestamp().to_string();
        let nonce_str = super::keys::nonce(32);
        let package = format!("prepay_id={prepay_id}");
        let message = format!("{}\n{time_stamp}\n{nonce_str}\n{package}\n", self.app_id);
        let pay_sign = self
            .signer
            .key
            .sign(message.as_bytes())
            .map_err(|e| PayError::Request {
                provider: PROVIDER,
                what: e.to_string(),
            })?;
        Ok(JsapiPayment {
            prepay_id,
            app_id: self.app_id.clone(),
            time_stamp,
            nonce_str,
            package,
            sign_type: "RSA".into(),
            pay_sign,
        })
    }

    /// H5 pre-order for a phone browser outside WeChat: the `h5_url` to send the buyer to.
    /// `client_ip` is the buyer's address as our server saw it (WeChat checks it).
    #[tracing::instrument(skip_all, fields(pay.provider = PROVIDER, pay.out_trade_no = %trade.out_trade_no))]
    pub async fn h5_prepay(&self, trade: &NewTrade, client_ip: &str) -> Result<String, PayError> {
        let mut body = self.order_body(trade)?;
        body["scene_info"] = json!({
            "payer_client_ip": client_ip,
            "h5_info": { "type": "Wap" },
        });
        #[derive(Deserialize)]
        struct Answer {
            h5_url: String,
        }
        let answer: Answer = self
            .call_json("POST", "/v3/pay/transactions/h5", Some(&body))
            .await?;
        Ok(answer.h5_url)
    }

    /// The trade as WeChat Pay sees it now. An order WeChat never saw is
    /// `Rejected { code: "ORDER_NOT_EXIST" }`.
    #[tracing::instrument(skip_all, fields(pay.provider = PROVIDER, pay.out_trade_no = %out_trade_no))]
    pub async fn query(&self, out_trade_no: &str) -> Result<Trade, PayError> {
        check_number(out_trade_no, "out_trade_no", 32)?;
        let path = format!(
            "/v3/pay/transactions/out-trade-no/{out_trade_no}?mchid={}",
            self.signer.mch_id
        );
        let t: notify::Transaction = self.call_json("GET", &path, None).await?;
        if t.out_trade_no != out_trade_no {
            return Err(malformed("query answered for another order"));
        }
        t.into_trade()
    }

    /// Closes an unpaid trade so it can no longer be paid (before cancelling the order).
    /// A paid trade is `Rejected { code: "ORDER_PAID" }` (or similar): query it instead.
    #[tracing::instrument(skip_all, fields(pay.provider = PROVIDER, pay.out_trade_no = %out_trade_no))]
    pub async fn close(&self, out_trade_no: &str) -> Result<(), PayError> {
        check_number(out_trade_no, "out_trade_no", 32)?;
        let path = format!("/v3/pay/transactions/out-trade-no/{out_trade_no}/close");
        let body = json!({ "mchid": self.signer.mch_id });
        self.call("POST", &path, Some(&body)).await.map(|_| ())
    }

    /// Refunds `amount_fen` of a paid trade of `total_fen`. `out_refund_no` is our refund id:
    /// a retry with the same id is the same refund on WeChat's side, never a second one.
    #[tracing::instrument(skip_all, fields(pay.provider = PROVIDER, pay.trade = ?trade, pay.out_refund_no = %out_refund_no))]
    pub async fn refund(
        &self,
        trade: TradeRef<'_>,
        out_refund_no: &str,
        amount_fen: i64,
        total_fen: i64,
        reason: &str,
    ) -> Result<RefundResult, PayError> {
        let (trade_key, trade_value) = match trade {
            TradeRef::OutTradeNo(no) => ("out_trade_no", no),
            TradeRef::TransactionId(id) => ("transaction_id", id),
        };
        check_number(trade_value, trade_key, 32)?;
        check_number(out_refund_no, "out_refund_no", 64)?;
        if amount_fen <= 0 || amount_fen > total_fen {
            return Err(PayError::Request {
                provider: PROVIDER,
                what: "the refund must be between 1 fen and the order total".into(),
            });
        }
        let body = json!({
            trade_key: trade_value,
            "out_refund_no": out_refund_no,
            "reason": reason.chars().take(80).collect::<String>(),
            "notify_url": self.notify_url,
            "amount": { "refund": amount_fen, "total": total_fen, "currency": "CNY" },
        });
        let r: notify::Refund = self
            .call_json("POST", "/v3/refund/domestic/refunds", Some(&body))
            .await?;
        refund_result(r, out_refund_no)
    }

    /// Where a refund stands now (`GET /v3/refund/domestic/refunds/{out_refund_no}`), for a
    /// refund whose notification is late. One WeChat never saw is
    /// `Rejected { code: "RESOURCE_NOT_EXISTS" }`.
    #[tracing::instrument(skip_all, fields(pay.provider = PROVIDER, pay.out_refund_no = %out_refund_no))]
    pub async fn refund_query(&self, out_refund_no: &str) -> Result<RefundResult, PayError> {
        check_number(out_refund_no, "out_refund_no", 64)?;
        let path = format!("/v3/refund/domestic/refunds/{out_refund_no}");
        let r: notify::Refund = self.call_json("GET", &path, None).await?;
        refund_result(r, out_refund_no)
    }

    /// The trade bill of one day (China time): every payment and refund WeChat Pay booked.
    /// Available from 10:00 the next day; earlier it is `Rejected { code: "NO_STATEMENT_EXIST" }`.
    #[tracing::instrument(skip_all, fields(pay.provider = PROVIDER, pay.bill_date = %date))]
    pub async fn trade_bill(&self, date: NaiveDate) -> Result<Vec<BillLine>, PayError> {
        #[derive(Deserialize)]
        struct Answer {
            hash_type: String,
            hash_value: String,
            download_url: String,
        }
        let path = format!(
            "/v3/bill/tradebill?bill_date={}&bill_type=ALL",
            date.format("%Y-%m-%d")
        );
        let answer: Answer = self.call_json("GET", &path, None).await?;
        if !answer.hash_type.eq_ignore_ascii_case("SHA1") {
            return Err(malformed(format!("hash_type {:?}", answer.hash_type)));
        }
        let url = reqwest::Url::parse(&answer.download_url)
            .map_err(|_| malformed("download_url is not a URL"))?;
        if url.origin() != self.base.origin() {
            return Err(malformed("download_url is not on the API host"));
        }
        // The file is not signed (WeChat says so); its hash, from the signed answer, is.
        let (status, _, bytes) = self.send("GET", &url, None).await?;
        if status != 200 {
            return Err(PayError::Rejected {
                provider: PROVIDER,
                status,
                code: format!("http.{status}"),
                message: wire::clip(&String::from_utf8_lossy(&bytes)),
            });
        }
        let digest = hex::encode(Sha1::digest(&bytes));
        if !digest.eq_ignore_ascii_case(&answer.hash_value) {
            return Err(PayError::BadSignature {
                provider: PROVIDER,
                what: "bill file hash",
            });
        }
        let text = std::str::from_utf8(&bytes).map_err(|_| malformed("bill is not UTF-8"))?;
        bill::parse_trade_bill(text)
    }

    /// Verifies and reads a notification: all the request's headers and its raw body.
    pub fn notification(
        &self,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<super::Notification, PayError> {
        self.verifier.verify(headers, body, self.clock.now())
    }

    /// What to answer a notification with: [`ack_success`] once it is safely recorded,
    /// otherwise [`ack_failure`] so WeChat delivers it again.
    pub fn ack(&self, outcome: Result<(), &PayError>) -> Ack {
        match outcome {
            Ok(()) => ack_success(),
            Err(e) => ack_failure(Some(e)),
        }
    }

    /// A call whose answer is a JSON body.
    async fn call_json<T: serde::de::DeserializeOwned>(
        &self,
        method: &str,
        path_and_query: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<T, PayError> {
        let bytes = self.call(method, path_and_query, body).await?;
        serde_json::from_slice(&bytes).map_err(|e| malformed(format!("answer: {e}")))
    }

    /// Sends a signed request, checks the answer's signature, and sorts refusals.
    async fn call(
        &self,
        method: &str,
        path_and_query: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<Vec<u8>, PayError> {
        let url = self
            .base
            .join(path_and_query)
            .map_err(|_| PayError::Request {
                provider: PROVIDER,
                what: "bad path".into(),
            })?;
        let (status, headers, bytes) = self.send(method, &url, body).await?;
        let now = self.clock.now();
        if (200..300).contains(&status) {
            self.verifier
                .platform
                .verify(&headers, &bytes, now, "answer")?;
            return Ok(bytes);
        }
        #[derive(Deserialize)]
        struct Refusal {
            code: String,
            message: String,
        }
        match serde_json::from_slice::<Refusal>(&bytes) {
            Ok(refusal) if status < 500 => {
                // A refusal WeChat signed must verify; an unsigned one (a gateway in front)
                // is still only a refusal: it can fail a call, never approve one.
                if headers.contains_key(sign::HEADER_SIGNATURE) {
                    self.verifier
                        .platform
                        .verify(&headers, &bytes, now, "answer")?;
                }
                Err(PayError::Rejected {
                    provider: PROVIDER,
                    status,
                    code: refusal.code,
                    message: wire::clip(&refusal.message),
                })
            }
            _ => Err(PayError::Transport {
                provider: PROVIDER,
                detail: format!(
                    "HTTP {status}: {}",
                    wire::clip(&String::from_utf8_lossy(&bytes))
                ),
            }),
        }
    }

    async fn send(
        &self,
        method: &str,
        url: &reqwest::Url,
        body: Option<&serde_json::Value>,
    ) -> Result<(u16, HeaderMap, Vec<u8>), PayError> {
        let payload = match body {
            Some(b) => serde_json::to_string(b).map_err(|e| PayError::Request {
                provider: PROVIDER,
                what: e.to_string(),
            })?,
            None => String::new(),
        };
        // Sign the path and query exactly as they go out (after the URL's own encoding).
        let canonical = match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        };
        let nonce = super::keys::nonce(32);
        let authorization = self
            .signer
            .authorization(
                method,
                &canonical,
                self.clock.now().timestamp(),
                &nonce,
                &payload,
            )
            .map_err(|e| PayError::Request {
                provider: PROVIDER,
                what: e.to_string(),
            })?;
        let method =
            reqwest::Method::from_bytes(method.as_bytes()).map_err(|_| PayError::Request {
                provider: PROVIDER,
                what: "bad method".into(),
            })?;
        let mut request = self
            .client
            .request(method, url.clone())
            .header("authorization", authorization)
            .header("accept", "application/json");
        if body.is_some() {
            request = request
                .header("content-type", "application/json")
                .body(payload);
        }
        let response = request
            .send()
            .await
            .map_err(|e| wire::transport(PROVIDER, e))?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| wire::transport(PROVIDER, e))?;
        Ok((status, headers, bytes.to_vec()))
    }
}

/// A refund answer (the refund call's or the query's), for `out_refund_no`.
fn refund_result(r: notify::Refund, out_refund_no: &str) -> Result<RefundResult, PayError> {
    if r.out_refund_no != out_refund_no {
        return Err(malformed("refund answered for another refund"));
    }
    let state = match r.refund_status.as_str() {
        "SUCCESS" => RefundState::Succeeded,
        "PROCESSING" => RefundState::Processing,
        "CLOSED" => RefundState::Closed,
        "ABNORMAL" => RefundState::Abnormal,
        other => return Err(malformed(format!("refund status {other:?}"))),
    };
    Ok(RefundResult {
        out_refund_no: r.out_refund_no,
        refund_id: Some(r.refund_id),
        state,
        amount_fen: r.amount.refund,
        total_refunded_fen: None,
    })
}

/// When the trade expires, as WeChat writes it.
pub fn format_time(t: DateTime<Utc>) -> String {
    (t.naive_utc() + chrono::Duration::hours(8))
        .format("%Y-%m-%dT%H:%M:%S+08:00")
        .to_string()
}

#[cfg(test)]
mod tests;
