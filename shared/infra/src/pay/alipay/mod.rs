//! Alipay open platform (支付宝开放平台), public-key mode (公钥模式), `sign_type=RSA2`.
//!
//! Every call goes to one gateway (`https://openapi.alipay.com/gateway.do`) with the common
//! parameters `app_id`, `method`, `format=JSON`, `charset=utf-8`, `sign_type=RSA2`,
//! `timestamp` (`yyyy-MM-dd HH:mm:ss`, China time), `version=1.0`, optionally `notify_url` /
//! `return_url`, the JSON `biz_content`, and `sign` ([`sign`]).
//!
//! | operation | method | how |
//! | --- | --- | --- |
//! | pay in a phone browser | `alipay.trade.wap.pay` (`QUICK_WAP_WAY`) | a signed URL the buyer's browser opens ([`Alipay::wap_pay`]) |
//! | pay on a computer | `alipay.trade.page.pay` (`FAST_INSTANT_TRADE_PAY`) | a signed URL ([`Alipay::page_pay`]) |
//! | query | `alipay.trade.query` | server call |
//! | close | `alipay.trade.close` | server call |
//! | refund | `alipay.trade.refund`, `out_request_no` = our refund id (a retry is the same refund) | server call |
//! | bill | `alipay.data.dataservice.bill.downloadurl.query` (`bill_type=trade`), then the file | server call, then [`bill`] |
//!
//! Server calls are form POSTs; the answer is `{"<method>_response":{…},"sign":"…"}` (dots
//! as underscores) and its signature must verify over the member's exact text before
//! anything in it is believed. `code` `10000` is success; anything else is
//! [`PayError::Rejected`] with `sub_code`/`sub_msg` (Alipay may leave refusals unsigned — a
//! refusal can only fail a call — but a signed one must verify). A non-200 status or an
//! answer that is not Alipay's JSON is [`PayError::Transport`]. Amounts are yuan strings on
//! the wire, integer fen here ([`super::money`]). Notifications are [`notify`].

pub mod bill;
pub mod notify;
pub mod sign;

use super::money::{fen_to_yuan, yuan_to_fen};
use super::{
    Ack, BillLine, NewTrade, PayConfigError, PayError, PrivateKey, PublicKey, RefundResult,
    RefundState, Trade, TradeRef, TradeState, format_china_time, parse_china_time, wire,
};
use chrono::NaiveDate;
use farmgate_kernel::Clock;
use notify::NotificationVerifier;
use serde::Deserialize;
use serde_json::{Value, json};
use std::time::Duration;

pub use notify::{ack_failure, ack_refused, ack_success};

pub const PROVIDER: &str = "alipay";
pub const DEFAULT_GATEWAY: &str = "https://openapi.alipay.com/gateway.do";

/// How to reach Alipay as one application. Secrets never print.
#[derive(Clone)]
pub struct AlipayConfig {
    pub app_id: String,
    /// The application private key (PKCS#1 or PKCS#8; PEM or the key tool's bare base64).
    pub app_private_key: String,
    /// The Alipay public key (支付宝公钥) shown in the console for this application.
    pub alipay_public_key: String,
    /// Unset: [`DEFAULT_GATEWAY`]. Tests point it at a simulator.
    pub gateway_url: Option<String>,
    pub notify_url: String,
    /// Where the buyer's browser returns after paying (a page, not proof of payment).
    pub return_url: String,
    pub timeout: Duration,
}

impl std::fmt::Debug for AlipayConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AlipayConfig")
            .field("app_id", &self.app_id)
            .field("app_private_key", &"***")
            .field("gateway_url", &self.gateway_url)
            .field("notify_url", &self.notify_url)
            .field("return_url", &self.return_url)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// An Alipay application: payment pages, queries, closes, refunds, bills, notifications.
pub struct Alipay {
    app_id: String,
    key: PrivateKey,
    verifier: NotificationVerifier,
    gateway: reqwest::Url,
    notify_url: String,
    return_url: String,
    client: reqwest::Client,
    clock: Clock,
}

impl std::fmt::Debug for Alipay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Alipay")
            .field("app_id", &self.app_id)
            .field("gateway", &self.gateway.as_str())
            .finish_non_exhaustive()
    }
}

fn malformed(what: impl Into<String>) -> PayError {
    PayError::Malformed {
        provider: PROVIDER,
        what: what.into(),
    }
}

fn request_error(what: impl Into<String>) -> PayError {
    PayError::Request {
        provider: PROVIDER,
        what: what.into(),
    }
}

