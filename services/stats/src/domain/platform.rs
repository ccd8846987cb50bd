//! The operator's platform analytics (issue #20): new and returning buyers. A buyer is *new*
//! in a period (or a time bucket) when the first day they ever bought on the platform falls in
//! it, else *returning*; so new + returning = the distinct buyers of that period. Buyers are
//! counted, never named.

use std::collections::{HashMap, HashSet};

/// Distinct buyers, and how many of them are new.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BuyerSplit {
    pub buyers: i64,
    pub new: i64,
    pub returning: i64,
}

/// Splits the buyers of each range (inclusive day numbers) into new and returning, from
/// `(buyer, day bought, first day ever bought)` rows.
pub fn buyer_split(rows: &[(i64, i32, i32)], ranges: &[(i32, i32)]) -> Vec<BuyerSplit> {
    ranges
        .iter()
        .map(|&(a, z)| {
            let mut first_of: HashMap<i64, i32> = HashMap::new();
            let mut seen: HashSet<i64> = HashSet::new();
            for &(buyer, day, first) in rows {
                if day >= a && day <= z && seen.insert(buyer) {
                    first_of.insert(buyer, first);
                }
            }
            let new = first_of.values().filter(|f| **f >= a && **f <= z).count();
            let buyers = seen.len();
            BuyerSplit {
                buyers: i64::try_from(buyers).unwrap_or(i64::MAX),
                new: i64::try_from(new).unwrap_or(i64::MAX),
                returning: i64::try_from(buyers - new).unwrap_or(i64::MAX),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_buyer_is_new_where_their_first_day_falls_and_returning_after() {
        // Buyer 1 first bought on day 5 and again on 12; buyer 2 first on 1, again on 6 and
        // 12; buyer 3 first on 12.
        let rows = [(1, 5, 5), (1, 12, 5), (2, 6, 1), (2, 12, 1), (3, 12, 12)];
        let s = buyer_split(&rows, &[(5, 12), (5, 8), (9, 12), (13, 20)]);
        assert_eq!(
            s[0],
            BuyerSplit {
                buyers: 3,
                new: 2,
                returning: 1
            }
        );
        assert_eq!(
            s[1],
            BuyerSplit {
                buyers: 2,
                new: 1,
                returning: 1
            }
        );
        assert_eq!(
            s[2],
            BuyerSplit {
                buyers: 3,
                new: 1,
                returning: 2
            }
        );
        assert_eq!(s[3], BuyerSplit::default());
    }
}
