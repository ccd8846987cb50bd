//! After-sales rules as plain types and functions: claim kinds and states, who may move a
//! claim where, how a refund is computed (damaged quantity × price, a damage level of the line
//! with its share of shipping, or an agreed amount — never more than is left of the payment),
//! liability shares, and what a missed deadline does.

use farmgate_kernel::{FieldError, Money};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What went wrong with the parcel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClaimKind {
    /// 运输破损
    DamagedInTransit,
    /// 到货腐坏
    SpoiledOnArrival,
    /// 少件
    MissingItems,
    /// 错发
    WrongItem,
}

impl ClaimKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::DamagedInTransit => "damaged_in_transit",
            Self::SpoiledOnArrival => "spoiled_on_arrival",
            Self::MissingItems => "missing_items",
            Self::WrongItem => "wrong_item",
        }
    }
}

/// Where a claim stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClaimStatus {
    /// Filed; the seller must answer by `respond_by`.
    AwaitingSeller,
    /// The seller offered a partial refund or rejected; the buyer accepts or escalates.
    AwaitingBuyer,
    /// 平台介入: the operator decides, finally.
    InArbitration,
    /// Settled (refunded, or a rejection accepted).
    Resolved,
}

impl ClaimStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AwaitingSeller => "awaiting_seller",
            Self::AwaitingBuyer => "awaiting_buyer",
            Self::InArbitration => "in_arbitration",
            Self::Resolved => "resolved",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::AwaitingSeller,
            Self::AwaitingBuyer,
            Self::InArbitration,
            Self::Resolved,
        ]
        .into_iter()
        .find(|v| v.as_str() == s)
    }
}

/// What happened to a claim, in its append-only log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    Filed,
    Offered,
    Rejected,
    Accepted,
    Escalated,
    Decided,
    AutoApproved,
    Refunded,
    Rated,
    RecourseOpened,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Filed => "filed",
            Self::Offered => "offered",
            Self::Rejected => "rejected",
            Self::Accepted => "accepted",
            Self::Escalated => "escalated",
            Self::Decided => "decided",
            Self::AutoApproved => "auto_approved",
            Self::Refunded => "refunded",
            Self::Rated => "rated",
            Self::RecourseOpened => "recourse_opened",
        }
    }
}

/// Who bears the loss.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Party {
    /// The carrier (a recourse record follows).
    Carrier,
    /// The seller: packaging or quality.
    Seller,
    Buyer,
    /// Unclear: the platform bears it (分不清责任的以我为主).
    Platform,
}

/// One party's share of the liability, in whole percent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Share {
    pub party: Party,
    pub percent: u8,
}

/// Shares must name each party once and add up to 100.
pub fn check_liability(shares: &[Share]) -> Result<Vec<Share>, FieldError> {
    let bad = |zh: &str, en: &str| FieldError::new("liability", "invalid", zh, en);
    if shares.is_empty() {
        return Err(bad("请填写责任方", "say who is liable"));
    }
    let mut sorted = shares.to_vec();
    sorted.sort_by_key(|s| s.party);
    if sorted.windows(2).any(|w| w[0].party == w[1].party) {
        return Err(bad("每个责任方只能出现一次", "name each party once"));
    }
    if sorted.iter().any(|s| s.percent == 0 || s.percent > 100) {
        return Err(bad("责任比例为 1–100", "a share is 1 to 100 percent"));
    }
    if sorted.iter().map(|s| u32::from(s.percent)).sum::<u32>() != 100 {
        return Err(bad(
            "责任比例合计应为 100%",
            "the shares add up to 100 percent",
        ));
    }
    Ok(sorted)
}

/// The carrier's part of a refund, rounded half up.
pub fn carrier_part(amount: Money, shares: &[Share]) -> Money {
    let pct = shares
        .iter()
        .find(|s| s.party == Party::Carrier)
        .map_or(0, |s| i64::from(s.percent));
    amount.mul_ratio(pct, 100).unwrap_or(Money::from_fen(0))
}

/// A claimed line as the arithmetic needs it.
#[derive(Clone, Copy, Debug)]
pub struct ClaimedLine {
    pub unit_price: Money,
    /// Units claimed.
    pub quantity: i64,
}

/// Damaged quantity × unit price.
pub fn by_quantity(lines: &[ClaimedLine]) -> Money {
    Money::from_fen(
        lines
            .iter()
            .map(|l| l.unit_price.fen().saturating_mul(l.quantity))
            .sum(),
    )
}

/// The damage levels a seller or the operator may choose.
pub const DAMAGE_LEVELS: [u8; 5] = [10, 30, 50, 80, 100];

/// A damage level of the claimed part of each line (claimed units × price) with its share of
/// the sub-order's shipping (`shipping × part / goods`), half up. Claiming every unit of a line
/// makes it the whole line.
pub fn by_damage_level(
    lines: &[ClaimedLine],
    goods: Money,
    shipping: Money,
    percent: u8,
) -> Result<Money, FieldError> {
    if !DAMAGE_LEVELS.contains(&percent) {
        return Err(FieldError::new(
            "damage_level",
            "invalid",
            "损坏程度只能是 10、30、50、80 或 100%",
            "a damage level is 10, 30, 50, 80 or 100 percent",
        ));
    }
    let mut total = 0;
    for l in lines {
        let part = l.unit_price.fen().saturating_mul(l.quantity);
        let ship_share = if goods.fen() > 0 {
            shipping
                .mul_ratio(part, goods.fen())
                .unwrap_or(Money::from_fen(0))
        } else {
            Money::from_fen(0)
        };
        let base = Money::from_fen(part + ship_share.fen());
        total += base
            .mul_ratio(i64::from(percent), 100)
            .unwrap_or(Money::from_fen(0))
            .fen();
    }
    Ok(Money::from_fen(total))
}

