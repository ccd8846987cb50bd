//! Times of day in Beijing time (Asia/Shanghai, UTC+8 all year): a person's quiet hours, when
//! text and WeChat messages wait (urgent ones do not), and the platform's business hours, in
//! which the 10-minute rule for a paid order runs.

use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};
use farmgate_kernel::clock::shanghai;

const DAY: u16 = 24 * 60;

/// A window of the day, `HH:MM-HH:MM` in Beijing time, start included, end excluded. It may
/// run over midnight (`22:00-08:00`). Start and end differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DayWindow {
    start: u16,
    end: u16,
}

/// Why a window could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a window of the day like 22:00-08:00")]
pub struct BadWindow(pub String);

/// The platform's default business hours: 08:00-20:00.
pub const DEFAULT_BUSINESS_HOURS: DayWindow = DayWindow {
    start: 8 * 60,
    end: 20 * 60,
};

/// The default quiet hours of a person who chose none: 22:00-08:00.
pub const DEFAULT_QUIET_HOURS: DayWindow = DayWindow {
    start: 22 * 60,
    end: 8 * 60,
};

impl DayWindow {
    /// From minutes after midnight.
    pub const fn new(start: u16, end: u16) -> Option<Self> {
        if start < DAY && end < DAY && start != end {
            Some(Self { start, end })
        } else {
            None
        }
    }

    /// `22:00-08:00`.
    pub fn parse(s: &str) -> Result<Self, BadWindow> {
        let bad = || BadWindow(s.to_owned());
        let (a, b) = s.trim().split_once('-').ok_or_else(bad)?;
        let minute = |t: &str| -> Option<u16> {
            let (h, m) = t.trim().split_once(':')?;
            if h.len() != 2 || m.len() != 2 {
                return None;
            }
            let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
            (h < 24 && m < 60).then_some(h * 60 + m)
        };
        Self::new(minute(a).ok_or_else(bad)?, minute(b).ok_or_else(bad)?).ok_or_else(bad)
    }

    pub fn start_minute(self) -> u16 {
        self.start
    }

    pub fn end_minute(self) -> u16 {
        self.end
    }

    /// Runs over midnight.
    pub fn wraps(self) -> bool {
        self.start > self.end
    }

    /// Whether a minute of the day falls inside.
    pub fn contains_minute(self, m: u16) -> bool {
        if self.wraps() {
            m >= self.start || m < self.end
        } else {
            m >= self.start && m < self.end
        }
    }

    /// Whether a moment falls inside (in Beijing time).
    pub fn contains(self, t: DateTime<Utc>) -> bool {
        self.contains_minute(minute_of_day(t))
    }

    /// The first moment at or after `t` when the window ends (Beijing time).
    fn next_end(self, t: DateTime<Utc>) -> DateTime<Utc> {
        next_time_of_day(t, self.end)
    }

    /// The first moment at or after `t` when the window starts (Beijing time).
    fn next_start(self, t: DateTime<Utc>) -> DateTime<Utc> {
        next_time_of_day(t, self.start)
    }
}

impl std::fmt::Display for DayWindow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:02}:{:02}-{:02}:{:02}",
            self.start / 60,
            self.start % 60,
            self.end / 60,
            self.end % 60
        )
    }
}

fn minute_of_day(t: DateTime<Utc>) -> u16 {
    let local = t.with_timezone(&shanghai()).time();
    u16::try_from(local.num_seconds_from_midnight() / 60).unwrap_or(0)
}

use chrono::Timelike;

/// The first moment at or after `t` whose Beijing time is `minute` past midnight (seconds 0).
fn next_time_of_day(t: DateTime<Utc>, minute: u16) -> DateTime<Utc> {
    let tz = shanghai();
    let local = t.with_timezone(&tz);
    let Some(time) = NaiveTime::from_hms_opt(u32::from(minute / 60), u32::from(minute % 60), 0)
    else {
        return t;
    };
    let today = local.date_naive().and_time(time);
    let candidate = tz
        .from_local_datetime(&today)
        .single()
        .map_or(t, |d| d.with_timezone(&Utc));
    if candidate >= t {
        candidate
    } else {
        candidate + Duration::days(1)
    }
}

/// When a text or WeChat message about an event may go out: now, unless the person's quiet
/// hours hold now and the event is not urgent; then when they end.
pub fn release_at(now: DateTime<Utc>, quiet: Option<DayWindow>, urgent: bool) -> DateTime<Utc> {
    match quiet {
        Some(q) if !urgent && q.contains(now) => q.next_end(now),
        _ => now,
    }
}

