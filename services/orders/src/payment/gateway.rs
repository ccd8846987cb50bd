//! What the WeChat Pay and Alipay providers share: a payment intent's id is our order number
//! at the provider, and the adapters' provider-neutral notifications, trades and errors are
//! read into the orders service's own terms.

use super::{ProviderPayment, RefundNotice, Verified, WebhookError, WebhookEvent};
use crate::domain::reconcile::BillEntry;
use crate::payment::Outcome;
use farmgate_infra::pay::{BillLine, Notification, NotificationKind, PayError, Trade, TradeState};
use uuid::Uuid;

/// Our order number at the provider: the intent id as 32 hex digits (both providers take
/// letters and digits, WeChat at most 32).
pub(crate) fn out_trade_no(intent_id: Uuid) -> String {
    intent_id.simple().to_string()
}

/// The intent a provider's order number names.
pub(crate) fn intent_of(out_trade_no: &str) -> Option<Uuid> {
    if out_trade_no.len() == 32 && out_trade_no.bytes().all(|b| b.is_ascii_hexdigit()) {
        Uuid::parse_str(out_trade_no).ok()
    } else {
        None
    }
}

/// A verified notification, as the orders service applies it.
pub(crate) fn verified(n: Notification) -> Result<Verified, WebhookError> {
    let payment = |outcome| {
        let intent_id = intent_of(&n.out_trade_no).ok_or_else(|| {
            WebhookError::Malformed(format!(
                "out_trade_no {:?} is no intent of ours",
                n.out_trade_no
            ))
        })?;
        Ok(Verified::Payment(WebhookEvent {
            event_id: n.event_id.clone(),
            intent_id,
            outcome,
            amount_fen: n.amount_fen,
            transaction_id: n.transaction_id.clone(),
        }))
    };
    match n.kind {
        NotificationKind::Paid => payment(Outcome::Succeeded),
        NotificationKind::Closed => payment(Outcome::Failed),
        NotificationKind::Pending => Ok(Verified::Noted {
            event_id: n.event_id.clone(),
            what: format!("trade {} is still {}", n.out_trade_no, n.provider_state),
            alert: false,
        }),
        NotificationKind::Refunded => refund(&n, true),
        NotificationKind::RefundFailed => refund(&n, false),
    }
}

/// A refund notification, naming one of our refunds.
fn refund(n: &Notification, succeeded: bool) -> Result<Verified, WebhookError> {
    let info = n.refund.as_ref();
    let refund_id = info
        .and_then(|r| r.out_refund_no.as_deref())
        .and_then(intent_of)
        .ok_or_else(|| {
            WebhookError::Malformed("the refund notification names no refund of ours".to_owned())
        })?;
    Ok(Verified::Refund(RefundNotice {
        event_id: n.event_id.clone(),
        refund_id,
        intent_id: intent_of(&n.out_trade_no),
        succeeded,
        amount_fen: info.and_then(|r| r.amount_fen),
        reference: info.and_then(|r| r.refund_id.clone()),
        provider_state: n.provider_state.clone(),
    }))
}

/// Why a notification was refused, in the orders service's terms.
pub(crate) fn refused(e: PayError) -> WebhookError {
    match e {
        PayError::BadSignature { .. } => WebhookError::BadSignature,
        PayError::WrongKeySerial { got, .. } => WebhookError::UnknownKey(format!("key {got}")),
        PayError::Decrypt { .. } => WebhookError::UnknownKey("the APIv3 key".to_owned()),
        PayError::Stale { .. } => WebhookError::Stale,
        PayError::WrongRecipient { .. } => WebhookError::WrongRecipient,
        other => WebhookError::Malformed(other.to_string()),
    }
}

/// A queried trade, in the orders service's terms.
pub(crate) fn payment_state(t: Trade) -> Result<ProviderPayment, String> {
    Ok(match t.state {
        TradeState::NotPaid | TradeState::Paying => ProviderPayment::Unpaid,
        TradeState::Closed | TradeState::Failed => ProviderPayment::Closed,
        TradeState::Paid | TradeState::Refunded | TradeState::Finished => ProviderPayment::Paid {
            transaction_id: t
                .transaction_id
                .ok_or_else(|| format!("paid trade {} has no transaction id", t.out_trade_no))?,
            amount_fen: t.amount_fen,
        },
    })
}

/// A query's answer: a trade the provider never saw (never prepaid at WeChat Pay, the cashier
/// never opened at Alipay) is unpaid.
pub(crate) fn queried(got: Result<Trade, PayError>) -> Result<ProviderPayment, String> {
    match got {
        Ok(trade) => payment_state(trade),
        Err(e) if never_seen(&e) => Ok(ProviderPayment::Unpaid),
        Err(e) => Err(e.to_string()),
    }
}

/// A close's answer: a trade the provider never saw has nothing to close.
pub(crate) fn closed(got: Result<(), PayError>) -> Result<(), String> {
    match got {
        Ok(()) => Ok(()),
        Err(e) if never_seen(&e) => Ok(()),
        Err(e) => Err(e.to_string()),
    }
}

