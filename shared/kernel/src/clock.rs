//! Time. Stored and computed in UTC; shown in Asia/Shanghai (UTC+8, no daylight saving).

use chrono::{DateTime, Duration, FixedOffset, Offset, Utc};
use std::sync::{Arc, Mutex, PoisonError};

/// The source of "now". The real server uses the system clock; tests use a manual clock they
/// can move forward to expire sessions or pass deadlines without sleeping.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    manual: Option<Arc<Mutex<DateTime<Utc>>>>,
}

impl Clock {
    pub fn system() -> Self {
        Self { manual: None }
    }

    pub fn manual(start: DateTime<Utc>) -> Self {
        Self {
            manual: Some(Arc::new(Mutex::new(start))),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        match &self.manual {
            None => Utc::now(),
            Some(t) => *t.lock().unwrap_or_else(PoisonError::into_inner),
        }
    }

    /// Moves a manual clock forward; a system clock ignores it.
    pub fn advance(&self, by: Duration) {
        if let Some(t) = &self.manual {
            let mut guard = t.lock().unwrap_or_else(PoisonError::into_inner);
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
    fn screens_show_shanghai_time() {
        let t = Utc
            .with_ymd_and_hms(2026, 11, 23, 16, 30, 0)
            .single()
            .unwrap_or_default();
        assert_eq!(format_shanghai(t), "2026-11-24 00:30");
    }
}
