//! After-sales rules as plain types and functions: claim kinds and states, the one function
//! that says which move a claim may make (`transition`), how a refund is computed (damaged
//! quantity × price, a damage level of the line with its share of shipping, or an agreed amount
//! — never more than is left of the payment), liability shares, and what a missed deadline does.

use farmgate_kernel::{FieldError, Money, define_id, wire_enum};
use farmgate_orders::domain::Liability;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub mod deadlines;
pub mod recourse;

define_id!(
    /// A claim photo (evidence), the uploader's until a claim or a message uses it.
    EvidenceId
);
define_id!(
    /// What one buyer of a recalled batch is told and offered.
    RecallNoticeId
);

wire_enum!(
    /// What went wrong with the parcel.
    ClaimKind {
        /// 运输破损
        DamagedInTransit => "damaged_in_transit",
        /// 到货腐坏
        SpoiledOnArrival => "spoiled_on_arrival",
        /// 少件
        MissingItems => "missing_items",
        /// 错发
        WrongItem => "wrong_item",
        /// 未收到货: filed before receipt when tracking has stalled or the parcel is overdue
        /// (`deadlines::may_claim_before_receipt`).
        NotReceived => "not_received",
        /// 丢件: filed before receipt once the carrier reported the parcel lost.
        Lost => "lost",
    }
);

impl ClaimKind {
    /// Filed on a parcel that has not arrived (no receipt, no after-sales window, no photo of
    /// a parcel nobody has).
    pub fn before_receipt(self) -> bool {
        matches!(self, Self::NotReceived | Self::Lost)
    }
}

wire_enum!(
    /// Where a claim stands.
    // It moves only through `transition`.
    ClaimStatus {
        /// Filed; the seller must answer by `respond_by`.
        AwaitingSeller => "awaiting_seller",
        /// The seller offered a partial refund or a reship, or rejected; the buyer accepts or
        /// escalates.
        AwaitingBuyer => "awaiting_buyer",
        /// 平台介入: the operator decides, finally.
        InArbitration => "in_arbitration",
        /// Settled (refunded, or a rejection accepted).
        Resolved => "resolved",
    }
);

/// A move on a claim, by whoever makes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClaimMove {
    /// The seller refunds what was claimed, at once.
    SellerRefundsInFull,
    /// The seller offers less (a partial refund or a reship) or rejects; the buyer answers.
    SellerAnswers,
    /// The buyer accepts the seller's offer or rejection.
    BuyerAccepts,
    /// The buyer asks the platform to step in.
    BuyerEscalates,
    /// The operator's final decision.
    OperatorDecides,
    /// The seller missed the response deadline on a small claim: refunded at once.
    DeadlineRefunds,
    /// The seller missed the response deadline on a larger claim: the operator decides.
    DeadlineEscalates,
    /// The buyer left the seller's offer unanswered past `answer_by`: accepted as it is.
    AnswerDeadlineAccepts,
    /// The buyer rates the handling; the claim stays resolved.
    BuyerRates,
}

/// Why a move is not allowed now. Each is one error code clients see.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum IllegalMove {
    /// The claim is not waiting for whoever moves.
    #[error("the claim is not waiting for this move")]
    NotYourTurn,
    /// The operator may not decide a claim that is settled or waiting for the buyer.
    #[error("the claim is settled; the platform's decision is final")]
    AlreadyDecided,
    /// Only a resolved claim is rated.
    #[error("the claim is not resolved yet")]
    NotResolved,
}

