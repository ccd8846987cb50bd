//! Claims before receipt and the handling deadlines (issue #18): when a buyer may claim a
//! parcel that has not arrived, when a reminder goes out before a deadline, and when an
//! arbitration is overdue. Plain functions of times and settings.

use super::{ClaimKind, ClaimStatus};
use chrono::{DateTime, Duration, Utc};

/// When a parcel counts as stuck (settings).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TransitPolicy {
    /// Tracking that has not moved for this long lets the buyer claim "not received".
    pub stalled_after: Duration,
    /// A parcel not received this long after shipping is overdue (past the expected delivery
    /// window), whatever its tracking says.
    pub overdue_after: Duration,
}

impl Default for TransitPolicy {
    fn default() -> Self {
        Self {
            stalled_after: Duration::days(3),
            overdue_after: Duration::days(5),
        }
    }
}

/// A parcel on its way, as the rule needs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Transit {
    /// Shipped and not received.
    pub in_transit: bool,
    pub shipped_at: DateTime<Utc>,
    /// The latest logistics event (or the shipment).
    pub last_moved_at: DateTime<Utc>,
    /// The carrier's own word that the parcel is lost.
    pub carrier_reported_lost: bool,
}

/// Why a claim before receipt is refused. Each is one error code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BeforeReceiptRefused {
    /// Nothing has shipped: there is no parcel to miss (cancel the order instead).
    NotShipped,
    /// The parcel was received: claim what is wrong with it instead.
    Received,
    /// Tracking moved recently and the parcel is not overdue yet: "not received" may be
    /// claimed from `from` on, unless it arrives.
    TooEarly { from: DateTime<Utc> },
    /// "Lost" needs the carrier to have said so.
    NotReportedLost,
}

/// Whether a claim of `kind` may be filed before receipt on a parcel in `transit` (`None`:
/// not shipped) at `now`.
pub fn may_claim_before_receipt(
    kind: ClaimKind,
    transit: Option<Transit>,
    policy: TransitPolicy,
    now: DateTime<Utc>,
) -> Result<(), BeforeReceiptRefused> {
    let t = transit.ok_or(BeforeReceiptRefused::NotShipped)?;
    if !t.in_transit {
        return Err(BeforeReceiptRefused::Received);
    }
    if t.carrier_reported_lost {
        return Ok(());
    }
    match kind {
        ClaimKind::Lost => Err(BeforeReceiptRefused::NotReportedLost),
        _ => {
            let from = not_received_from(t, policy);
            if now >= from {
                Ok(())
            } else {
                Err(BeforeReceiptRefused::TooEarly { from })
            }
        }
    }
}

/// The first moment "not received" may be claimed on a parcel: its tracking stalled, or it
/// became overdue, whichever comes first.
pub fn not_received_from(t: Transit, policy: TransitPolicy) -> DateTime<Utc> {
    std::cmp::min(
        t.last_moved_at + policy.stalled_after,
        t.shipped_at + policy.overdue_after,
    )
}

/// The kinds a buyer may file before receipt now, for the claim form.
pub fn kinds_before_receipt(
    transit: Option<Transit>,
    policy: TransitPolicy,
    now: DateTime<Utc>,
) -> Vec<ClaimKind> {
    [ClaimKind::NotReceived, ClaimKind::Lost]
        .into_iter()
        .filter(|k| may_claim_before_receipt(*k, transit, policy, now).is_ok())
        .collect()
}

/// When to remind someone of a `deadline`: `before` it, unless that is already past (then
/// no reminder: the deadline itself is near enough to be seen).
pub fn reminder_at(
    deadline: DateTime<Utc>,
    before: Duration,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let at = deadline - before;
    (at > now).then_some(at)
}

