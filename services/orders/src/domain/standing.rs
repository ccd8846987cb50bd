//! Standing orders (定期订单, issue #22): "every Monday, 50 斤 of greens from this seller".
//! Pure rules over dates and integers, unit-tested below; the use case is
//! `service/standing.rs`.
//!
//! ```text
//!   pending ──accept──▶ active ──pause──▶ paused
//!     │  ▲                │ ▲──resume──────┘ │
//!     │  └────change──────┴──────change──────┘      (lines or schedule: the seller accepts again)
//!     ├──decline──▶ declined
//!     └──end (also from active, paused)──▶ ended
//! ```
//!
//! A period is a delivery date (Asia/Shanghai). Its order is made `lead_days` before it, at
//! 00:00 Shanghai time; a period whose time has passed while nothing ran (the worker down for a
//! week) is skipped, never delivered late: the next period is the first delivery date on the
//! schedule on or after both the day after the last one and today plus the lead time.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use farmgate_kernel::FieldError;
use farmgate_kernel::clock::shanghai;
use serde::{Deserialize, Serialize};

farmgate_kernel::wire_enum!(
    /// Where a standing order stands.
    StandingStatus {
        /// Set up or changed: waits for the seller's acceptance; nothing is generated.
        Pending => "pending",
        /// Accepted: each period's order is generated.
        Active => "active",
        /// Paused by the buyer: periods pass without an order until resumed.
        Paused => "paused",
        /// The seller declined it.
        Declined => "declined",
        /// Ended by the buyer (or past its end date); nothing moves it again.
        Ended => "ended",
    }
);

farmgate_kernel::wire_enum!(
    /// What one period of a standing order came to.
    RunOutcome {
        /// An order was placed (perhaps with lines reduced for want of stock: `shortages`).
        Generated => "generated",
        /// Nothing of it was in stock: no order; the buyer was told.
        Short => "short",
        /// The standing order was paused (or waited for the seller's acceptance again).
        Paused => "paused",
        /// The order could not be placed: the buyer's address is gone, the orderer left the
        /// buyer, or a line is off sale (`shortages` names it). The buyer was told.
        Failed => "failed",
    }
);

/// A move on a standing order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StandingMove {
    Accept,
    Decline,
    Pause,
    Resume,
    End,
    /// The buyer changed the lines or the schedule: the seller accepts again.
    Change,
}

/// The one transition function: where `mv` takes a standing order in `from`, or `None` when
/// it is not a legal move.
pub fn standing_transition(from: StandingStatus, mv: StandingMove) -> Option<StandingStatus> {
    use StandingMove as M;
    use StandingStatus as S;
    match (from, mv) {
        (S::Pending, M::Accept) => Some(S::Active),
        (S::Pending, M::Decline) => Some(S::Declined),
        (S::Active, M::Pause) => Some(S::Paused),
        (S::Paused, M::Resume) => Some(S::Active),
        (S::Pending | S::Active | S::Paused, M::End) => Some(S::Ended),
        (S::Pending | S::Active | S::Paused, M::Change) => Some(S::Pending),
        _ => None,
    }
}

/// At most this many lines, days of lead time, days between deliveries, and days ahead a
/// standing order may start or run.
pub const MAX_LINES: usize = 20;
pub const MAX_LEAD_DAYS: i32 = 14;
pub const MAX_EVERY_DAYS: i32 = 60;
pub const MAX_START_AHEAD_DAYS: i64 = 366;
pub const MAX_RUN_DAYS: i64 = 3 * 366;

/// When deliveries are, as the buyer types it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ScheduleInput {
    /// Every week on these ISO weekdays (1 = Monday … 7 = Sunday).
    Weekly { weekdays: Vec<i64> },
    /// Every `days` days (1–60), counted from the start date.
    EveryDays { days: i64 },
}

/// A schedule that parsed: a weekday mask (bit 0 = Monday) or a step in days.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Schedule {
    Weekly { mask: u8 },
    EveryDays { days: i32 },
}

fn out_of_range(field: &str, zh: impl Into<String>, en: impl Into<String>) -> FieldError {
    FieldError::new(field, "out_of_range", zh, en)
}

impl Schedule {
    pub fn parse(input: &ScheduleInput) -> Result<Self, FieldError> {
        match input {
            ScheduleInput::Weekly { weekdays } => {
                if weekdays.is_empty() || weekdays.iter().any(|d| !(1..=7).contains(d)) {
                    return Err(out_of_range(
                        "schedule.weekdays",
                        "请选择每周送货的日子（1=周一 … 7=周日）",
                        "choose the weekdays of delivery (1 = Monday … 7 = Sunday)",
                    ));
                }
                let mask = weekdays.iter().fold(0u8, |m, d| m | (1 << (d - 1)));
                Ok(Self::Weekly { mask })
            }
            ScheduleInput::EveryDays { days } => match i32::try_from(*days) {
                Ok(d) if (1..=MAX_EVERY_DAYS).contains(&d) => Ok(Self::EveryDays { days: d }),
                _ => Err(out_of_range(
                    "schedule.days",
                    format!("间隔天数为 1–{MAX_EVERY_DAYS}"),
                    format!("every 1–{MAX_EVERY_DAYS} days"),
                )),
            },
        }
    }