/// The claim state machine: the one place that says which moves are legal.
///
/// ```text
///                      seller answers (partial refund, reship, reject)
///   awaiting_seller ──────────────────────────────────────────▶ awaiting_buyer
///     │  │  │                                                     │       │
///     │  │  └── deadline, large claim ──▶ in_arbitration ◀── buyer escalates
///     │  │                                      │                         │
///     │  └──────── operator decides ───────┐    │ operator decides        │
///     │                                    ▼    ▼                         │
///     └─ full refund / deadline, small ──▶ resolved ◀── buyer accepts ────┘
///                                          │    ▲       (or leaves it past answer_by)
///                                          │    ▲
///                                          └────┘ buyer rates (once)
/// ```
/// The operator may decide a claim the seller has not answered yet; an answer waiting for the
/// buyer is the buyer's to accept or escalate first.
pub fn transition(current: ClaimStatus, m: ClaimMove) -> Result<ClaimStatus, IllegalMove> {
    use ClaimMove as M;
    use ClaimStatus as S;
    match (current, m) {
        (S::AwaitingSeller, M::SellerRefundsInFull | M::DeadlineRefunds) => Ok(S::Resolved),
        (S::AwaitingSeller, M::SellerAnswers) => Ok(S::AwaitingBuyer),
        (S::AwaitingSeller, M::DeadlineEscalates) => Ok(S::InArbitration),
        (S::AwaitingBuyer, M::BuyerAccepts | M::AnswerDeadlineAccepts) => Ok(S::Resolved),
        (S::AwaitingBuyer, M::BuyerEscalates) => Ok(S::InArbitration),
        (S::AwaitingSeller | S::InArbitration, M::OperatorDecides) => Ok(S::Resolved),
        (S::AwaitingBuyer | S::Resolved, M::OperatorDecides) => Err(IllegalMove::AlreadyDecided),
        (S::Resolved, M::BuyerRates) => Ok(S::Resolved),
        (_, M::BuyerRates) => Err(IllegalMove::NotResolved),
        (
            _,
            M::SellerRefundsInFull
            | M::SellerAnswers
            | M::BuyerAccepts
            | M::BuyerEscalates
            | M::DeadlineRefunds
            | M::DeadlineEscalates
            | M::AnswerDeadlineAccepts,
        ) => Err(IllegalMove::NotYourTurn),
    }
}

wire_enum!(
    /// What happened to a claim, in its append-only log (`claim_events.kind`).
    EventKind {
        Filed => "filed",
        Offered => "offered",
        Rejected => "rejected",
        Accepted => "accepted",
        Escalated => "escalated",
        Decided => "decided",
        AutoApproved => "auto_approved",
        Refunded => "refunded",
        Rated => "rated",
        RecourseOpened => "recourse_opened",
    }
);

wire_enum!(
    /// Who is acting on a claim.
    // Also the viewer's role in a view, and who wrote an event or a message.
    Role {
        Buyer => "buyer",
        Seller => "seller",
        Operator => "operator",
        System => "system",
    }
);

wire_enum!(
    /// Where a carrier recourse stands (`recourse` has the moves).
    RecourseStatus {
        /// Something is still outstanding.
        Open => "open",
        /// Collected in full.
        Collected => "collected",
        /// What was outstanding was written off, with a reason.
        WrittenOff => "written_off",
    }
);

wire_enum!(
    /// Who ordered a recall.
    RecallOrderedBy {
        Operator => "operator",
        Official => "official",
        Seller => "seller",
        /// A failed inspection after sale.
        System => "system",
    }
);

wire_enum!(
    /// Where a recall notice stands.
    NoticeStatus {
        /// The refund is offered until the buyer takes it.
        Offered => "offered",
        Refunded => "refunded",
        /// Nothing was left of the payment to refund.
        NothingDue => "nothing_due",
    }
);

wire_enum!(
    /// Who bears the loss.
    // Ordered as declared: liability is stored sorted.
    #[derive(PartialOrd, Ord)]
    Party {
        /// The carrier (a recourse record follows).
        Carrier => "carrier",
        /// The seller: packaging or quality.
        Seller => "seller",
        Buyer => "buyer",
        /// Unclear: the platform bears it (分不清责任的以我为主).
        Platform => "platform",
    }
);

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

/// The liability a seller states in its own answer: [`check_liability`], naming only itself
/// and the carrier. The platform's share (and the buyer's, which the platform pays) is the
/// operator's to assign: a seller refunding "at the platform's cost" would otherwise move
/// its own loss onto the platform without anyone deciding it.
pub fn check_seller_liability(shares: &[Share]) -> Result<Vec<Share>, FieldError> {
    let sorted = check_liability(shares)?;
    if sorted
        .iter()
        .any(|s| matches!(s.party, Party::Platform | Party::Buyer))
    {
        return Err(FieldError::new(
            "liability",
            "not_yours_to_assign",
            "商家只能认定本店或承运商的责任，平台或买家的责任由平台裁定",
            "a seller names itself or the carrier; the platform's or the buyer's share is the platform's to decide",
        ));
    }
    Ok(sorted)
}

