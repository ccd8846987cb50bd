//! Paying: the buyer starts (or resumes) paying through the order's provider; an offline
//! payment is confirmed by the operator or the only seller; and the one state change every
//! payment ends in, `mark_paid`.

use crate::Orders;
use crate::domain::{
    Device, EventKind, IntentStatus, MoveRefused, OfflineChannel, OrderMove, OrderStatus,
    PaymentIntentId, PaymentMethod, PaymentStatus, SubOrderStatus, order_transition,
};
use crate::error::{OrdersError, Result};
use crate::payment::{IntentRequest, PayerContext, PaymentProvider, WechatPayProvider};
use crate::service::approval::ensure_approved;
use crate::service::{OrderRecord, append, topics};
use crate::store::queries::{orders as q, payments};
use crate::store::{intent, payment};
use chrono::{DateTime, Utc};
use farmgate_identity::Actor;
use farmgate_infra::db::{begin_write, serialise};
use farmgate_kernel::FieldError;
use farmgate_kernel::id::{ListingId, OrderId};
use sea_orm::{ActiveModelTrait, ConnectionTrait, DatabaseTransaction, Set};
use serde::Serialize;
use serde_json::json;
use std::collections::BTreeMap;
use utoipa::ToSchema;
use uuid::Uuid;

/// How the buyer pays an order.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct IntentView {
    pub id: PaymentIntentId,
    pub order_id: OrderId,
    /// Set when the intent collects a catch-weight extra charge (补差价), not the order's
    /// total.
    pub extra_charge_id: Option<Uuid>,
    /// Who takes the money: `offline`, `wechat`, `alipay` or `sandbox`.
    pub provider: String,
    /// A demo gateway where no money moves (模拟支付).
    pub simulated: bool,
    /// Fen.
    pub amount: i64,
    pub status: IntentStatus,
    /// Where to send the buyer: the gateway's cashier (Alipay, WeChat H5 `h5_url`, the
    /// sandbox page).
    pub pay_url: Option<String>,
    /// Inside WeChat: the parameters the page hands to
    /// `WeixinJSBridge.invoke('getBrandWCPayRequest', …)` (appId, timeStamp, nonceStr,
    /// package, signType, paySign).
    #[schema(value_type = Option<Object>)]
    pub client_params: Option<serde_json::Value>,
    pub instructions_zh: String,
    pub instructions_en: String,
    pub expires_at: DateTime<Utc>,
}

/// What an intent collects: an order's total, or one of its extra charges.
pub(crate) struct NewIntent {
    pub order_id: Uuid,
    pub amount_fen: i64,
    pub expires_at: DateTime<Utc>,
    pub extra_charge_id: Option<Uuid>,
}

/// Who is paying, as the pay request shows it.
#[derive(Clone, Debug, Default)]
pub struct Payer {
    /// The gateway the buyer chose (`wechat`, `alipay`, `sandbox`); `None`: WeChat Pay
    /// inside WeChat's browser, otherwise the first one configured.
    pub provider: Option<String>,
    /// The buyer's address as our server saw it (behind our proxies, what they forwarded).
    pub client_ip: Option<std::net::IpAddr>,
    pub user_agent: Option<String>,
}

impl Orders {
    /// Starts (or resumes) paying an order: the buyer only, while it is unpaid. One pending
    /// intent per order and provider, so a retried request never asks for the money twice.
    #[tracing::instrument(skip_all, fields(order.id = %order_id))]
    pub async fn pay(&self, actor: &Actor, order_id: OrderId, payer: &Payer) -> Result<IntentView> {
        let record = self.order_for(actor, order_id).await?;
        if record.order.buyer_account_id != actor.account_id.as_uuid() {
            return Err(OrdersError::Forbidden);
        }
        self.ensure_payable(&record)?;
        let device = Device::from_user_agent(payer.user_agent.as_deref());
        let provider = self.choose_provider(record.order.payment_method, payer, device)?;
        let openid = self.payer_openid(actor, provider, device).await?;
        let db = &self.infra().db;
        let now = self.now();
        // Looked up and created in one turn per order: two "pay" taps at the same moment get
        // the same intent, never two that could each take the money.
        let txn = begin_write(db).await?;
        serialise(&txn, "orders.pay", order_id).await?;
        let it = match payments::pending_intent(&txn, order_id.0, provider.name(), now).await? {
            Some(it) => it,
            None => {
                let intent = NewIntent {
                    order_id: order_id.0,
                    amount_fen: record.order.total_fen,
                    expires_at: record.order.pay_by,
                    extra_charge_id: None,
                };
                self.new_intent(&txn, provider, intent, now).await?
            }
        };
        txn.commit().await?;
        self.start_at_provider(provider, &it, &record.order.number, openid, payer, device)
            .await
    }

