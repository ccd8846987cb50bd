//! Pre-sales (订单农业, issue #22): a seller sells a planned harvest before it is grown. Pure
//! rules over integers and dates, unit-tested below; the use case is `service/presale.rs`.
//!
//! ```text
//!   pre-sale:     open ──harvest──▶ harvested      (once: the real batch and yield)
//!                   │                  ▲
//!                   └──close──▶ closed ┘             (no new reservations)
//!
//!   reservation:  pending ──deposit paid──▶ reserved
//!                   │
//!                   └──deposit order cancelled / expired──▶ cancelled  (its quantity freed)
//!
//!   at harvest:   reserved ──filled > 0──▶ balance_due ──balance paid──▶ balance_paid
//!                   │                        │                              (ships from the batch)
//!                   │                        └──unpaid by its deadline──▶ forfeited
//!                   │                                                     (the deposit is kept)
//!                   └──filled 0──▶ unfilled  (the whole deposit came back)
//!
//!   failed inspection of the linked batch:  pre-sale harvested ──▶ cancelled, and every
//!   balance_due / balance_paid (not shipped) reservation ──▶ refunded (deposit and balance back)
//! ```
//!
//! The balance of a filled reservation is `price × filled − deposit kept`, where the deposit
//! kept is what was paid less the shortfall refund: deposit and balance add up to exactly
//! `price × filled`, the price of what ships.
//!
//! The deposit is `price × quantity × percent / 100`, rounded half up to the fen: the
//! reservation's own order carries exactly this amount, so what the provider collects, what a
//! refund may return and what the money identity counts are the same integer.

use chrono::NaiveDate;
use farmgate_kernel::text::clean_text;
use farmgate_kernel::{FieldError, ValidationErrors};

farmgate_kernel::wire_enum!(
    /// Whether a pre-sale takes reservations.
    PresaleStatus {
        /// Buyers may reserve, up to its maximum.
        Open => "open",
        /// The seller stopped taking reservations; those made stand.
        Closed => "closed",
        /// The real batch is linked and the reservations filled.
        Harvested => "harvested",
        /// The linked batch failed its inspection: every reservation was refunded.
        Cancelled => "cancelled",
    }
);

farmgate_kernel::wire_enum!(
    /// Where a reservation stands, a projection of its deposit order.
    ReservationStatus {
        /// Reserved; the deposit is not paid yet (its order lapses like any unpaid order).
        Pending => "pending",
        /// The deposit is paid: the quantity is the buyer's, first come first filled.
        Reserved => "reserved",
        /// The deposit order was cancelled or expired unpaid: the quantity went back.
        Cancelled => "cancelled",
        /// Harvested and filled: the balance order waits for payment.
        BalanceDue => "balance_due",
        /// The balance is paid: the seller ships the filled quantity from the batch.
        BalancePaid => "balance_paid",
        /// Harvested and nothing filled: the whole deposit came back.
        Unfilled => "unfilled",
        /// The balance was not paid by its deadline: the reservation is cancelled and the
        /// deposit kept (the platform rule stated before reserving, 定金不退).
        Forfeited => "forfeited",
        /// The batch failed its inspection: the deposit and any paid balance came back.
        Refunded => "refunded",
    }
);

/// The highest price per unit a pre-sale may ask (¥100,000.00), the largest planned yield and
/// the longest a harvest window may be: beyond these a figure is a typo.
pub const MAX_PRICE_FEN: i64 = 10_000_000;
pub const MAX_YIELD: i64 = 10_000_000;
pub const MAX_WINDOW_DAYS: i64 = 366;

/// What a pre-sale promises, parsed from what the seller typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PresaleTerms {
    pub plot: String,
    pub harvest_from: NaiveDate,
    pub harvest_to: NaiveDate,
    pub expected_yield: i64,
    pub max_quantity: i64,
    pub price_fen: i64,
    pub deposit_percent: i32,
    pub cancellation_rules: String,
}

/// The terms as typed, before parsing.
#[derive(Clone, Debug)]
pub struct TermsInput<'a> {
    pub plot: &'a str,
    pub harvest_from: NaiveDate,
    pub harvest_to: NaiveDate,
    pub expected_yield: i64,
    pub max_quantity: i64,
    pub price_fen: i64,
    pub deposit_percent: i32,
    pub cancellation_rules: &'a str,
}

fn out_of_range(field: &str, zh: String, en: String) -> FieldError {
    FieldError::new(field, "out_of_range", zh, en)
}

