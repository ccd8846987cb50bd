//! Reconciliation (对账): a provider's daily bill compared line by line with our ledger.
//!
//! Each bill line is looked up in the whole ledger by the provider's keys (our order number at
//! the provider — the payment intent — and our refund number), so a payment the bill dates a
//! day apart from our record (paid at 23:59, notified at 00:01) still matches. What our
//! ledger recorded on the bill's day and the bill does not carry is reported too: it may
//! appear in the next day's bill, and that day's run says so on the difference. Nothing here
//! changes the ledger: differences go to people.

use chrono::{DateTime, Utc};
use std::collections::{HashMap, HashSet};

farmgate_kernel::labelled_enum!(
    /// What disagrees between a bill and the ledger.
    DifferenceKind {
        /// The bill has a paid trade under an order number we never issued.
        UnknownTrade => "unknown_trade", "渠道有交易，本平台无此支付单", "paid at the provider under an order number we never issued";
        /// Paid at the provider; our intent is not paid (no notification reached us, or it
        /// was refused).
        NotPaidHere => "not_paid_here", "渠道已收款，本平台未记为已付", "paid at the provider, not paid in our ledger";
        /// Both say paid; the amounts differ.
        AmountMismatch => "amount_mismatch", "金额不一致", "the amounts differ";
        /// Both say paid; the provider's transaction number is not the one we recorded.
        TransactionMismatch => "transaction_mismatch", "渠道交易号不一致", "the provider's transaction number differs";
        /// Our ledger recorded a payment that day; the bill does not carry it.
        MissingInBill => "missing_in_bill", "本平台已收款，账单中没有", "paid in our ledger, absent from the bill";
        /// The bill has a refund under a refund number we never issued.
        UnknownRefund => "unknown_refund", "渠道有退款，本平台无此退款单", "refunded at the provider under a refund number we never issued";
        /// Refunded at the provider; our refund is not settled.
        RefundNotSettledHere => "refund_not_settled_here", "渠道已退款，本平台未记为已退", "refunded at the provider, not settled in our ledger";
        /// Both say refunded; the amounts differ.
        RefundAmountMismatch => "refund_amount_mismatch", "退款金额不一致", "the refund amounts differ";
        /// Our ledger settled a refund that day; the bill does not carry it.
        RefundMissingInBill => "refund_missing_in_bill", "本平台已退款，账单中没有", "refunded in our ledger, absent from the bill";
    }
);

farmgate_kernel::wire_enum!(
    /// Where a reconciliation run stands.
    RunStatus {
        /// Fetching and comparing.
        Running => "running",
        /// Every line agreed.
        Matched => "matched",
        /// Compared; some lines disagree (see the differences).
        Differences => "differences",
        /// The bill could not be read (not ready yet, the provider down): retried.
        Failed => "failed",
    }
);

/// A bill line as the comparison needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BillEntry {
    Payment {
        out_trade_no: String,
        transaction_id: String,
        amount_fen: i64,
        at: DateTime<Utc>,
    },
    Refund {
        out_trade_no: String,
        out_refund_no: String,
        amount_fen: i64,
        at: DateTime<Utc>,
    },
}

/// A payment in our ledger, under the order number the provider knows it by.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LedgerPayment {
    pub out_trade_no: String,
    /// Whether our ledger counts it as paid.
    pub paid: bool,
    pub transaction_id: Option<String>,
    pub amount_fen: i64,
}

/// A refund in our ledger, under the refund number the provider knows it by.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LedgerRefund {
    pub out_refund_no: String,
    pub settled: bool,
    pub amount_fen: i64,
}

/// What the comparison is given: the bill, what the ledger holds under the numbers the bill
/// names (any day), and what the ledger recorded on the bill's day.
#[derive(Clone, Debug, Default)]
pub struct Ledger {
    /// By `out_trade_no`.
    pub payments: HashMap<String, LedgerPayment>,
    /// By `out_refund_no`.
    pub refunds: HashMap<String, LedgerRefund>,
    /// Paid in our ledger on the bill's day (`out_trade_no`s).
    pub paid_that_day: Vec<LedgerPayment>,
    /// Settled in our ledger on the bill's day.
    pub refunded_that_day: Vec<LedgerRefund>,
}

/// One disagreement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Difference {
    pub kind: DifferenceKind,
    /// Our order number at the provider (the payment intent), when known.
    pub out_trade_no: Option<String>,
    pub out_refund_no: Option<String>,
    pub transaction_id: Option<String>,
    /// What our ledger says, fen; `None` when it has nothing.
    pub ours_fen: Option<i64>,
    /// What the bill says, fen; `None` when it has nothing.
    pub theirs_fen: Option<i64>,
}