/// When `work` of business time has passed since `start`, counting only time inside the
/// business hours (every day of the week: farms and buyers work weekends). A paid order at
/// 19:55 with business hours 08:00-20:00 and 10 minutes of work is due at 08:05 next morning;
/// one paid at 02:00 is due at 08:10. Business hours that run over midnight count the same way.
pub fn business_deadline(start: DateTime<Utc>, work: Duration, hours: DayWindow) -> DateTime<Utc> {
    let mut t = start;
    let mut left = work.max(Duration::zero());
    // Each round reaches the end of one window or finishes: a few days of windows at most.
    for _ in 0..400 {
        if !hours.contains(t) {
            t = hours.next_start(t);
            continue;
        }
        let end = hours.next_end(t);
        let available = end - t;
        if left <= available {
            return t + left;
        }
        left -= available;
        t = end;
    }
    t + left
}

#[cfg(test)]
#[expect(clippy::expect_used, reason = "a failed setup is a failed test")]
mod tests {
    use super::*;

    /// A moment given in Beijing time.
    fn bj(s: &str) -> DateTime<Utc> {
        let naive = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("time");
        shanghai()
            .from_local_datetime(&naive)
            .single()
            .expect("one moment")
            .with_timezone(&Utc)
    }

    fn w(s: &str) -> DayWindow {
        DayWindow::parse(s).expect("window")
    }

    #[test]
    fn windows_are_read_from_hh_mm_pairs_and_bad_ones_are_refused() {
        assert_eq!(w("22:00-08:00").to_string(), "22:00-08:00");
        assert!(w("22:00-08:00").wraps());
        assert!(!w("08:00-20:00").wraps());
        for bad in [
            "",
            "22:00",
            "24:00-08:00",
            "08:00-08:00",
            "8:00-20:00",
            "08:60-20:00",
            "a-b",
        ] {
            assert!(DayWindow::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_window_over_midnight_holds_late_evening_and_early_morning_but_not_the_day() {
        let q = w("22:00-08:00");
        assert!(q.contains(bj("2026-12-06 23:30")));
        assert!(q.contains(bj("2026-12-07 07:59")));
        assert!(q.contains(bj("2026-12-06 22:00")));
        assert!(!q.contains(bj("2026-12-07 08:00")));
        assert!(!q.contains(bj("2026-12-07 12:00")));
    }

    #[test]
    fn quiet_hours_hold_a_message_until_they_end() {
        let q = Some(w("22:00-08:00"));
        assert_eq!(
            release_at(bj("2026-12-06 23:30"), q, false),
            bj("2026-12-07 08:00")
        );
        assert_eq!(
            release_at(bj("2026-12-07 06:00"), q, false),
            bj("2026-12-07 08:00")
        );
        assert_eq!(
            release_at(bj("2026-12-07 09:00"), q, false),
            bj("2026-12-07 09:00")
        );
        // A quiet lunch break on one day.
        assert_eq!(
            release_at(bj("2026-12-07 12:10"), Some(w("12:00-13:30")), false),
            bj("2026-12-07 13:30")
        );
    }

    #[test]
    fn an_urgent_message_or_no_quiet_hours_goes_at_once() {
        let now = bj("2026-12-06 23:30");
        assert_eq!(release_at(now, Some(w("22:00-08:00")), true), now);
        assert_eq!(release_at(now, None, false), now);
    }

    #[test]
    fn ten_business_minutes_inside_business_hours_are_ten_minutes() {
        let h = w("08:00-20:00");
        assert_eq!(
            business_deadline(bj("2026-12-07 10:00"), Duration::minutes(10), h),
            bj("2026-12-07 10:10")
        );
    }

    #[test]
    fn a_payment_near_closing_runs_on_next_morning() {
        let h = w("08:00-20:00");
        assert_eq!(
            business_deadline(bj("2026-12-07 19:55"), Duration::minutes(10), h),
            bj("2026-12-08 08:05")
        );
    }

    #[test]
    fn a_payment_at_night_is_due_ten_minutes_after_opening() {
        let h = w("08:00-20:00");
        assert_eq!(
            business_deadline(bj("2026-12-07 02:00"), Duration::minutes(10), h),
            bj("2026-12-07 08:10")
        );
        assert_eq!(
            business_deadline(bj("2026-12-07 21:00"), Duration::minutes(10), h),
            bj("2026-12-08 08:10")
        );
    }

    #[test]
    fn business_hours_over_midnight_count_across_it() {
        let h = w("20:00-02:00");
        assert_eq!(
            business_deadline(bj("2026-12-07 23:55"), Duration::minutes(10), h),
            bj("2026-12-08 00:05")
        );
        assert_eq!(
            business_deadline(bj("2026-12-08 01:55"), Duration::minutes(10), h),
            bj("2026-12-08 20:05")
        );
    }
}
