//! Days and buckets: sales count on Shanghai dates; buckets are days, weeks from Monday and
//! months, stored as day numbers.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use farmgate_kernel::clock::shanghai;

/// The longest period (three years).
pub const MAX_DAYS: i64 = 1096;
/// The longest period shown day by day.
pub const MAX_DAYS_BY_DAY: i64 = 366;

/// The Shanghai calendar date of an instant.
pub fn shanghai_day(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&shanghai()).date_naive()
}

/// Days since 1970-01-01: how buckets are stored.
pub fn day_number(d: NaiveDate) -> i32 {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    i32::try_from((d - epoch).num_days()).unwrap_or(0)
}

pub fn from_day_number(n: i32) -> NaiveDate {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    epoch + chrono::Duration::days(i64::from(n))
}

farmgate_kernel::wire_enum!(
    /// Time buckets.
    #[derive(PartialOrd, Ord)]
    Grain {
        Day => "day",
        Week => "week",
        Month => "month",
    }
);

impl Grain {
    /// How the bucket is stored (`stats_sales.grain`).
    pub fn code(self) -> i16 {
        match self {
            Grain::Day => 0,
            Grain::Week => 1,
            Grain::Month => 2,
        }
    }

    /// The grain stored as `code`.
    pub fn from_code(code: i16) -> Grain {
        match code {
            0 => Grain::Day,
            1 => Grain::Week,
            _ => Grain::Month,
        }
    }

    /// The first day of the bucket holding `d` (weeks start on Monday).
    pub fn start(self, d: NaiveDate) -> NaiveDate {
        match self {
            Grain::Day => d,
            Grain::Week => {
                d - chrono::Duration::days(i64::from(d.weekday().num_days_from_monday()))
            }
            Grain::Month => d.with_day(1).unwrap_or(d),
        }
    }

    /// The first day of the next bucket.
    pub fn next(self, start: NaiveDate) -> NaiveDate {
        match self {
            Grain::Day => start + chrono::Duration::days(1),
            Grain::Week => start + chrono::Duration::days(7),
            Grain::Month => start
                .checked_add_months(chrono::Months::new(1))
                .unwrap_or(start + chrono::Duration::days(31)),
        }
    }

    /// How a bucket is called on screen.
    pub fn label(self, start: NaiveDate) -> (String, String) {
        match self {
            Grain::Day => (
                start.format("%Y年%-m月%-d日").to_string(),
                start.format("%Y-%m-%d").to_string(),
            ),
            Grain::Week => (
                format!(
                    "{}周（{}起）",
                    start.format("%G年第%V"),
                    start.format("%-m月%-d日")
                ),
                format!(
                    "{} (from {})",
                    start.format("%G-W%V"),
                    start.format("%b %-d")
                ),
            ),
            Grain::Month => (
                start.format("%Y年%-m月").to_string(),
                start.format("%Y-%m").to_string(),
            ),
        }
    }

    /// The longest period shown by this grain.
    pub fn max_days(self) -> i64 {
        if self == Grain::Day {
            MAX_DAYS_BY_DAY
        } else {
            MAX_DAYS
        }
    }
}

/// Whole months inside [from, to] as [m1, m2) (day numbers); (0, 0) when none.
pub fn whole_months(from: NaiveDate, to: NaiveDate) -> (i32, i32) {
    let m1 = if Grain::Month.start(from) == from {
        from
    } else {
        Grain::Month.next(Grain::Month.start(from))
    };
    let after = to + chrono::Duration::days(1);
    let m2 = Grain::Month.start(after);
    if m1 >= m2 {
        (0, 0)
    } else {
        (day_number(m1), day_number(m2))
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn buckets_and_labels() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        assert_eq!(
            Grain::Week.start(d),
            NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
        );
        assert_eq!(
            Grain::Month.start(d),
            NaiveDate::from_ymd_opt(2026, 11, 1).unwrap()
        );
        assert_eq!(
            Grain::Month.next(NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()),
            NaiveDate::from_ymd_opt(2027, 1, 1).unwrap()
        );
        assert_eq!(from_day_number(day_number(d)), d);
        assert_eq!(Grain::Month.label(Grain::Month.start(d)).0, "2026年11月");
        assert_eq!(
            Grain::Week.label(Grain::Week.start(d)).0,
            "2026年第48周（11月23日起）"
        );
        let t = DateTime::parse_from_rfc3339("2026-11-25T16:30:00Z")
            .unwrap()
            .to_utc();
        assert_eq!(shanghai_day(t), d);
        for g in Grain::ALL {
            assert_eq!(Grain::from_code(g.code()), *g);
        }
    }

    #[test]
    fn periods_use_whole_months_and_the_days_around_them() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default();
        let (m1, m2) = whole_months(d("2026-01-15"), d("2026-04-30"));
        assert_eq!(
            (from_day_number(m1), from_day_number(m2)),
            (d("2026-02-01"), d("2026-05-01"))
        );
        assert_eq!(whole_months(d("2026-01-15"), d("2026-02-10")), (0, 0));
        let (m1, m2) = whole_months(d("2026-01-01"), d("2026-01-31"));
        assert_eq!(
            (from_day_number(m1), from_day_number(m2)),
            (d("2026-01-01"), d("2026-02-01"))
        );
    }
}
