//! The invoice as a document: what it says (number, date in Asia/Shanghai, seller, buyer,
//! lines with quantities and amounts, the total in figures and in capital numerals) and how the
//! local issuer lays it out on an A4 page. The lines always add up to the amount invoiced:
//! what was paid, less what was refunded before issue (shown as a discount line).

use super::capital::{capital, yuan};
use super::pdf::{self, PAGE_WIDTH, Page, fit};
use super::{InvoiceKind, SpecialDetails};
use chrono::{DateTime, Utc};
use farmgate_kernel::clock::shanghai;

/// One line of goods (or shipping, or the refund discount).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocumentLine {
    pub name: String,
    /// The SKU (规格型号).
    pub spec: String,
    pub unit: String,
    /// `None` for lines that are not goods (shipping, discount).
    pub quantity: Option<i64>,
    pub unit_price_fen: Option<i64>,
    pub amount_fen: i64,
}

/// Everything an invoice prints.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvoiceDocument {
    pub number: String,
    pub kind: InvoiceKind,
    pub issued_at: DateTime<Utc>,
    pub seller_name: String,
    pub seller_tax_no: String,
    pub buyer_title: String,
    pub buyer_tax_no: String,
    pub special: Option<SpecialDetails>,
    pub lines: Vec<DocumentLine>,
    /// The sum of the lines.
    pub total_fen: i64,
    /// The order it is for (备注).
    pub sub_order_number: String,
    pub issuer_name: String,
}

impl InvoiceDocument {
    /// The lines of a sub-order as bought, its shipping, and what was refunded before issue
    /// as a negative discount line; the total is their sum.
    pub fn lines_for(
        goods: Vec<DocumentLine>,
        shipping_fen: i64,
        refunded_fen: i64,
    ) -> (Vec<DocumentLine>, i64) {
        let mut lines = goods;
        if shipping_fen != 0 {
            lines.push(DocumentLine {
                name: "*运输服务*运费".to_owned(),
                spec: String::new(),
                unit: String::new(),
                quantity: None,
                unit_price_fen: None,
                amount_fen: shipping_fen,
            });
        }
        if refunded_fen != 0 {
            lines.push(DocumentLine {
                name: "折让（开票前已退款）".to_owned(),
                spec: String::new(),
                unit: String::new(),
                quantity: None,
                unit_price_fen: None,
                amount_fen: -refunded_fen,
            });
        }
        let total = lines.iter().map(|l| l.amount_fen).sum();
        (lines, total)
    }

    /// The date printed on it, in China: `2026年12月06日`.
    pub fn date(&self) -> String {
        self.issued_at
            .with_timezone(&shanghai())
            .format("%Y年%m月%d日")
            .to_string()
    }

