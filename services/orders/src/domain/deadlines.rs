//! A paid sub-order's handling deadlines (issue #18): the ship-by deadline with its reminder,
//! the buyer's cancel-for-refund once it has passed, the automatic cancellation after a grace
//! period, and the buyer's request to cancel that the seller answers within a limit.
//!
//! ```text
//!   paid ─ ship_by − remind ─▶ reminder to the seller (unless shipped or cancelled)
//!        ─ ship_by ──────────▶ the buyer may cancel at once, full refund
//!        ─ ship_by + grace ──▶ cancelled and refunded automatically
//!
//!   (no request) ──open──▶ open ──accept / unanswered by answer_by──▶ accepted (cancel + refund)
//!                            └────refuse (in time) / the seller ships───▶ refused
//! ```
//! One request per sub-order: after a refusal the buyer's remedies are the ship-by deadline
//! and, once received, an after-sales claim. Shipping while a request is open refuses it
//! (the seller's answer is the parcel; blocking the shipment would let a request hold goods
//! back that may already be packed).

use super::MoveRefused;
use chrono::{DateTime, Duration, Utc};
use farmgate_kernel::{labelled_enum, wire_enum};

wire_enum!(
    /// Where the buyer's request to cancel a sub-order stands.
    CancelRequestStatus {
        /// Waiting for the seller's answer until its `answer_by`.
        Open => "open",
        /// Accepted by the seller, or unanswered in time: the sub-order was cancelled and
        /// refunded.
        Accepted => "accepted",
        /// Refused by the seller (with a reason), or by shipping it.
        Refused => "refused",
    }
);

labelled_enum!(
    /// Why a paid sub-order was cancelled (kept in its `cancelled` event; the label is the
    /// reason its refund records).
    CancelCause {
        /// The buyer, after the ship-by deadline passed.
        Overdue => "overdue", "超过发货时限，买家取消", "not shipped in time, cancelled by the buyer";
        /// The scheduler, a grace period after the ship-by deadline.
        Lapsed => "lapsed", "超时未发货，自动取消", "not shipped in time, cancelled automatically";
        /// The seller accepted the buyer's request.
        RequestAccepted => "request_accepted", "卖家同意取消", "cancellation accepted by the seller";
        /// The seller did not answer the buyer's request in time.
        RequestUnanswered => "request_unanswered", "卖家超时未答复，自动同意取消", "cancellation unanswered, accepted automatically";
    }
);

impl CancelCause {
    /// Whether the cancellation is the outcome of the buyer's request (its answer goes to the
    /// buyer) rather than of the ship-by deadline (both sides hear of it).
    pub fn answers_request(self) -> bool {
        matches!(self, Self::RequestAccepted | Self::RequestUnanswered)
    }
}

/// What can happen to a cancel request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestMove {
    /// The buyer asks.
    Open,
    /// The seller accepts, or nobody answered in time, or the sub-order was cancelled anyway.
    Accept,
    /// The seller refuses, or ships.
    Refuse,
}

/// The request's state machine (`None`: no request yet). Asking again, or answering again the
/// same way, is `AlreadyDone`; any other move on a closed request is `NotAllowed`.
pub fn request_transition(
    current: Option<CancelRequestStatus>,
    m: RequestMove,
) -> Result<CancelRequestStatus, MoveRefused> {
    use CancelRequestStatus as S;
    match (current, m) {
        (None, RequestMove::Open) => Ok(S::Open),
        (Some(_), RequestMove::Open) => Err(MoveRefused::AlreadyDone),
        (Some(S::Open), RequestMove::Accept) => Ok(S::Accepted),
        (Some(S::Open), RequestMove::Refuse) => Ok(S::Refused),
        (Some(S::Accepted), RequestMove::Accept) | (Some(S::Refused), RequestMove::Refuse) => {
            Err(MoveRefused::AlreadyDone)
        }
        _ => Err(MoveRefused::NotAllowed),
    }
}

/// The handling time a seller's part promises, in hours: one parcel carries every line, so
/// it must meet each line's promise (its category's, own or inherited, else `default`): the
/// shortest of them. A part has at least one line; without any, `default`.
pub fn promised_ship_within(lines: impl IntoIterator<Item = Option<i32>>, default: i32) -> i32 {
    lines
        .into_iter()
        .map(|h| h.unwrap_or(default))
        .min()
        .unwrap_or(default)
}

/// Whether the ship-by deadline has passed at `now` (at the deadline itself it has not, as a
/// shipment at that moment is on time). A sub-order without a deadline is never overdue.
pub fn overdue(ship_by: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    ship_by.is_some_and(|by| now > by)
}

/// When the seller is reminded: `before` ahead of the deadline; `None` when that moment is
/// already past at `paid` (a deadline shorter than the reminder's lead).
pub fn reminder_at(
    ship_by: DateTime<Utc>,
    before: Duration,
    paid: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let at = ship_by - before;
    (at > paid).then_some(at)
}

/// When an unshipped sub-order is cancelled automatically: `grace` after its deadline.
pub fn lapses_at(ship_by: DateTime<Utc>, grace: Duration) -> DateTime<Utc> {
    ship_by + grace
}