    /// Opens an intent (inside the caller's turn for the order or charge), and schedules the
    /// question to a real gateway in case its notification never comes.
    pub(crate) async fn new_intent(
        &self,
        txn: &impl ConnectionTrait,
        provider: &dyn PaymentProvider,
        new: NewIntent,
        now: DateTime<Utc>,
    ) -> Result<intent::Model> {
        let it = intent::ActiveModel {
            id: Set(Uuid::now_v7()),
            order_id: Set(new.order_id),
            provider: Set(provider.name().to_owned()),
            amount_fen: Set(new.amount_fen),
            status: Set(IntentStatus::Pending),
            transaction_id: Set(None),
            created_at: Set(now),
            expires_at: Set(new.expires_at),
            completed_at: Set(None),
            extra_charge_id: Set(new.extra_charge_id),
        }
        .insert(txn)
        .await?;
        if self.is_real_gateway(provider.name()) {
            self.infra()
                .outbox
                .enqueue_at(
                    txn,
                    topics::PAYMENT_QUERY,
                    &json!({"intent_id": it.id}),
                    now + self.config().payment_query_after,
                )
                .await?;
        }
        Ok(it)
    }

    /// The buyer's openid for WeChat Pay's JSAPI inside WeChat (`wechat_authorization_needed`
    /// until the web authorisation stored it); `None` for every other way to pay.
    pub(crate) async fn payer_openid(
        &self,
        actor: &Actor,
        provider: &dyn PaymentProvider,
        device: Device,
    ) -> Result<Option<String>> {
        Ok(
            if provider.name() == WechatPayProvider::NAME && device.wechat {
                let app_id = self
                    .config()
                    .wechat_oauth
                    .as_ref()
                    .map(|o| o.app_id.as_str())
                    .ok_or(OrdersError::OnlinePaymentUnavailable)?;
                let db = &self.infra().db;
                let openid =
                    match payments::wechat_openid(db, actor.account_id.as_uuid(), app_id).await? {
                        Some(o) => Some(o),
                        // Logged in with WeChat under the same official account: that openid pays.
                        None => {
                            farmgate_identity::read::wechat::openid(db, actor.account_id, app_id)
                                .await?
                        }
                    };
                Some(openid.ok_or(OrdersError::WechatAuthorizationNeeded)?)
            } else {
                None
            },
        )
    }

    /// Asks the provider to start (or resume) collecting an intent, and what the buyer is
    /// shown for it.
    pub(crate) async fn start_at_provider(
        &self,
        provider: &dyn PaymentProvider,
        it: &intent::Model,
        order_number: &str,
        openid: Option<String>,
        payer: &Payer,
        device: Device,
    ) -> Result<IntentView> {
        let ip = payer.client_ip.map(|ip| ip.to_string());
        let shown = provider
            .create_intent(&IntentRequest {
                intent_id: it.id,
                order_number,
                amount_fen: it.amount_fen,
                expires_at: it.expires_at,
                payer: PayerContext {
                    wechat_openid: openid.as_deref(),
                    client_ip: ip.as_deref(),
                    desktop: device.desktop,
                },
            })
            .await
            .map_err(|e| {
                tracing::warn!(provider = provider.name(), error = %e, "the payment provider did not start the payment");
                OrdersError::ProviderUnavailable(e)
            })?;
        Ok(IntentView {
            id: PaymentIntentId(it.id),
            order_id: OrderId(it.order_id),
            extra_charge_id: it.extra_charge_id,
            simulated: it.provider == SANDBOX,
            provider: it.provider.clone(),
            amount: it.amount_fen,
            status: it.status,
            pay_url: shown.pay_url,
            client_params: shown.client_params,
            instructions_zh: shown.instructions_zh,
            instructions_en: shown.instructions_en,
            expires_at: it.expires_at,
        })
    }

    /// The provider a payment goes through: offline for an offline order; for an online one
    /// the gateway the buyer named, else WeChat Pay inside WeChat, else the first configured.
    pub(crate) fn choose_provider(
        &self,
        method: PaymentMethod,
        payer: &Payer,
        device: Device,
    ) -> Result<&dyn PaymentProvider> {
        if method == PaymentMethod::Offline {
            return Ok(self.provider(PaymentMethod::Offline));
        }
        if let Some(name) = payer.provider.as_deref() {
            return self.gateways().find(|p| p.name() == name).ok_or_else(|| {
                OrdersError::field(FieldError::new(
                    "provider",
                    "unknown_provider",
                    "没有这种支付方式",
                    "no such way to pay is offered",
                ))
            });
        }
        let wechat = device
            .wechat
            .then(|| {
                self.gateways()
                    .find(|p| p.name() == WechatPayProvider::NAME)
            })
            .flatten();
        wechat
            .or_else(|| self.gateways().next())
            .ok_or(OrdersError::OnlinePaymentUnavailable)
    }