/// The outcome of comparing one bill.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Comparison {
    pub matched: u64,
    pub differences: Vec<Difference>,
    /// Trades and refunds the bill carries (matched or not), so a later run can clear a
    /// `missing_in_bill` of an earlier day that this bill carries.
    pub seen_trades: Vec<String>,
    pub seen_refunds: Vec<String>,
}

/// Compares a bill with the ledger. Deterministic: differences come in bill order, then the
/// ledger's own entries missing from the bill in the order given.
pub fn compare(bill: &[BillEntry], ledger: &Ledger) -> Comparison {
    let mut out = Comparison::default();
    let mut trades_in_bill = HashSet::new();
    let mut refunds_in_bill = HashSet::new();
    for entry in bill {
        match entry {
            BillEntry::Payment {
                out_trade_no,
                transaction_id,
                amount_fen,
                ..
            } => {
                trades_in_bill.insert(out_trade_no.as_str());
                out.seen_trades.push(out_trade_no.clone());
                let diff = |kind, ours: Option<i64>| Difference {
                    kind,
                    out_trade_no: Some(out_trade_no.clone()),
                    out_refund_no: None,
                    transaction_id: Some(transaction_id.clone()),
                    ours_fen: ours,
                    theirs_fen: Some(*amount_fen),
                };
                match ledger.payments.get(out_trade_no) {
                    None => out
                        .differences
                        .push(diff(DifferenceKind::UnknownTrade, None)),
                    Some(p) if !p.paid => out
                        .differences
                        .push(diff(DifferenceKind::NotPaidHere, Some(p.amount_fen))),
                    Some(p) if p.amount_fen != *amount_fen => out
                        .differences
                        .push(diff(DifferenceKind::AmountMismatch, Some(p.amount_fen))),
                    Some(p) if p.transaction_id.as_deref() != Some(transaction_id.as_str()) => {
                        out.differences.push(diff(
                            DifferenceKind::TransactionMismatch,
                            Some(p.amount_fen),
                        ));
                    }
                    Some(_) => out.matched += 1,
                }
            }
            BillEntry::Refund {
                out_trade_no,
                out_refund_no,
                amount_fen,
                ..
            } => {
                refunds_in_bill.insert(out_refund_no.as_str());
                out.seen_refunds.push(out_refund_no.clone());
                let diff = |kind, ours: Option<i64>| Difference {
                    kind,
                    out_trade_no: Some(out_trade_no.clone()),
                    out_refund_no: Some(out_refund_no.clone()),
                    transaction_id: None,
                    ours_fen: ours,
                    theirs_fen: Some(*amount_fen),
                };
                match ledger.refunds.get(out_refund_no) {
                    None => out
                        .differences
                        .push(diff(DifferenceKind::UnknownRefund, None)),
                    Some(r) if !r.settled => out.differences.push(diff(
                        DifferenceKind::RefundNotSettledHere,
                        Some(r.amount_fen),
                    )),
                    Some(r) if r.amount_fen != *amount_fen => out.differences.push(diff(
                        DifferenceKind::RefundAmountMismatch,
                        Some(r.amount_fen),
                    )),
                    Some(_) => out.matched += 1,
                }
            }
        }
    }
    for p in &ledger.paid_that_day {
        if !trades_in_bill.contains(p.out_trade_no.as_str()) {
            out.differences.push(Difference {
                kind: DifferenceKind::MissingInBill,
                out_trade_no: Some(p.out_trade_no.clone()),
                out_refund_no: None,
                transaction_id: p.transaction_id.clone(),
                ours_fen: Some(p.amount_fen),
                theirs_fen: None,
            });
        }
    }
    for r in &ledger.refunded_that_day {
        if !refunds_in_bill.contains(r.out_refund_no.as_str()) {
            out.differences.push(Difference {
                kind: DifferenceKind::RefundMissingInBill,
                out_trade_no: None,
                out_refund_no: Some(r.out_refund_no.clone()),
                transaction_id: None,
                ours_fen: Some(r.amount_fen),
                theirs_fen: None,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t() -> DateTime<Utc> {
        DateTime::<Utc>::from_timestamp(1_796_000_000, 0).unwrap_or_default()
    }

    fn pay(no: &str, tx: &str, fen: i64) -> BillEntry {
        BillEntry::Payment {
            out_trade_no: no.into(),
            transaction_id: tx.into(),
            amount_fen: fen,
            at: t(),
        }
    }

    fn refund(no: &str, rno: &str, fen: i64) -> BillEntry {
        BillEntry::Refund {
            out_trade_no: no.into(),
            out_refund_no: rno.into(),
            amount_fen: fen,
            at: t(),
        }
    }

    fn ours(no: &str, paid: bool, tx: Option<&str>, fen: i64) -> LedgerPayment {
        LedgerPayment {
            out_trade_no: no.into(),
            paid,
            transaction_id: tx.map(Into::into),
            amount_fen: fen,
        }
    }

    fn our_refund(no: &str, settled: bool, fen: i64) -> LedgerRefund {
        LedgerRefund {
            out_refund_no: no.into(),
            settled,
            amount_fen: fen,
        }
    }

    fn ledger(payments: &[LedgerPayment], refunds: &[LedgerRefund]) -> Ledger {
        Ledger {
            payments: payments
                .iter()
                .map(|p| (p.out_trade_no.clone(), p.clone()))
                .collect(),
            refunds: refunds
                .iter()
                .map(|r| (r.out_refund_no.clone(), r.clone()))
                .collect(),
            paid_that_day: payments.iter().filter(|p| p.paid).cloned().collect(),
            refunded_that_day: refunds.iter().filter(|r| r.settled).cloned().collect(),
        }
    }

    fn kinds(c: &Comparison) -> Vec<DifferenceKind> {
        c.differences.iter().map(|d| d.kind).collect()
    }

    #[test]
    fn a_bill_that_agrees_has_no_differences() {
        let l = ledger(
            &[
                ours("a", true, Some("T1"), 100),
                ours("b", true, Some("T2"), 250),
            ],
            &[our_refund("r1", true, 50)],
        );
        let c = compare(
            &[
                pay("a", "T1", 100),
                pay("b", "T2", 250),
                refund("a", "r1", 50),
            ],
            &l,
        );
        assert_eq!(c.matched, 3);
        assert!(c.differences.is_empty(), "{:?}", c.differences);
        assert_eq!(c.seen_trades, ["a", "b"]);
        assert_eq!(c.seen_refunds, ["r1"]);
    }

    #[test]
    fn every_kind_of_disagreement_is_reported_never_matched() {
        let l = Ledger {
            paid_that_day: vec![ours("gone", true, Some("T9"), 700)],
            refunded_that_day: vec![our_refund("rgone", true, 30)],
            ..ledger(
                &[
                    ours("unpaid", false, None, 100),
                    ours("short", true, Some("T2"), 200),
                    ours("othertx", true, Some("T3"), 300),
                ],
                &[
                    our_refund("rpending", false, 10),
                    our_refund("rshort", true, 20),
                ],
            )
        };
        let c = compare(
            &[
                pay("stranger", "T0", 999),
                pay("unpaid", "T1", 100),
                pay("short", "T2", 201),
                pay("othertx", "TX", 300),
                refund("x", "rstranger", 5),
                refund("unpaid", "rpending", 10),
                refund("short", "rshort", 21),
            ],
            &l,
        );
        use DifferenceKind::*;
        assert_eq!(
            kinds(&c),
            [
                UnknownTrade,
                NotPaidHere,
                AmountMismatch,
                TransactionMismatch,
                UnknownRefund,
                RefundNotSettledHere,
                RefundAmountMismatch,
                MissingInBill,
                RefundMissingInBill,
            ]
        );
        assert_eq!(c.matched, 0);
        let short = &c.differences[2];
        assert_eq!((short.ours_fen, short.theirs_fen), (Some(200), Some(201)));
        let gone = &c.differences[7];
        assert_eq!((gone.ours_fen, gone.theirs_fen), (Some(700), None));
        assert_eq!(gone.transaction_id.as_deref(), Some("T9"));
    }

    #[test]
    fn a_payment_recorded_on_another_day_still_matches_its_bill_line() {
        // Paid at 23:59, notified after midnight: the ledger has it, not on the bill's day.
        let mut l = ledger(&[ours("late", true, Some("T1"), 100)], &[]);
        l.paid_that_day.clear();
        let c = compare(&[pay("late", "T1", 100)], &l);
        assert_eq!((c.matched, c.differences.len()), (1, 0));
    }

    #[test]
    fn an_empty_bill_reports_every_payment_of_the_day() {
        let l = ledger(
            &[
                ours("a", true, Some("T1"), 1),
                ours("b", true, Some("T2"), 2),
            ],
            &[],
        );
        let c = compare(&[], &l);
        assert_eq!(
            kinds(&c),
            [DifferenceKind::MissingInBill, DifferenceKind::MissingInBill]
        );
    }
}
