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
        ReviewReplied => "review_replied", "商家回复了你的评价", "seller replied to your review";
        ReviewHidden => "review_hidden", "评价已被平台隐藏", "review hidden by the platform";
        ReviewRestored => "review_restored", "评价已恢复显示", "review shown again";
        CreditOverdue => "credit_overdue", "账期对账单已逾期", "credit statement overdue";
        ExtraChargeRequested => "extra_charge_requested", "称重超出，请确认补差价", "weighed heavier: confirm the extra";
        CreditStatementIssued => "credit_statement_issued", "账期对账单已出", "credit statement issued";
        CreditDueSoon => "credit_due_soon", "账期对账单即将到期", "credit statement due soon";
        CreditOverdueFinance => "credit_overdue_finance", "客户账期逾期", "a buyer's credit statement overdue";
        PresaleDepositPaid => "presale_deposit_paid", "预售定金已付", "pre-sale deposit paid";
        PresaleBalanceDue => "presale_balance_due", "预售已采收，请付尾款", "pre-sale harvested: pay the balance";
        PresaleUnfilled => "presale_unfilled", "预售减产，定金已退", "pre-sale short: deposit refunded";
        PresaleRefunded => "presale_refunded", "预售已取消并退款", "pre-sale cancelled and refunded";
        StandingAwaiting => "standing_awaiting", "定期订单待接受", "standing order to accept";
        StandingGenerated => "standing_generated", "定期订单已生成订单", "standing order placed";
        StandingShort => "standing_short", "定期订单缺货", "standing order short";
        RfqInvited => "rfq_invited", "收到询价", "request for quotation received";
        RfqQuoted => "rfq_quoted", "询价收到报价", "quote received";
        RfqAccepted => "rfq_accepted", "报价已被接受", "quote accepted";
        DeliveryBooked => "delivery_booked", "采购商预约了送货时段", "delivery window booked";
        DeliverySigned => "delivery_signed", "签收单已签收", "delivery note signed";
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

/// Whether a kind may go by text message: the provider's approved template, or why not.
///
/// Every kind says one or the other ([`NotificationKind::sms_route`] is one exhaustive
/// `match`, and a unit test checks every template's variables are parameters the kind has and
/// every refusal gives its reason), so a kind added later cannot go by text message by
/// accident, nor silently never.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmsRoute {
    /// By text message with this template; `on_by_default` unless the person turns it off.
    Template {
        template: SmsTemplate,
        on_by_default: bool,
    },
    /// In the centre (and WeChat where [`WechatRoute`] allows) only, for this reason.
    InAppOnly(&'static str),
}

/// Whether a kind may go as a WeChat subscription message (fields in `wechat.json`), or why not.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WechatRoute {
    Subscribe,
    NotByWechat(&'static str),
}

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

/// Why the desk's notices stay in the centre: they concern the person's own ticket, which
/// they follow on its page, and no approved text template carries a ticket's subject.
const DESK_IN_APP: &str = "a desk notice points to a ticket the person follows on its page; \
     its subject is free text no approved text-message template may carry";

