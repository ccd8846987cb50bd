//! Notifications' types and rules, free of HTTP and the database: what kinds of notification
//! exist and how each travels ([`KindSpec`]), which event makes which ([`rules`]), their texts
//! ([`templates`]), and times of day ([`hours`]).

pub mod hours;
pub mod rules;
pub mod templates;

use farmgate_infra::sms::SmsTemplate;
use farmgate_kernel::{labelled_enum, wire_enum};

farmgate_kernel::define_id!(
    /// One notification row: one recipient, one channel.
    NotificationId
);

labelled_enum!(
    /// What a notification is about. Each kind has its texts in `templates.json` and its
    /// channels in [`NotificationKind::spec`].
    NotificationKind {
        OrderPaid => "order_paid", "新订单", "new paid order";
        OrderPaidReminder => "order_paid_reminder", "新订单待处理提醒", "paid order reminder";
        OrderUnacknowledged => "order_unacknowledged", "新订单超时未处理", "paid order not acknowledged";
        OrderShipped => "order_shipped", "订单已发货", "order shipped";
        OrderDelivered => "order_delivered", "订单已签收", "order delivered";
        ClaimFiled => "claim_filed", "收到售后申请", "claim filed";
        ClaimDecided => "claim_decided", "售后已处理", "claim settled";
        Recall => "recall", "召回通知", "recall notice";
        OrgVerified => "org_verified", "组织认证通过", "organisation verified";
        OrgRejected => "org_rejected", "组织认证未通过", "organisation not verified";
        TicketReplied => "ticket_replied", "工单有新回复", "ticket reply";
        TicketAssigned => "ticket_assigned", "工单已派给你", "ticket assigned to you";
        TicketOverdue => "ticket_overdue", "工单已超时", "ticket overdue";
        TicketClosed => "ticket_closed", "工单已处理", "ticket closed";
        ConversationMessage => "conversation_message", "新咨询消息", "new conversation message";
        ShipByNear => "ship_by_near", "发货时限将到", "ship-by deadline near";
        OrderCancelledLate => "order_cancelled_late", "超时未发货已取消", "cancelled: not shipped in time";
        CancelRequested => "cancel_requested", "买家申请取消", "buyer asks to cancel";
        CancelAccepted => "cancel_accepted", "取消申请已同意", "cancellation accepted";
        CancelRefused => "cancel_refused", "取消申请被拒绝", "cancellation refused";
        OrderOutForDelivery => "order_out_for_delivery", "订单派送中", "out for delivery";
        PayoutPaid => "payout_paid", "货款已打款", "payout paid";
        ListingApproved => "listing_approved", "商品审核通过", "listing approved";
        ListingRejected => "listing_rejected", "商品审核未通过", "listing rejected";
        InvitationReceived => "invitation_received", "加入组织邀请", "invitation to join";
        ClaimAnswered => "claim_answered", "商家已答复售后", "claim answered";
        ClaimDeadlineNear => "claim_deadline_near", "售后即将超时", "claim deadline near";
        ClaimEscalated => "claim_escalated", "售后已转平台介入", "claim escalated";
    }
);

wire_enum!(
    /// How a notification reaches a person. In-app is always on; the others follow the
    /// person's preferences and quiet hours.
    Channel {
        InApp => "in_app",
        Sms => "sms",
        Wechat => "wechat",
    }
);

wire_enum!(
    /// Where a notification's delivery stands.
    DeliveryStatus {
        /// In the centre (in-app rows are delivered when written).
        Delivered => "delivered",
        /// Waiting for its time (quiet hours) or for the worker.
        Pending => "pending",
        /// A worker is handing it to the channel.
        Sending => "sending",
        /// The channel took it.
        Sent => "sent",
        /// The channel refused it for good (no retry helps).
        Failed => "failed",
        /// Not sent: no phone, no WeChat binding, the channel not configured.
        Skipped => "skipped",
    }
);

/// How a kind of notification travels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KindSpec {
    /// Goes out at once, quiet hours or not; outside channels cannot be turned off.
    pub urgent: bool,
    /// The text message template, when the kind may go by text message.
    pub sms: Option<SmsTemplate>,
    /// Text message on unless the person turns it off.
    pub sms_default: bool,
    /// May go as a WeChat subscription message.
    pub wechat: bool,
}

