//! The after-sales standard's arithmetic for the desk's figures: percentiles of durations,
//! shares, averages. Plain functions over numbers, so the figures are testable without a
//! database.

/// The `p`-th percentile (0–100) of `values` by nearest rank; `None` for no values.
pub fn percentile(values: &[i64], p: u32) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    let mut v = values.to_vec();
    v.sort_unstable();
    let n = v.len();
    // Nearest rank: ceil(p/100 × n), at least 1.
    let rank = (usize::try_from(p).unwrap_or(100) * n).div_ceil(100).max(1);
    v.get(rank.min(n) - 1).copied()
}

/// `part / whole` as a share 0–1 with four decimals; `None` when `whole` is 0.
pub fn share(part: usize, whole: usize) -> Option<f64> {
    if whole == 0 {
        return None;
    }
    #[expect(clippy::cast_precision_loss, reason = "counts far below 2^52")]
    let s = part as f64 / whole as f64;
    Some((s * 10_000.0).round() / 10_000.0)
}

/// The mean of scores, two decimals; `None` for none.
pub fn mean(values: &[i16]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let sum: i64 = values.iter().map(|v| i64::from(*v)).sum();
    #[expect(clippy::cast_precision_loss, reason = "small counts")]
    let m = sum as f64 / values.len() as f64;
    Some((m * 100.0).round() / 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_by_nearest_rank() {
        let v = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
        assert_eq!(percentile(&v, 50), Some(50));
        assert_eq!(percentile(&v, 90), Some(90));
        assert_eq!(percentile(&[7], 90), Some(7));
        assert_eq!(percentile(&[], 50), None);
        assert_eq!(percentile(&[3, 1, 2], 50), Some(2), "sorted first");
    }

    #[test]
    fn shares_and_means_round_and_say_none_for_nothing() {
        assert_eq!(share(1, 3), Some(0.3333));
        assert_eq!(share(0, 0), None);
        assert_eq!(mean(&[4, 5]), Some(4.5));
        assert_eq!(mean(&[]), None);
    }
}