/// Who pays a claim's refund back, as the orders ledger charges it: the seller's and the
/// carrier's shares as recorded; the platform's share and the buyer's (a refund the platform
/// chose to make although the buyer was at fault, 以退为主) are the platform's. A carrier
/// share without a waybill to recover it from is the platform's too: a recourse needs a
/// carrier. (Shares come from [`check_liability`], so they add up to 100.)
pub fn refund_liability(shares: &[Share], carrier_known: bool) -> Liability {
    let pct = |p: Party| {
        shares
            .iter()
            .filter(|s| s.party == p)
            .map(|s| s.percent)
            .sum::<u8>()
    };
    let carrier = if carrier_known {
        pct(Party::Carrier)
    } else {
        0
    };
    let seller = pct(Party::Seller);
    let platform = 100u8.saturating_sub(seller).saturating_sub(carrier);
    Liability::percents(seller, platform, carrier).unwrap_or(Liability::SELLER)
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
    }

    #[test]
    fn a_seller_names_only_itself_or_the_carrier() {
        let s = |party, percent| Share { party, percent };
        assert!(check_seller_liability(&[s(Party::Carrier, 70), s(Party::Seller, 30)]).is_ok());
        assert!(check_seller_liability(&[s(Party::Seller, 100)]).is_ok());
        for other in [Party::Platform, Party::Buyer] {
            let e = check_seller_liability(&[s(other, 50), s(Party::Seller, 50)]).unwrap_err();
            assert_eq!(e.code, "not_yours_to_assign");
        }
        assert_eq!(check_seller_liability(&[]).unwrap_err().code, "invalid");
    }

    #[test]
    fn a_claims_shares_become_the_refunds_liability() {
        let s = |party, percent| Share { party, percent };
        let l = |s, p, c| Liability::percents(s, p, c).unwrap();
        let mixed = [
            s(Party::Carrier, 50),
            s(Party::Seller, 30),
            s(Party::Platform, 20),
        ];
        assert_eq!(refund_liability(&mixed, true), l(30, 20, 50));
        // No waybill: nobody to recover the carrier's half from, so the platform bears it.
        assert_eq!(refund_liability(&mixed, false), l(30, 70, 0));
        // The buyer's share of a refund made anyway is the platform's.
        let buyer = [s(Party::Buyer, 60), s(Party::Seller, 40)];
        assert_eq!(refund_liability(&buyer, true), l(40, 60, 0));
        assert_eq!(
            refund_liability(&[s(Party::Seller, 100)], true),
            Liability::SELLER
        );
        // 100.01 split half and half: the left-over fen goes to the earlier party (seller).
        let split = refund_liability(&[s(Party::Carrier, 50), s(Party::Seller, 50)], true)
            .split(fen(10001));
        assert_eq!((split.seller, split.carrier), (5001, 5000));
    }

    #[test]
    fn a_missed_deadline_refunds_small_claims_and_escalates_the_rest() {
        assert_eq!(on_deadline(fen(5000), fen(5000)), OnDeadline::AutoApprove);
        assert_eq!(on_deadline(fen(5001), fen(5000)), OnDeadline::Escalate);
    }

    /// One test per (state, move): the legal moves and where they lead, and the illegal
    /// ones with the reason the person is told.
    macro_rules! moves {
        ($($name:ident: $from:ident, $move:ident => $to:expr;)+) => {$(
            #[test]
            fn $name() {
                use ClaimMove::*;
                use ClaimStatus::*;
                assert_eq!(transition($from, $move), $to);
            }
        )+};
    }

    use IllegalMove::{AlreadyDecided, NotResolved, NotYourTurn};

    moves! {
        // The seller's turn.
        the_seller_refunding_in_full_resolves_the_claim: AwaitingSeller, SellerRefundsInFull => Ok(Resolved);
        the_seller_answering_hands_the_claim_to_the_buyer: AwaitingSeller, SellerAnswers => Ok(AwaitingBuyer);
        a_missed_deadline_on_a_small_claim_resolves_it: AwaitingSeller, DeadlineRefunds => Ok(Resolved);
        a_missed_deadline_on_a_large_claim_goes_to_arbitration: AwaitingSeller, DeadlineEscalates => Ok(InArbitration);
        the_operator_may_decide_a_claim_the_seller_has_not_answered: AwaitingSeller, OperatorDecides => Ok(Resolved);
        the_buyer_cannot_accept_before_the_seller_answers: AwaitingSeller, BuyerAccepts => Err(NotYourTurn);
        the_buyer_cannot_escalate_before_the_seller_answers: AwaitingSeller, BuyerEscalates => Err(NotYourTurn);
        an_open_claim_is_not_rated: AwaitingSeller, BuyerRates => Err(NotResolved);
        // The buyer's turn.
        the_buyer_accepting_resolves_the_claim: AwaitingBuyer, BuyerAccepts => Ok(Resolved);
        an_offer_left_unanswered_past_its_deadline_is_accepted: AwaitingBuyer, AnswerDeadlineAccepts => Ok(Resolved);
        the_answer_deadline_cannot_accept_before_the_seller_answers: AwaitingSeller, AnswerDeadlineAccepts => Err(NotYourTurn);
        the_answer_deadline_cannot_accept_in_arbitration: InArbitration, AnswerDeadlineAccepts => Err(NotYourTurn);
        the_answer_deadline_cannot_accept_a_settled_claim: Resolved, AnswerDeadlineAccepts => Err(NotYourTurn);
        the_buyer_escalating_sends_the_claim_to_arbitration: AwaitingBuyer, BuyerEscalates => Ok(InArbitration);
        the_seller_cannot_refund_in_full_once_answered: AwaitingBuyer, SellerRefundsInFull => Err(NotYourTurn);
        the_seller_cannot_answer_twice: AwaitingBuyer, SellerAnswers => Err(NotYourTurn);
        the_deadline_cannot_refund_an_answered_claim: AwaitingBuyer, DeadlineRefunds => Err(NotYourTurn);
        the_deadline_cannot_escalate_an_answered_claim: AwaitingBuyer, DeadlineEscalates => Err(NotYourTurn);
        the_operator_waits_for_the_buyer_to_escalate: AwaitingBuyer, OperatorDecides => Err(AlreadyDecided);
        an_answered_claim_is_not_rated: AwaitingBuyer, BuyerRates => Err(NotResolved);
        // The operator's turn.
        the_operator_deciding_resolves_the_claim: InArbitration, OperatorDecides => Ok(Resolved);
        the_seller_cannot_refund_in_full_in_arbitration: InArbitration, SellerRefundsInFull => Err(NotYourTurn);
        the_seller_cannot_answer_in_arbitration: InArbitration, SellerAnswers => Err(NotYourTurn);
        the_buyer_cannot_accept_in_arbitration: InArbitration, BuyerAccepts => Err(NotYourTurn);
        the_buyer_cannot_escalate_twice: InArbitration, BuyerEscalates => Err(NotYourTurn);
        the_deadline_cannot_refund_a_claim_in_arbitration: InArbitration, DeadlineRefunds => Err(NotYourTurn);
        the_deadline_cannot_escalate_twice: InArbitration, DeadlineEscalates => Err(NotYourTurn);
        a_claim_in_arbitration_is_not_rated: InArbitration, BuyerRates => Err(NotResolved);
        // Settled.
        the_buyer_rates_a_resolved_claim: Resolved, BuyerRates => Ok(Resolved);
        the_operator_cannot_decide_a_settled_claim: Resolved, OperatorDecides => Err(AlreadyDecided);
        the_seller_cannot_refund_a_settled_claim: Resolved, SellerRefundsInFull => Err(NotYourTurn);
        the_seller_cannot_answer_a_settled_claim: Resolved, SellerAnswers => Err(NotYourTurn);
        the_buyer_cannot_accept_a_settled_claim: Resolved, BuyerAccepts => Err(NotYourTurn);
        the_buyer_cannot_escalate_a_settled_claim: Resolved, BuyerEscalates => Err(NotYourTurn);
        the_deadline_cannot_refund_a_settled_claim: Resolved, DeadlineRefunds => Err(NotYourTurn);
        the_deadline_cannot_escalate_a_settled_claim: Resolved, DeadlineEscalates => Err(NotYourTurn);
    }

    #[test]
    fn stored_names_stay_as_they_were() {
        let names = |all: &[ClaimStatus]| all.iter().map(|s| s.as_str()).collect::<Vec<_>>();
        assert_eq!(
            names(ClaimStatus::ALL),
            [
                "awaiting_seller",
                "awaiting_buyer",
                "in_arbitration",
                "resolved"
            ]
        );
        assert_eq!(EventKind::AutoApproved.as_str(), "auto_approved");
        assert_eq!(EventKind::RecourseOpened.as_str(), "recourse_opened");
        assert_eq!(ClaimKind::DamagedInTransit.as_str(), "damaged_in_transit");
        assert_eq!(NoticeStatus::NothingDue.as_str(), "nothing_due");
        assert!(Party::Carrier < Party::Platform);
    }
}