/// Alipay's `out_trade_no` / `out_request_no`: up to 64 letters, digits and underscores.
fn check_number(value: &str, what: &str) -> Result<(), PayError> {
    if (1..=64).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        Ok(())
    } else {
        Err(request_error(format!(
            "{what} must be 1–64 letters, digits, _ or -"
        )))
    }
}

/// What `alipay.trade.query` answers, beside `code`/`msg`.
#[derive(Debug, Deserialize)]
struct QueryAnswer {
    trade_no: Option<String>,
    out_trade_no: String,
    trade_status: String,
    total_amount: String,
    buyer_pay_amount: Option<String>,
    send_pay_date: Option<String>,
}

impl Alipay {
    pub fn new(config: AlipayConfig, clock: Clock) -> Result<Self, PayConfigError> {
        for (name, value) in [
            ("alipay.app_id", &config.app_id),
            ("alipay.notify_url", &config.notify_url),
            ("alipay.return_url", &config.return_url),
        ] {
            if value.trim().is_empty() {
                return Err(PayConfigError::Missing(name));
            }
        }
        let key = PrivateKey::parse(&config.app_private_key, "alipay.app_private_key")?;
        let alipay_key = PublicKey::parse(&config.alipay_public_key, "alipay.alipay_public_key")?;
        let gateway = wire::checked_url(
            config.gateway_url.as_deref().unwrap_or(DEFAULT_GATEWAY),
            "alipay.gateway_url",
            true,
        )?;
        wire::checked_url(&config.notify_url, "alipay.notify_url", true)?;
        Ok(Self {
            verifier: NotificationVerifier {
                alipay_key,
                app_id: config.app_id.clone(),
            },
            app_id: config.app_id,
            key,
            gateway,
            notify_url: config.notify_url,
            return_url: config.return_url,
            client: wire::http_client(config.timeout)?,
            clock,
        })
    }

    /// The gateway (for the start-up log).
    pub fn gateway(&self) -> &str {
        self.gateway.as_str()
    }

    /// All parameters of one call, signed.
    fn signed_params(
        &self,
        method: &str,
        biz_content: &Value,
        browser: bool,
    ) -> Result<Vec<(String, String)>, PayError> {
        let mut params: Vec<(String, String)> = vec![
            ("app_id".into(), self.app_id.clone()),
            ("method".into(), method.into()),
            ("format".into(), "JSON".into()),
            ("charset".into(), "utf-8".into()),
            ("sign_type".into(), "RSA2".into()),
            ("timestamp".into(), format_china_time(self.clock.now())),
            ("version".into(), "1.0".into()),
            ("notify_url".into(), self.notify_url.clone()),
            ("biz_content".into(), biz_content.to_string()),
        ];
        if browser {
            params.push(("return_url".into(), self.return_url.clone()));
        }
        let signature =
            sign::sign_request(&params, &self.key).map_err(|e| request_error(e.to_string()))?;
        params.push(("sign".into(), signature));
        Ok(params)
    }

    fn browser_url(
        &self,
        method: &str,
        trade: &NewTrade,
        product_code: &str,
    ) -> Result<String, PayError> {
        check_number(&trade.out_trade_no, "out_trade_no")?;
        if trade.amount_fen <= 0 {
            return Err(request_error("the amount must be at least 0.01 yuan"));
        }
        let mut biz = json!({
            "out_trade_no": trade.out_trade_no,
            "total_amount": fen_to_yuan(trade.amount_fen),
            "subject": trade.description.chars().take(127).collect::<String>(),
            "product_code": product_code,
            "time_expire": format_china_time(trade.expires_at),
        });
        if product_code == "QUICK_WAP_WAY" {
            biz["quit_url"] = self.return_url.clone().into();
        }
        let params = self.signed_params(method, &biz, true)?;
        let mut url = self.gateway.clone();
        url.query_pairs_mut().extend_pairs(params.iter());
        Ok(url.to_string())
    }

    /// The URL a phone browser opens to pay (`alipay.trade.wap.pay`); on success Alipay
    /// notifies `notify_url` and sends the buyer to `return_url`.
    pub fn wap_pay(&self, trade: &NewTrade) -> Result<String, PayError> {
        self.browser_url("alipay.trade.wap.pay", trade, "QUICK_WAP_WAY")
    }

    /// The URL a computer's browser opens to pay (`alipay.trade.page.pay`).
    pub fn page_pay(&self, trade: &NewTrade) -> Result<String, PayError> {
        self.browser_url("alipay.trade.page.pay", trade, "FAST_INSTANT_TRADE_PAY")
    }

