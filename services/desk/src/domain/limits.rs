//! Response and resolution limits per kind and urgency. These are the defaults; the operator
//! overrides any pair in the desk's settings (`desk_limits`), and a ticket keeps the deadlines
//! it was given (stored, so a restart or a later change of settings does not move them).

use super::{TicketKind, TicketUrgency};
use chrono::Duration;
use serde::{Deserialize, Serialize};

/// How long the desk has to answer first, and to resolve.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limit {
    /// Minutes to the first response.
    pub respond_minutes: i32,
    /// Minutes to resolution (closing).
    pub resolve_minutes: i32,
}

impl Limit {
    pub const MAX_MINUTES: i32 = 60 * 24 * 60;

    pub fn respond(&self) -> Duration {
        Duration::minutes(i64::from(self.respond_minutes))
    }

    pub fn resolve(&self) -> Duration {
        Duration::minutes(i64::from(self.resolve_minutes))
    }

    /// Both positive, the response no later than the resolution, at most 60 days.
    pub fn is_sensible(&self) -> bool {
        self.respond_minutes > 0
            && self.resolve_minutes >= self.respond_minutes
            && self.resolve_minutes <= Self::MAX_MINUTES
    }
}

/// The built-in limits: urgency sets the pace; suggestions are never urgent work, so they get
/// a day to answer and a week to close whatever their urgency.
pub fn default_limit(kind: TicketKind, urgency: TicketUrgency) -> Limit {
    let (respond_h, resolve_h) = match urgency {
        TicketUrgency::Urgent => (1, 8),
        TicketUrgency::High => (2, 24),
        TicketUrgency::Normal => (8, 72),
        TicketUrgency::Low => (24, 168),
    };
    let (respond_h, resolve_h) = if kind == TicketKind::Suggestion {
        (respond_h.max(24), resolve_h.max(168))
    } else {
        (respond_h, resolve_h)
    };
    Limit {
        respond_minutes: respond_h * 60,
        resolve_minutes: resolve_h * 60,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_is_sensible_and_urgency_only_shortens() {
        for k in TicketKind::ALL {
            let mut last = i32::MAX;
            for u in TicketUrgency::ALL {
                let l = default_limit(*k, *u);
                assert!(l.is_sensible(), "{k:?} {u:?}");
                assert!(l.respond_minutes <= last);
                last = l.respond_minutes;
            }
        }
        assert_eq!(
            default_limit(TicketKind::SellerComplaint, TicketUrgency::Urgent).respond_minutes,
            60
        );
        assert_eq!(
            default_limit(TicketKind::Suggestion, TicketUrgency::Urgent).respond_minutes,
            24 * 60
        );
    }

    #[test]
    fn nonsense_limits_are_refused() {
        let l = |r, s| Limit {
            respond_minutes: r,
            resolve_minutes: s,
        };
        assert!(!l(0, 10).is_sensible());
        assert!(!l(20, 10).is_sensible());
        assert!(!l(10, Limit::MAX_MINUTES + 1).is_sensible());
        assert!(l(10, 10).is_sensible());
    }
}
