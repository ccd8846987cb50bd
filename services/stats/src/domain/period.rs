//! The period a question asks about: two Shanghai dates, in order, not absurdly long.

use crate::error::Field;
use chrono::NaiveDate;
use farmgate_kernel::ValidationErrors;

/// Exactly `YYYY-MM-DD`.
fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        })
}

/// Checks a period: both dates, in order, at most `max_days` long.
pub fn period(
    from: Option<&str>,
    to: Option<&str>,
    max_days: i64,
) -> Result<(NaiveDate, NaiveDate), ValidationErrors> {
    let mut errs = ValidationErrors::new();
    let mut date = |name: &str, v: Option<&str>| match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => {
            errs.push(Field::DateRequired.at(name));
            None
        }
        Some(s) => match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            Ok(d) if is_iso_date(s) => Some(d),
            _ => {
                errs.push(Field::DateInvalid.at(name));
                None
            }
        },
    };
    let (from, to) = (date("from", from), date("to", to));
    let (Some(from), Some(to)) = (from, to) else {
        return Err(errs);
    };
    if to < from {
        errs.push(Field::BeforeFrom.at("to"));
    } else if (to - from).num_days() + 1 > max_days {
        errs.push(Field::PeriodTooLong { max_days }.at("to"));
    }
    if errs.is_empty() {
        Ok((from, to))
    } else {
        Err(errs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{MAX_DAYS, MAX_DAYS_BY_DAY};

    #[test]
    fn periods_are_checked() {
        assert!(period(Some("2026-01-01"), Some("2026-12-31"), MAX_DAYS_BY_DAY).is_ok());
        let code = |r: Result<(NaiveDate, NaiveDate), ValidationErrors>| {
            r.err()
                .and_then(|e| e.errors().first().map(|f| (f.field.clone(), f.code)))
        };
        assert_eq!(
            code(period(
                Some("2026-01-01"),
                Some("2027-01-02"),
                MAX_DAYS_BY_DAY
            )),
            Some(("to".to_owned(), "too_long"))
        );
        assert_eq!(
            code(period(Some("2026-02-01"), Some("2026-01-01"), MAX_DAYS)),
            Some(("to".to_owned(), "before_from"))
        );
        assert_eq!(
            code(period(Some("26-1-1"), Some("2026-01-01"), MAX_DAYS)),
            Some(("from".to_owned(), "invalid"))
        );
        assert_eq!(
            code(period(None, Some("2026-01-01"), MAX_DAYS)),
            Some(("from".to_owned(), "required"))
        );
    }
}
