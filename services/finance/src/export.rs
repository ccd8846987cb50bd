//! A payout batch as the bank takes it: the layout of Chinese banks' batch-transfer templates
//! (批量转账 / 代发): one row per transfer with 序号, 收款账户名称, 收款账号, 收款银行, 开户行,
//! 联行号, 金额 (yuan with two decimals, exact from fen) and 用途 (the batch, and the refunds a
//! payout takes back: `农源直供货款结算 PB20261206-001 扣回退款12.34`) — as CSV (UTF-8 with a BOM, so
//! Excel and the banks' upload tools read the Chinese; CRLF; RFC 4180 quoting) or XLSX (every
//! cell text, so a 19-digit account number never becomes a rounded float).
//!
//! Only payouts still pending are listed: a file made again after some were marked paid (or
//! failed) never asks the bank to pay them twice. There is no total row, which a bank would
//! read as one more transfer; the totals are on the page and in the API.

use crate::domain::{PayoutStatus, payout_purpose, yuan};
use crate::service::BatchRecord;

/// The header row.
pub const HEADERS: [&str; 8] = [
    "序号",
    "收款账户名称",
    "收款账号",
    "收款银行",
    "开户行",
    "联行号",
    "金额",
    "用途",
];

/// The rows of the file, as text, header first.
pub fn rows(batch: &BatchRecord) -> Vec<Vec<String>> {
    let mut out = vec![HEADERS.iter().map(|h| (*h).to_owned()).collect()];
    let pending = batch
        .payouts
        .iter()
        .filter(|p| p.status == PayoutStatus::Pending);
    for (i, p) in pending.enumerate() {
        out.push(vec![
            (i + 1).to_string(),
            p.account_name.clone(),
            p.account_no.clone(),
            p.bank_name.clone(),
            p.branch.clone(),
            p.cnaps.clone().unwrap_or_default(),
            yuan(p.amount),
            payout_purpose(&batch.number, p.adjustments.iter().map(|a| a.amount).sum()),
        ]);
    }
    out
}

/// The file's name: `farmgate-payouts-PB20261206-001.csv`.
pub fn filename(batch: &BatchRecord, extension: &str) -> String {
    format!("farmgate-payouts-{}.{extension}", batch.number)
}

/// CSV, UTF-8 with a BOM, CRLF line ends.
pub fn csv(batch: &BatchRecord) -> Vec<u8> {
    let mut out = Vec::from(*b"\xEF\xBB\xBF");
    for row in rows(batch) {
        for (i, cell) in row.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            csv_text(&mut out, cell);
        }
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// A text field: a leading `'` against formula injection when it starts with `= + - @`, a tab
/// or a CR, then RFC 4180 quoting when it holds a comma, a quote, a CR or an LF.
fn csv_text(out: &mut Vec<u8>, s: &str) {
    let inject = s.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let quote = s.contains([',', '"', '\r', '\n']);
    if quote {
        out.push(b'"');
    }
    if inject {
        out.push(b'\'');
    }
    if quote {
        out.extend_from_slice(s.replace('"', "\"\"").as_bytes());
        out.push(b'"');
    } else {
        out.extend_from_slice(s.as_bytes());
    }
}

/// XLSX: one sheet named after the batch, the header bold, every cell text.
pub fn xlsx(batch: &BatchRecord) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let text = Format::new().set_num_format("@");
    let bold = Format::new().set_bold().set_num_format("@");
    let sheet = book.add_worksheet();
    sheet.set_name(&batch.number)?;
    for (col, width) in [6.0, 28.0, 26.0, 16.0, 28.0, 16.0, 14.0, 34.0]
        .into_iter()
        .enumerate()
    {
        sheet.set_column_width(u16::try_from(col).unwrap_or(u16::MAX), width)?;
    }
    for (r, row) in rows(batch).iter().enumerate() {
        let r = u32::try_from(r).unwrap_or(u32::MAX);
        for (c, cell) in row.iter().enumerate() {
            let c = u16::try_from(c).unwrap_or(u16::MAX);
            let format = if r == 0 { &bold } else { &text };
            sheet.write_string_with_format(r, c, cell, format)?;
        }
    }
    book.save_to_buffer()
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;
    use crate::domain::{PayoutBatchId, PayoutId};
    use crate::service::PayoutRecord;
    use chrono::{NaiveDate, Utc};
    use farmgate_kernel::id::OrgId;

    fn payout(seq: i32, name: &str, amount: i64, status: PayoutStatus) -> PayoutRecord {
        PayoutRecord {
            id: PayoutId::new(),
            batch_id: PayoutBatchId::new(),
            batch_number: "PB20261206-001".into(),
            seq,
            org_id: OrgId::new(),
            org_name: name.into(),
            account_name: name.into(),
            account_no: "6228480123456789012".into(),
            bank_name: "中国农业银行".into(),
            branch: "中国农业银行青石县支行".into(),
            cnaps: None,
            amount,
            sub_orders: 1,
            status,
            bank_reference: None,
            failure_reason: None,
            settled_at: None,
            created_at: Utc::now(),
            lines: Vec::new(),
            adjustments: Vec::new(),
        }
    }

    fn batch(payouts: Vec<PayoutRecord>) -> BatchRecord {
        BatchRecord {
            id: PayoutBatchId::new(),
            number: "PB20261206-001".into(),
            period_end: NaiveDate::from_ymd_opt(2026, 12, 6).unwrap(),
            cutoff: Utc::now(),
            total: 0,
            payout_count: 0,
            created_at: Utc::now(),
            held: Vec::new(),
            payouts,
        }
    }

    #[test]
    fn the_csv_has_a_bom_crlf_exact_yuan_and_no_formula() {
        let b = batch(vec![
            payout(1, "梅岭合作社", 123_405, PayoutStatus::Pending),
            payout(2, "=HYPERLINK(\"x\")", 5, PayoutStatus::Pending),
            payout(3, "已付", 100, PayoutStatus::Paid),
        ]);
        let text = String::from_utf8(csv(&b)).unwrap();
        assert!(text.starts_with('\u{feff}'));
        let lines: Vec<&str> = text.trim_start_matches('\u{feff}').split("\r\n").collect();
        assert_eq!(
            lines[0],
            "序号,收款账户名称,收款账号,收款银行,开户行,联行号,金额,用途"
        );
        assert_eq!(
            lines[1],
            "1,梅岭合作社,6228480123456789012,中国农业银行,中国农业银行青石县支行,,1234.05,农源直供货款结算 PB20261206-001"
        );
        assert!(lines[2].starts_with("2,\"'=HYPERLINK(\"\"x\"\")\","));
        assert!(lines[2].contains(",0.05,"));
        assert_eq!(
            lines.len(),
            4,
            "the paid payout is not listed again: {lines:?}"
        );
    }

    #[test]
    fn the_xlsx_is_a_zip_file() {
        let bytes = xlsx(&batch(vec![payout(
            1,
            "梅岭合作社",
            100,
            PayoutStatus::Pending,
        )]))
        .unwrap();
        assert_eq!(&bytes[..2], b"PK");
    }
}