    fn heading(&self) -> &'static str {
        match self.kind {
            InvoiceKind::Normal => "电子发票（普通发票）",
            InvoiceKind::Special => "电子发票（增值税专用发票）",
        }
    }

    /// The one-page PDF. The same document always renders to the same bytes.
    pub fn to_pdf(&self) -> Vec<u8> {
        const LEFT: f32 = 40.0;
        const RIGHT: f32 = PAGE_WIDTH - 40.0;
        // Column right edges of the table: name | spec | unit | qty | price | amount.
        const COLS: [f32; 6] = [230.0, 320.0, 360.0, 410.0, 480.0, RIGHT];
        let mut p = Page::default();
        p.fill_rgb(0.0, 0.0, 0.0);
        p.stroke_rgb(0.6, 0.25, 0.15);
        p.line_width(0.8);
        p.text_centred(PAGE_WIDTH / 2.0, 790.0, 18.0, self.heading());
        p.text(380.0, 765.0, 9.0, &format!("发票号码：{}", self.number));
        p.text(380.0, 751.0, 9.0, &format!("开票日期：{}", self.date()));

        // Buyer and seller.
        let mut y = 735.0;
        let party_h = if self.special.is_some() { 78.0 } else { 50.0 };
        p.rect(LEFT, y - party_h, RIGHT - LEFT, party_h);
        p.line(PAGE_WIDTH / 2.0, y, PAGE_WIDTH / 2.0, y - party_h);
        let half = PAGE_WIDTH / 2.0 - LEFT - 16.0;
        let mut buyer = vec![
            format!("购买方名称：{}", self.buyer_title),
            format!("统一社会信用代码/纳税人识别号：{}", self.buyer_tax_no),
        ];
        if let Some(s) = &self.special {
            buyer.push(format!("地址、电话：{} {}", s.address, s.phone));
            buyer.push(format!("开户行及账号：{} {}", s.bank, s.bank_account));
        }
        for (i, t) in buyer.iter().enumerate() {
            p.text(
                LEFT + 8.0,
                y - 16.0 - 14.0 * i as f32,
                8.5,
                &fit(t, 8.5, half),
            );
        }
        let seller = [
            format!("销售方名称：{}", self.seller_name),
            format!("统一社会信用代码/纳税人识别号：{}", self.seller_tax_no),
        ];
        for (i, t) in seller.iter().enumerate() {
            p.text(
                PAGE_WIDTH / 2.0 + 8.0,
                y - 16.0 - 14.0 * i as f32,
                8.5,
                &fit(t, 8.5, half),
            );
        }
        y -= party_h;

        // The lines.
        let header = ["项目名称", "规格型号", "单位", "数量", "单价", "金额"];
        let row_h = 16.0;
        p.line(LEFT, y - row_h, RIGHT, y - row_h);
        p.text(LEFT + 6.0, y - 12.0, 9.0, header[0]);
        for (i, h) in header.iter().enumerate().skip(1) {
            p.text_right(COLS[i] - 4.0, y - 12.0, 9.0, h);
        }
        let mut row_y = y - row_h;
        for l in &self.lines {
            let base = row_y - 12.0;
            p.text(
                LEFT + 6.0,
                base,
                8.5,
                &fit(&l.name, 8.5, COLS[0] - LEFT - 10.0),
            );
            p.text_right(COLS[1] - 4.0, base, 8.5, &fit(&l.spec, 8.5, 84.0));
            p.text_right(COLS[2] - 4.0, base, 8.5, &fit(&l.unit, 8.5, 36.0));
            if let Some(q) = l.quantity {
                p.text_right(COLS[3] - 4.0, base, 8.5, &q.to_string());
            }
            if let Some(u) = l.unit_price_fen {
                p.text_right(COLS[4] - 4.0, base, 8.5, &yuan(u));
            }
            p.text_right(COLS[5] - 4.0, base, 8.5, &yuan(l.amount_fen));
            row_y -= row_h;
        }
        let total_y = row_y - 4.0;
        p.line(LEFT, total_y, RIGHT, total_y);
        p.text(LEFT + 6.0, total_y - 13.0, 9.0, "合计");
        p.text_right(
            RIGHT - 4.0,
            total_y - 13.0,
            9.0,
            &format!("¥{}", yuan(self.total_fen)),
        );
        let words_y = total_y - 20.0;
        p.line(LEFT, words_y, RIGHT, words_y);
        p.text(
            LEFT + 6.0,
            words_y - 14.0,
            9.5,
            &format!("价税合计（大写）：{}", capital(self.total_fen)),
        );
        p.text_right(
            RIGHT - 4.0,
            words_y - 14.0,
            9.5,
            &format!("（小写）¥{}", yuan(self.total_fen)),
        );
        let remark_y = words_y - 22.0;
        p.line(LEFT, remark_y, RIGHT, remark_y);
        p.text(
            LEFT + 6.0,
            remark_y - 14.0,
            8.5,
            &format!("备注：订单号 {}", self.sub_order_number),
        );
        let bottom = remark_y - 22.0;
        p.rect(LEFT, bottom, RIGHT - LEFT, y - bottom);
        for x in &COLS[..5] {
            p.line(*x, y, *x, total_y);
        }
        p.text(
            LEFT,
            bottom - 16.0,
            8.5,
            &fit(&format!("开票人：{}", self.issuer_name), 8.5, 240.0),
        );
        p.text(
            LEFT,
            bottom - 34.0,
            7.5,
            "本发票由农源直供平台按订单实付金额生成；接入税务机关电子发票服务平台的部署以其开具的发票为准。",
        );
        let created = self
            .issued_at
            .with_timezone(&shanghai())
            .format("D:%Y%m%d%H%M%S+08'00'")
            .to_string();
        pdf::write(
            &p,
            &pdf::Info {
                title: format!("{} {}", self.heading(), self.number),
                created,
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn doc() -> InvoiceDocument {
        let goods = vec![DocumentLine {
            name: "赣南脐橙 5kg 装".to_owned(),
            spec: "特级果".to_owned(),
            unit: "箱".to_owned(),
            quantity: Some(12),
            unit_price_fen: Some(4_990),
            amount_fen: 59_880,
        }];
        let (lines, total) = InvoiceDocument::lines_for(goods, 1_200, 4_990);
        InvoiceDocument {
            number: "26360000000000000001".to_owned(),
            kind: InvoiceKind::Normal,
            // 16:30 UTC is half past midnight the next day in China.
            issued_at: Utc
                .with_ymd_and_hms(2026, 12, 5, 16, 30, 0)
                .single()
                .unwrap_or_default(),
            seller_name: "青石县梅岭脐橙专业合作社".to_owned(),
            seller_tax_no: "93360799MA35ML0015".to_owned(),
            buyer_title: "青石县惠民社区超市".to_owned(),
            buyer_tax_no: "91350100M000100Y43".to_owned(),
            special: None,
            lines,
            total_fen: total,
            sub_order_number: "S2026120500001-1".to_owned(),
            issuer_name: "张建国".to_owned(),
        }
    }

    #[test]
    fn the_lines_add_up_to_what_was_paid_less_what_was_refunded() {
        let d = doc();
        assert_eq!(d.total_fen, 59_880 + 1_200 - 4_990);
        assert_eq!(d.lines.len(), 3);
        assert_eq!(d.lines[2].amount_fen, -4_990);
    }

    #[test]
    fn the_date_is_the_day_in_china() {
        assert_eq!(doc().date(), "2026年12月06日");
    }

    #[test]
    fn the_pdf_prints_the_total_in_figures_and_capital_numerals() {
        let d = doc();
        let pdf = d.to_pdf();
        assert!(pdf.starts_with(b"%PDF-"));
        let text = String::from_utf8_lossy(&pdf).into_owned();
        let hex = |s: &str| {
            s.chars()
                .map(|c| format!("{:04X}", u32::from(c)))
                .collect::<String>()
        };
        assert!(
            text.contains(&hex("（小写）¥560.90")),
            "the total in figures"
        );
        assert!(text.contains(&hex(&format!("价税合计（大写）：{}", capital(56_090)))));
        assert_eq!(capital(56_090), "伍佰陆拾元玖角整");
        assert!(text.contains(&hex("发票号码：26360000000000000001")));
        assert!(text.contains(&hex("598.80")), "a line's amount in yuan");
        assert_eq!(pdf, d.to_pdf(), "rendering is deterministic");
    }
}
