//! Table exports (CSV and XLSX) written incrementally, so that an HTTP handler can stream a
//! year-by-day export without holding the file in memory.
//!
//! The caller feeds rows one at a time and sends on the byte chunks it gets back:
//!
//! ```
//! use farmgate_stats::export::{Cell, Format, TableWriter};
//!
//! let days = [("2025-01-01", 3, 123_400, 9_850)];
//! let mut w = TableWriter::new(Format::Csv, "2025年日报", &["日期", "订单数", "成交额", "好评率"]);
//! let mut body = w.start(); // in a handler: send each chunk as it comes
//! for (date, orders, gmv_fen, good_bp) in days {
//!     let chunk = w.row(&[
//!         Cell::Text(date.into()),
//!         Cell::Int(orders),
//!         Cell::Money(gmv_fen),
//!         Cell::Percent(good_bp),
//!     ]);
//!     body.extend(chunk); // often empty: rows are buffered up to ~64 KiB
//! }
//! body.extend(w.finish());
//! assert_eq!(body, "\u{FEFF}日期,订单数,成交额,好评率\r\n2025-01-01,3,1234.00,98.50%\r\n".as_bytes());
//! ```
//!
//! Output is buffered up to [`FLUSH_AT`] bytes (uncompressed sheet XML for XLSX, CSV text for
//! CSV) before it is handed back, so a chunk and the writer's own buffers stay around that size
//! whatever the number of rows.
//!
//! The XLSX file is a minimal OOXML workbook (one sheet, inline strings, a styles part) in a ZIP
//! written front to back: every entry is deflated, its local header carries general-purpose bit
//! 3 and its CRC and sizes follow the data in a data descriptor. No ZIP64: the sheet is capped at
//! Excel's 1,048,576 rows (header included) and well under 4 GiB of XML; rows past either limit
//! are dropped (see [`TableWriter::dropped_rows`]).

use flate2::{Compress, Compression, FlushCompress, Status};

/// Buffered bytes past which the writer hands back output.
pub const FLUSH_AT: usize = 64 * 1024;

/// Excel's row limit, the header row included.
const XLSX_MAX_ROWS: u64 = 1_048_576;
/// Excel's column limit (XFD).
const XLSX_MAX_COLS: usize = 16_384;
/// Excel's limit on the characters (UTF-16 units) of one cell.
const XLSX_MAX_CELL_UNITS: usize = 32_767;
/// Uncompressed sheet XML past which rows are dropped, leaving room below `u32::MAX` for
/// deflate's worst-case expansion, the other entries and the central directory (no ZIP64).
const XLSX_MAX_SHEET_BYTES: u64 = u32::MAX as u64 - 64 * 1024 * 1024;

/// One cell of a table.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Text(String),
    /// An integer. XLSX stores numbers as doubles: past 2^53 Excel loses digits, so identifiers
    /// belong in [`Cell::Text`].
    Int(i64),
    /// fen shown as yuan with 2 decimals (XLSX: numeric cell with format 0.00 = value/100; CSV: "12.34")
    Money(i64),
    /// basis points shown as a percentage with 2 decimals (XLSX numeric 0.00% = bp/10000; CSV "12.34%")
    Percent(i64),
    Empty,
}

/// The file format of an export.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

impl Format {
    /// `csv` or `xlsx`, in any case (as in a `?format=` query parameter).
    pub fn parse(s: &str) -> Option<Format> {
        if s.eq_ignore_ascii_case("csv") {
            Some(Format::Csv)
        } else if s.eq_ignore_ascii_case("xlsx") {
            Some(Format::Xlsx)
        } else {
            None
        }
    }

    /// The `Content-Type` of the file.
    pub fn content_type(&self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }

    /// The file name extension, without the dot.
    pub fn extension(&self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
        }
    }
}

/// Writes a table (a header row, then rows of cells) as CSV or XLSX, chunk by chunk.
///
/// Call [`start`](Self::start) once, [`row`](Self::row) for each row and [`finish`](Self::finish)
/// at the end, and send every returned chunk in order (some are empty). A `row` or `finish`
/// without a `start` before it starts the file itself, so the output is whole either way.
pub struct TableWriter {
    format: Format,
    sheet: String,
    headers: Vec<String>,
    started: bool,
    /// CSV: text not yet handed back. XLSX: sheet XML not yet deflated.
    buf: Vec<u8>,
    /// Data rows written (the header not counted).
    rows: u64,
    /// 1 when there is a header row, else 0.
    header_rows: u64,
    dropped: u64,
    /// Data rows the sheet takes before rows are dropped (XLSX only).
    max_rows: u64,
    zip: Option<ZipState>,
}