    /// The trade as Alipay sees it. A trade the buyer never opened is
    /// `Rejected { code: "ACQ.TRADE_NOT_EXIST" }`.
    #[tracing::instrument(skip_all, fields(pay.provider = PROVIDER, pay.out_trade_no = %out_trade_no))]
    pub async fn query(&self, out_trade_no: &str) -> Result<Trade, PayError> {
        check_number(out_trade_no, "out_trade_no")?;
        let answer = self
            .call(
                "alipay.trade.query",
                &json!({ "out_trade_no": out_trade_no }),
            )
            .await?;
        let q: QueryAnswer =
            serde_json::from_value(answer).map_err(|e| malformed(format!("query answer: {e}")))?;
        if q.out_trade_no != out_trade_no {
            return Err(malformed("query answered for another order"));
        }
        let state = match q.trade_status.as_str() {
            "WAIT_BUYER_PAY" => TradeState::NotPaid,
            "TRADE_SUCCESS" => TradeState::Paid,
            "TRADE_FINISHED" => TradeState::Finished,
            "TRADE_CLOSED" => TradeState::Closed,
            other => return Err(malformed(format!("trade_status {other:?}"))),
        };
        let fen = |s: &str| yuan_to_fen(s).map_err(|e| malformed(e.to_string()));
        Ok(Trade {
            amount_fen: fen(&q.total_amount)?,
            payer_total_fen: q.buyer_pay_amount.as_deref().map(fen).transpose()?,
            paid_at: q.send_pay_date.as_deref().and_then(parse_china_time),
            out_trade_no: q.out_trade_no,
            transaction_id: q.trade_no.filter(|t| !t.is_empty()),
            state,
            provider_state: q.trade_status,
        })
    }

    /// Closes an unpaid trade. One Alipay never saw is `Rejected { code: "ACQ.TRADE_NOT_EXIST" }`
    /// (nothing to close); a paid one `ACQ.TRADE_STATUS_ERROR`.
    #[tracing::instrument(skip_all, fields(pay.provider = PROVIDER, pay.out_trade_no = %out_trade_no))]
    pub async fn close(&self, out_trade_no: &str) -> Result<(), PayError> {
        check_number(out_trade_no, "out_trade_no")?;
        self.call(
            "alipay.trade.close",
            &json!({ "out_trade_no": out_trade_no }),
        )
        .await
        .map(|_| ())
    }

    /// Refunds `amount_fen` of a paid trade. `out_refund_no` goes out as `out_request_no`:
    /// a retry with the same one is answered `fund_change: "N"` and refunds nothing more.
    #[tracing::instrument(skip_all, fields(pay.provider = PROVIDER, pay.trade = ?trade, pay.out_refund_no = %out_refund_no))]
    pub async fn refund(
        &self,
        trade: TradeRef<'_>,
        out_refund_no: &str,
        amount_fen: i64,
        reason: &str,
    ) -> Result<RefundResult, PayError> {
        let (trade_key, trade_value) = match trade {
            TradeRef::OutTradeNo(no) => ("out_trade_no", no),
            TradeRef::TransactionId(id) => ("trade_no", id),
        };
        check_number(trade_value, trade_key)?;
        check_number(out_refund_no, "out_refund_no")?;
        if amount_fen <= 0 {
            return Err(request_error("the refund must be at least 0.01 yuan"));
        }
        let answer = self
            .call(
                "alipay.trade.refund",
                &json!({
                    trade_key: trade_value,
                    "refund_amount": fen_to_yuan(amount_fen),
                    "out_request_no": out_refund_no,
                    "refund_reason": reason.chars().take(80).collect::<String>(),
                }),
            )
            .await?;
        #[derive(Deserialize)]
        struct RefundAnswer {
            out_trade_no: String,
            trade_no: String,
            fund_change: Option<String>,
            refund_fee: String,
        }
        let r: RefundAnswer =
            serde_json::from_value(answer).map_err(|e| malformed(format!("refund answer: {e}")))?;
        let answered = match trade {
            TradeRef::OutTradeNo(_) => &r.out_trade_no,
            TradeRef::TransactionId(_) => &r.trade_no,
        };
        if answered != trade_value {
            return Err(malformed("refund answered for another order"));
        }
        Ok(RefundResult {
            out_refund_no: out_refund_no.to_owned(),
            refund_id: None,
            state: if r.fund_change.as_deref() == Some("Y") {
                RefundState::Succeeded
            } else {
                RefundState::AlreadyDone
            },
            amount_fen,
            total_refunded_fen: Some(
                yuan_to_fen(&r.refund_fee).map_err(|e| malformed(e.to_string()))?,
            ),
        })
    }