impl PresaleTerms {
    /// Every field checked at once; `today` is the Shanghai date (a harvest cannot start in the
    /// past). The most pre-sold is at most the expected yield: a seller sells what it plans to
    /// grow, not more.
    pub fn parse(i: &TermsInput<'_>, today: NaiveDate) -> Result<Self, ValidationErrors> {
        let mut errs = ValidationErrors::new();
        let plot = errs.check("plot", clean_text(i.plot, 2, 200, false));
        let rules = errs.check(
            "cancellation_rules",
            clean_text(i.cancellation_rules, 10, 1000, true),
        );
        if i.harvest_from < today {
            errs.push(out_of_range(
                "harvest_from",
                "采收期不能早于今天".into(),
                "the harvest cannot start before today".into(),
            ));
        }
        let days = (i.harvest_to - i.harvest_from).num_days();
        if days < 0 {
            errs.push(out_of_range(
                "harvest_to",
                "采收结束日期不能早于开始日期".into(),
                "the harvest cannot end before it starts".into(),
            ));
        } else if days > MAX_WINDOW_DAYS {
            errs.push(out_of_range(
                "harvest_to",
                format!("采收期最长 {MAX_WINDOW_DAYS} 天"),
                format!("a harvest window is at most {MAX_WINDOW_DAYS} days"),
            ));
        }
        if !(1..=MAX_YIELD).contains(&i.expected_yield) {
            errs.push(out_of_range(
                "expected_yield",
                format!("预计产量应在 1 到 {MAX_YIELD} 之间"),
                format!("the expected yield is 1 to {MAX_YIELD}"),
            ));
        }
        if i.max_quantity < 1 || i.max_quantity > i.expected_yield.clamp(1, MAX_YIELD) {
            errs.push(out_of_range(
                "max_quantity",
                "预售上限应在 1 到预计产量之间".into(),
                "the most pre-sold is 1 to the expected yield".into(),
            ));
        }
        if !(1..=MAX_PRICE_FEN).contains(&i.price_fen) {
            errs.push(out_of_range(
                "price_fen",
                "单价应在 0.01 元到 100000 元之间".into(),
                "the unit price is ¥0.01 to ¥100,000".into(),
            ));
        }
        if !(1..=100).contains(&i.deposit_percent) {
            errs.push(out_of_range(
                "deposit_percent",
                "定金比例应在 1% 到 100% 之间".into(),
                "the deposit is 1 % to 100 %".into(),
            ));
        }
        errs.finish()?;
        let (Some(plot), Some(cancellation_rules)) = (plot, rules) else {
            return Err(ValidationErrors::new());
        };
        Ok(Self {
            plot,
            harvest_from: i.harvest_from,
            harvest_to: i.harvest_to,
            expected_yield: i.expected_yield,
            max_quantity: i.max_quantity,
            price_fen: i.price_fen,
            deposit_percent: i.deposit_percent,
            cancellation_rules,
        })
    }
}

/// The deposit of `quantity` units: `price × quantity × percent / 100`, rounded half up to the
/// fen, and at least one fen (a payment of nothing cannot go through a provider). In i128, so
/// no figure the rules allow can overflow.
pub fn deposit_fen(price_fen: i64, quantity: i64, percent: i32) -> i64 {
    if quantity <= 0 {
        return 0;
    }
    let n = i128::from(price_fen) * i128::from(quantity) * i128::from(percent);
    let fen = ((n + 50) / 100).max(1);
    i64::try_from(fen).unwrap_or(i64::MAX)
}

/// Fills paid reservations first come (`reserved` in the order they were made) from the
/// actual yield: each gets what it asked for while the yield lasts, the one where it runs out
/// the rest, the later ones nothing.
pub fn fill(reserved: &[i64], actual_yield: i64) -> Vec<i64> {
    let mut left = actual_yield.max(0);
    reserved
        .iter()
        .map(|&q| {
            let f = q.clamp(0, left);
            left -= f;
            f
        })
        .collect()
}

/// The deposit refunded for the part a harvest did not fill: what was paid less the deposit
/// of the filled part (the same rounding), so what is kept plus what is refunded is exactly
/// what was paid.
pub fn shortfall_refund(paid_deposit: i64, price_fen: i64, filled: i64, percent: i32) -> i64 {
    (paid_deposit - deposit_fen(price_fen, filled, percent)).max(0)
}

/// The balance a filled reservation owes: the price of what was filled less the deposit kept
/// (`paid_deposit − shortfall_refund`), never below nothing.
pub fn balance_fen(price_fen: i64, filled: i64, paid_deposit: i64, shortfall_refund: i64) -> i64 {
    let price = i128::from(price_fen) * i128::from(filled.max(0));
    let kept = i128::from(paid_deposit - shortfall_refund);
    i64::try_from((price - kept).max(0)).unwrap_or(i64::MAX)
}