impl NotificationKind {
    pub fn spec(self) -> KindSpec {
        use NotificationKind as K;
        let spec = |urgent, sms, sms_default, wechat| KindSpec {
            urgent,
            sms,
            sms_default,
            wechat,
        };
        match self {
            K::OrderPaid | K::OrderPaidReminder => {
                spec(false, Some(SmsTemplate::OrderPaid), true, true)
            }
            K::OrderUnacknowledged => spec(false, None, false, false),
            K::OrderShipped => spec(false, Some(SmsTemplate::Shipped), false, true),
            K::OrderDelivered => spec(false, None, false, true),
            K::ClaimFiled
            | K::ClaimDecided
            | K::ClaimAnswered
            | K::ClaimDeadlineNear
            | K::ClaimEscalated => spec(false, Some(SmsTemplate::ClaimUpdate), true, true),
            K::Recall => spec(true, Some(SmsTemplate::Recall), true, true),
            K::OrgVerified | K::OrgRejected => spec(false, None, false, false),
            K::TicketReplied | K::TicketAssigned | K::TicketOverdue | K::TicketClosed => {
                spec(false, None, false, false)
            }
            K::ConversationMessage => spec(false, None, false, false),
            // Issue #18's handling deadlines: in the centre (and WeChat when a template is
            // configured); no text-message template is registered for them yet.
            K::ShipByNear
            | K::OrderCancelledLate
            | K::CancelRequested
            | K::CancelAccepted
            | K::CancelRefused => spec(false, None, false, false),
            K::OrderOutForDelivery => spec(false, None, false, true),
            // No approved text-message template exists for these: in the centre only.
            K::PayoutPaid | K::ListingApproved | K::ListingRejected | K::InvitationReceived => {
                spec(false, None, false, false)
            }
        }
    }

    /// The outside channels this kind may use.
    pub fn channels(self) -> Vec<Channel> {
        let s = self.spec();
        let mut out = Vec::new();
        if s.sms.is_some() {
            out.push(Channel::Sms);
        }
        if s.wechat {
            out.push(Channel::Wechat);
        }
        out
    }
}

/// What a person chose for one kind: which outside channels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KindChoice {
    pub sms: bool,
    pub wechat: bool,
}

impl KindChoice {
    /// The default for a kind.
    pub fn default_for(kind: NotificationKind) -> Self {
        let s = kind.spec();
        Self {
            sms: s.sms.is_some() && s.sms_default,
            wechat: s.wechat,
        }
    }

    /// Whether `channel` is on for `kind` under this choice: in-app always; an urgent kind's
    /// outside channels always (a recall reaches everyone); otherwise as chosen, and only where
    /// the kind may use the channel at all.
    pub fn allows(self, kind: NotificationKind, channel: Channel) -> bool {
        let s = kind.spec();
        match channel {
            Channel::InApp => true,
            Channel::Sms => s.sms.is_some() && (s.urgent || self.sms),
            Channel::Wechat => s.wechat && (s.urgent || self.wechat),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recall_goes_by_text_message_whatever_the_person_chose() {
        let off = KindChoice {
            sms: false,
            wechat: false,
        };
        assert!(off.allows(NotificationKind::Recall, Channel::Sms));
        assert!(!off.allows(NotificationKind::OrderPaid, Channel::Sms));
        assert!(off.allows(NotificationKind::OrderPaid, Channel::InApp));
    }

    #[test]
    fn a_kind_without_a_text_template_never_goes_by_text_message() {
        let on = KindChoice {
            sms: true,
            wechat: true,
        };
        assert!(!on.allows(NotificationKind::OrgVerified, Channel::Sms));
        assert!(!on.allows(NotificationKind::OrderUnacknowledged, Channel::Wechat));
        assert!(on.allows(NotificationKind::OrderShipped, Channel::Sms));
    }

    #[test]
    fn sellers_hear_of_paid_orders_by_text_message_unless_they_turn_it_off() {
        let d = KindChoice::default_for(NotificationKind::OrderPaid);
        assert!(d.allows(NotificationKind::OrderPaid, Channel::Sms));
        let shipped = KindChoice::default_for(NotificationKind::OrderShipped);
        assert!(!shipped.allows(NotificationKind::OrderShipped, Channel::Sms));
    }
}
