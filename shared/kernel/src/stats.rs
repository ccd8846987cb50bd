//! Small, exact figures for reports: nearest-rank percentiles and rates in basis points.

/// The nearest-rank percentile (`p` in 0–100) of sorted values.
pub fn percentile(sorted: &[i64], p: u64) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let n = u64::try_from(sorted.len()).unwrap_or(u64::MAX);
    let rank = (p * n).div_ceil(100).max(1);
    sorted
        .get(usize::try_from(rank - 1).unwrap_or(usize::MAX))
        .copied()
}

/// `part / whole` in basis points (1/10 000), rounded half up; 0 of nothing is 0.
pub fn bp(part: u64, whole: u64) -> u64 {
    (part * 20_000)
        .checked_div(whole)
        .map_or(0, |x| x.div_ceil(2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let v: Vec<i64> = (1..=10).collect();
        assert_eq!(percentile(&v, 50), Some(5));
        assert_eq!(percentile(&v, 90), Some(9));
        assert_eq!(percentile(&[7], 90), Some(7));
        assert_eq!(percentile(&[], 50), None);
        assert_eq!(percentile(&[1, 2, 3], 50), Some(2));
    }

    #[test]
    fn rates_are_basis_points_rounded_half_up() {
        assert_eq!(bp(1, 3), 3_333);
        assert_eq!(bp(2, 3), 6_667);
        assert_eq!(bp(0, 0), 0);
        assert_eq!(bp(5, 5), 10_000);
    }
}
