//! A payment on the order page: how the money came. The buyer sees the channel and amount;
//! platform finance and the operator also see the reference (the bank's serial number, the
//! gateway's transaction) and who confirmed it; a seller sees none of it (its statement
//! holds what it is owed).

use crate::domain::PaymentStatus;
use crate::service::SANDBOX;
use crate::store::payment;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentView {
    /// `bank_transfer`, `cash_on_delivery` (offline, as finance recorded it) or the gateway
    /// (`wechat`, `alipay`, `sandbox`); `null` on payments from before it was recorded.
    pub channel: Option<String>,
    /// A demo gateway where no money moved (模拟支付).
    pub simulated: bool,
    /// Fen.
    pub amount: i64,
    pub status: PaymentStatus,
    /// The bank's serial number or the gateway's transaction (finance and the operator only).
    pub reference: Option<String>,
    /// Finance's account that confirmed an offline payment (finance and the operator only).
    pub confirmed_by: Option<uuid::Uuid>,
    pub settled_at: Option<DateTime<Utc>>,
}

impl PaymentView {
    pub(crate) fn of(p: &payment::Model, staff: bool) -> Self {
        Self {
            channel: p.channel.clone(),
            simulated: p.channel.as_deref() == Some(SANDBOX),
            amount: p.amount_fen,
            status: p.status,
            reference: staff.then(|| p.reference.clone()).flatten(),
            confirmed_by: staff.then_some(p.confirmed_by).flatten(),
            settled_at: p.settled_at,
        }
    }
}