/// An arbitration still undecided past its deadline.
pub fn arbitration_overdue(
    status: ClaimStatus,
    arbitrate_by: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> bool {
    status == ClaimStatus::InArbitration && arbitrate_by.is_some_and(|t| t <= now)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t0() -> DateTime<Utc> {
        DateTime::<Utc>::UNIX_EPOCH + Duration::days(20_000)
    }

    fn moving(shipped_days_ago: i64, moved_days_ago: i64) -> Transit {
        Transit {
            in_transit: true,
            shipped_at: t0() - Duration::days(shipped_days_ago),
            last_moved_at: t0() - Duration::days(moved_days_ago),
            carrier_reported_lost: false,
        }
    }

    const P: TransitPolicy = TransitPolicy {
        stalled_after: Duration::days(3),
        overdue_after: Duration::days(5),
    };

    #[test]
    fn not_received_is_claimed_once_tracking_stalls_for_the_set_days() {
        let nr = ClaimKind::NotReceived;
        assert_eq!(
            may_claim_before_receipt(nr, Some(moving(4, 1)), P, t0()),
            Err(BeforeReceiptRefused::TooEarly {
                from: t0() + Duration::days(1)
            }),
            "moved a day ago (stalled in two days), shipped four days ago (overdue in one): the earlier"
        );
        assert_eq!(
            may_claim_before_receipt(nr, Some(moving(2, 1)), P, t0()),
            Err(BeforeReceiptRefused::TooEarly {
                from: t0() + Duration::days(2)
            }),
            "stalled in two days comes before overdue in three"
        );
        assert_eq!(
            may_claim_before_receipt(nr, Some(moving(3, 3)), P, t0()),
            Ok(())
        );
    }

    #[test]
    fn not_received_is_claimed_once_the_parcel_is_overdue_even_if_tracking_moves() {
        let nr = ClaimKind::NotReceived;
        assert!(may_claim_before_receipt(nr, Some(moving(5, 0)), P, t0()).is_ok());
        assert!(may_claim_before_receipt(nr, Some(moving(4, 0)), P, t0()).is_err());
    }

    #[test]
    fn lost_needs_the_carriers_word_and_that_word_is_enough_at_once() {
        let fresh = moving(0, 0);
        assert_eq!(
            may_claim_before_receipt(ClaimKind::Lost, Some(fresh), P, t0()),
            Err(BeforeReceiptRefused::NotReportedLost)
        );
        let lost = Transit {
            carrier_reported_lost: true,
            ..fresh
        };
        assert_eq!(
            may_claim_before_receipt(ClaimKind::Lost, Some(lost), P, t0()),
            Ok(())
        );
        assert_eq!(
            may_claim_before_receipt(ClaimKind::NotReceived, Some(lost), P, t0()),
            Ok(())
        );
        assert_eq!(
            kinds_before_receipt(Some(lost), P, t0()),
            [ClaimKind::NotReceived, ClaimKind::Lost]
        );
        assert_eq!(kinds_before_receipt(Some(fresh), P, t0()), []);
    }

    #[test]
    fn nothing_shipped_or_already_received_is_not_claimed_before_receipt() {
        assert_eq!(
            may_claim_before_receipt(ClaimKind::NotReceived, None, P, t0()),
            Err(BeforeReceiptRefused::NotShipped)
        );
        let received = Transit {
            in_transit: false,
            carrier_reported_lost: true,
            ..moving(10, 10)
        };
        assert_eq!(
            may_claim_before_receipt(ClaimKind::Lost, Some(received), P, t0()),
            Err(BeforeReceiptRefused::Received)
        );
    }

    #[test]
    fn a_reminder_goes_out_before_the_deadline_unless_that_moment_has_passed() {
        let due = t0() + Duration::hours(24);
        assert_eq!(
            reminder_at(due, Duration::hours(4), t0()),
            Some(t0() + Duration::hours(20))
        );
        assert_eq!(reminder_at(due, Duration::hours(30), t0()), None);
    }

    #[test]
    fn only_an_undecided_arbitration_past_its_deadline_is_overdue() {
        let by = Some(t0());
        assert!(arbitration_overdue(ClaimStatus::InArbitration, by, t0()));
        assert!(!arbitration_overdue(
            ClaimStatus::InArbitration,
            by,
            t0() - Duration::seconds(1)
        ));
        assert!(!arbitration_overdue(ClaimStatus::Resolved, by, t0()));
        assert!(!arbitration_overdue(ClaimStatus::InArbitration, None, t0()));
    }
}