    /// The stored columns: kind, weekday mask, step.
    pub fn columns(self) -> (&'static str, i32, i32) {
        match self {
            Self::Weekly { mask } => ("weekly", i32::from(mask), 0),
            Self::EveryDays { days } => ("every_days", 0, days),
        }
    }

    /// From the stored columns; `None` for a row nobody could have written.
    pub fn from_columns(kind: &str, mask: i32, days: i32) -> Option<Self> {
        match kind {
            "weekly" => u8::try_from(mask)
                .ok()
                .filter(|m| *m != 0 && *m < 128)
                .map(|mask| Self::Weekly { mask }),
            "every_days" => (days >= 1).then_some(Self::EveryDays { days }),
            _ => None,
        }
    }

    /// The input form again, for views.
    pub fn input(self) -> ScheduleInput {
        match self {
            Self::Weekly { mask } => ScheduleInput::Weekly {
                weekdays: (1..=7).filter(|d| mask & (1 << (d - 1)) != 0).collect(),
            },
            Self::EveryDays { days } => ScheduleInput::EveryDays {
                days: i64::from(days),
            },
        }
    }

    /// Whether `date` is a delivery date of a standing order starting on `start`.
    pub fn delivers_on(self, start: NaiveDate, date: NaiveDate) -> bool {
        if date < start {
            return false;
        }
        match self {
            Self::Weekly { mask } => mask & (1 << date.weekday().num_days_from_monday()) != 0,
            Self::EveryDays { days } => (date - start).num_days() % i64::from(days) == 0,
        }
    }

    /// The first delivery date on or after `from` (and the start), not after `end`.
    pub fn next_delivery(
        self,
        start: NaiveDate,
        end: Option<NaiveDate>,
        from: NaiveDate,
    ) -> Option<NaiveDate> {
        let mut d = from.max(start);
        // A week covers every weekly schedule; a step at most MAX_EVERY_DAYS.
        for _ in 0..=MAX_EVERY_DAYS {
            if end.is_some_and(|e| d > e) {
                return None;
            }
            if self.delivers_on(start, d) {
                return Some(d);
            }
            d = d.succ_opt()?;
        }
        None
    }
}

/// Today's date in Shanghai.
pub fn shanghai_today(now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&shanghai()).date_naive()
}

/// When the order of delivery date `period` is made: `lead_days` before it, 00:00 Shanghai.
pub fn generate_at(period: NaiveDate, lead_days: i32) -> DateTime<Utc> {
    let day = period - Duration::days(i64::from(lead_days));
    // 00:00 in Shanghai is 16:00 UTC the day before.
    (day.and_time(chrono::NaiveTime::MIN) - Duration::hours(8)).and_utc()
}

