//! Alipay as a [`PaymentProvider`], over the adapter in `farmgate_infra::pay::alipay`.
//!
//! Paying is a signed URL to Alipay's cashier: `alipay.trade.wap.pay` for a phone browser,
//! `alipay.trade.page.pay` for a computer. The trade exists at Alipay only once the buyer
//! opens it, so querying or closing a trade Alipay never saw is "unpaid" / nothing to do.
//! Notifications are verified by the adapter (RSA2 over the sorted parameters, our app_id) and
//! answered with the text Alipay reads, `success`.

use super::gateway::{self, description, out_trade_no};
use super::{
    Notice, PaymentProvider, ProviderAck, ProviderIntent, ProviderPayment, RefundCall,
    RefundReceipt, Refusal, Verified, WebhookError,
};
use crate::domain::reconcile::BillEntry;
use crate::payment::IntentRequest;
use async_trait::async_trait;
use chrono::NaiveDate;
use farmgate_infra::pay::alipay::{self, Alipay};
use farmgate_infra::pay::{NewTrade, TradeRef};
use uuid::Uuid;

/// Alipay, one application.
#[derive(Debug)]
pub struct AlipayProvider {
    pay: Alipay,
}

impl AlipayProvider {
    /// The name intents, payments and refunds record, and notifications are posted under.
    pub const NAME: &'static str = "alipay";

    pub fn new(pay: Alipay) -> Self {
        Self { pay }
    }
}

#[async_trait]
impl PaymentProvider for AlipayProvider {
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
        let url = if req.payer.desktop {
            self.pay.page_pay(&trade)
        } else {
            self.pay.wap_pay(&trade)
        }
        .map_err(|e| e.to_string())?;
        Ok(ProviderIntent {
            pay_url: Some(url),
            client_params: None,
            instructions_zh: "将打开支付宝收银台完成付款。".to_owned(),
            instructions_en: "Alipay's cashier opens to take the payment.".to_owned(),
        })
    }

    fn verify_webhook(&self, notice: &Notice<'_>) -> Result<Verified, WebhookError> {
        self.pay
            .notification(notice.body)
            .map_err(gateway::refused)
            .and_then(gateway::verified)
    }

    fn acknowledge(&self, outcome: Result<(), Refusal>) -> Option<ProviderAck> {
        Some(match outcome {
            Ok(()) => alipay::ack_success(),
            Err(why) => alipay::ack_refused(why),
        })
    }

    async fn query(&self, intent_id: Uuid) -> Result<ProviderPayment, String> {
        gateway::queried(self.pay.query(&out_trade_no(intent_id)).await)
    }

    async fn close(&self, intent_id: Uuid) -> Result<(), String> {
        gateway::closed(self.pay.close(&out_trade_no(intent_id)).await)
    }

    async fn refund(&self, call: &RefundCall<'_>) -> Result<RefundReceipt, String> {
        let transaction = call
            .transaction_id
            .ok_or("an Alipay refund needs the payment's trade number")?;
        let result = self
            .pay
            .refund(
                TradeRef::TransactionId(transaction),
                &call.refund_id.simple().to_string(),
                call.amount_fen,
                "农源直供售后退款",
            )
            .await
            .map_err(|e| e.to_string())?;
        // Alipay refunds at once (`fund_change` Y, or N for a retry already refunded).
        Ok(RefundReceipt {
            reference: result.out_refund_no,
            settled: true,
        })
    }

    fn keeps_bill(&self) -> bool {
        true
    }

    async fn bill(&self, date: NaiveDate) -> Result<Option<Vec<BillEntry>>, String> {
        gateway::bill_of_day(self.pay.trade_bill(date).await)
    }
}
