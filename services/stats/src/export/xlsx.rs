//! XLSX parts: a minimal OOXML workbook (one sheet, inline strings, a styles part) whose
//! sheet XML is produced row by row and deflated into the ZIP as it goes (see [`super::zip`]).

use super::{Cell, decimal};

/// Excel's row limit, the header row included.
pub(super) const XLSX_MAX_ROWS: u64 = 1_048_576;
/// Excel's column limit (XFD).
pub(super) const XLSX_MAX_COLS: usize = 16_384;
/// Excel's limit on the characters (UTF-16 units) of one cell.
pub(super) const XLSX_MAX_CELL_UNITS: usize = 32_767;
/// Uncompressed sheet XML past which rows are dropped, leaving room below `u32::MAX` for
/// deflate's worst-case expansion, the other entries and the central directory (no ZIP64).
pub(super) const XLSX_MAX_SHEET_BYTES: u64 = u32::MAX as u64 - 64 * 1024 * 1024;

/// `name` made acceptable to Excel as a sheet name: characters `[]:*?/\` become `_`, control
/// characters go, no leading or trailing `'` or whitespace, at most 31 characters (UTF-16
/// units), not empty (`Sheet1`) and not the reserved `History`.
pub fn sanitize_sheet_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .filter(|c| !c.is_control() && xml_allowed(*c))
        .map(|c| match c {
            '[' | ']' | ':' | '*' | '?' | '/' | '\\' => '_',
            c => c,
        })
        .collect();
    let trim = |s: &str| -> String {
        s.trim_matches(|c: char| c == '\'' || c.is_whitespace())
            .to_owned()
    };
    let mut out = String::new();
    let mut units = 0;
    for c in trim(&cleaned).chars() {
        units += c.len_utf16();
        if units > 31 {
            break;
        }
        out.push(c);
    }
    let out = trim(&out);
    if out.is_empty() {
        "Sheet1".to_owned()
    } else if out.eq_ignore_ascii_case("History") {
        format!("{out}_")
    } else {
        out
    }
}

pub(super) const SHEET_PATH: &str = "xl/worksheets/sheet1.xml";

const XML_DECL: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";

pub(super) const CONTENT_TYPES: &str = concat!(
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n",
    "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">",
    "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>",
    "<Default Extension=\"xml\" ContentType=\"application/xml\"/>",
    "<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>",
    "<Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>",
    "<Override PartName=\"/xl/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>",
    "</Types>"
);

pub(super) const ROOT_RELS: &str = concat!(
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n",
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">",
    "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/>",
    "</Relationships>"
);

pub(super) const WORKBOOK_RELS: &str = concat!(
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n",
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">",
    "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/>",
    "<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>",
    "</Relationships>"
);

/// Cell formats (`s` attribute): 0 general, 1 money `0.00`, 2 percent `0.00%`, 3 bold header.
const STYLE_MONEY: &str = "1";
const STYLE_PERCENT: &str = "2";
const STYLE_HEADER: &str = "3";

pub(super) const STYLES: &str = concat!(
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n",
    "<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">",
    "<fonts count=\"2\">",
    "<font><sz val=\"11\"/><name val=\"Calibri\"/><family val=\"2\"/></font>",
    "<font><b/><sz val=\"11\"/><name val=\"Calibri\"/><family val=\"2\"/></font>",
    "</fonts>",
    "<fills count=\"2\"><fill><patternFill patternType=\"none\"/></fill><fill><patternFill patternType=\"gray125\"/></fill></fills>",
    "<borders count=\"1\"><border><left/><right/><top/><bottom/><diagonal/></border></borders>",
    "<cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs>",
    "<cellXfs count=\"4\">",
    "<xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/>",
    "<xf numFmtId=\"2\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\"/>",
    "<xf numFmtId=\"10\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\"/>",
    "<xf numFmtId=\"0\" fontId=\"1\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyFont=\"1\"/>",
    "</cellXfs>",
    "<cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/></cellStyles>",
    "</styleSheet>"
);

pub(super) fn workbook_xml(sheet: &str) -> String {
    let mut name = Vec::new();
    xml_escape(&mut name, sheet);
    format!(
        "{XML_DECL}<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" \
         xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">\
         <bookViews><workbookView/></bookViews>\
         <sheets><sheet name=\"{}\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>",
        String::from_utf8_lossy(&name)
    )
}

/// The sheet's XML up to and including the header row: frozen header, column widths from the
/// headers (see [`column_width`]).
pub(super) fn sheet_start(out: &mut Vec<u8>, headers: &[String]) {
    out.extend_from_slice(XML_DECL.as_bytes());
    out.extend_from_slice(
        b"<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" \
          xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">",
    );
    if !headers.is_empty() {
        out.extend_from_slice(
            b"<sheetViews><sheetView workbookViewId=\"0\">\
              <pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/>\
              </sheetView></sheetViews>",
        );
        out.extend_from_slice(b"<cols>");
        for (i, h) in headers.iter().take(XLSX_MAX_COLS).enumerate() {
            let n = i + 1;
            out.extend_from_slice(
                format!(
                    "<col min=\"{n}\" max=\"{n}\" width=\"{}\" customWidth=\"1\"/>",
                    column_width(h)
                )
                .as_bytes(),
            );
        }
        out.extend_from_slice(b"</cols>");
    }
    out.extend_from_slice(b"<sheetData>");
    if !headers.is_empty() {
        out.extend_from_slice(b"<row r=\"1\">");
        for (i, h) in headers.iter().take(XLSX_MAX_COLS).enumerate() {
            text_cell(out, i, 1, h, Some(STYLE_HEADER));
        }
        out.extend_from_slice(b"</row>");
    }
}

