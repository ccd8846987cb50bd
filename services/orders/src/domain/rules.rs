//! Smaller rules: how much of a thing, what a waybill, a carrier or a rating looks like, how
//! names and waybills are masked in public, order numbers, the after-sales window, the days a
//! report covers, and a review average.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use farmgate_kernel::FieldError;
use farmgate_kernel::clock::shanghai;
use farmgate_kernel::text::clean_text;

/// At most this many units of one SKU in one order (a hotel buys 500 jin of oranges; nobody
/// buys a million by typing).
pub const MAX_QUANTITY: i64 = 9_999;
/// At most this many distinct SKUs in one checkout, and in a cart.
pub const MAX_LINES: usize = 50;
/// At most this many saved delivery addresses per account.
pub const MAX_ADDRESSES: usize = 20;
/// At most this many batch links on one parcel.
pub const MAX_BATCH_LINKS: usize = 50;
/// At most this many photos on a review.
pub const MAX_REVIEW_PHOTOS: usize = 9;
/// Photos an account may hold that no review uses yet (uploads are not free storage).
pub const MAX_UNUSED_PHOTOS: u64 = 30;
/// The longest period one settlement statement covers.
pub const MAX_PERIOD_DAYS: i64 = 366;
/// The target for acknowledging a paid order (the seed practice: contact the buyer within 10
/// minutes).
pub const ACK_TARGET_SECS: i64 = 600;

/// Whether a shipment made at `shipped_at` is late: after the sub-order's ship-by deadline
/// (a sub-order paid before deadlines existed has none and is never late). Shipping at the
/// deadline itself is on time.
pub fn shipped_late(ship_by: Option<DateTime<Utc>>, shipped_at: DateTime<Utc>) -> bool {
    ship_by.is_some_and(|by| shipped_at > by)
}

/// A quantity a buyer typed: a whole number from 1 to [`MAX_QUANTITY`].
pub fn parse_quantity(field: &str, n: i64) -> Result<i64, FieldError> {
    if n < 1 {
        return Err(FieldError::new(
            field,
            "out_of_range",
            "数量至少为 1",
            "the quantity must be at least 1",
        ));
    }
    if n > MAX_QUANTITY {
        return Err(FieldError::new(
            field,
            "out_of_range",
            format!("单次最多购买 {MAX_QUANTITY} 件"),
            format!("at most {MAX_QUANTITY} per order"),
        ));
    }
    Ok(n)
}

/// The after-sales window of a received sub-order closes after the longest claim window of its
/// lines (fruit 48 h, eggs 24 h ...).
pub fn window_closes_at(
    received_at: DateTime<Utc>,
    claim_window_hours: impl IntoIterator<Item = i32>,
) -> DateTime<Utc> {
    let hours = claim_window_hours.into_iter().max().unwrap_or(0).max(0);
    received_at + chrono::Duration::hours(i64::from(hours))
}

/// A carrier's name as the seller types it (顺丰速运, 中国邮政 ...).
pub fn parse_carrier(s: &str) -> Result<String, FieldError> {
    clean_text(s, 2, 20, false).map_err(|e| e.at("carrier"))
}

/// A waybill number: 6 to 32 letters, digits or hyphens (spaces typed in are dropped).
pub fn parse_tracking_no(s: &str) -> Result<String, FieldError> {
    let t: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    if (6..=32).contains(&t.chars().count())
        && t.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        Ok(t.to_ascii_uppercase())
    } else {
        Err(FieldError::new(
            "tracking_no",
            "invalid",
            "运单号应为 6–32 位字母、数字或连字符",
            "a tracking number is 6 to 32 letters, digits or hyphens",
        ))
    }
}

/// A review's stars: 1 to 5.
pub fn parse_rating(n: i64) -> Result<i16, FieldError> {
    match i16::try_from(n) {
        Ok(r) if (1..=5).contains(&r) => Ok(r),
        _ => Err(FieldError::new(
            "rating",
            "out_of_range",
            "评分为 1 到 5 星",
            "a rating is 1 to 5 stars",
        )),
    }
}

/// How a reviewer is shown: the first character of their name and two stars (张**).
pub fn mask_name(name: &str) -> String {
    match name.trim().chars().next() {
        Some(c) => format!("{c}**"),
        None => "匿名用户".to_owned(),
    }
}

/// An order number people can read out on the phone: the Beijing date and 8 digits
/// (`20261124` + `48213907`). Sub-orders add `-1`, `-2` … in seller order.
pub fn order_number(at: DateTime<Utc>, random: u32) -> String {
    let beijing = at + chrono::Duration::hours(8);
    format!("{}{:08}", beijing.format("%Y%m%d"), random % 100_000_000)
}

/// A waybill on a public trace page: its first and last four characters (`SF12****7890`).
pub fn mask_tracking(t: &str) -> String {
    let chars: Vec<char> = t.chars().collect();
    if chars.len() <= 8 {
        return "*".repeat(chars.len());
    }
    let head: String = chars.iter().take(4).collect();
    let tail: String = chars.iter().skip(chars.len() - 4).collect();
    format!("{head}****{tail}")
}