    /// A gateway that can be asked about its trades (not the sandbox, not offline).
    pub(crate) fn is_real_gateway(&self, name: &str) -> bool {
        self.config().online.iter().any(|p| p.name() == name)
    }

    /// Unpaid and before its deadline; otherwise why not.
    pub(crate) fn ensure_payable(&self, record: &OrderRecord) -> Result<()> {
        match order_transition(record.order.status, OrderMove::Pay) {
            Ok(_) if self.now() < record.order.pay_by => ensure_approved(record),
            Err(MoveRefused::AlreadyDone) => Err(OrdersError::AlreadyPaid),
            _ => Err(OrdersError::OrderClosed),
        }
    }

    /// Confirms an offline payment (bank transfer, cash) with the bank's reference: platform
    /// finance only. Never a seller (it is owed the money) nor the operator (who runs the
    /// shop): whoever can say the money arrived must not be the one it is owed to. Only an
    /// order the buyer chose to pay offline; an online one is paid by its gateway's signed
    /// notification. The ledger records how the money came (`channel`: bank transfer or cash
    /// on delivery) with its reference. A second confirmation of a paid order changes nothing
    /// and says so (`false`).
    #[tracing::instrument(skip_all, fields(order.id = %id))]
    pub async fn confirm_offline_payment(
        &self,
        actor: &Actor,
        id: OrderId,
        reference: &str,
        channel: OfflineChannel,
    ) -> Result<(OrderRecord, bool)> {
        let record = self.order_for(actor, id).await?;
        if !actor.is_finance() {
            return Err(OrdersError::Forbidden);
        }
        if record.order.payment_method != PaymentMethod::Offline {
            return Err(OrdersError::NotOffline);
        }
        ensure_approved(&record)?;
        let reference = farmgate_kernel::text::clean_text(reference, 2, 80, false)
            .map_err(|e| OrdersError::field(e.at("reference")))?;
        let paid = self
            .mark_paid(
                &record,
                PaymentMethod::Offline.as_str(),
                channel.as_str(),
                &reference,
                Some(actor.account_id.as_uuid()),
            )
            .await?;
        let record = self.existing(id).await?;
        Ok((record, paid))
    }

    /// Records a payment of the whole order and moves it to `paid`, once: `false` when it was
    /// paid already; `order_closed` when it was cancelled or expired.
    /// `provider` is the name of the provider that took the money (its pending intents are
    /// settled by this payment); `channel` what the ledger records (the gateway's name, or
    /// how an offline payment came).
    pub(crate) async fn mark_paid(
        &self,
        record: &OrderRecord,
        provider: &str,
        channel: &str,
        reference: &str,
        actor: Option<Uuid>,
    ) -> Result<bool> {
        let txn = begin_write(&self.infra().db).await?;
        if !self
            .mark_paid_in(&txn, record, provider, channel, reference, actor)
            .await?
        {
            return Ok(false);
        }
        txn.commit().await?;
        self.infra().outbox.wake();
        Ok(true)
    }

