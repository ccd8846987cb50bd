//! Time. Stored and computed in UTC; shown in Asia/Shanghai (UTC+8, no daylight saving).

use chrono::{DateTime, Duration, FixedOffset, Offset, Utc};
use std::sync::{Arc, Mutex, PoisonError};

/// The source of "now". The real server uses the system clock; tests use a manual clock they
/// can move forward to expire sessions or pass deadlines without sleeping; a demo server run
/// for the browser stories (`demo_clock`, refused in production) uses a shiftable one: the
/// system's time, moved on by what `advance` added.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    manual: Option<Arc<Mutex<DateTime<Utc>>>>,
    shift: Option<Arc<Mutex<Duration>>>,
}

impl Clock {
    pub fn system() -> Self {
        Self {
            manual: None,
            shift: None,
        }
    }

    pub fn manual(start: DateTime<Utc>) -> Self {
        Self {
            manual: Some(Arc::new(Mutex::new(start))),
            shift: None,
        }
    }

    /// The system's time, moved forward by every `advance` (a demo server's clock).
    pub fn shiftable() -> Self {
        Self {
            manual: None,
            shift: Some(Arc::new(Mutex::new(Duration::zero()))),
        }
    }

    /// Whether `advance` moves this clock (a manual or shiftable one).
    pub fn movable(&self) -> bool {
        self.manual.is_some() || self.shift.is_some()
    }

    pub fn now(&self) -> DateTime<Utc> {
        match (&self.manual, &self.shift) {
            (Some(t), _) => *t.lock().unwrap_or_else(PoisonError::into_inner),
            (None, Some(s)) => Utc::now() + *s.lock().unwrap_or_else(PoisonError::into_inner),
            (None, None) => Utc::now(),
        }
    }

    /// Moves a manual or shiftable clock forward; a system clock ignores it.
    pub fn advance(&self, by: Duration) {
        if let Some(t) = &self.manual {
            let mut guard = t.lock().unwrap_or_else(PoisonError::into_inner);
            *guard += by;
        } else if let Some(s) = &self.shift {
            let mut guard = s.lock().unwrap_or_else(PoisonError::into_inner);
            *guard += by;
        }
    }
}

/// China Standard Time.
pub fn shanghai() -> FixedOffset {
    // 8 hours east is always in range; the fallback only satisfies the type.
    FixedOffset::east_opt(8 * 3600).unwrap_or(Utc.fix())
}

/// `2026-11-23 20:15` in Shanghai time.
pub fn format_shanghai(t: DateTime<Utc>) -> String {
    t.with_timezone(&shanghai())
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_manual_clock_moves_only_when_told() {
        let start = Utc
            .with_ymd_and_hms(2026, 11, 23, 12, 0, 0)
            .single()
            .unwrap_or_default();
        let clock = Clock::manual(start);
        assert_eq!(clock.now(), start);
        clock.advance(Duration::hours(25));
        assert_eq!(clock.now(), start + Duration::hours(25));
    }

    #[test]
    fn a_shiftable_clock_runs_with_the_system_and_jumps_when_told() {
        let clock = Clock::shiftable();
        let before = Utc::now();
        clock.advance(Duration::hours(49));
        let now = clock.now();
        assert!(now >= before + Duration::hours(49), "{now}");
        assert!(now <= Utc::now() + Duration::hours(49), "{now}");
        assert!(clock.movable() && !Clock::system().movable());
        let system = Clock::system();
        system.advance(Duration::hours(1));
        assert!(system.now() <= Utc::now());
    }

    #[test]
    fn screens_show_shanghai_time() {
        let t = Utc
            .with_ymd_and_hms(2026, 11, 23, 16, 30, 0)
            .single()
            .unwrap_or_default();
        assert_eq!(format_shanghai(t), "2026-11-24 00:30");
    }
}