/// Whether a lapse scheduled for the deadline `ship_by` is due at `now`.
pub fn lapsed(ship_by: Option<DateTime<Utc>>, grace: Duration, now: DateTime<Utc>) -> bool {
    ship_by.is_some_and(|by| now >= lapses_at(by, grace))
}

/// Whether the seller may still refuse a request whose limit is `answer_by`: before it; from
/// the limit on the request counts as accepted (by the scheduler, or by the seller).
pub fn may_refuse(answer_by: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    answer_by.is_none_or(|by| now < by)
}

/// Whether an open request is due to be accepted for want of an answer at `now`.
pub fn unanswered(answer_by: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    answer_by.is_some_and(|by| now >= by)
}

#[cfg(test)]
mod tests {
    use super::MoveRefused::{AlreadyDone, NotAllowed};
    use super::*;
    use chrono::TimeZone;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 8, 10, 0, 0)
            .single()
            .unwrap_or_default()
    }

    #[test]
    fn statuses_and_causes_keep_their_stored_names() {
        let names: Vec<&str> = CancelRequestStatus::ALL
            .iter()
            .map(|s| s.as_str())
            .collect();
        assert_eq!(names, ["open", "accepted", "refused"]);
        let names: Vec<&str> = CancelCause::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(
            names,
            [
                "overdue",
                "lapsed",
                "request_accepted",
                "request_unanswered"
            ]
        );
        assert!(CancelCause::RequestUnanswered.answers_request());
        assert!(!CancelCause::Lapsed.answers_request());
    }

    #[test]
    fn a_request_is_made_once_and_answered_once() {
        use CancelRequestStatus as S;
        assert_eq!(request_transition(None, RequestMove::Open), Ok(S::Open));
        for s in S::ALL {
            assert_eq!(
                request_transition(Some(*s), RequestMove::Open),
                Err(AlreadyDone),
                "{s:?}"
            );
        }
        assert_eq!(
            request_transition(Some(S::Open), RequestMove::Accept),
            Ok(S::Accepted)
        );
        assert_eq!(
            request_transition(Some(S::Open), RequestMove::Refuse),
            Ok(S::Refused)
        );
        assert_eq!(
            request_transition(Some(S::Accepted), RequestMove::Accept),
            Err(AlreadyDone)
        );
        assert_eq!(
            request_transition(Some(S::Refused), RequestMove::Refuse),
            Err(AlreadyDone)
        );
        assert_eq!(
            request_transition(Some(S::Accepted), RequestMove::Refuse),
            Err(NotAllowed)
        );
        assert_eq!(
            request_transition(Some(S::Refused), RequestMove::Accept),
            Err(NotAllowed)
        );
        for m in [RequestMove::Accept, RequestMove::Refuse] {
            assert_eq!(request_transition(None, m), Err(NotAllowed), "{m:?}");
        }
    }

    #[test]
    fn a_part_promises_the_shortest_handling_time_of_its_lines() {
        assert_eq!(promised_ship_within([Some(24)], 48), 24);
        assert_eq!(promised_ship_within([Some(72), None], 48), 48);
        assert_eq!(promised_ship_within([Some(72), Some(96)], 48), 72);
        assert_eq!(promised_ship_within([Some(24), Some(72), None], 48), 24);
        assert_eq!(promised_ship_within([None], 36), 36);
        assert_eq!(promised_ship_within(Vec::new(), 48), 48);
    }

    #[test]
    fn a_part_is_overdue_only_after_its_deadline() {
        let by = t0();
        assert!(!overdue(Some(by), by));
        assert!(!overdue(Some(by), by - Duration::minutes(1)));
        assert!(overdue(Some(by), by + Duration::seconds(1)));
        assert!(
            !overdue(None, by + Duration::days(365)),
            "no deadline, never overdue"
        );
    }

    #[test]
    fn the_reminder_comes_ahead_of_the_deadline_unless_that_moment_is_past() {
        let paid = t0();
        let by = paid + Duration::hours(48);
        assert_eq!(
            reminder_at(by, Duration::hours(12), paid),
            Some(paid + Duration::hours(36))
        );
        let short = paid + Duration::hours(6);
        assert_eq!(reminder_at(short, Duration::hours(12), paid), None);
        assert_eq!(reminder_at(short, Duration::hours(6), paid), None);
    }

    #[test]
    fn a_part_lapses_a_grace_period_after_its_deadline() {
        let by = t0();
        let grace = Duration::hours(24);
        assert_eq!(lapses_at(by, grace), by + grace);
        assert!(!lapsed(Some(by), grace, by + grace - Duration::seconds(1)));
        assert!(lapsed(Some(by), grace, by + grace));
        assert!(!lapsed(None, grace, by + Duration::days(30)));
    }

    #[test]
    fn the_seller_may_refuse_until_the_limit_and_after_it_the_request_is_accepted() {
        let by = t0();
        assert!(may_refuse(Some(by), by - Duration::seconds(1)));
        assert!(!may_refuse(Some(by), by));
        assert!(!unanswered(Some(by), by - Duration::seconds(1)));
        assert!(unanswered(Some(by), by));
        assert!(!unanswered(None, by));
        assert_eq!(
            CancelCause::Lapsed.label_en(),
            "not shipped in time, cancelled automatically"
        );
    }
}
