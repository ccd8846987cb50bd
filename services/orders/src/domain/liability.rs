//! Who pays a refund back: the liability a decision recorded, as percent shares of seller,
//! platform and carrier, and the refund split into fen by those shares.
//!
//! The split rule (every refund, stored per refund): each party's part is
//! `amount × percent / 100` rounded down; the fen that rounding leaves over (fewer than the
//! parties with a share) go one each to the parties whose dropped fraction was largest, ties to
//! the earlier of seller, platform, carrier. The parts always add up to the amount, and each is
//! within one fen of its exact share.

use farmgate_kernel::{FieldError, Money, wire_enum};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

wire_enum!(
    /// Who bears a refund. (After-sales also knows the buyer; a buyer's share of a refund the
    /// platform chose to pay anyway is the platform's.)
    LiableParty {
        /// Packaging or quality: the seller's payable shrinks.
        Seller => "seller",
        /// Unclear fault (分不清责任的以我为主): a platform expense.
        Platform => "platform",
        /// Damage in transit: a recourse receivable from the carrier.
        Carrier => "carrier",
    }
);

/// One party's share of a refund, in whole percent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefundShare {
    pub party: LiableParty,
    pub percent: u8,
}

/// Percent shares of seller, platform and carrier that add up to 100.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Liability {
    seller: u8,
    platform: u8,
    carrier: u8,
}

/// A refund in fen by who bears it; the parts add up to the refund.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct LiabilitySplit {
    pub seller: i64,
    pub platform: i64,
    pub carrier: i64,
}

impl LiabilitySplit {
    pub fn total(&self) -> i64 {
        self.seller + self.platform + self.carrier
    }
}

impl Liability {
    /// All of it the seller's: recalls, cancellations, and the operator's refund unless told.
    pub const SELLER: Liability = Liability {
        seller: 100,
        platform: 0,
        carrier: 0,
    };

    /// Shares of seller, platform and carrier in percent; `None` unless they add up to 100.
    pub fn percents(seller: u8, platform: u8, carrier: u8) -> Option<Liability> {
        let sum = u32::from(seller) + u32::from(platform) + u32::from(carrier);
        (sum == 100).then_some(Liability {
            seller,
            platform,
            carrier,
        })
    }

    /// Shares as a request states them: each party once, 1–100 percent, adding up to 100
    /// (the rules after-sales applies to a claim's liability).
    pub fn from_shares(shares: &[RefundShare]) -> Result<Liability, FieldError> {
        let bad = |zh: &str, en: &str| FieldError::new("liability", "invalid", zh, en);
        if shares.is_empty() {
            return Err(bad("请填写责任方", "say who is liable"));
        }
        let mut pct = [0u8; 3];
        for s in shares {
            if s.percent == 0 || s.percent > 100 {
                return Err(bad("责任比例为 1–100", "a share is 1 to 100 percent"));
            }
            let slot = &mut pct[index(s.party)];
            if *slot != 0 {
                return Err(bad("每个责任方只能出现一次", "name each party once"));
            }
            *slot = s.percent;
        }
        Liability::percents(pct[0], pct[1], pct[2])
            .ok_or_else(|| bad("责任比例合计应为 100%", "the shares add up to 100 percent"))
    }

    pub fn percent_of(&self, party: LiableParty) -> u8 {
        match party {
            LiableParty::Seller => self.seller,
            LiableParty::Platform => self.platform,
            LiableParty::Carrier => self.carrier,
        }
    }