impl NotificationKind {
    /// By text message with which template, or why not.
    pub fn sms_route(self) -> SmsRoute {
        use NotificationKind as K;
        use SmsRoute::{InAppOnly, Template};
        let on = |template| Template {
            template,
            on_by_default: true,
        };
        let off = |template| Template {
            template,
            on_by_default: false,
        };
        match self {
            K::OrderPaid | K::OrderPaidReminder => on(SmsTemplate::OrderPaid),
            K::OrderUnacknowledged => InAppOnly(
                "goes to the platform's operators, who work in the console and see it there",
            ),
            K::OrderShipped => off(SmsTemplate::Shipped),
            K::OrderDelivered => InAppOnly(
                "the buyer signed for the parcel themselves; nothing to act on in a hurry",
            ),
            K::OrderOutForDelivery => InAppOnly(
                "the carrier's courier already calls or texts the buyer about the delivery",
            ),
            K::ClaimFiled
            | K::ClaimDecided
            | K::ClaimAnswered
            | K::ClaimDeadlineNear
            | K::ClaimEscalated => on(SmsTemplate::ClaimUpdate),
            K::Recall => on(SmsTemplate::Recall),
            K::OrgVerified | K::OrgRejected => InAppOnly(
                "the applicant watches their organisation's page while it is reviewed; \
                 no deadline follows the decision",
            ),
            K::TicketReplied | K::TicketAssigned | K::TicketOverdue | K::TicketClosed => {
                InAppOnly(DESK_IN_APP)
            }
            K::ConversationMessage => InAppOnly(
                "one notice per burst of chat messages; a text per message burst would be \
                 spam, and the message itself is free text",
            ),
            // Ship-by deadlines (issue #18): a seller who misses it loses the order, and an
            // unanswered cancellation request is accepted, so both text the seller.
            K::ShipByNear => on(SmsTemplate::ShipByNear),
            K::CancelRequested => on(SmsTemplate::CancelRequested),
            K::CancelAccepted => off(SmsTemplate::OrderCancelled),
            K::OrderCancelledLate => InAppOnly(
                "one kind goes to the buyer and the seller's members alike, and one text \
                 cannot say both; the seller had the ship-by text before it",
            ),
            K::CancelRefused => InAppOnly(
                "the parcel goes out as ordered: the shipped text follows; nothing to act on",
            ),
            K::PayoutPaid => InAppOnly(
                "the bank tells the account holder of the transfer itself; no approved \
                 template carries an amount",
            ),
            K::ListingApproved | K::ListingRejected => {
                InAppOnly("the seller follows the listing in the console; the reason is free text")
            }
            K::InvitationReceived => InAppOnly(
                "the platform must not be usable to text a phone on someone else's say-so \
                 (the invitee sees it in the centre once logged in)",
            ),
            K::ReviewReplied | K::ReviewHidden | K::ReviewRestored => InAppOnly(
                "a review's reply or moderation has no deadline; the reply and the reason \
                 are free text no approved template may carry",
            ),
            K::ExtraChargeRequested => InAppOnly(
                "no approved text-message template for catch-weight differences is \
                 registered; the order page asks the buyer, and silence declines",
            ),
            K::CreditOverdue
            | K::CreditStatementIssued
            | K::CreditDueSoon
            | K::CreditOverdueFinance => InAppOnly(
                "a business buyer's purchasing staff read it in the centre and on the credit \
                 page; platform finance chases the debt by phone, as with any receivable",
            ),
            // Pre-sales (issue #22): a deposit is not an order to ship (the seller acts at
            // harvest), and the buyer's harvest notices point to an order page with its own
            // deadline; no approved text template names a pre-sale yet.
            K::PresaleDepositPaid
            | K::PresaleBalanceDue
            | K::PresaleUnfilled
            | K::PresaleRefunded => InAppOnly(
                "no approved text-message template for pre-sales is registered; the notice \
                 links to the order, which carries its deadline",
            ),
            K::StandingAwaiting | K::StandingGenerated | K::StandingShort => InAppOnly(
                "standing orders (issue #22) are followed in the purchasing and seller \
                 pages; no approved template names their lines",
            ),
            K::RfqInvited | K::RfqQuoted => InAppOnly(
                "purchasing staff and sellers work quotations in the console; no approved \
                 template carries an RFQ",
            ),
            K::RfqAccepted => {
                InAppOnly("the order it made is announced by text once it is paid (order_paid)")
            }
            K::DeliveryBooked | K::DeliverySigned => InAppOnly(
                "delivery windows and notes (issue #22) are followed on the delivery pages; \
                 the driver is at the door when the note is signed",
            ),
        }
    }

    /// As a WeChat subscription message, or why not.
    pub fn wechat_route(self) -> WechatRoute {
        use NotificationKind as K;
        use WechatRoute::{NotByWechat, Subscribe};
        match self {
            K::OrderPaid
            | K::OrderPaidReminder
            | K::OrderShipped
            | K::OrderDelivered
            | K::OrderOutForDelivery
            | K::ClaimFiled
            | K::ClaimDecided
            | K::ClaimAnswered
            | K::ClaimDeadlineNear
            | K::ClaimEscalated
            | K::Recall => Subscribe,
            K::OrderUnacknowledged => NotByWechat("goes to the operators, who work in the console"),
            K::OrgVerified | K::OrgRejected => {
                NotByWechat("no subscription template for organisation reviews is registered")
            }
            K::TicketReplied | K::TicketAssigned | K::TicketOverdue | K::TicketClosed => {
                NotByWechat(DESK_IN_APP)
            }
            K::ConversationMessage => NotByWechat(
                "a subscription message is one-off per consent; chat bursts would use them up",
            ),
            K::ShipByNear
            | K::OrderCancelledLate
            | K::CancelRequested
            | K::CancelAccepted
            | K::CancelRefused => NotByWechat(
                "no subscription template for handling deadlines is registered yet; the \
                 urgent ones go by text message",
            ),
            K::PayoutPaid | K::ListingApproved | K::ListingRejected | K::InvitationReceived => {
                NotByWechat("sellers' back-office notices: read in the console")
            }
            K::ReviewReplied | K::ReviewHidden | K::ReviewRestored => {
                NotByWechat("no subscription template for reviews is registered; nothing to act on")
            }
            K::ExtraChargeRequested => {
                NotByWechat("no subscription template for catch-weight differences is registered")
            }
            K::CreditOverdue
            | K::CreditStatementIssued
            | K::CreditDueSoon
            | K::CreditOverdueFinance => {
                NotByWechat("no subscription template for credit statements is registered")
            }
            K::PresaleDepositPaid
            | K::PresaleBalanceDue
            | K::PresaleUnfilled
            | K::PresaleRefunded => {
                NotByWechat("no subscription template for pre-sales is registered yet")
            }
            K::StandingAwaiting | K::StandingGenerated | K::StandingShort => {
                NotByWechat("business buyers' and sellers' notices: read in the pages")
            }
            K::RfqInvited | K::RfqQuoted | K::RfqAccepted => {
                NotByWechat("purchasing notices: read in the console")
            }
            K::DeliveryBooked | K::DeliverySigned => {
                NotByWechat("business buyers' and sellers' delivery notices: read in the pages")
            }
        }
    }