    /// The trade bill of one day (China time). Alipay offers it from 09:00 the next day.
    #[tracing::instrument(skip_all, fields(pay.provider = PROVIDER, pay.bill_date = %date))]
    pub async fn trade_bill(&self, date: NaiveDate) -> Result<Vec<BillLine>, PayError> {
        let answer = self
            .call(
                "alipay.data.dataservice.bill.downloadurl.query",
                &json!({ "bill_type": "trade", "bill_date": date.format("%Y-%m-%d").to_string() }),
            )
            .await?;
        let url = answer
            .get("bill_download_url")
            .and_then(Value::as_str)
            .ok_or_else(|| malformed("bill_download_url missing"))?;
        let url =
            reqwest::Url::parse(url).map_err(|_| malformed("bill_download_url is not a URL"))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(malformed("bill_download_url is not http(s)"));
        }
        // The URL is signed by Alipay (it came in a verified answer) and short-lived; the
        // file itself carries no signature.
        let bytes = wire::get_ok(&self.client, url, PROVIDER, "the bill download").await?;
        bill::parse_trade_bill(&bill::unpack(&bytes)?)
    }

    /// Verifies and reads a notification's raw form body.
    pub fn notification(&self, body: &[u8]) -> Result<super::Notification, PayError> {
        self.verifier.verify(body)
    }

    /// What to answer a notification with.
    pub fn ack(&self, outcome: Result<(), &PayError>) -> Ack {
        match outcome {
            Ok(()) => ack_success(),
            Err(e) => ack_failure(Some(e)),
        }
    }

    /// One server call: signed form POST, answer signature checked, refusals sorted. Returns
    /// the `…_response` member.
    async fn call(&self, method: &str, biz_content: &Value) -> Result<Value, PayError> {
        let params = self.signed_params(method, biz_content, false)?;
        // Built before the request: the serializer is not Send, and the future must be.
        let form = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(params.iter())
            .finish();
        let response = self
            .client
            .post(self.gateway.clone())
            .header(
                "content-type",
                "application/x-www-form-urlencoded;charset=utf-8",
            )
            .body(form)
            .send()
            .await
            .map_err(|e| wire::transport(PROVIDER, e))?;
        let status = response.status().as_u16();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| wire::transport(PROVIDER, e))?;
        let unreadable = || PayError::Transport {
            provider: PROVIDER,
            detail: format!(
                "HTTP {status}: {}",
                wire::clip(&String::from_utf8_lossy(&bytes))
            ),
        };
        if status != 200 {
            return Err(unreadable());
        }
        let text = std::str::from_utf8(&bytes).map_err(|_| unreadable())?;
        let member = format!("{}_response", method.replace('.', "_"));
        let (signed_text, member_name) = match sign::member_text(text, &member) {
            Some(t) => (t, member.as_str()),
            None => (
                sign::member_text(text, "error_response").ok_or_else(unreadable)?,
                "error_response",
            ),
        };
        let envelope: Value = serde_json::from_str(text).map_err(|_| unreadable())?;
        let signature = envelope.get("sign").and_then(Value::as_str);
        let answer = envelope.get(member_name).cloned().unwrap_or(Value::Null);
        let code = answer.get("code").and_then(Value::as_str).unwrap_or("");
        let verified =
            signature.is_some_and(|s| self.verifier.alipay_key.verify(signed_text.as_bytes(), s));
        if code == "10000" && member_name != "error_response" {
            if !verified {
                return Err(PayError::BadSignature {
                    provider: PROVIDER,
                    what: "answer",
                });
            }
            return Ok(answer);
        }
        if signature.is_some() && !verified {
            return Err(PayError::BadSignature {
                provider: PROVIDER,
                what: "answer",
            });
        }
        let text_of = |name: &str| answer.get(name).and_then(Value::as_str).map(str::to_owned);
        Err(PayError::Rejected {
            provider: PROVIDER,
            status,
            code: text_of("sub_code").unwrap_or_else(|| code.to_owned()),
            message: wire::clip(
                &text_of("sub_msg")
                    .or_else(|| text_of("msg"))
                    .unwrap_or_default(),
            ),
        })
    }
}

#[cfg(test)]
mod tests;
