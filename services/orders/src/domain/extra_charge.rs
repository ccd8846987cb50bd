//! Catch weight's consented extra charge (补差价, issue #22): a line weighed above its tolerance
//! asks the buyer for the part above it (`catch_weight::assess`'s `extra_fen`). The buyer pays
//! it through a gateway, with a payment of its own, or declines; unanswered by `answer_by` it
//! lapses as declined. Nothing is ever charged without that payment, and the part ships either
//! way (the parcel never waits for the answer: the charge is a separate small payment, and
//! holding fresh goods back for it would cost the buyer more than it saves).
//!
//! ```text
//!   requested ──pay (the gateway's notification or the query job)──▶ paid
//!       │ ╲──decline (the buyer)──▶ declined
//!       ╰────answer_by passes (the scheduled job)──▶ expired
//! ```
//!
//! Money arriving for a charge no longer `requested` (paid twice, after a decline or the
//! lapse) goes back whole, as a stray payment of an order does.
//!
//! Refunds of a part with a paid extra come out of the order's own payment first and then out
//! of each extra payment (oldest first), never more than any one of them took
//! ([`draw_refund`]): a provider refunds a transaction, never more than it paid.

use farmgate_kernel::wire_enum;

wire_enum!(
    /// Where an extra charge stands.
    ExtraChargeStatus {
        /// Waiting for the buyer: pay or decline before `answer_by`.
        Requested => "requested",
        /// Paid through its own payment.
        Paid => "paid",
        /// The buyer said no: nothing charged.
        Declined => "declined",
        /// Unanswered by `answer_by`: declined, nothing charged.
        Expired => "expired",
    }
);

/// A move on an extra charge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExtraMove {
    Pay,
    Decline,
    Expire,
}

/// Why a move is refused: it was made already, or the charge is closed another way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExtraRefused {
    AlreadyDone,
    Closed,
}

/// The one transition function: only a `requested` charge moves, once.
pub fn extra_transition(
    from: ExtraChargeStatus,
    m: ExtraMove,
) -> Result<ExtraChargeStatus, ExtraRefused> {
    use ExtraChargeStatus as S;
    let to = match m {
        ExtraMove::Pay => S::Paid,
        ExtraMove::Decline => S::Declined,
        ExtraMove::Expire => S::Expired,
    };
    match from {
        S::Requested => Ok(to),
        f if f == to => Err(ExtraRefused::AlreadyDone),
        _ => Err(ExtraRefused::Closed),
    }
}

/// How a refund of `amount` is drawn: from the order's own payment while what is left of it
/// for this part (`main_left`) lasts, then from each paid extra in turn (`extras`: what is left
/// of each, oldest first). `None` when they do not cover it (the caller checked the part's
/// total already; this is the per-transaction guard).
pub fn draw_refund(amount: i64, main_left: i64, extras: &[i64]) -> Option<(i64, Vec<i64>)> {
    if amount < 0 {
        return None;
    }
    let from_main = amount.min(main_left.max(0));
    let mut rest = amount - from_main;
    let mut parts = Vec::with_capacity(extras.len());
    for left in extras {
        let take = rest.min((*left).max(0));
        parts.push(take);
        rest -= take;
    }
    (rest == 0).then_some((from_main, parts))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ExtraChargeStatus as S;

    #[test]
    fn only_a_requested_charge_moves_and_only_once() {
        assert_eq!(extra_transition(S::Requested, ExtraMove::Pay), Ok(S::Paid));
        assert_eq!(
            extra_transition(S::Requested, ExtraMove::Decline),
            Ok(S::Declined)
        );
        assert_eq!(
            extra_transition(S::Requested, ExtraMove::Expire),
            Ok(S::Expired)
        );
        assert_eq!(
            extra_transition(S::Paid, ExtraMove::Pay),
            Err(ExtraRefused::AlreadyDone)
        );
        assert_eq!(
            extra_transition(S::Declined, ExtraMove::Decline),
            Err(ExtraRefused::AlreadyDone)
        );
        for from in [S::Declined, S::Expired] {
            assert_eq!(
                extra_transition(from, ExtraMove::Pay),
                Err(ExtraRefused::Closed)
            );
        }
        assert_eq!(
            extra_transition(S::Paid, ExtraMove::Decline),
            Err(ExtraRefused::Closed)
        );
        assert_eq!(
            extra_transition(S::Expired, ExtraMove::Decline),
            Err(ExtraRefused::Closed)
        );
    }

    #[test]
    fn a_refund_comes_from_the_orders_payment_first_then_the_extras() {
        assert_eq!(draw_refund(500, 1000, &[280]), Some((500, vec![0])));
        assert_eq!(draw_refund(1100, 1000, &[280]), Some((1000, vec![100])));
        assert_eq!(draw_refund(1280, 1000, &[280]), Some((1000, vec![280])));
        assert_eq!(
            draw_refund(1300, 1000, &[280, 50]),
            Some((1000, vec![280, 20]))
        );
        assert_eq!(draw_refund(200, 0, &[0, 280]), Some((0, vec![0, 200])));
    }

    #[test]
    fn never_more_than_each_payment_took() {
        assert_eq!(draw_refund(1281, 1000, &[280]), None);
        assert_eq!(draw_refund(1, 0, &[]), None);
        assert_eq!(draw_refund(-1, 1000, &[]), None);
        for amount in 0..=1400 {
            if let Some((m, x)) = draw_refund(amount, 1000, &[280, 100]) {
                assert!(m <= 1000 && x[0] <= 280 && x[1] <= 100);
                assert_eq!(m + x.iter().sum::<i64>(), amount);
            } else {
                assert!(amount > 1380);
            }
        }
    }
}
