//! The WeChat Pay trade bill file ("交易账单文件格式说明"): what `download_url` serves.
//!
//! Plain text, comma-separated, in four parts: a header row of column names, detail rows,
//! a summary header (`总交易单数,…`) and one summary row. Every detail and summary field is
//! prefixed with a backtick (`` ` ``) so spreadsheets do not turn numbers into exponents.
//! Amounts are yuan (`0.01`), times are China Standard Time (`2026-12-05 10:00:00`). A
//! payment and its later refund are separate rows; a refund row has `交易状态` `REFUND` and
//! fills `微信退款单号`, `商户退款单号` and `退款金额`. The docs say to find columns by the
//! header's names, not by position, since columns are added over time; we do, and we check
//! that the row count equals the summary's `总交易单数`.

use super::super::money::yuan_to_fen;
use super::super::{BillLine, BillRefund, PayError, parse_china_time};
use super::PROVIDER;

fn malformed(what: impl Into<String>) -> PayError {
    PayError::Malformed {
        provider: PROVIDER,
        what: format!("trade bill: {}", what.into()),
    }
}

/// Splits a row into its fields, dropping each field's backtick. Fields are separated by
/// `` ,` ``, so a comma inside a product name does not split it.
fn fields(row: &str) -> Vec<&str> {
    let row = row.strip_prefix('`').unwrap_or(row);
    row.split(",`").collect()
}

/// Reads the bill into payment and refund lines.
pub fn parse_trade_bill(text: &str) -> Result<Vec<BillLine>, PayError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut rows = text
        .split('\n')
        .map(|r| r.trim_end_matches('\r'))
        .filter(|r| !r.trim().is_empty());
    let header: Vec<&str> = rows
        .next()
        .ok_or_else(|| malformed("empty"))?
        .split(',')
        .map(str::trim)
        .collect();
    let column = |names: &[&str]| -> Result<usize, PayError> {
        names
            .iter()
            .find_map(|n| header.iter().position(|h| h == n))
            .ok_or_else(|| malformed(format!("no column {}", names[0])))
    };
    let c_time = column(&["交易时间"])?;
    let c_transaction = column(&["微信订单号"])?;
    let c_order = column(&["商户订单号"])?;
    let c_status = column(&["交易状态"])?;
    let c_amount = column(&["订单金额", "应结订单金额"])?;
    let c_refund_id = column(&["微信退款单号"])?;
    let c_out_refund = column(&["商户退款单号"])?;
    let c_refund = column(&["退款金额", "申请退款金额"])?;

    let mut lines = Vec::new();
    let mut summary_count = None;
    while let Some(row) = rows.next() {
        if row.starts_with("总交易单数") {
            let totals = rows
                .next()
                .ok_or_else(|| malformed("summary row missing"))?;
            let count = fields(totals).first().map(|c| c.trim().to_owned());
            summary_count = count.and_then(|c| c.parse::<usize>().ok());
            break;
        }
        let f = fields(row);
        if f.len() < header.len() {
            return Err(malformed(format!(
                "row {} has {} fields, the header {}",
                lines.len() + 1,
                f.len(),
                header.len()
            )));
        }
        let at = |i: usize| f[i].trim();
        let amount = |i: usize| {
            yuan_to_fen(at(i)).map_err(|e| malformed(format!("row {}: {e}", lines.len() + 1)))
        };
        let status = at(c_status).to_owned();
        let refund = if status == "REFUND" {
            Some(BillRefund {
                refund_id: Some(at(c_refund_id).to_owned()).filter(|r| !r.is_empty()),
                out_refund_no: at(c_out_refund).to_owned(),
                amount_fen: amount(c_refund)?,
            })
        } else {
            None
        };
        lines.push(BillLine {
            trade_time: parse_china_time(at(c_time))
                .ok_or_else(|| malformed(format!("row {}: trade time", lines.len() + 1)))?,
            transaction_id: at(c_transaction).to_owned(),
            out_trade_no: at(c_order).to_owned(),
            status,
            amount_fen: amount(c_amount)?,
            refund,
        });
    }
    match summary_count {
        Some(n) if n == lines.len() => Ok(lines),
        Some(n) => Err(malformed(format!(
            "{} rows, the summary says {n}",
            lines.len()
        ))),
        None => Err(malformed("summary missing or unreadable")),
    }
}

#[cfg(test)]
#[expect(clippy::expect_used, reason = "a failed setup is a failed test")]
mod tests {
    use super::*;

    const HEADER: &str = "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注";

    fn bill(rows: &[&str], count: usize) -> String {
        let mut text = format!("\u{feff}{HEADER}\r\n");
        for r in rows {
            text.push_str(r);
            text.push_str("\r\n");
        }
        text.push_str("总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额\r\n");
        text.push_str(&format!(
            "`{count},`12.34,`5.00,`0.00,`0.07,`12.34,`5.00\r\n"
        ));
        text
    }

    const PAID: &str = "`2026-12-05 10:00:00,`wx8888,`1900009191,`0,`,`4200000001,`FG20261205001,`oUpF8,`JSAPI,`SUCCESS,`OTHERS,`CNY,`12.34,`0.00,`0,`0,`0.00,`0.00,`,`,`苹果, 5斤装,`,`0.07000,`0.60%,`12.34,`0.00,`";
    const REFUND: &str = "`2026-12-05 11:00:00,`wx8888,`1900009191,`0,`,`4200000001,`FG20261205001,`oUpF8,`JSAPI,`REFUND,`OTHERS,`CNY,`0.00,`0.00,`50300001,`RF-1,`5.00,`0.00,`ORIGINAL,`SUCCESS,`苹果,`,`-0.03000,`0.60%,`0.00,`5.00,`";

    #[test]
    fn payments_and_refunds_are_read_by_column_name() {
        let lines = parse_trade_bill(&bill(&[PAID, REFUND], 2)).expect("bill");
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].transaction_id, "4200000001");
        assert_eq!(lines[0].out_trade_no, "FG20261205001");
        assert_eq!(lines[0].status, "SUCCESS");
        assert_eq!(lines[0].amount_fen, 1234);
        assert_eq!(lines[0].refund, None);
        assert_eq!(
            lines[0].trade_time,
            parse_china_time("2026-12-05 10:00:00").expect("time")
        );
        assert_eq!(
            lines[1].refund,
            Some(BillRefund {
                refund_id: Some("50300001".into()),
                out_refund_no: "RF-1".into(),
                amount_fen: 500,
            })
        );
    }

    #[test]
    fn a_bill_that_does_not_add_up_is_refused() {
        assert!(parse_trade_bill(&bill(&[PAID], 2)).is_err());
        let no_summary = format!("{HEADER}\n{PAID}\n");
        assert!(parse_trade_bill(&no_summary).is_err());
        assert!(parse_trade_bill("").is_err());
        let bad_amount = PAID.replace(",`12.34,`0.00,`", ",`12.345,`0.00,`");
        assert!(parse_trade_bill(&bill(&[&bad_amount], 1)).is_err());
        let short = "`2026-12-05 10:00:00,`wx8888";
        assert!(parse_trade_bill(&bill(&[short], 1)).is_err());
        let no_column = bill(&[PAID], 1).replace("商户订单号", "订单号");
        assert!(parse_trade_bill(&no_column).is_err());
    }

    #[test]
    fn an_empty_day_is_an_empty_bill() {
        assert_eq!(parse_trade_bill(&bill(&[], 0)).expect("bill"), vec![]);
    }
}
