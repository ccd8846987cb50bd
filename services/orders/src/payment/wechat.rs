//! WeChat Pay as a [`PaymentProvider`], over the API v3 adapter in `farmgate_infra::pay::wechat`.
//!
//! Paying inside WeChat's browser (the buyer's `openid` known) is a JSAPI prepay whose signed
//! parameters the page passes to `wx.requestPayment`; in any other phone browser it is an H5
//! prepay whose `h5_url` the buyer is sent to (WeChat checks the buyer's IP address against
//! the one we give). Notifications are verified by the adapter (platform key serial, 5-minute
//! window, RSA signature, AES-GCM resource) and answered with WeChat's own acknowledgement.

use super::gateway::{self, description, out_trade_no};
use super::{
    Notice, PaymentProvider, ProviderAck, ProviderIntent, ProviderPayment, RefundCall,
    RefundReceipt, Refusal, Verified, WebhookError,
};
use crate::domain::reconcile::BillEntry;
use crate::payment::IntentRequest;
use async_trait::async_trait;
use chrono::NaiveDate;
use farmgate_infra::pay::wechat::{self, WechatPay};
use farmgate_infra::pay::{NewTrade, RefundState, TradeRef};
use uuid::Uuid;

/// WeChat Pay, one merchant.
#[derive(Debug)]
pub struct WechatPayProvider {
    pay: WechatPay,
}

impl WechatPayProvider {
    /// The name intents, payments and refunds record, and notifications are posted under.
    pub const NAME: &'static str = "wechat";

    pub fn new(pay: WechatPay) -> Self {
        Self { pay }
    }
}

#[async_trait]
impl PaymentProvider for WechatPayProvider {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    async fn create_intent(&self, req: &IntentRequest<'_>) -> Result<ProviderIntent, String> {
        let trade = NewTrade {
            out_trade_no: out_trade_no(req.intent_id),
            description: description(req.order_number),
            amount_fen: req.amount_fen,
            expires_at: req.expires_at,
        };
        if let Some(openid) = req.payer.wechat_openid {
            let sheet = self
                .pay
                .jsapi_prepay(&trade, openid)
                .await
                .map_err(|e| e.to_string())?;
            let params = serde_json::to_value(&sheet).map_err(|e| e.to_string())?;
            return Ok(ProviderIntent {
                pay_url: None,
                client_params: Some(params),
                instructions_zh: "请在微信支付页面确认付款。".to_owned(),
                instructions_en: "Confirm the payment on WeChat Pay's sheet.".to_owned(),
            });
        }
        let Some(ip) = req.payer.client_ip else {
            return Err(
                "WeChat Pay needs the buyer's openid (inside WeChat) or IP address (H5)".to_owned(),
            );
        };
        let url = self
            .pay
            .h5_prepay(&trade, ip)
            .await
            .map_err(|e| e.to_string())?;
        Ok(ProviderIntent {
            pay_url: Some(url),
            client_params: None,
            instructions_zh: "将打开微信完成付款。".to_owned(),
            instructions_en: "WeChat opens to take the payment.".to_owned(),
        })
    }

    fn verify_webhook(&self, notice: &Notice<'_>) -> Result<Verified, WebhookError> {
        self.pay
            .notification(notice.headers, notice.body)
            .map_err(gateway::refused)
            .and_then(gateway::verified)
    }

    fn acknowledge(&self, outcome: Result<(), Refusal>) -> Option<ProviderAck> {
        Some(match outcome {
            Ok(()) => wechat::ack_success(),
            Err(why) => wechat::ack_refused(why),
        })
    }

    async fn query(&self, intent_id: Uuid) -> Result<ProviderPayment, String> {
        gateway::queried(self.pay.query(&out_trade_no(intent_id)).await)
    }

    async fn close(&self, intent_id: Uuid) -> Result<(), String> {
        gateway::closed(self.pay.close(&out_trade_no(intent_id)).await)
    }

    async fn refund_outcome(&self, refund_id: Uuid) -> Result<Option<(bool, String)>, String> {
        let r = self
            .pay
            .refund_query(&refund_id.simple().to_string())
            .await
            .map_err(|e| e.to_string())?;
        Ok(match r.state {
            RefundState::Succeeded | RefundState::AlreadyDone => Some((true, "SUCCESS".into())),
            RefundState::Closed => Some((false, "CLOSED".into())),
            RefundState::Abnormal => Some((false, "ABNORMAL".into())),
            RefundState::Processing => None,
        })
    }

    async fn refund(&self, call: &RefundCall<'_>) -> Result<RefundReceipt, String> {
        let transaction = call
            .transaction_id
            .ok_or("a WeChat Pay refund needs the payment's transaction id")?;
        let result = self
            .pay
            .refund(
                TradeRef::TransactionId(transaction),
                &call.refund_id.simple().to_string(),
                call.amount_fen,
                call.paid_fen,
                "农源直供售后退款",
            )
            .await
            .map_err(|e| e.to_string())?;
        match result.state {
            RefundState::Closed | RefundState::Abnormal => Err(format!(
                "WeChat Pay took refund {} but it is {:?}",
                result.out_refund_no, result.state
            )),
            state => Ok(RefundReceipt {
                settled: matches!(state, RefundState::Succeeded | RefundState::AlreadyDone),
                reference: result.refund_id.unwrap_or(result.out_refund_no),
            }),
        }
    }

    fn keeps_bill(&self) -> bool {
        true
    }

    async fn bill(&self, date: NaiveDate) -> Result<Option<Vec<BillEntry>>, String> {
        gateway::bill_of_day(self.pay.trade_bill(date).await)
    }
}