/// Whether a refusal is the provider saying it never saw the trade.
pub(crate) fn never_seen(e: &PayError) -> bool {
    matches!(e, PayError::Rejected { code, .. }
        if code == "ORDER_NOT_EXIST" || code == "ACQ.TRADE_NOT_EXIST")
}

/// A payment the buyer sees on the provider's page and statement.
pub(crate) fn description(order_number: &str) -> String {
    format!("农源直供 订单 {order_number}")
}

/// A day's bill as the providers give it: WeChat Pay answers `NO_STATEMENT_EXIST` and Alipay
/// `isp.bill_not_exist` for a day without a single trade, which is an empty bill (the ledger
/// must then be empty too), not a failure to retry. Anything else (`STATEMENT_CREATING`
/// before 10:00, the provider down) is an error: the run is tried again.
pub(crate) fn bill_of_day(
    got: Result<Vec<BillLine>, PayError>,
) -> Result<Option<Vec<BillEntry>>, String> {
    match got {
        Ok(lines) => Ok(Some(bill_entries(lines))),
        Err(PayError::Rejected { code, .. })
            if code == "NO_STATEMENT_EXIST" || code == "isp.bill_not_exist" =>
        {
            Ok(Some(Vec::new()))
        }
        Err(e) => Err(e.to_string()),
    }
}

/// A provider's bill lines as entries to reconcile: payments (`SUCCESS` at WeChat, `交易` at
/// Alipay) and refunds; other lines (a revoked trade) moved no money and are left out.
pub(crate) fn bill_entries(lines: Vec<BillLine>) -> Vec<BillEntry> {
    lines
        .into_iter()
        .filter_map(|l| match l.refund {
            Some(r) => Some(BillEntry::Refund {
                out_trade_no: l.out_trade_no,
                out_refund_no: r.out_refund_no,
                amount_fen: r.amount_fen,
                at: l.trade_time,
            }),
            None if matches!(l.status.as_str(), "SUCCESS" | "交易") => Some(BillEntry::Payment {
                out_trade_no: l.out_trade_no,
                transaction_id: l.transaction_id,
                amount_fen: l.amount_fen,
                at: l.trade_time,
            }),
            None => None,
        })
        .collect()
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;
    use farmgate_infra::pay::RefundInfo;

    fn notification(kind: NotificationKind, out_trade_no: &str) -> Notification {
        Notification {
            provider: "wechat",
            kind,
            event_id: "EV-1".into(),
            out_trade_no: out_trade_no.into(),
            transaction_id: "4200001".into(),
            amount_fen: 1234,
            payer_total_fen: Some(1200),
            refund: Some(RefundInfo {
                out_refund_no: Some("r1".into()),
                refund_id: None,
                amount_fen: Some(100),
                total_refunded_fen: None,
            }),
            provider_state: "ABNORMAL".into(),
            occurred_at: None,
        }
    }

    #[test]
    fn intent_ids_go_out_as_order_numbers_and_come_back() {
        let id = Uuid::now_v7();
        let no = out_trade_no(id);
        assert_eq!(no.len(), 32);
        assert_eq!(intent_of(&no), Some(id));
        assert_eq!(intent_of("FG2026"), None);
        assert_eq!(intent_of(&id.to_string()), None);
    }

    #[test]
    fn payments_and_refund_outcomes_become_events_of_ours() {
        let id = Uuid::now_v7();
        let paid = verified(notification(NotificationKind::Paid, &out_trade_no(id))).unwrap();
        assert_eq!(
            paid,
            Verified::Payment(WebhookEvent {
                event_id: "EV-1".into(),
                intent_id: id,
                outcome: Outcome::Succeeded,
                amount_fen: 1234,
                transaction_id: "4200001".into(),
            })
        );
        let closed = verified(notification(NotificationKind::Closed, &out_trade_no(id))).unwrap();
        assert!(matches!(
            closed,
            Verified::Payment(WebhookEvent {
                outcome: Outcome::Failed,
                ..
            })
        ));
        // A refund notice names our refund; one naming something else is malformed.
        let mut failed = notification(NotificationKind::RefundFailed, &out_trade_no(id));
        let refund_id = Uuid::now_v7();
        if let Some(r) = failed.refund.as_mut() {
            r.out_refund_no = Some(out_trade_no(refund_id));
        }
        let Verified::Refund(notice) = verified(failed.clone()).unwrap() else {
            panic!("a refund notice")
        };
        assert_eq!(notice.refund_id, refund_id);
        assert_eq!(notice.intent_id, Some(id));
        assert!(!notice.succeeded);
        assert_eq!(notice.amount_fen, Some(100));
        failed.kind = NotificationKind::Refunded;
        let Verified::Refund(ok) = verified(failed).unwrap() else {
            panic!("a refund notice")
        };
        assert!(ok.succeeded);
        assert!(matches!(
            verified(notification(NotificationKind::Refunded, &out_trade_no(id))),
            Err(WebhookError::Malformed(_))
        ));
        assert!(matches!(
            verified(notification(NotificationKind::Paid, "FG2026")),
            Err(WebhookError::Malformed(_))
        ));
    }
}