    /// [`Self::mark_paid`] inside the caller's `begin_write` transaction, so a use case that
    /// pays by something of its own (an order on credit owes the buyer's credit line) records
    /// both or neither. `false` (nothing written) when it was paid already; wake the outbox
    /// after committing.
    pub(crate) async fn mark_paid_in(
        &self,
        txn: &DatabaseTransaction,
        record: &OrderRecord,
        provider: &str,
        channel: &str,
        reference: &str,
        actor: Option<Uuid>,
    ) -> Result<bool> {
        let order_id = record.order.id;
        let to = match order_transition(record.order.status, OrderMove::Pay) {
            Ok(to) => to,
            Err(MoveRefused::AlreadyDone) => return Ok(false),
            Err(MoveRefused::NotAllowed) => return Err(OrdersError::OrderClosed),
        };
        let now = self.now();
        if !q::move_order(txn, order_id, &OrderMove::Pay.from_states(), to, Some(now)).await? {
            // Paid, cancelled or expired a moment ago by another request (committed: this
            // transaction waited for it).
            let now_status = q::order(txn, order_id).await?.map(|o| o.status);
            if now_status == Some(OrderStatus::Paid) {
                return Ok(false);
            }
            return Err(OrdersError::OrderClosed);
        }
        let paid = q::PaidAt { paid_at: now };
        q::set_sub_orders_of_order(txn, order_id, SubOrderStatus::Paid, Some(paid)).await?;
        // A pre-sale deposit reserves a harvest not grown yet: nothing to ship by a deadline,
        // no sales to count and no "new paid order" for the seller (its own notice instead);
        // the sale is its balance order's, counted once when that is paid.
        let deposit = crate::service::presale_balance::order_paid(txn, order_id).await?
            == Some(crate::service::presale_balance::PresaleOrder::Deposit);
        for s in record.subs.iter().filter(|_| !deposit) {
            // Each part ships within what its categories promised at checkout.
            let ship_by = now + self.ship_within_of(s);
            q::set_ship_by(txn, s.id, ship_by).await?;
            self.schedule_ship_by(txn, s.id, now, ship_by).await?;
        }
        // The buyer's payment in progress is settled by this one (an offline order's
        // instructions, or the gateway intent the notification named).
        payments::settle_pending_intents(txn, order_id, provider, now).await?;
        payment::ActiveModel {
            id: Set(Uuid::now_v7()),
            order_id: Set(order_id),
            provider: Set(record.order.payment_method.as_str().to_owned()),
            amount_fen: Set(record.order.total_fen),
            status: Set(PaymentStatus::Succeeded),
            reference: Set(Some(reference.to_owned())),
            confirmed_by: Set(actor),
            created_at: Set(now),
            settled_at: Set(Some(now)),
            channel: Set(Some(channel.to_owned())),
            extra_charge_id: Set(None),
        }
        .insert(txn)
        .await?;
        let mut sold: BTreeMap<Uuid, i64> = BTreeMap::new();
        for l in record.lines.iter().filter(|_| !deposit) {
            *sold.entry(l.listing_id).or_default() += l.quantity;
        }
        for (listing, quantity) in sold {
            self.catalog()
                .add_sales(txn, ListingId(listing), quantity)
                .await?;
        }
        append(
            txn,
            order_id,
            None,
            EventKind::Paid,
            actor,
            json!({"provider": record.order.payment_method, "channel": channel, "reference": reference, "amount_fen": record.order.total_fen}),
            now,
        )
        .await?;
        let topic = if deposit {
            topics::PRESALE_DEPOSIT_PAID
        } else {
            topics::PAID
        };
        self.infra()
            .outbox
            .enqueue(txn, topic, &json!({"order_id": order_id}))
            .await?;
        Ok(true)
    }
}

/// One way to pay that checkout accepts now.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PaymentMethodOffer {
    /// What to send as *payment_method* at checkout.
    pub method: PaymentMethod,
    /// Who takes the money: `offline` (bank transfer or cash, confirmed by platform finance)
    /// or the online gateway's name (`wechat`, `alipay`, `sandbox`), to pass as *provider*
    /// when paying.
    pub provider: &'static str,
    /// A demo gateway where no money moves (模拟支付): every page that offers it says so.
    pub simulated: bool,
    pub label_zh: &'static str,
    pub label_en: &'static str,
}

/// The sandbox gateway's name.
pub const SANDBOX: &str = "sandbox";

/// What checkout calls a provider.
pub fn provider_labels(name: &str) -> (&'static str, &'static str) {
    match name {
        "wechat" => ("微信支付", "WeChat Pay"),
        "alipay" => ("支付宝", "Alipay"),
        SANDBOX => (
            "模拟支付（演示用，不产生真实扣款）",
            "Simulated payment (demo: no real money moves)",
        ),
        _ => (
            "银行转账 / 货到付款（平台财务确认到账）",
            "Bank transfer or cash on delivery (confirmed by platform finance)",
        ),
    }
}

impl Orders {
    /// The ways to pay checkout accepts now, in the order a page offers them: exactly the
    /// providers configured (the real gateways, the sandbox only when it is on, offline).
    pub fn payment_methods(&self) -> Vec<PaymentMethodOffer> {
        let mut offers: Vec<PaymentMethodOffer> = self
            .gateways()
            .map(|p| {
                let (label_zh, label_en) = provider_labels(p.name());
                PaymentMethodOffer {
                    method: PaymentMethod::Gateway,
                    provider: p.name(),
                    simulated: p.name() == SANDBOX,
                    label_zh,
                    label_en,
                }
            })
            .collect();
        let (label_zh, label_en) = provider_labels("offline");
        offers.push(PaymentMethodOffer {
            method: PaymentMethod::Offline,
            provider: "offline",
            simulated: false,
            label_zh,
            label_en,
        });
        offers
    }
}
