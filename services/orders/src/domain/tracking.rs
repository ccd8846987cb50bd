//! What a tracking aggregator's states mean to us. 快递100 reports a parcel's state as a
//! number (`lastResult.state`: 0 在途, 1 揽收, 2 疑难, 3 签收, 4 退签, 5 派件, 6 退回, 7 转投,
//! 8 清关, 14 拒签) and, with `resultv2`, each track line's own state and sub-state
//! (`status` as words, `statusCode` such as 103 已揽收, 1002 干线, 501 投柜或驿站, 301 正常签收,
//! 204 派件异常). Each maps to the [`LogisticsKind`] a seller would have entered by hand, so
//! a pushed line feeds the same timeline, notifications and claim rules.
//!
//! A state that says nothing about the parcel moving yet (101 已下单, 102 待揽收) maps to
//! nothing: the line is not recorded.

use super::LogisticsKind;
use farmgate_kernel::wire_enum;

wire_enum!(
    /// Where a parcel's subscription with the tracking aggregator stands.
    #[schema(as = TrackingSubscriptionStatus)]
    SubscriptionStatus {
        /// Written with the shipment; the outbox job has not asked yet (or will ask again).
        Pending => "pending",
        /// The aggregator tracks the waybill and pushes its track.
        Subscribed => "subscribed",
        /// The aggregator said no (its code and words are kept); the seller enters the
        /// parcel's logistics by hand.
        Refused => "refused",
    }
);

/// A state or sub-state code, as text (`"3"`, `"1002"`); `None` for a code that is not
/// movement (an order placed, waiting for pick-up). An unknown code counts as in transit,
/// the aggregator's own default.
pub fn kind_of_state_code(code: &str) -> Option<LogisticsKind> {
    use LogisticsKind::*;
    Some(match code.trim() {
        "101" | "102" => return None,
        "1" | "103" => PickedUp,
        "0" | "1001" | "1002" | "1003" | "7" | "8" | "10" | "11" | "12" => InTransit,
        "5" | "501" => OutForDelivery,
        "3" | "301" | "302" | "303" | "304" | "305" => Delivered,
        // 疑难 and its sub-states (超时未签收, 超时未更新, 拒收, 派件异常, 柜或驿站超时未取,
        // 无法联系, 超区, 滞留, 破损, 销单 …), 退签 / 已销单, 退回, 清关异常, 拒签.
        "2" | "4" | "401" | "6" | "13" | "14" => Exception,
        c if c.len() == 3 && c.starts_with('2') => Exception,
        c if c.len() == 4 && c.starts_with("14") => Exception,
        _ => InTransit,
    })
}

/// A track line's state in words (`"在途"`, `"签收"` …), as `resultv2` adds them.
pub fn kind_of_state_name(name: &str) -> Option<LogisticsKind> {
    use LogisticsKind::*;
    Some(match name.trim() {
        "已下单" | "待揽收" => return None,
        "揽收" | "已揽收" => PickedUp,
        "在途" | "干线" | "到达派件城市" | "转递" | "转投" | "转单" | "清关" | "待清关"
        | "清关中" | "已清关" => InTransit,
        "派件" | "投柜或驿站" | "派送中" => OutForDelivery,
        "签收" | "正常签收" | "派件异常后签收" | "代签" | "投柜或站点签收" | "已签收" => {
            Delivered
        }
        "疑难" | "退签" | "退回" | "拒签" | "拒收" | "派件异常" | "清关异常" | "已销单"
        | "超时未签收" | "超时未更新" | "无法联系" | "超区" | "滞留" | "破损" | "销单" => {
            Exception
        }
        _ => InTransit,
    })
}

/// One line of a push, as far as its state goes.
#[derive(Clone, Copy, Debug, Default)]
pub struct LineState<'a> {
    /// `statusCode` (with `resultv2`).
    pub code: Option<&'a str>,
    /// `status` (with `resultv2`).
    pub name: Option<&'a str>,
}

/// The kind of a track line: its own code, else its own state in words, else — for the
/// newest line only — the parcel's state (`lastResult.state`), else in transit. Every line
/// maps the same way in every push that carries it, so a redelivered line is the same event.
pub fn kind_of_line(
    line: LineState<'_>,
    newest: bool,
    parcel_state: &str,
) -> Option<LogisticsKind> {
    if let Some(code) = line.code.filter(|c| !c.trim().is_empty()) {
        return kind_of_state_code(code);
    }
    if let Some(name) = line.name.filter(|n| !n.trim().is_empty()) {
        return kind_of_state_name(name);
    }
    if newest {
        return kind_of_state_code(parcel_state);
    }
    Some(LogisticsKind::InTransit)
}

#[cfg(test)]
mod tests {
    use super::*;
    use LogisticsKind::*;

    #[test]
    fn the_main_states_map_as_a_seller_would_enter_them() {
        let cases = [
            ("0", Some(InTransit)),
            ("1", Some(PickedUp)),
            ("2", Some(Exception)),
            ("3", Some(Delivered)),
            ("4", Some(Exception)),
            ("5", Some(OutForDelivery)),
            ("6", Some(Exception)),
            ("7", Some(InTransit)),
            ("8", Some(InTransit)),
            ("14", Some(Exception)),
        ];
        for (code, kind) in cases {
            assert_eq!(kind_of_state_code(code), kind, "{code}");
        }
    }

    #[test]
    fn sub_states_follow_their_main_state_and_waiting_is_not_movement() {
        assert_eq!(kind_of_state_code("101"), None);
        assert_eq!(kind_of_state_code("102"), None);
        assert_eq!(kind_of_state_code("103"), Some(PickedUp));
        assert_eq!(kind_of_state_code("1002"), Some(InTransit));
        assert_eq!(kind_of_state_code("501"), Some(OutForDelivery));
        assert_eq!(kind_of_state_code("301"), Some(Delivered));
        assert_eq!(kind_of_state_code("304"), Some(Delivered));
        assert_eq!(kind_of_state_code("204"), Some(Exception));
        assert_eq!(kind_of_state_code("209"), Some(Exception));
        assert_eq!(kind_of_state_code("401"), Some(Exception));
        assert_eq!(kind_of_state_code("999"), Some(InTransit));
        assert_eq!(kind_of_state_name("签收"), Some(Delivered));
        assert_eq!(kind_of_state_name("派件"), Some(OutForDelivery));
        assert_eq!(kind_of_state_name("待揽收"), None);
        assert_eq!(kind_of_state_name("疑难"), Some(Exception));
    }

    #[test]
    fn a_line_uses_its_own_state_first_and_only_the_newest_takes_the_parcels() {
        let bare = LineState::default();
        assert_eq!(kind_of_line(bare, true, "3"), Some(Delivered));
        assert_eq!(kind_of_line(bare, false, "3"), Some(InTransit));
        let coded = LineState {
            code: Some("501"),
            name: Some("签收"),
        };
        assert_eq!(kind_of_line(coded, true, "3"), Some(OutForDelivery));
        let named = LineState {
            code: Some(" "),
            name: Some("揽收"),
        };
        assert_eq!(kind_of_line(named, false, "0"), Some(PickedUp));
    }
}
