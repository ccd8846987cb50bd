//! Notifications' outbox handlers: events of other rooms become notifications
//! ([`NotifyJob`]), outside notifications are sent ([`DeliverJob`]), and paid-order reminders
//! fall due ([`PaidReminderJob`]).

use crate::Notify;
use crate::domain::NotificationId;
use crate::domain::NotificationKind;
use crate::domain::rules::wanted;
use crate::service::topics;
use async_trait::async_trait;
use farmgate_infra::outbox::{BoxError, OutboxEvent, OutboxHandler};
use farmgate_kernel::id::SubOrderId;
use serde::Deserialize;
use uuid::Uuid;

fn boxed(e: crate::NotifyError) -> BoxError {
    Box::new(e)
}

/// Turns the events in `domain::rules` into notifications.
pub struct NotifyJob {
    notify: Notify,
}

impl NotifyJob {
    pub fn new(notify: Notify) -> Self {
        Self { notify }
    }
}

#[async_trait]
impl OutboxHandler for NotifyJob {
    fn name(&self) -> &'static str {
        "notify-events"
    }

    fn handles(&self, topic: &str) -> bool {
        wanted(topic)
    }

    async fn handle(&self, event: &OutboxEvent) -> Result<(), BoxError> {
        let planned = self.notify.plan(event).await.map_err(boxed)?;
        let remind = planned
            .iter()
            .any(|p| p.kind == NotificationKind::OrderPaid);
        self.notify
            .record(event.id, event.created_at, &planned, remind)
            .await
            .map_err(boxed)?;
        Ok(())
    }
}

#[derive(Deserialize)]
struct DeliverRef {
    notification_id: NotificationId,
}

/// Sends an outside notification when it is due.
pub struct DeliverJob {
    notify: Notify,
}

impl DeliverJob {
    pub fn new(notify: Notify) -> Self {
        Self { notify }
    }
}

#[async_trait]
impl OutboxHandler for DeliverJob {
    fn name(&self) -> &'static str {
        "notify-deliver"
    }

    fn handles(&self, topic: &str) -> bool {
        topic == topics::DELIVER
    }

    async fn handle(&self, event: &OutboxEvent) -> Result<(), BoxError> {
        let r: DeliverRef = event.parse()?;
        self.notify
            .deliver(r.notification_id)
            .await
            .map_err(boxed)?;
        Ok(())
    }
}

#[derive(Deserialize)]
struct ReminderRef {
    event_id: Uuid,
    sub_order_id: SubOrderId,
}

/// Re-sends an unacknowledged paid order and raises it to the operators.
pub struct PaidReminderJob {
    notify: Notify,
}

impl PaidReminderJob {
    pub fn new(notify: Notify) -> Self {
        Self { notify }
    }
}

#[async_trait]
impl OutboxHandler for PaidReminderJob {
    fn name(&self) -> &'static str {
        "notify-paid-reminder"
    }

    fn handles(&self, topic: &str) -> bool {
        topic == topics::PAID_REMINDER
    }

    async fn handle(&self, event: &OutboxEvent) -> Result<(), BoxError> {
        let r: ReminderRef = event.parse()?;
        self.notify
            .remind_paid(r.event_id, r.sub_order_id)
            .await
            .map_err(boxed)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::domain::rules::RULES;

    #[test]
    fn every_rule_names_a_topic_its_room_publishes() {
        let published = [
            farmgate_orders::service::topics::PAID,
            farmgate_orders::service::topics::SHIPPED,
            farmgate_orders::service::topics::RECEIVED,
            farmgate_aftersales::service::topics::FILED,
            farmgate_aftersales::service::topics::RESOLVED,
            farmgate_aftersales::service::topics::RECALLED,
            farmgate_identity::topics::ORG_VERIFIED,
            farmgate_identity::topics::ORG_REJECTED,
            farmgate_desk::service::topics::TICKET_REPLIED,
            farmgate_desk::service::topics::TICKET_ASSIGNED,
            farmgate_desk::service::topics::TICKET_OVERDUE,
            farmgate_desk::service::topics::TICKET_CLOSED,
            farmgate_desk::service::topics::CONVERSATION_MESSAGE,
            farmgate_orders::service::topics::SHIP_BY_NEAR,
            farmgate_orders::service::topics::CANCELLED_LATE,
            farmgate_orders::service::topics::CANCEL_REQUESTED,
            farmgate_orders::service::topics::CANCEL_ACCEPTED,
            farmgate_orders::service::topics::CANCEL_REFUSED,
            farmgate_orders::service::topics::OUT_FOR_DELIVERY,
            farmgate_finance::service::topics::PAYOUT_PAID,
            farmgate_catalog::service::topics::LISTING_APPROVED,
            farmgate_catalog::service::topics::LISTING_REJECTED,
            farmgate_identity::topics::INVITATION_SENT,
            farmgate_aftersales::service::topics::ANSWERED,
            farmgate_aftersales::service::topics::DEADLINE_NEAR,
            farmgate_aftersales::service::topics::ESCALATED,
            farmgate_orders::service::topics::REVIEW_REPLIED,
            farmgate_orders::service::topics::REVIEW_HIDDEN,
            farmgate_orders::service::topics::REVIEW_RESTORED,
            farmgate_orders::service::topics::CREDIT_OVERDUE,
            farmgate_orders::service::topics::CREDIT_STATEMENT_ISSUED,
            farmgate_orders::service::topics::EXTRA_CHARGE_REQUESTED,
            farmgate_orders::service::topics::CREDIT_DUE_SOON,
            farmgate_orders::service::topics::PRESALE_DEPOSIT_PAID,
            farmgate_orders::service::topics::PRESALE_BALANCE_DUE,
            farmgate_orders::service::topics::PRESALE_UNFILLED,
            farmgate_orders::service::topics::PRESALE_REFUNDED,
            farmgate_orders::service::topics::STANDING_AWAITING,
            farmgate_orders::service::topics::STANDING_GENERATED,
            farmgate_orders::service::topics::STANDING_SHORT,
            farmgate_orders::service::topics::DELIVERY_BOOKED,
            farmgate_orders::service::topics::DELIVERY_SIGNED,
            farmgate_orders::service::rfq::topics::RFQ_POSTED,
            farmgate_orders::service::rfq::topics::RFQ_QUOTED,
            farmgate_orders::service::rfq::topics::RFQ_ACCEPTED,
        ];
        for r in RULES {
            assert!(
                published.contains(&r.topic),
                "{} is published by nobody",
                r.topic
            );
        }
    }
}
