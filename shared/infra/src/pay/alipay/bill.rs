//! The Alipay trade bill ("业务明细"): what `bill_download_url` serves.
//!
//! A ZIP archive holding two CSV files encoded in GBK: `…_业务明细.csv` (one row per trade
//! or refund) and `…_业务明细(汇总).csv` (totals). The detail file opens with `#` comment
//! lines (account, period), then a header row, the rows, and `#` trailer lines including
//! `#交易合计：N笔，退款合计：M笔`. Fields are comma-separated and often padded with tabs
//! (so spreadsheets keep long numbers as text); amounts are yuan, negative on refund rows.
//! Columns are found by their header names: `支付宝交易号`, `商户订单号`, `业务类型`
//! (`交易` or `退款`), `完成时间`, `订单金额（元）`, `退款批次号/请求号` (our refund's
//! `out_request_no`). The rows must add up to the trailer's counts.

use super::super::money::signed_yuan_to_fen;
use super::super::{BillLine, BillRefund, PayError, parse_china_time};
use super::PROVIDER;
use std::io::Read;

fn malformed(what: impl Into<String>) -> PayError {
    PayError::Malformed {
        provider: PROVIDER,
        what: format!("trade bill: {}", what.into()),
    }
}

/// Largest bill file we unpack (a county marketplace's day is far smaller).
const MAX_UNPACKED: u64 = 64 * 1024 * 1024;

/// The detail CSV's text, from the downloaded archive (or from a bare CSV, UTF-8 or GBK).
pub fn unpack(bytes: &[u8]) -> Result<String, PayError> {
    if !bytes.starts_with(b"PK\x03\x04") {
        return Ok(decode(bytes));
    }
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| malformed(format!("not a readable ZIP: {e}")))?;
    for i in 0..archive.len() {
        let mut file = archive
            .by_index(i)
            .map_err(|e| malformed(format!("ZIP entry {i}: {e}")))?;
        // Names are GBK too; the detail file is the one that is not the summary.
        let name = decode(file.name_raw());
        if name.ends_with(".csv") && name.contains("业务明细") && !name.contains("汇总") {
            let mut raw = Vec::new();
            (&mut file)
                .take(MAX_UNPACKED)
                .read_to_end(&mut raw)
                .map_err(|e| malformed(format!("ZIP entry {i}: {e}")))?;
            return Ok(decode(&raw));
        }
    }
    Err(malformed("no 业务明细 file in the archive"))
}

/// UTF-8 when it is, GBK otherwise (what Alipay writes).
fn decode(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => encoding_rs::GBK.decode(bytes).0.into_owned(),
    }
}

/// Reads the detail CSV into payment and refund lines.
pub fn parse_trade_bill(text: &str) -> Result<Vec<BillLine>, PayError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut header: Option<Vec<String>> = None;
    let mut lines = Vec::new();
    let mut trailer: Option<(usize, usize)> = None;
    let mut refunds = 0usize;
    for row in text.lines() {
        let row = row.trim_end_matches('\r');
        if row.trim().is_empty() {
            continue;
        }
        if let Some(comment) = row.strip_prefix('#') {
            if let Some(counts) = comment.strip_prefix("交易合计：") {
                trailer = parse_counts(counts);
            }
            continue;
        }
        let fields: Vec<&str> = row
            .split(',')
            .map(|f| f.trim_matches(|c: char| c.is_whitespace()))
            .collect();
        let Some(names) = &header else {
            header = Some(fields.iter().map(|f| (*f).to_owned()).collect());
            continue;
        };
        let column = |name: &str| {
            names
                .iter()
                .position(|n| n == name)
                .ok_or_else(|| malformed(format!("no column {name}")))
        };
        if fields.len() < names.len() {
            return Err(malformed(format!("row {} is short", lines.len() + 1)));
        }
        let at = |name: &str| column(name).map(|i| fields[i]);
        let amount = signed_yuan_to_fen(at("订单金额（元）")?)
            .map_err(|e| malformed(format!("row {}: {e}", lines.len() + 1)))?;
        let kind = at("业务类型")?.to_owned();
        let refund = if kind == "退款" {
            refunds += 1;
            Some(BillRefund {
                refund_id: None,
                out_refund_no: at("退款批次号/请求号")?.to_owned(),
                amount_fen: amount.abs(),
            })
        } else {
            None
        };
        lines.push(BillLine {
            trade_time: parse_china_time(at("完成时间")?)
                .ok_or_else(|| malformed(format!("row {}: 完成时间", lines.len() + 1)))?,
            transaction_id: at("支付宝交易号")?.to_owned(),
            out_trade_no: at("商户订单号")?.to_owned(),
            status: kind,
            amount_fen: amount,
            refund,
        });
    }
    match trailer {
        Some((trades, r)) if trades + r == lines.len() && r == refunds => Ok(lines),
        Some((trades, r)) => Err(malformed(format!(
            "{} rows ({refunds} refunds), the trailer says {trades} trades and {r} refunds",
            lines.len()
        ))),
        None => Err(malformed("the 交易合计 trailer is missing")),
    }
}