/// A column's width in Excel's character units: the header's display width (CJK and other
/// wide characters count 2) plus 2, at least 12 and at most 60.
fn column_width(header: &str) -> usize {
    let w: usize = header
        .chars()
        .map(|c| if (c as u32) >= 0x2E80 { 2 } else { 1 })
        .sum();
    (w + 2).clamp(12, 60)
}

pub(super) fn xlsx_row(out: &mut Vec<u8>, r: u64, cells: &[Cell]) {
    out.extend_from_slice(format!("<row r=\"{r}\">").as_bytes());
    for (i, cell) in cells.iter().take(XLSX_MAX_COLS).enumerate() {
        match cell {
            Cell::Text(s) => text_cell(out, i, r, s, None),
            Cell::Int(v) => number_cell(out, i, r, &v.to_string(), None),
            Cell::Money(v) => number_cell(out, i, r, &decimal(*v, 2), Some(STYLE_MONEY)),
            Cell::Percent(v) => number_cell(out, i, r, &decimal(*v, 4), Some(STYLE_PERCENT)),
            Cell::Empty => {}
        }
    }
    out.extend_from_slice(b"</row>");
}

fn cell_open(out: &mut Vec<u8>, col: usize, r: u64, style: Option<&str>) {
    out.extend_from_slice(b"<c r=\"");
    column_name(out, col);
    out.extend_from_slice(r.to_string().as_bytes());
    out.push(b'"');
    if let Some(s) = style {
        out.extend_from_slice(b" s=\"");
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    }
}

fn number_cell(out: &mut Vec<u8>, col: usize, r: u64, v: &str, style: Option<&str>) {
    cell_open(out, col, r, style);
    out.extend_from_slice(b"><v>");
    out.extend_from_slice(v.as_bytes());
    out.extend_from_slice(b"</v></c>");
}

fn text_cell(out: &mut Vec<u8>, col: usize, r: u64, s: &str, style: Option<&str>) {
    cell_open(out, col, r, style);
    out.extend_from_slice(b" t=\"inlineStr\"><is><t");
    if s.starts_with(char::is_whitespace) || s.ends_with(char::is_whitespace) {
        out.extend_from_slice(b" xml:space=\"preserve\"");
    }
    out.push(b'>');
    // Excel holds at most 32,767 characters in a cell.
    let mut units = 0;
    let end = s
        .char_indices()
        .find(|(_, c)| {
            units += c.len_utf16();
            units > XLSX_MAX_CELL_UNITS
        })
        .map_or(s.len(), |(i, _)| i);
    xml_escape(out, &s[..end]);
    out.extend_from_slice(b"</t></is></c>");
}

/// `A`, `B`, … `Z`, `AA`, … for a 0-based column.
pub(super) fn column_name(out: &mut Vec<u8>, col: usize) {
    let mut letters = [0u8; 4];
    let mut n = col + 1;
    let mut i = letters.len();
    while n > 0 && i > 0 {
        i -= 1;
        letters[i] = b'A' + ((n - 1) % 26) as u8;
        n = (n - 1) / 26;
    }
    out.extend_from_slice(&letters[i..]);
}

/// Whether XML 1.0 allows the character (Rust `char`s are never surrogates).
fn xml_allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{FFFD}' | '\u{10000}'..)
}

/// XML text or attribute value: `& < > " '` escaped, CR kept as `&#13;` (a parser would turn a
/// raw one into LF), characters XML 1.0 forbids dropped, and `_xHHHH_` (which Excel reads as an
/// escaped character) protected as `_x005F_xHHHH_`.
fn xml_escape(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    for (i, c) in s.char_indices() {
        match c {
            '&' => out.extend_from_slice(b"&amp;"),
            '<' => out.extend_from_slice(b"&lt;"),
            '>' => out.extend_from_slice(b"&gt;"),
            '"' => out.extend_from_slice(b"&quot;"),
            '\'' => out.extend_from_slice(b"&apos;"),
            '\r' => out.extend_from_slice(b"&#13;"),
            '_' if is_excel_escape(&bytes[i..]) => out.extend_from_slice(b"_x005F_"),
            c if xml_allowed(c) => {
                let mut b = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
            }
            _ => {}
        }
    }
}

/// Whether `s` starts with `_xHHHH_`.
fn is_excel_escape(s: &[u8]) -> bool {
    s.len() >= 7
        && s[0] == b'_'
        && s[1] == b'x'
        && s[2..6].iter().all(u8::is_ascii_hexdigit)
        && s[6] == b'_'
}