/// The platform's rule for an unpaid balance, shown beside the seller's own cancellation
/// rules before anyone reserves: (zh, en).
pub const BALANCE_RULE: (&str, &str) = (
    "采收后请在期限内支付尾款；逾期未付，预订自动取消，定金不退。检测不合格时，定金和已付尾款全额退还。",
    "After harvest, pay the balance by its deadline; unpaid, the reservation is cancelled and the deposit kept. If the batch fails its inspection, the deposit and any balance paid come back in full.",
);

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap_or(NaiveDate::MIN)
    }

    fn input<'a>() -> TermsInput<'a> {
        TermsInput {
            plot: "青石镇 3 号地块 20 亩",
            harvest_from: d("2027-06-01"),
            harvest_to: d("2027-06-20"),
            expected_yield: 1000,
            max_quantity: 800,
            price_fen: 1200,
            deposit_percent: 30,
            cancellation_rules: "付定金后 7 天内可取消，全额退定金；之后不退。",
        }
    }

    #[test]
    fn the_deposit_is_the_share_of_the_price_rounded_half_up() {
        assert_eq!(deposit_fen(1200, 10, 30), 3600);
        assert_eq!(deposit_fen(333, 1, 30), 100); // 99.9 → 100
        assert_eq!(deposit_fen(5, 1, 30), 2); // 1.5 → 2
        assert_eq!(deposit_fen(1, 1, 30), 1); // 0.3 → at least one fen
        assert_eq!(deposit_fen(1200, 3, 100), 3600);
        assert_eq!(deposit_fen(MAX_PRICE_FEN, 9_999, 100), 99_990_000_000);
    }

    #[test]
    fn the_yield_fills_reservations_first_come() {
        assert_eq!(fill(&[4, 3, 3], 10), vec![4, 3, 3]);
        assert_eq!(fill(&[4, 3, 3], 5), vec![4, 1, 0]);
        assert_eq!(fill(&[4, 3, 3], 0), vec![0, 0, 0]);
        assert_eq!(fill(&[4, 3, 3], 100), vec![4, 3, 3]);
        assert_eq!(fill(&[], 5), Vec::<i64>::new());
    }

    #[test]
    fn what_is_kept_and_what_is_refunded_add_up_to_the_deposit() {
        for (price, q, pct) in [(6000, 3, 30), (333, 7, 33), (1, 5, 30), (9999, 13, 1)] {
            let paid = deposit_fen(price, q, pct);
            for filled in 0..=q {
                let back = shortfall_refund(paid, price, filled, pct);
                assert_eq!(
                    back + deposit_fen(price, filled, pct),
                    paid,
                    "{price} {q} {pct} {filled}"
                );
            }
        }
        assert_eq!(shortfall_refund(5400, 6000, 1, 30), 3600);
        assert_eq!(shortfall_refund(5400, 6000, 0, 30), 5400);
        assert_eq!(shortfall_refund(5400, 6000, 3, 30), 0);
        assert_eq!(deposit_fen(6000, 0, 30), 0);
    }

    #[test]
    fn deposit_kept_and_balance_add_up_to_the_price_of_what_is_filled() {
        for (price, q, pct) in [(6000, 3, 30), (333, 7, 33), (1, 5, 30), (9999, 13, 1)] {
            let paid = deposit_fen(price, q, pct);
            for filled in 0..=q {
                let back = shortfall_refund(paid, price, filled, pct);
                let balance = balance_fen(price, filled, paid, back);
                assert_eq!(
                    paid - back + balance,
                    price * filled,
                    "{price} {q} {pct} {filled}"
                );
            }
        }
        assert_eq!(balance_fen(6000, 4, 7200, 0), 16_800);
        assert_eq!(balance_fen(6000, 1, 5400, 3600), 4200);
        assert_eq!(balance_fen(6000, 0, 5400, 5400), 0);
    }

    #[test]
    fn good_terms_parse() {
        let Ok(t) = PresaleTerms::parse(&input(), d("2027-01-01")) else {
            panic!("good terms are refused");
        };
        assert_eq!(t.max_quantity, 800);
        assert_eq!(t.deposit_percent, 30);
    }

    #[test]
    fn each_bad_term_is_named() {
        let today = d("2027-01-01");
        type Tweak = Box<dyn Fn(&mut TermsInput)>;
        let cases: Vec<(&str, Tweak)> = vec![
            ("plot", Box::new(|i| i.plot = " ")),
            (
                "cancellation_rules",
                Box::new(|i| i.cancellation_rules = "no"),
            ),
            (
                "harvest_from",
                Box::new(|i| i.harvest_from = d("2026-12-31")),
            ),
            ("harvest_to", Box::new(|i| i.harvest_to = d("2027-05-31"))),
            ("harvest_to", Box::new(|i| i.harvest_to = d("2028-06-20"))),
            ("expected_yield", Box::new(|i| i.expected_yield = 0)),
            ("max_quantity", Box::new(|i| i.max_quantity = 1001)),
            ("max_quantity", Box::new(|i| i.max_quantity = 0)),
            ("price_fen", Box::new(|i| i.price_fen = 0)),
            ("price_fen", Box::new(|i| i.price_fen = MAX_PRICE_FEN + 1)),
            ("deposit_percent", Box::new(|i| i.deposit_percent = 0)),
            ("deposit_percent", Box::new(|i| i.deposit_percent = 101)),
        ];
        for (field, bad) in cases {
            let mut i = input();
            bad(&mut i);
            let Err(e) = PresaleTerms::parse(&i, today) else {
                panic!("{field}: a bad term is accepted");
            };
            assert!(
                e.codes_by_field().contains_key(field),
                "{field}: {:?}",
                e.codes_by_field()
            );
        }
    }
}
