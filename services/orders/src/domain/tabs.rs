//! The tabs of "我的订单": which of a buyer's orders each one lists. An order sits in every tab
//! one of its seller parts calls for (a two-seller order can wait for one parcel and be
//! received from the other), so the tabs other than 全部 may overlap.

use super::{OrderStatus, SubOrderStatus};
use farmgate_kernel::wire_enum;

wire_enum!(
    /// A tab of the buyer's order list.
    OrderTab {
        /// 全部: every order.
        All => "all",
        /// 待付款: placed, not yet paid.
        PendingPayment => "pending_payment",
        /// 待发货: a part is paid and not yet shipped.
        ToShip => "to_ship",
        /// 待收货: a part is on its way.
        ToReceive => "to_receive",
        /// 待评价: a part was received and one of its lines is not reviewed yet.
        ToReview => "to_review",
    }
);

impl OrderTab {
    /// The order's own status this tab asks for, if it asks for one.
    pub fn order_status(self) -> Option<OrderStatus> {
        match self {
            OrderTab::PendingPayment => Some(OrderStatus::PendingPayment),
            _ => None,
        }
    }

    /// The seller-part statuses of which an order needs one to be in this tab (empty: any).
    pub fn sub_statuses(self) -> &'static [SubOrderStatus] {
        match self {
            OrderTab::All | OrderTab::PendingPayment => &[],
            OrderTab::ToShip => &[SubOrderStatus::Paid, SubOrderStatus::Acknowledged],
            OrderTab::ToReceive => &[SubOrderStatus::Shipped],
            OrderTab::ToReview => &[SubOrderStatus::Received],
        }
    }

    /// Whether a line of the part must still lack a review.
    pub fn needs_unreviewed_line(self) -> bool {
        self == OrderTab::ToReview
    }

    /// Whether an order with these parts is in this tab (`reviewed`: per part, whether every
    /// line of it has its review). The database query says the same; this is its specification.
    pub fn holds(self, order: OrderStatus, parts: &[(SubOrderStatus, bool)]) -> bool {
        if let Some(s) = self.order_status() {
            return order == s;
        }
        let wanted = self.sub_statuses();
        if wanted.is_empty() {
            return true;
        }
        parts.iter().any(|(status, reviewed)| {
            wanted.contains(status) && (!self.needs_unreviewed_line() || !reviewed)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use OrderStatus as O;
    use SubOrderStatus as S;

    #[test]
    fn an_unpaid_order_is_only_in_all_and_pending_payment() {
        let parts = [(S::PendingPayment, false)];
        let tabs: Vec<_> = OrderTab::ALL
            .iter()
            .filter(|t| t.holds(O::PendingPayment, &parts))
            .collect();
        assert_eq!(tabs, [&OrderTab::All, &OrderTab::PendingPayment]);
    }

    #[test]
    fn a_paid_or_acknowledged_part_waits_to_be_shipped() {
        assert!(OrderTab::ToShip.holds(O::Paid, &[(S::Paid, false)]));
        assert!(OrderTab::ToShip.holds(O::Paid, &[(S::Acknowledged, false)]));
        assert!(!OrderTab::ToShip.holds(O::Paid, &[(S::Shipped, false)]));
    }

    #[test]
    fn a_two_seller_order_can_wait_for_one_parcel_and_a_review_of_the_other() {
        let parts = [(S::Shipped, false), (S::Received, false)];
        assert!(OrderTab::ToReceive.holds(O::Paid, &parts));
        assert!(OrderTab::ToReview.holds(O::Paid, &parts));
        assert!(!OrderTab::ToShip.holds(O::Paid, &parts));
    }

    #[test]
    fn a_received_part_leaves_to_review_once_every_line_is_reviewed() {
        assert!(OrderTab::ToReview.holds(O::Paid, &[(S::Received, false)]));
        assert!(!OrderTab::ToReview.holds(O::Paid, &[(S::Received, true)]));
    }

    #[test]
    fn cancelled_and_expired_orders_are_only_in_all() {
        for o in [O::Cancelled, O::Expired] {
            let parts = [(S::Cancelled, false)];
            let tabs: Vec<_> = OrderTab::ALL
                .iter()
                .filter(|t| t.holds(o, &parts))
                .collect();
            assert_eq!(tabs, [&OrderTab::All]);
        }
    }

    #[test]
    fn wire_names_are_stable() {
        let names: Vec<_> = OrderTab::ALL.iter().map(|t| t.as_str()).collect();
        assert_eq!(
            names,
            [
                "all",
                "pending_payment",
                "to_ship",
                "to_receive",
                "to_review"
            ]
        );
    }
}