impl TableWriter {
    /// `sheet` is the XLSX sheet name (Chinese allowed; sanitise to Excel's rules, ≤31 chars, no []:*?/\ ), `headers` the first row.
    pub fn new(format: Format, sheet: &str, headers: &[&str]) -> TableWriter {
        TableWriter {
            format,
            sheet: sanitize_sheet_name(sheet),
            headers: headers.iter().map(|h| (*h).to_owned()).collect(),
            started: false,
            buf: Vec::new(),
            rows: 0,
            header_rows: u64::from(!headers.is_empty()),
            dropped: 0,
            max_rows: XLSX_MAX_ROWS - u64::from(!headers.is_empty()),
            zip: None,
        }
    }

    /// Bytes to send first (CSV: UTF-8 BOM so Excel opens Chinese correctly + header line; XLSX: the zip's leading entries and the sheet's start + header row, may be partly buffered).
    pub fn start(&mut self) -> Vec<u8> {
        if self.started {
            return Vec::new();
        }
        self.started = true;
        match self.format {
            Format::Csv => {
                let mut out = Vec::with_capacity(256);
                out.extend_from_slice(b"\xEF\xBB\xBF");
                if !self.headers.is_empty() {
                    for (i, h) in self.headers.iter().enumerate() {
                        if i > 0 {
                            out.push(b',');
                        }
                        csv_text(&mut out, h);
                    }
                    out.extend_from_slice(b"\r\n");
                }
                out
            }
            Format::Xlsx => {
                let mut zip = ZipState::default();
                let mut out = Vec::with_capacity(8 * 1024);
                zip.whole_entry(&mut out, "[Content_Types].xml", CONTENT_TYPES.as_bytes());
                zip.whole_entry(&mut out, "_rels/.rels", ROOT_RELS.as_bytes());
                zip.whole_entry(
                    &mut out,
                    "xl/workbook.xml",
                    workbook_xml(&self.sheet).as_bytes(),
                );
                zip.whole_entry(
                    &mut out,
                    "xl/_rels/workbook.xml.rels",
                    WORKBOOK_RELS.as_bytes(),
                );
                zip.whole_entry(&mut out, "xl/styles.xml", STYLES.as_bytes());
                zip.begin_entry(&mut out, SHEET_PATH);
                sheet_start(&mut self.buf, &self.headers);
                self.zip = Some(zip);
                out
            }
        }
    }

    /// Bytes for one row (may be empty when buffered inside the deflate stream; flush whenever the internal buffer passes ~64 KiB so memory stays bounded).
    ///
    /// XLSX: rows past Excel's 1,048,576 (header included) are dropped and counted in
    /// [`dropped_rows`](Self::dropped_rows), as are cells past column XFD; text is cut to Excel's
    /// 32,767 characters a cell. CSV has no such limits.
    pub fn row(&mut self, cells: &[Cell]) -> Vec<u8> {
        let mut out = self.start();
        match self.format {
            Format::Csv => {
                csv_row(&mut self.buf, cells);
                self.rows += 1;
                if self.buf.len() >= FLUSH_AT {
                    out.append(&mut self.buf);
                }
            }
            Format::Xlsx => {
                let Some(zip) = self.zip.as_mut() else {
                    return out;
                };
                let before = self.buf.len();
                if self.rows < self.max_rows {
                    xlsx_row(&mut self.buf, self.header_rows + self.rows + 1, cells);
                }
                let total = zip.current_in + self.buf.len() as u64;
                if self.rows >= self.max_rows || total > XLSX_MAX_SHEET_BYTES {
                    self.buf.truncate(before);
                    self.dropped += 1;
                    return out;
                }
                self.rows += 1;
                if self.buf.len() >= FLUSH_AT {
                    zip.entry_data(&mut out, &self.buf, FlushCompress::None);
                    self.buf.clear();
                }
            }
        }
        out
    }

    /// The remaining bytes (XLSX: end of sheet, remaining entries, central directory).
    pub fn finish(mut self) -> Vec<u8> {
        let mut out = self.start();
        match self.format {
            Format::Csv => out.append(&mut self.buf),
            Format::Xlsx => {
                if let Some(mut zip) = self.zip.take() {
                    self.buf.extend_from_slice(b"</sheetData></worksheet>");
                    zip.entry_data(&mut out, &self.buf, FlushCompress::Finish);
                    self.buf = Vec::new();
                    zip.end_entry(&mut out);
                    zip.central_directory(&mut out);
                }
            }
        }
        out
    }