/// An amount offered or decided: at least a fen, at most what is left of the payment.
pub fn check_amount(field: &str, amount: Money, refundable: Money) -> Result<Money, FieldError> {
    if amount.fen() < 1 || amount.fen() > refundable.fen() {
        return Err(FieldError::new(
            field,
            "out_of_range",
            format!("金额应在 ¥0.01 到 ¥{refundable} 之间"),
            format!("the amount is from ¥0.01 to ¥{refundable}"),
        ));
    }
    Ok(amount)
}

/// What a missed response deadline does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnDeadline {
    /// Small amounts are refunded at once (customer first).
    AutoApprove,
    /// Larger ones go to the operator.
    Escalate,
}

pub fn on_deadline(claimed: Money, auto_approve_up_to: Money) -> OnDeadline {
    if claimed.fen() <= auto_approve_up_to.fen() {
        OnDeadline::AutoApprove
    } else {
        OnDeadline::Escalate
    }
}

/// The seller answers only while it is their turn.
pub fn seller_may_answer(s: Option<ClaimStatus>) -> bool {
    s == Some(ClaimStatus::AwaitingSeller)
}

/// The buyer accepts or escalates only an answer waiting for them.
pub fn buyer_may_answer(s: Option<ClaimStatus>) -> bool {
    s == Some(ClaimStatus::AwaitingBuyer)
}

/// The operator decides a claim in arbitration (or one the seller has not answered).
pub fn operator_may_decide(s: Option<ClaimStatus>) -> bool {
    matches!(
        s,
        Some(ClaimStatus::InArbitration | ClaimStatus::AwaitingSeller)
    )
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    fn fen(n: i64) -> Money {
        Money::from_fen(n)
    }

    fn line(price: i64, _qty_bought: i64, qty_claimed: i64) -> ClaimedLine {
        ClaimedLine {
            unit_price: fen(price),
            quantity: qty_claimed,
        }
    }

    #[test]
    fn refunds_by_quantity_and_by_damage_level_with_the_shipping_share() {
        // 3 of 4 boxes at ¥59.90 broken.
        assert_eq!(by_quantity(&[line(5990, 4, 3)]), fen(17970));
        // 30 % of a ¥119.80 line that carries all of the ¥8 shipping: 30 % of ¥127.80.
        let l = [line(5990, 2, 2)];
        assert_eq!(
            by_damage_level(&l, fen(11980), fen(800), 30).unwrap(),
            fen(3834)
        );
        // Claimed parts share the shipping by their worth: 1 of 2 boxes at ¥30 and 1 of 1 at
        // ¥20, of ¥80 goods with ¥8 shipping.
        let two = [line(3000, 2, 1), line(2000, 1, 1)];
        assert_eq!(
            by_damage_level(&two, fen(8000), fen(800), 50).unwrap(),
            fen((3000 + 300) / 2 + (2000 + 200) / 2)
        );
        assert!(by_damage_level(&l, fen(11980), fen(800), 40).is_err());
        assert_eq!(
            by_damage_level(&l, fen(0), fen(800), 100).unwrap(),
            fen(11980)
        );
    }

    #[test]
    fn an_amount_is_never_more_than_what_is_left() {
        assert!(check_amount("amount", fen(100), fen(100)).is_ok());
        assert!(check_amount("amount", fen(101), fen(100)).is_err());
        assert!(check_amount("amount", fen(0), fen(100)).is_err());
        assert!(check_amount("amount", fen(-5), fen(100)).is_err());
    }

    #[test]
    fn liability_names_each_party_once_and_adds_up() {
        let s = |party, percent| Share { party, percent };
        assert!(check_liability(&[s(Party::Carrier, 100)]).is_ok());
        assert!(check_liability(&[s(Party::Carrier, 70), s(Party::Seller, 30)]).is_ok());
        assert!(check_liability(&[]).is_err());
        assert!(check_liability(&[s(Party::Carrier, 70), s(Party::Seller, 20)]).is_err());
        assert!(check_liability(&[s(Party::Carrier, 50), s(Party::Carrier, 50)]).is_err());
        assert!(check_liability(&[s(Party::Carrier, 0), s(Party::Seller, 100)]).is_err());
        assert_eq!(
            carrier_part(fen(10001), &[s(Party::Carrier, 50), s(Party::Seller, 50)]),
            fen(5001)
        );
        assert_eq!(carrier_part(fen(10000), &[s(Party::Seller, 100)]), fen(0));
    }

    #[test]
    fn a_missed_deadline_refunds_small_claims_and_escalates_the_rest() {
        assert_eq!(on_deadline(fen(5000), fen(5000)), OnDeadline::AutoApprove);
        assert_eq!(on_deadline(fen(5001), fen(5000)), OnDeadline::Escalate);
    }

    #[test]
    fn each_party_moves_the_claim_only_on_its_turn() {
        use ClaimStatus::*;
        assert!(seller_may_answer(Some(AwaitingSeller)));
        for s in [AwaitingBuyer, InArbitration, Resolved] {
            assert!(!seller_may_answer(Some(s)));
        }
        assert!(buyer_may_answer(Some(AwaitingBuyer)));
        assert!(!buyer_may_answer(Some(Resolved)));
        assert!(operator_may_decide(Some(InArbitration)));
        assert!(!operator_may_decide(Some(Resolved)));
        assert!(!operator_may_decide(None));
    }
}