/// Midnight of a Shanghai date, in UTC: reports and statements cover whole Shanghai days.
pub fn start_of(d: NaiveDate) -> DateTime<Utc> {
    let midnight = d.and_hms_opt(0, 0, 0).unwrap_or_default();
    shanghai()
        .from_local_datetime(&midnight)
        .single()
        .map_or_else(
            || Utc.from_utc_datetime(&midnight),
            |t| t.with_timezone(&Utc),
        )
}

/// The average of star counts (how many gave 1, 2 … 5 stars), to one decimal (display only;
/// nothing is computed from it).
pub fn average(stars: &[u64; 5]) -> Option<f64> {
    let count: u64 = stars.iter().sum();
    if count == 0 {
        return None;
    }
    let points: u64 = stars.iter().zip(1u64..).map(|(n, s)| n * s).sum();
    // Tenths, rounded half up, in integers.
    let tenths = (points * 100 / count + 5) / 10;
    #[expect(
        clippy::cast_precision_loss,
        reason = "at most 50, exactly representable"
    )]
    let avg = tenths as f64 / 10.0;
    Some(avg)
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "a failed parse is a failed test")]
mod tests {
    use super::*;

    #[test]
    fn a_shipment_after_the_ship_by_deadline_is_late_and_one_at_it_is_not() {
        let by = Utc.with_ymd_and_hms(2026, 12, 8, 10, 0, 0).unwrap();
        assert!(!shipped_late(Some(by), by));
        assert!(!shipped_late(Some(by), by - chrono::Duration::hours(1)));
        assert!(shipped_late(Some(by), by + chrono::Duration::seconds(1)));
        assert!(!shipped_late(None, by + chrono::Duration::days(30)));
    }

    #[test]
    fn quantities_are_whole_and_bounded() {
        assert_eq!(parse_quantity("q", 1), Ok(1));
        assert_eq!(parse_quantity("q", MAX_QUANTITY), Ok(MAX_QUANTITY));
        for bad in [0, -1, MAX_QUANTITY + 1, i64::MAX] {
            let e = parse_quantity("q", bad).unwrap_err();
            assert_eq!(e.code, "out_of_range");
        }
    }

    #[test]
    fn order_numbers_carry_the_beijing_date() {
        // 17:00 UTC on the 23rd is 01:00 on the 24th in Beijing.
        let at = Utc.with_ymd_and_hms(2026, 11, 23, 17, 0, 0).unwrap();
        assert_eq!(order_number(at, 42), "2026112400000042");
        assert_eq!(order_number(at, 4_294_967_295).len(), 16);
    }

    #[test]
    fn the_after_sales_window_is_the_longest_of_the_lines() {
        let t = DateTime::parse_from_rfc3339("2026-11-20T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            window_closes_at(t, [24, 48]),
            t + chrono::Duration::hours(48)
        );
        assert_eq!(window_closes_at(t, []), t);
        assert_eq!(window_closes_at(t, [-5]), t);
    }

    #[test]
    fn waybills_carriers_ratings_and_names() {
        assert_eq!(
            parse_tracking_no(" sf 1234 5678 90 ").unwrap(),
            "SF1234567890"
        );
        assert!(parse_tracking_no("12345").is_err());
        assert!(parse_tracking_no("SF12345678<script>").is_err());
        assert!(parse_tracking_no(&"1".repeat(33)).is_err());
        assert_eq!(parse_carrier(" 顺丰速运 ").unwrap(), "顺丰速运");
        assert!(parse_carrier("顺").is_err());
        assert_eq!(parse_rating(5).unwrap(), 5);
        for bad in [0, 6, -1, i64::MAX] {
            assert!(parse_rating(bad).is_err(), "{bad}");
        }
        assert_eq!(mask_name("王芳"), "王**");
        assert_eq!(mask_name("  "), "匿名用户");
    }

    #[test]
    fn public_records_show_only_the_ends_of_a_waybill() {
        assert_eq!(mask_tracking("SF1234567890"), "SF12****7890");
        assert_eq!(mask_tracking("12345678"), "********");
    }

    #[test]
    fn periods_are_shanghai_days() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        assert_eq!(start_of(d).to_rfc3339(), "2026-11-22T16:00:00+00:00");
    }

    #[test]
    fn the_average_is_rounded_to_a_tenth() {
        assert_eq!(average(&[0, 0, 0, 0, 0]), None);
        assert_eq!(average(&[0, 0, 0, 0, 3]), Some(5.0));
        assert_eq!(average(&[1, 0, 0, 0, 1]), Some(3.0));
        // (4 + 5 + 5) / 3 = 4.666… → 4.7
        assert_eq!(average(&[0, 0, 0, 1, 2]), Some(4.7));
        // (1 + 2) / 2 = 1.5
        assert_eq!(average(&[1, 1, 0, 0, 0]), Some(1.5));
    }
}
