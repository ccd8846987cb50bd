//! The paid-order reminder (the platform rule: contact within 10 minutes of payment, in
//! business hours). Due that much business time after the payment, it asks whether the seller
//! acknowledged the sub-order (or shipped it, or it was cancelled) or any member read the
//! notice; if not, the seller's members get a reminder (by text message too, as they chose)
//! and the operators a notice to step in. Its notifications are keyed by an id derived from
//! the paid event, so a reminder handled twice sends nothing twice.

use super::{Planned, reminder_event_id};
use crate::Notify;
use crate::domain::NotificationKind;
use crate::error::Result;
use crate::store::queries;
use farmgate_identity::read::notify as people;
use farmgate_kernel::id::SubOrderId;
use serde_json::json;
use uuid::Uuid;

/// What the reminder found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reminder {
    /// Acknowledged, handled or read in time: nothing sent.
    Acknowledged,
    /// Re-sent to the seller and raised to the operators.
    Escalated,
    /// The sub-order is gone.
    Gone,
}

impl Notify {
    pub async fn remind_paid(&self, paid_event: Uuid, sub: SubOrderId) -> Result<Reminder> {
        let db = &self.infra().db;
        let Some(s) = farmgate_orders::read::notify::sub_order(db, sub).await? else {
            return Ok(Reminder::Gone);
        };
        if s.handled || queries::read_by_anyone(db, sub.0, NotificationKind::OrderPaid).await? {
            return Ok(Reminder::Acknowledged);
        }
        let minutes = self.config().remind_after.num_minutes().to_string();
        let seller = self
            .identity()
            .org_summary(s.seller)
            .await?
            .map(|o| o.name)
            .unwrap_or_default();
        let mut planned = self
            .to_members(
                s.seller,
                NotificationKind::OrderPaidReminder,
                sub.0,
                &json!({ "order": s.number, "minutes": minutes }),
                "/seller/orders.html",
            )
            .await?;
        for op in people::operators(db).await? {
            planned.push(Planned {
                recipient: op,
                kind: NotificationKind::OrderUnacknowledged,
                subject: Some(sub.0),
                params: json!({ "order": s.number, "seller": seller, "minutes": minutes }),
                link: Some(format!("/ops/orders.html?number={}", s.order_number)),
            });
        }
        let now = self.now();
        self.record(reminder_event_id(paid_event), now, &planned, false)
            .await?;
        tracing::info!(sub_order.id = %sub, "paid order not acknowledged in time: seller reminded, operators told");
        Ok(Reminder::Escalated)
    }
}