    pub fn spec(self) -> KindSpec {
        let (sms, sms_default) = match self.sms_route() {
            SmsRoute::Template {
                template,
                on_by_default,
            } => (Some(template), on_by_default),
            SmsRoute::InAppOnly(_) => (None, false),
        };
        KindSpec {
            // A recall reaches everyone at once, quiet hours or not.
            urgent: self == NotificationKind::Recall,
            sms,
            sms_default,
            wechat: self.wechat_route() == WechatRoute::Subscribe,
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

    /// Issue #18: every kind either has a text-message template whose variables it fills, or
    /// says in code why it stays off text messages; likewise for WeChat.
    #[test]
    fn every_kind_has_a_text_template_it_can_fill_or_a_reason_for_none() {
        for kind in NotificationKind::ALL {
            match kind.sms_route() {
                SmsRoute::Template { template, .. } => {
                    let mut have = templates::parameters(*kind);
                    // The claim planner adds a short status word for the text message only.
                    if template == SmsTemplate::ClaimUpdate {
                        have.push("status".to_owned());
                    }
                    for v in template.variables() {
                        assert!(
                            have.iter().any(|h| h == v),
                            "{kind}: template {template} needs {v}, the kind has {have:?}"
                        );
                    }
                    assert_ne!(template, SmsTemplate::Otp, "{kind}: codes only");
                }
                SmsRoute::InAppOnly(reason) => {
                    assert!(reason.trim().len() >= 20, "{kind}: say why not by text");
                }
            }
            match kind.wechat_route() {
                WechatRoute::Subscribe => {}
                WechatRoute::NotByWechat(reason) => {
                    assert!(reason.trim().len() >= 20, "{kind}: say why not by WeChat");
                }
            }
            let spec = kind.spec();
            assert_eq!(
                spec.sms.is_some(),
                matches!(kind.sms_route(), SmsRoute::Template { .. }),
                "{kind}"
            );
        }
    }

    #[test]
    fn the_deadlines_text_the_seller_and_a_review_notice_stays_in_the_centre() {
        let d = KindChoice::default_for(NotificationKind::ShipByNear);
        assert!(d.allows(NotificationKind::ShipByNear, Channel::Sms));
        let d = KindChoice::default_for(NotificationKind::CancelRequested);
        assert!(d.allows(NotificationKind::CancelRequested, Channel::Sms));
        let d = KindChoice::default_for(NotificationKind::CancelAccepted);
        assert!(!d.allows(NotificationKind::CancelAccepted, Channel::Sms));
        for kind in [
            NotificationKind::ReviewReplied,
            NotificationKind::ReviewHidden,
            NotificationKind::ReviewRestored,
        ] {
            assert_eq!(kind.channels(), Vec::<Channel>::new(), "{kind}");
        }
    }

    #[test]
    fn sellers_hear_of_paid_orders_by_text_message_unless_they_turn_it_off() {
        let d = KindChoice::default_for(NotificationKind::OrderPaid);
        assert!(d.allows(NotificationKind::OrderPaid, Channel::Sms));
        let shipped = KindChoice::default_for(NotificationKind::OrderShipped);
        assert!(!shipped.allows(NotificationKind::OrderShipped, Channel::Sms));
    }
}
