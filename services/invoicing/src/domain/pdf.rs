//! A small PDF writer: enough for one-page documents of text and rules. Chinese text is set in
//! STSong-Light with the UniGB-UCS2-H encoding — one of the standard CJK fonts every PDF
//! reader carries (Adobe's Asian font packs, poppler-data, pdf.js's CMaps) — so no font file is
//! embedded and an invoice stays a few kilobytes. Strings are written as UCS-2 big-endian hex,
//! so no escaping question ever arises; a character outside the Basic Multilingual Plane (which
//! UCS-2 cannot encode) is printed as a full-width question mark.
//!
//! Layout is by estimate: STSong-Light's ideographs are one em wide, and the widths array
//! below makes ASCII half an em, so [`text_width`] is what a reader draws.

use std::fmt::Write as _;

/// A4 in points.
pub const PAGE_WIDTH: f32 = 595.0;
pub const PAGE_HEIGHT: f32 = 842.0;

/// The width of `s` at `size` points in STSong-Light as this writer declares it.
pub fn text_width(s: &str, size: f32) -> f32 {
    s.chars()
        .map(|c| if (' '..='~').contains(&c) { 0.5 } else { 1.0 })
        .sum::<f32>()
        * size
}

/// `s`, cut to at most `max_width` points at `size` (with … when cut).
pub fn fit(s: &str, size: f32, max_width: f32) -> String {
    if text_width(s, size) <= max_width {
        return s.to_owned();
    }
    let mut out = String::new();
    for c in s.chars() {
        let next = format!("{out}{c}…");
        if text_width(&next, size) > max_width {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

/// One page's drawing operations.
#[derive(Debug, Default)]
pub struct Page {
    ops: String,
}

fn num(v: f32) -> String {
    // Two decimals are far finer than a printer's dot; trailing zeros trimmed.
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

fn hex_ucs2(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 4);
    for c in s.chars() {
        let code = u32::from(c);
        let unit = if code <= 0xFFFF && !(0xD800..=0xDFFF).contains(&code) {
            code
        } else {
            0xFF1F
        };
        let _ = write!(out, "{unit:04X}");
    }
    out
}

impl Page {
    /// Text with its baseline starting at (`x`, `y`), from the bottom-left corner.
    pub fn text(&mut self, x: f32, y: f32, size: f32, s: &str) {
        let _ = writeln!(
            self.ops,
            "BT /F1 {} Tf {} {} Td <{}> Tj ET",
            num(size),
            num(x),
            num(y),
            hex_ucs2(s)
        );
    }

    /// Text ending at `right`.
    pub fn text_right(&mut self, right: f32, y: f32, size: f32, s: &str) {
        self.text(right - text_width(s, size), y, size, s);
    }

    /// Text centred on `centre`.
    pub fn text_centred(&mut self, centre: f32, y: f32, size: f32, s: &str) {
        self.text(centre - text_width(s, size) / 2.0, y, size, s);
    }

    /// A straight rule.
    pub fn line(&mut self, x1: f32, y1: f32, x2: f32, y2: f32) {
        let _ = writeln!(
            self.ops,
            "{} {} m {} {} l S",
            num(x1),
            num(y1),
            num(x2),
            num(y2)
        );
    }

    /// A rectangle's outline; (`x`, `y`) is its bottom-left corner.
    pub fn rect(&mut self, x: f32, y: f32, w: f32, h: f32) {
        let _ = writeln!(self.ops, "{} {} {} {} re S", num(x), num(y), num(w), num(h));
    }

    /// The stroke colour as RGB in 0..=1 (invoices print their frame in brown-red).
    pub fn stroke_rgb(&mut self, r: f32, g: f32, b: f32) {
        let _ = writeln!(self.ops, "{} {} {} RG", num(r), num(g), num(b));
    }

    /// The fill colour, which text is drawn in.
    pub fn fill_rgb(&mut self, r: f32, g: f32, b: f32) {
        let _ = writeln!(self.ops, "{} {} {} rg", num(r), num(g), num(b));
    }

    pub fn line_width(&mut self, w: f32) {
        let _ = writeln!(self.ops, "{} w", num(w));
    }
}

/// Document information: the title and the instant it was made, as `D:YYYYMMDDHHmmSS+08'00'`.
#[derive(Clone, Debug)]
pub struct Info {
    pub title: String,
    pub created: String,
}

/// Writes a one-page A4 PDF with `page` and the CJK font. The bytes depend only on the
/// arguments, so the same invoice always renders to the same file.
pub fn write(page: &Page, info: &Info) -> Vec<u8> {
    let objects: Vec<String> = vec![
        // 1: catalogue, 2: pages, 3: page, 4: contents, 5: font, 6: CID font, 7: descriptor, 8: info
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {} {}] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
            num(PAGE_WIDTH),
            num(PAGE_HEIGHT)
        ),
        format!(
            "<< /Length {} >>\nstream\n{}endstream",
            page.ops.len(),
            page.ops
        ),
        "<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [6 0 R] >>".to_owned(),
        "<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /FontDescriptor 7 0 R /DW 1000 /W [1 95 500] >>".to_owned(),
        "<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>".to_owned(),
        format!(
            "<< /Title <FEFF{}> /Producer (farmgate) /CreationDate ({}) >>",
            hex_ucs2(&info.title),
            info.created.replace(['(', ')', '\\'], "")
        ),
    ];
    // The header's second line marks the file as binary for transfer programs.
    let mut out: Vec<u8> = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    let mut table = format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
    for o in offsets {
        let _ = writeln!(table, "{o:010} 00000 n ");
    }
    let _ = write!(
        table,
        "trailer\n<< /Size {} /Root 1 0 R /Info 8 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    );
    out.extend_from_slice(table.as_bytes());
    out
}

#[cfg(test)]
#[expect(clippy::expect_used, reason = "tests")]
mod tests {
    use super::*;

    fn sample() -> Vec<u8> {
        let mut p = Page::default();
        p.text(50.0, 800.0, 12.0, "发票 No.1");
        p.line(50.0, 790.0, 545.0, 790.0);
        write(
            &p,
            &Info {
                title: "发票".to_owned(),
                created: "D:20261206120000+08'00'".to_owned(),
            },
        )
    }

    #[test]
    fn a_pdf_starts_with_its_header_and_ends_with_eof() {
        let pdf = sample();
        assert!(pdf.starts_with(b"%PDF-1.4\n"));
        assert!(pdf.ends_with(b"%%EOF\n"));
    }

    #[test]
    fn text_is_ucs2_hex_in_the_standard_cjk_font_and_nothing_is_embedded() {
        let pdf = String::from_utf8_lossy(&sample()).into_owned();
        // 发 U+53D1, 票 U+7968, space, N, o, ., 1
        assert!(pdf.contains("<53D179680020004E006F002E0031> Tj"), "{pdf}");
        assert!(pdf.contains("/BaseFont /STSong-Light"));
        assert!(pdf.contains("/Encoding /UniGB-UCS2-H"));
        assert!(!pdf.contains("/FontFile"), "no font file is embedded");
    }

    #[test]
    fn the_cross_reference_table_points_at_every_object() {
        let pdf = sample();
        let text = String::from_utf8_lossy(&pdf).into_owned();
        let start: usize = text
            .rsplit("startxref\n")
            .next()
            .and_then(|t| t.lines().next())
            .and_then(|n| n.parse().ok())
            .expect("startxref");
        assert!(pdf[start..].starts_with(b"xref\n0 9\n"));
        let table = &text[text.find("xref\n0 9\n").expect("xref") + 9..];
        for (i, entry) in table.lines().skip(1).take(8).enumerate() {
            let offset: usize = entry[..10].parse().expect("offset");
            let head = format!("{} 0 obj", i + 1);
            assert!(
                pdf[offset..].starts_with(head.as_bytes()),
                "object {}",
                i + 1
            );
        }
    }

    #[test]
    fn the_same_page_renders_to_the_same_bytes() {
        assert_eq!(sample(), sample());
    }

    #[test]
    fn characters_beyond_ucs2_print_as_a_question_mark() {
        assert_eq!(hex_ucs2("a😀"), "0061FF1F");
    }

    #[test]
    fn long_text_is_cut_to_fit() {
        assert_eq!(text_width("ab中", 10.0), 20.0);
        let cut = fit("一二三四五六七八九十", 10.0, 50.0);
        assert_eq!(cut, "一二三四…");
        assert_eq!(fit("短", 10.0, 50.0), "短");
    }
}