    /// Data rows left out of an XLSX sheet because it reached Excel's 1,048,576 rows (or, with
    /// very wide rows, the size a ZIP without ZIP64 can hold). Always 0 for CSV.
    pub fn dropped_rows(&self) -> u64 {
        self.dropped
    }

    /// Bytes the writer holds between calls (excluding the deflate stream's fixed-size state).
    #[cfg(test)]
    fn buffered(&self) -> usize {
        self.buf.capacity()
    }
}

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

// ---------------------------------------------------------------------------------------------
// CSV

fn csv_row(out: &mut Vec<u8>, cells: &[Cell]) {
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        match cell {
            Cell::Text(s) => csv_text(out, s),
            Cell::Int(v) => out.extend_from_slice(v.to_string().as_bytes()),
            Cell::Money(v) => out.extend_from_slice(decimal(*v, 2).as_bytes()),
            Cell::Percent(v) => {
                out.extend_from_slice(decimal(*v, 2).as_bytes());
                out.push(b'%');
            }
            Cell::Empty => {}
        }
    }
    out.extend_from_slice(b"\r\n");
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

/// `v / 10^places` written exactly with `places` decimals (`decimal(-5, 2)` is `-0.05`).
fn decimal(v: i64, places: u32) -> String {
    let div = 10u64.pow(places);
    let abs = v.unsigned_abs();
    let sign = if v < 0 { "-" } else { "" };
    format!(
        "{sign}{}.{:0width$}",
        abs / div,
        abs % div,
        width = places as usize
    )
}

// ---------------------------------------------------------------------------------------------
// XLSX parts

const SHEET_PATH: &str = "xl/worksheets/sheet1.xml";

const XML_DECL: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";

const CONTENT_TYPES: &str = concat!(
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n",
    "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">",
    "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>",
    "<Default Extension=\"xml\" ContentType=\"application/xml\"/>",
    "<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>",
    "<Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>",
    "<Override PartName=\"/xl/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>",
    "</Types>"
);

const ROOT_RELS: &str = concat!(
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n",
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">",
    "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/>",
    "</Relationships>"
);