    /// `amount` split by the shares (the rule in the module comment).
    pub fn split(&self, amount: Money) -> LiabilitySplit {
        let amount = i128::from(amount.fen());
        let pct = [self.seller, self.platform, self.carrier].map(i128::from);
        let mut parts = pct.map(|p| amount * p / 100);
        let mut dropped = pct.map(|p| (amount * p).rem_euclid(100));
        let mut left = amount - parts.iter().sum::<i128>();
        while left > 0 {
            // The largest dropped fraction; `max_by_key` keeps the last of equals, so search
            // from the end to give ties to the earlier party.
            let Some(i) = (0..3).rev().max_by_key(|&i| dropped[i]) else {
                break;
            };
            parts[i] += 1;
            dropped[i] = -1;
            left -= 1;
        }
        let fen = |v: i128| i64::try_from(v).unwrap_or(0);
        LiabilitySplit {
            seller: fen(parts[0]),
            platform: fen(parts[1]),
            carrier: fen(parts[2]),
        }
    }
}

fn index(p: LiableParty) -> usize {
    match p {
        LiableParty::Seller => 0,
        LiableParty::Platform => 1,
        LiableParty::Carrier => 2,
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    fn share(party: LiableParty, percent: u8) -> RefundShare {
        RefundShare { party, percent }
    }

    fn split(amount: i64, s: u8, p: u8, c: u8) -> (i64, i64, i64) {
        let x = Liability::percents(s, p, c)
            .unwrap()
            .split(Money::from_fen(amount));
        (x.seller, x.platform, x.carrier)
    }

    #[test]
    fn shares_name_each_party_once_and_add_up_to_a_hundred() {
        use LiableParty::{Carrier, Platform, Seller};
        assert_eq!(
            Liability::from_shares(&[share(Carrier, 70), share(Seller, 30)]).unwrap(),
            Liability::percents(30, 0, 70).unwrap()
        );
        assert!(Liability::from_shares(&[]).is_err());
        assert!(Liability::from_shares(&[share(Platform, 60), share(Seller, 30)]).is_err());
        assert!(Liability::from_shares(&[share(Seller, 50), share(Seller, 50)]).is_err());
        assert!(Liability::from_shares(&[share(Seller, 0), share(Platform, 100)]).is_err());
        assert!(Liability::from_shares(&[share(Seller, 101)]).is_err());
        assert!(Liability::percents(50, 50, 1).is_none());
    }

    #[test]
    fn a_split_rounds_down_and_gives_the_left_over_fen_to_the_largest_fractions() {
        // Whole shares split exactly.
        assert_eq!(split(10_000, 100, 0, 0), (10_000, 0, 0));
        assert_eq!(split(10_000, 30, 20, 50), (3_000, 2_000, 5_000));
        // 1 fen, halves: the tie goes to the earlier party.
        assert_eq!(split(1, 50, 50, 0), (1, 0, 0));
        assert_eq!(split(1, 0, 50, 50), (0, 1, 0));
        // 10 fen in thirds (33/33/34): 3.3, 3.3, 3.4 → 3, 3, 3 and the fen to the carrier (.4).
        assert_eq!(split(10, 33, 33, 34), (3, 3, 4));
        // 101 fen at 70/30: 70.7 and 30.3 → the left-over fen to the seller (.7).
        assert_eq!(split(101, 70, 0, 30), (71, 0, 30));
        // 2 fen at 34/33/33: 0.68, 0.66, 0.66 → seller, then the tie to the platform.
        assert_eq!(split(2, 34, 33, 33), (1, 1, 0));
    }

    #[test]
    fn the_parts_always_add_up_and_stay_within_a_fen_of_the_exact_share() {
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        for _ in 0..20_000 {
            let amount = i64::try_from(next(1_000_000)).unwrap();
            let s = u8::try_from(next(101)).unwrap();
            let p = u8::try_from(next(u64::from(101 - s))).unwrap();
            let c = 100 - s - p;
            let (a, b, d) = split(amount, s, p, c);
            assert_eq!(a + b + d, amount, "{amount} {s}/{p}/{c}");
            for (part, pct) in [(a, s), (b, p), (d, c)] {
                let exact = amount * i64::from(pct);
                assert!((part * 100 - exact).abs() < 100, "{amount} {s}/{p}/{c}");
                assert!(part >= 0);
                if pct == 0 {
                    assert_eq!(part, 0);
                }
            }
        }
    }
}