/// The period the job waits for next: the first delivery date after `after` (none: the
/// first) that is not earlier than today plus the lead time (so a period whose generation time
/// passed is skipped, never delivered late).
pub fn next_period(
    schedule: Schedule,
    start: NaiveDate,
    end: Option<NaiveDate>,
    lead_days: i32,
    after: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> Option<NaiveDate> {
    let earliest = shanghai_today(now) + Duration::days(i64::from(lead_days));
    let from = after
        .and_then(|a| a.succ_opt())
        .map_or(earliest, |d| d.max(earliest));
    schedule.next_delivery(start, end, from)
}

/// The quantity a line gets when `stock` is left: all of it, or what there is.
pub fn fill(wanted: i64, stock: i64) -> i64 {
    wanted.min(stock).max(0)
}

/// The terms' dates and lead time, checked against today: the start today or later (at most
/// a year ahead), the end (if any) not before the start and within three years of it.
pub fn check_dates(
    start: NaiveDate,
    end: Option<NaiveDate>,
    lead_days: i64,
    today: NaiveDate,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if !(0..=i64::from(MAX_LEAD_DAYS)).contains(&lead_days) {
        errs.push(out_of_range(
            "lead_days",
            format!("提前下单天数为 0–{MAX_LEAD_DAYS}"),
            format!("the lead time is 0–{MAX_LEAD_DAYS} days"),
        ));
    }
    if start < today || (start - today).num_days() > MAX_START_AHEAD_DAYS {
        errs.push(out_of_range(
            "start_date",
            "开始日期须在今天到一年之内",
            "the start date is today or within a year",
        ));
    }
    if let Some(e) = end
        && (e < start || (e - start).num_days() > MAX_RUN_DAYS)
    {
        errs.push(out_of_range(
            "end_date",
            "结束日期须在开始日期之后、三年之内",
            "the end date is on or after the start date, within three years",
        ));
    }
    errs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or(NaiveDate::MIN)
    }

    #[test]
    fn only_the_drawn_moves_are_legal() {
        use StandingMove as M;
        use StandingStatus as S;
        assert_eq!(standing_transition(S::Pending, M::Accept), Some(S::Active));
        assert_eq!(
            standing_transition(S::Pending, M::Decline),
            Some(S::Declined)
        );
        assert_eq!(standing_transition(S::Active, M::Pause), Some(S::Paused));
        assert_eq!(standing_transition(S::Paused, M::Resume), Some(S::Active));
        assert_eq!(standing_transition(S::Paused, M::Change), Some(S::Pending));
        assert_eq!(standing_transition(S::Active, M::End), Some(S::Ended));
        assert_eq!(standing_transition(S::Active, M::Accept), None);
        assert_eq!(standing_transition(S::Declined, M::Change), None);
        assert_eq!(standing_transition(S::Ended, M::Resume), None);
        assert_eq!(standing_transition(S::Pending, M::Pause), None);
    }

    #[test]
    fn weekly_schedules_deliver_on_their_weekdays_only() {
        let s = Schedule::parse(&ScheduleInput::Weekly {
            weekdays: vec![1, 4],
        })
        .unwrap_or(Schedule::EveryDays { days: 1 });
        // 2026-12-07 is a Monday.
        let start = d("2026-12-07");
        assert!(s.delivers_on(start, d("2026-12-07")));
        assert!(s.delivers_on(start, d("2026-12-10")));
        assert!(!s.delivers_on(start, d("2026-12-08")));
        assert_eq!(
            s.next_delivery(start, None, d("2026-12-08")),
            Some(d("2026-12-10"))
        );
        assert_eq!(
            s.next_delivery(start, Some(d("2026-12-09")), d("2026-12-08")),
            None
        );
        assert_eq!(
            s.input(),
            ScheduleInput::Weekly {
                weekdays: vec![1, 4]
            }
        );
    }

    #[test]
    fn every_n_days_counts_from_the_start() {
        let s = Schedule::EveryDays { days: 3 };
        let start = d("2026-12-07");
        assert_eq!(
            s.next_delivery(start, None, d("2026-12-08")),
            Some(d("2026-12-10"))
        );
        assert_eq!(
            s.next_delivery(start, None, d("2026-12-01")),
            Some(d("2026-12-07"))
        );
    }

    #[test]
    fn bad_schedules_are_refused() {
        for bad in [
            ScheduleInput::Weekly { weekdays: vec![] },
            ScheduleInput::Weekly { weekdays: vec![0] },
            ScheduleInput::Weekly { weekdays: vec![8] },
            ScheduleInput::EveryDays { days: 0 },
            ScheduleInput::EveryDays { days: 61 },
            ScheduleInput::EveryDays { days: i64::MAX },
        ] {
            assert!(Schedule::parse(&bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn an_order_is_made_at_midnight_shanghai_lead_days_before_delivery() {
        let at = generate_at(d("2026-12-10"), 1);
        assert_eq!(at.to_rfc3339(), "2026-12-08T16:00:00+00:00");
    }

    #[test]
    fn a_missed_period_is_skipped_not_delivered_late() {
        let s = Schedule::EveryDays { days: 1 };
        let start = d("2026-12-01");
        // 2026-12-07 10:00 Shanghai; lead time 1 day: the earliest is the 8th.
        let now = generate_at(d("2026-12-07"), 0) + Duration::hours(10);
        assert_eq!(
            next_period(s, start, None, 1, Some(d("2026-12-02")), now),
            Some(d("2026-12-08"))
        );
        assert_eq!(
            next_period(s, start, None, 1, Some(d("2026-12-09")), now),
            Some(d("2026-12-10"))
        );
        assert_eq!(
            next_period(s, start, None, 1, None, now),
            Some(d("2026-12-08"))
        );
    }

    #[test]
    fn a_short_line_gets_what_is_left() {
        assert_eq!(fill(50, 80), 50);
        assert_eq!(fill(50, 20), 20);
        assert_eq!(fill(50, 0), 0);
        assert_eq!(fill(50, -3), 0);
    }

    #[test]
    fn dates_out_of_range_are_named() {
        let today = d("2026-12-07");
        let fields =
            |errs: Vec<FieldError>| errs.iter().map(|e| e.field.to_string()).collect::<Vec<_>>();
        assert!(check_dates(today, None, 1, today).is_empty());
        assert_eq!(
            fields(check_dates(
                d("2026-12-06"),
                Some(d("2026-12-01")),
                15,
                today
            )),
            vec!["lead_days", "start_date", "end_date"]
        );
    }
}