const WORKBOOK_RELS: &str = concat!(
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

const STYLES: &str = concat!(
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

fn workbook_xml(sheet: &str) -> String {
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
fn sheet_start(out: &mut Vec<u8>, headers: &[String]) {
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

fn xlsx_row(out: &mut Vec<u8>, r: u64, cells: &[Cell]) {
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
fn column_name(out: &mut Vec<u8>, col: usize) {
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

// ---------------------------------------------------------------------------------------------
// ZIP, written front to back

const DOS_TIME: u16 = 0;
/// 1980-01-01.
const DOS_DATE: u16 = (1 << 5) | 1;
const VERSION: u16 = 20;
/// Bit 3: CRC and sizes in a data descriptor after the data. Bit 11: UTF-8 names.
const FLAGS: u16 = (1 << 3) | (1 << 11);
const METHOD_DEFLATE: u16 = 8;

struct Entry {
    name: &'static str,
    offset: u32,
    crc: u32,
    compressed: u32,
    size: u32,
}

struct ZipState {
    /// Bytes handed out so far.
    written: u64,
    entries: Vec<Entry>,
    /// The entry being written.
    current: Option<(&'static str, u64)>,
    deflate: Compress,
    crc: crc32fast::Hasher,
    current_in: u64,
    current_out: u64,
}

impl Default for ZipState {
    fn default() -> Self {
        ZipState {
            written: 0,
            entries: Vec::new(),
            current: None,
            deflate: Compress::new(Compression::default(), false),
            crc: crc32fast::Hasher::new(),
            current_in: 0,
            current_out: 0,
        }
    }
}

fn put16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

/// A size or an offset as a ZIP (not ZIP64) field. The writer keeps everything below 4 GiB
/// (`XLSX_MAX_SHEET_BYTES`), so this saturates only if that reasoning is wrong.
fn u32_of(v: u64) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

impl ZipState {
    fn emit(&mut self, out: &mut Vec<u8>, bytes: &[u8]) {
        out.extend_from_slice(bytes);
        self.written += bytes.len() as u64;
    }

    /// A local file header with bit 3 set: CRC and sizes left 0, given in the data descriptor.
    fn begin_entry(&mut self, out: &mut Vec<u8>, name: &'static str) {
        let mut h = Vec::with_capacity(30 + name.len());
        put32(&mut h, 0x0403_4b50);
        put16(&mut h, VERSION);
        put16(&mut h, FLAGS);
        put16(&mut h, METHOD_DEFLATE);
        put16(&mut h, DOS_TIME);
        put16(&mut h, DOS_DATE);
        put32(&mut h, 0);
        put32(&mut h, 0);
        put32(&mut h, 0);
        put16(&mut h, name.len() as u16);
        put16(&mut h, 0);
        h.extend_from_slice(name.as_bytes());
        self.current = Some((name, self.written));
        self.emit(out, &h);
        self.deflate.reset();
        self.crc = crc32fast::Hasher::new();
        self.current_in = 0;
        self.current_out = 0;
    }

    /// Deflates `data` into the current entry and appends what the compressor gives back.
    fn entry_data(&mut self, out: &mut Vec<u8>, data: &[u8], flush: FlushCompress) {
        self.crc.update(data);
        self.current_in += data.len() as u64;
        let mut compressed = Vec::with_capacity(data.len() / 4 + 1024);
        deflate(&mut self.deflate, data, flush, &mut compressed);
        self.current_out += compressed.len() as u64;
        self.emit(out, &compressed);
    }

    /// The data descriptor of the current entry (its compressed stream must be finished).
    fn end_entry(&mut self, out: &mut Vec<u8>) {
        let Some((name, offset)) = self.current.take() else {
            return;
        };
        let crc = std::mem::replace(&mut self.crc, crc32fast::Hasher::new()).finalize();
        let entry = Entry {
            name,
            offset: u32_of(offset),
            crc,
            compressed: u32_of(self.current_out),
            size: u32_of(self.current_in),
        };
        let mut d = Vec::with_capacity(16);
        put32(&mut d, 0x0807_4b50);
        put32(&mut d, entry.crc);
        put32(&mut d, entry.compressed);
        put32(&mut d, entry.size);
        self.emit(out, &d);
        self.entries.push(entry);
    }

    fn whole_entry(&mut self, out: &mut Vec<u8>, name: &'static str, data: &[u8]) {
        self.begin_entry(out, name);
        self.entry_data(out, data, FlushCompress::Finish);
        self.end_entry(out);
    }

    fn central_directory(&mut self, out: &mut Vec<u8>) {
        let start = self.written;
        let mut cd = Vec::with_capacity(self.entries.len() * 80 + 22);
        for e in &self.entries {
            put32(&mut cd, 0x0201_4b50);
            put16(&mut cd, VERSION); // made by: MS-DOS, 2.0
            put16(&mut cd, VERSION);
            put16(&mut cd, FLAGS);
            put16(&mut cd, METHOD_DEFLATE);
            put16(&mut cd, DOS_TIME);
            put16(&mut cd, DOS_DATE);
            put32(&mut cd, e.crc);
            put32(&mut cd, e.compressed);
            put32(&mut cd, e.size);
            put16(&mut cd, e.name.len() as u16);
            put16(&mut cd, 0); // extra
            put16(&mut cd, 0); // comment
            put16(&mut cd, 0); // disk
            put16(&mut cd, 0); // internal attributes
            put32(&mut cd, 0); // external attributes
            put32(&mut cd, e.offset);
            cd.extend_from_slice(e.name.as_bytes());
        }
        let cd_len = cd.len() as u64;
        let n = self.entries.len() as u16;
        put32(&mut cd, 0x0605_4b50);
        put16(&mut cd, 0);
        put16(&mut cd, 0);
        put16(&mut cd, n);
        put16(&mut cd, n);
        put32(&mut cd, u32_of(cd_len));
        put32(&mut cd, u32_of(start));
        put16(&mut cd, 0);
        self.emit(out, &cd);
    }
}

/// Runs all of `input` through the raw deflate stream, appending output to `out`; with
/// `FlushCompress::Finish` also ends the stream.
///
/// Compressing into a `Vec` fails only on a misuse of the stream (flate2 reports running out of
/// room as `Status::BufError`, which is handled by growing `out`); should it fail anyway, the
/// error is logged and the entry is left short, which the reader will report as a corrupt file.
fn deflate(c: &mut Compress, mut input: &[u8], flush: FlushCompress, out: &mut Vec<u8>) {
    loop {
        if out.capacity() - out.len() < 1024 {
            out.reserve(input.len() / 2 + 4096);
        }
        let (in_before, out_before) = (c.total_in(), c.total_out());
        let status = match c.compress_vec(input, out, flush) {
            Ok(status) => status,
            Err(e) => {
                tracing::error!(error = %e, "deflating an export failed");
                return;
            }
        };
        let used = usize::try_from(c.total_in() - in_before).unwrap_or(input.len());
        input = &input[used.min(input.len())..];
        let produced = c.total_out() != out_before;
        let room_left = out.len() < out.capacity();
        match flush {
            FlushCompress::Finish if status == Status::StreamEnd => return,
            FlushCompress::Finish => {}
            _ if input.is_empty() && room_left => return,
            _ => {}
        }
        if used == 0 && !produced && room_left && status != Status::BufError {
            // No progress with room to spare: nothing more will come.
            return;
        }
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;
    use calamine::{Data, Reader, Xlsx};
    use std::io::Cursor;

    fn csv(headers: &[&str], rows: &[Vec<Cell>]) -> String {
        let mut w = TableWriter::new(Format::Csv, "x", headers);
        let mut out = w.start();
        for r in rows {
            out.extend(w.row(r));
        }
        out.extend(w.finish());
        String::from_utf8(out).unwrap()
    }

    fn text(s: &str) -> Cell {
        Cell::Text(s.to_owned())
    }

    fn xlsx(sheet: &str, headers: &[&str], rows: &[Vec<Cell>]) -> Vec<u8> {
        let mut w = TableWriter::new(Format::Xlsx, sheet, headers);
        let mut out = w.start();
        for r in rows {
            out.extend(w.row(r));
        }
        out.extend(w.finish());
        out
    }

    fn read(bytes: Vec<u8>) -> (Vec<String>, calamine::Range<Data>) {
        let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
        let names = book.sheet_names();
        let range = book.worksheet_range(&names[0]).unwrap();
        (names, range)
    }

    #[test]
    fn formats() {
        assert_eq!(Format::parse("csv"), Some(Format::Csv));
        assert_eq!(Format::parse("XLSX"), Some(Format::Xlsx));
        assert_eq!(Format::parse("xls"), None);
        assert_eq!(Format::Csv.extension(), "csv");
        assert_eq!(Format::Xlsx.extension(), "xlsx");
        assert_eq!(Format::Csv.content_type(), "text/csv; charset=utf-8");
        assert!(Format::Xlsx.content_type().ends_with("spreadsheetml.sheet"));
    }

    #[test]
    fn csv_bom_header_and_crlf() {
        let out = csv(
            &["日期", "金额"],
            &[vec![text("2025-01-01"), Cell::Money(1234)]],
        );
        assert_eq!(out, "\u{FEFF}日期,金额\r\n2025-01-01,12.34\r\n");
        assert!(out.as_bytes().starts_with(b"\xEF\xBB\xBF"));
    }

    #[test]
    fn csv_quoting() {
        let out = csv(
            &["a,b", "c"],
            &[vec![
                text("x,y"),
                text("say \"hi\""),
                text("two\nlines"),
                text("cr\rhere"),
                text("plain"),
            ]],
        );
        assert_eq!(
            out,
            "\u{FEFF}\"a,b\",c\r\n\"x,y\",\"say \"\"hi\"\"\",\"two\nlines\",\"cr\rhere\",plain\r\n"
        );
    }

    #[test]
    fn csv_formula_injection() {
        let out = csv(
            &[],
            &[vec![
                text("=1+1"),
                text("+86"),
                text("-5"),
                text("@SUM(A1)"),
                text("\tx"),
                text("\rx"),
                text("=HYPERLINK(\"x\",1)"),
                text("a=b"),
                Cell::Int(-5),
                Cell::Money(-5),
            ]],
        );
        assert_eq!(
            out,
            "\u{FEFF}'=1+1,'+86,'-5,'@SUM(A1),'\tx,\"'\rx\",\"'=HYPERLINK(\"\"x\"\",1)\",a=b,-5,-0.05\r\n"
        );
    }

    #[test]
    fn csv_numbers() {
        let out = csv(
            &[],
            &[vec![
                Cell::Int(42),
                Cell::Money(1234),
                Cell::Money(0),
                Cell::Money(-1234),
                Cell::Money(i64::MIN),
                Cell::Percent(1234),
                Cell::Percent(5),
                Cell::Percent(-10000),
                Cell::Empty,
                text(""),
            ]],
        );
        assert_eq!(
            out,
            "\u{FEFF}42,12.34,0.00,-12.34,-92233720368547758.08,12.34%,0.05%,-100.00%,,\r\n"
        );
    }

    #[test]
    fn csv_without_start_still_whole() {
        let mut w = TableWriter::new(Format::Csv, "x", &["a"]);
        let mut out = w.row(&[Cell::Int(1)]);
        out.extend(w.finish());
        assert_eq!(out, b"\xEF\xBB\xBFa\r\n1\r\n");
    }

    #[test]
    fn sheet_names() {
        assert_eq!(
            sanitize_sheet_name("2025年[全县]:日报"),
            "2025年_全县__日报"
        );
        assert_eq!(sanitize_sheet_name("a/b\\c*d?e"), "a_b_c_d_e");
        assert_eq!(sanitize_sheet_name("'quoted'"), "quoted");
        assert_eq!(sanitize_sheet_name("  "), "Sheet1");
        assert_eq!(sanitize_sheet_name(""), "Sheet1");
        assert_eq!(sanitize_sheet_name("''"), "Sheet1");
        assert_eq!(sanitize_sheet_name("history"), "history_");
        assert_eq!(sanitize_sheet_name("tab\there\u{0}"), "tabhere");
        let long = "县".repeat(40);
        assert_eq!(sanitize_sheet_name(&long), "县".repeat(31));
        // 30 characters then an apostrophe at the cut: trimmed again after truncating.
        let cut = format!("{}'{}", "a".repeat(30), "b".repeat(5));
        assert_eq!(sanitize_sheet_name(&cut), "a".repeat(30));
        // Characters outside the BMP count as two.
        let emoji = "🌾".repeat(20);
        assert_eq!(sanitize_sheet_name(&emoji), "🌾".repeat(15));
        assert_eq!(sanitize_sheet_name("A&B <县>"), "A&B <县>");
    }

    #[test]
    fn column_names() {
        let name = |c| {
            let mut v = Vec::new();
            column_name(&mut v, c);
            String::from_utf8(v).unwrap()
        };
        assert_eq!(name(0), "A");
        assert_eq!(name(25), "Z");
        assert_eq!(name(26), "AA");
        assert_eq!(name(701), "ZZ");
        assert_eq!(name(702), "AAA");
        assert_eq!(name(XLSX_MAX_COLS - 1), "XFD");
    }

    #[test]
    fn xlsx_reads_back() {
        let rows = vec![
            vec![
                text("白菜（有机）"),
                Cell::Int(42),
                Cell::Money(1234),
                Cell::Percent(1234),
                Cell::Empty,
                text("A&B <c> \"d\" 'e'\u{1}\u{FFFF}"),
            ],
            vec![
                text(" padded "),
                Cell::Int(-7),
                Cell::Money(-5),
                Cell::Percent(-250),
                text("line\r\nbreak"),
                text("_x0041_ stays"),
            ],
        ];
        let bytes = xlsx(
            "2025年[全县]",
            &["品名", "数量", "金额", "占比", "空", "备注"],
            &rows,
        );
        let (names, range) = read(bytes.clone());
        assert_eq!(names, vec!["2025年_全县_".to_owned()]);
        let header: Vec<Data> = ["品名", "数量", "金额", "占比", "空", "备注"]
            .iter()
            .map(|s| Data::String((*s).to_owned()))
            .collect();
        assert_eq!(range.rows().next().unwrap(), header.as_slice());
        assert_eq!(
            range.get_value((1, 0)),
            Some(&Data::String("白菜（有机）".into()))
        );
        assert_eq!(range.get_value((1, 1)), Some(&Data::Float(42.0)));
        assert_eq!(range.get_value((1, 2)), Some(&Data::Float(12.34)));
        assert_eq!(range.get_value((1, 3)), Some(&Data::Float(0.1234)));
        assert_eq!(range.get_value((1, 4)), Some(&Data::Empty));
        assert_eq!(
            range.get_value((1, 5)),
            Some(&Data::String("A&B <c> \"d\" 'e'".into()))
        );
        assert_eq!(
            range.get_value((2, 0)),
            Some(&Data::String(" padded ".into()))
        );
        assert_eq!(range.get_value((2, 1)), Some(&Data::Float(-7.0)));
        assert_eq!(range.get_value((2, 2)), Some(&Data::Float(-0.05)));
        assert_eq!(range.get_value((2, 3)), Some(&Data::Float(-0.025)));
        assert_eq!(
            range.get_value((2, 4)),
            Some(&Data::String("line\r\nbreak".into()))
        );
        // Excel reads `_xHHHH_` in a string as an escaped character, so a literal one is written
        // with its `_` escaped (calamine 0.27 does not decode these: the raw XML is checked).
        assert!(sheet_xml(&bytes).contains("<t>_x005F_x0041_ stays</t>"));
    }

    #[test]
    fn xlsx_styles_and_frozen_header() {
        let bytes = xlsx(
            "s",
            &["a", "日期"],
            &[vec![Cell::Money(1), Cell::Percent(1)]],
        );
        let book: Xlsx<_> = Xlsx::new(Cursor::new(bytes.clone())).unwrap();
        assert_eq!(book.sheet_names(), vec!["s".to_owned()]);
        let sheet = sheet_xml(&bytes);
        assert!(sheet.contains(
            "<pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/>"
        ));
        assert!(sheet.contains("<col min=\"1\" max=\"1\" width=\"12\" customWidth=\"1\"/>"));
        assert!(sheet.contains("<c r=\"A1\" s=\"3\" t=\"inlineStr\"><is><t>a</t></is></c>"));
        assert!(sheet.contains("<c r=\"A2\" s=\"1\"><v>0.01</v></c>"));
        assert!(sheet.contains("<c r=\"B2\" s=\"2\"><v>0.0001</v></c>"));
    }

    /// The central directory's view of the file, checked field by field against the local
    /// headers and data descriptors, and the sheet entry inflated.
    fn sheet_xml(bytes: &[u8]) -> String {
        let u16_at = |i: usize| u16::from_le_bytes([bytes[i], bytes[i + 1]]);
        let u32_at = |i: usize| u32::from_le_bytes(bytes[i..i + 4].try_into().unwrap());
        let eocd = bytes.len() - 22;
        assert_eq!(u32_at(eocd), 0x0605_4b50);
        let n = u16_at(eocd + 10) as usize;
        assert_eq!(n, 6);
        let mut p = u32_at(eocd + 16) as usize;
        let mut sheet = None;
        let mut names = Vec::new();
        for _ in 0..n {
            assert_eq!(u32_at(p), 0x0201_4b50);
            assert_eq!(u16_at(p + 6), 20);
            assert_eq!(u16_at(p + 8), 0x0808);
            let crc = u32_at(p + 16);
            let csize = u32_at(p + 20) as usize;
            let size = u32_at(p + 24) as usize;
            let name_len = u16_at(p + 28) as usize;
            let offset = u32_at(p + 42) as usize;
            let name = std::str::from_utf8(&bytes[p + 46..p + 46 + name_len]).unwrap();
            names.push(name.to_owned());
            // Local header: bit 3, zero CRC and sizes.
            assert_eq!(u32_at(offset), 0x0403_4b50);
            assert_eq!(u16_at(offset + 4), 20);
            assert_eq!(u16_at(offset + 6), 0x0808);
            assert_eq!(u32_at(offset + 14), 0);
            let data = offset + 30 + name_len;
            let descriptor = data + csize;
            assert_eq!(u32_at(descriptor), 0x0807_4b50);
            assert_eq!(u32_at(descriptor + 4), crc);
            assert_eq!(u32_at(descriptor + 8) as usize, csize);
            assert_eq!(u32_at(descriptor + 12) as usize, size);
            let mut inflated = Vec::new();
            let mut d = flate2::Decompress::new(false);
            inflated.reserve(size + 1);
            d.decompress_vec(
                &bytes[data..descriptor],
                &mut inflated,
                flate2::FlushDecompress::Finish,
            )
            .unwrap();
            assert_eq!(inflated.len(), size);
            assert_eq!(crc32fast::hash(&inflated), crc);
            if name == SHEET_PATH {
                sheet = Some(String::from_utf8(inflated).unwrap());
            }
            p += 46 + name_len;
        }
        assert_eq!(
            names,
            [
                "[Content_Types].xml",
                "_rels/.rels",
                "xl/workbook.xml",
                "xl/_rels/workbook.xml.rels",
                "xl/styles.xml",
                SHEET_PATH
            ]
        );
        sheet.unwrap()
    }

    #[test]
    fn xlsx_five_thousand_rows() {
        let rows: Vec<Vec<Cell>> = (0..5000)
            .map(|i| {
                vec![
                    text(&format!("第{i}天")),
                    Cell::Int(i),
                    Cell::Money(i * 101),
                    Cell::Percent(i % 10_001),
                ]
            })
            .collect();
        let bytes = xlsx("日报", &["日期", "订单", "成交额", "好评率"], &rows);
        sheet_xml(&bytes);
        let (_, range) = read(bytes);
        assert_eq!(range.height(), 5001);
        assert_eq!(range.width(), 4);
        for (i, row) in range.rows().skip(1).enumerate() {
            let i = i as i64;
            assert_eq!(row[0], Data::String(format!("第{i}天")));
            assert_eq!(row[1], Data::Float(i as f64));
            assert_eq!(row[2], Data::Float(decimal(i * 101, 2).parse().unwrap()));
            assert_eq!(row[3], Data::Float(decimal(i % 10_001, 4).parse().unwrap()));
        }
    }

    #[test]
    fn xlsx_streams_in_bounded_chunks() {
        const BOUND: usize = 256 * 1024;
        let mut w = TableWriter::new(Format::Xlsx, "大表", &["日期", "品名", "金额", "占比"]);
        let mut total = w.start().len();
        let mut nonempty = 0;
        for i in 0..200_000i64 {
            let chunk = w.row(&[
                text(&format!("2025-{:02}-{:02}", i % 12 + 1, i % 28 + 1)),
                text(&format!(
                    "商品{}号 {}",
                    i,
                    i.wrapping_mul(2_654_435_761) % 1_000_003
                )),
                Cell::Money(i * 37),
                Cell::Percent(i % 10_000),
            ]);
            assert!(chunk.len() <= BOUND, "chunk of {} bytes", chunk.len());
            assert!(w.buffered() <= BOUND, "buffer of {} bytes", w.buffered());
            nonempty += usize::from(!chunk.is_empty());
            total += chunk.len();
        }
        let last = w.finish();
        assert!(last.len() <= BOUND);
        total += last.len();
        // Output really came out along the way, not all at the end.
        assert!(nonempty > 20, "{nonempty} non-empty chunks");
        assert!(total > 1_000_000);
    }

    #[test]
    fn csv_streams_in_bounded_chunks() {
        let mut w = TableWriter::new(Format::Csv, "x", &["a", "b"]);
        w.start();
        let mut nonempty = 0;
        for i in 0..100_000i64 {
            let chunk = w.row(&[Cell::Int(i), text("一些文字,带逗号")]);
            assert!(chunk.len() <= 80 * 1024);
            assert!(w.buffered() <= 256 * 1024);
            nonempty += usize::from(!chunk.is_empty());
        }
        assert!(w.finish().len() <= FLUSH_AT + 1024);
        assert!(nonempty > 20);
    }

    #[test]
    fn xlsx_rows_past_the_cap_are_dropped() {
        let mut w = TableWriter::new(Format::Xlsx, "s", &["n"]);
        w.max_rows = 3;
        let mut out = w.start();
        for i in 0..5 {
            out.extend(w.row(&[Cell::Int(i)]));
        }
        assert_eq!(w.dropped_rows(), 2);
        out.extend(w.finish());
        let (_, range) = read(out);
        assert_eq!(range.height(), 4);
        assert_eq!(range.get_value((3, 0)), Some(&Data::Float(2.0)));
    }

    #[test]
    fn xlsx_without_rows_or_headers() {
        let w = TableWriter::new(Format::Xlsx, "", &[]);
        let bytes = w.finish();
        let sheet = sheet_xml(&bytes);
        assert!(sheet.ends_with("<sheetData></sheetData></worksheet>"));
        let (names, range) = read(bytes);
        assert_eq!(names, vec!["Sheet1".to_owned()]);
        assert!(range.is_empty());

        // Without headers the data starts on row 1.
        let bytes = xlsx("s", &[], &[vec![Cell::Int(7)]]);
        assert!(sheet_xml(&bytes).contains("<row r=\"1\"><c r=\"A1\"><v>7</v></c></row>"));
        let (_, range) = read(bytes);
        assert_eq!(range.start(), Some((0, 0)));
        assert_eq!(range.get_value((0, 0)), Some(&Data::Float(7.0)));
    }

    #[test]
    fn writer_can_cross_await_points() {
        fn send<T: Send + 'static>(_: &T) {}
        send(&TableWriter::new(Format::Xlsx, "s", &["a"]));
    }

    #[test]
    fn xlsx_cell_text_capped_at_excel_limit() {
        let long = "农".repeat(40_000);
        let bytes = xlsx("s", &["t"], &[vec![Cell::Text(long)]]);
        let (_, range) = read(bytes);
        assert_eq!(
            range.get_value((1, 0)),
            Some(&Data::String("农".repeat(XLSX_MAX_CELL_UNITS)))
        );
    }
}