/// `1笔，退款合计：0笔` → (1, 0).
fn parse_counts(text: &str) -> Option<(usize, usize)> {
    let (trades, rest) = text.split_once('笔')?;
    let refunds = rest.split_once("退款合计：")?.1.split_once('笔')?.0;
    Some((trades.trim().parse().ok()?, refunds.trim().parse().ok()?))
}

#[cfg(test)]
#[expect(clippy::expect_used, reason = "a failed setup is a failed test")]
mod tests {
    use super::*;

    pub(crate) fn sample(rows: &[&str], trades: usize, refunds: usize) -> String {
        let mut text = String::from(
            "#支付宝业务明细查询\n#账号：[20880000000000000156]\n#起始日期：[2026年12月05日 00:00:00]   终止日期：[2026年12月06日 00:00:00]\n#-----------------------------------------业务明细列表----------------------------------------\n支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,门店名称,操作员,终端号,对方账户,订单金额（元）,商家实收（元）,支付宝红包（元）,集分宝（元）,支付宝优惠（元）,商家优惠（元）,券核销金额（元）,券名称,商家红包消费金额（元）,卡消费金额（元）,退款批次号/请求号,服务费（元）,分润（元）,备注\n",
        );
        for r in rows {
            text.push_str(r);
            text.push('\n');
        }
        text.push_str("#-----------------------------------------业务明细列表结束------------------------------------\n");
        text.push_str(&format!(
            "#交易合计：{trades}笔，退款合计：{refunds}笔\n#导出时间：[2026年12月06日 10:47:09]\n"
        ));
        text
    }

    const PAID: &str = "2026120522001400000000000001\t,FG20261205001\t,交易,苹果 5斤装,2026-12-05 09:59:00,2026-12-05 10:00:00,,,,,a***@example.com,12.34,12.34,0.00,0.00,0.00,0.00,0.00,,0.00,0.00,,-0.07,0.00,";
    const REFUND: &str = "2026120522001400000000000001\t,FG20261205001\t,退款,苹果 5斤装,2026-12-05 11:00:00,2026-12-05 11:00:01,,,,,a***@example.com,-5.00,-5.00,0.00,0.00,0.00,0.00,0.00,,0.00,0.00,RF20261205001\t,0.03,0.00,";

    #[test]
    fn trades_and_refunds_are_read_by_column_name() {
        let lines = parse_trade_bill(&sample(&[PAID, REFUND], 1, 1)).expect("bill");
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].transaction_id, "2026120522001400000000000001");
        assert_eq!(lines[0].out_trade_no, "FG20261205001");
        assert_eq!(lines[0].status, "交易");
        assert_eq!(lines[0].amount_fen, 1234);
        assert_eq!(
            lines[0].trade_time,
            parse_china_time("2026-12-05 10:00:00").expect("time")
        );
        assert_eq!(lines[1].amount_fen, -500);
        assert_eq!(
            lines[1].refund,
            Some(BillRefund {
                refund_id: None,
                out_refund_no: "RF20261205001".into(),
                amount_fen: 500,
            })
        );
    }

    #[test]
    fn a_bill_whose_rows_do_not_match_the_trailer_is_refused() {
        assert!(parse_trade_bill(&sample(&[PAID], 2, 0)).is_err());
        assert!(parse_trade_bill(&sample(&[PAID, REFUND], 2, 0)).is_err());
        let no_trailer: String = sample(&[PAID], 1, 0)
            .lines()
            .filter(|l| !l.starts_with("#交易合计"))
            .map(|l| format!("{l}\n"))
            .collect();
        assert!(parse_trade_bill(&no_trailer).is_err());
        let bad_amount = PAID.replace(",12.34,12.34,", ",12.345,12.34,");
        assert!(parse_trade_bill(&sample(&[&bad_amount], 1, 0)).is_err());
        assert_eq!(
            parse_trade_bill(&sample(&[], 0, 0)).expect("empty day"),
            vec![]
        );
    }

    #[test]
    fn a_gbk_csv_is_decoded() {
        let text = sample(&[PAID], 1, 0);
        let (gbk, _, lossy) = encoding_rs::GBK.encode(&text);
        assert!(!lossy);
        assert!(std::str::from_utf8(&gbk).is_err());
        assert_eq!(unpack(&gbk).expect("text"), text);
    }

    #[test]
    fn a_broken_archive_is_malformed() {
        assert!(matches!(
            unpack(b"PK\x03\x04 broken"),
            Err(PayError::Malformed { .. })
        ));
    }
}
