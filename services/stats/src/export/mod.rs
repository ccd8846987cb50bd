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

mod csv;
#[cfg(test)]
mod tests;
mod xlsx;
mod zip;

pub use xlsx::sanitize_sheet_name;

use csv::{csv_row, csv_text};
use flate2::FlushCompress;
use xlsx::{
    CONTENT_TYPES, ROOT_RELS, SHEET_PATH, STYLES, WORKBOOK_RELS, XLSX_MAX_ROWS,
    XLSX_MAX_SHEET_BYTES, sheet_start, workbook_xml, xlsx_row,
};
use zip::ZipState;

/// Buffered bytes past which the writer hands back output.
pub const FLUSH_AT: usize = 64 * 1024;

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

    /// The whole file as a lazy sequence of non-empty chunks: each row is pulled from `rows`
    /// only when the consumer (a response body) asks for more, so neither the rows' cells nor
    /// the file are ever held whole.
    pub fn chunks<I>(mut self, rows: I) -> impl Iterator<Item = Vec<u8>> + Send + 'static
    where
        I: IntoIterator<Item = Vec<Cell>>,
        I::IntoIter: Send + 'static,
    {
        let first = self.start();
        let mut rows = rows.into_iter();
        let mut w = Some(self);
        std::iter::once(first)
            .chain(std::iter::from_fn(move || match rows.next() {
                Some(r) => w.as_mut().map(|w| w.row(&r)),
                None => w.take().map(TableWriter::finish),
            }))
            .filter(|chunk| !chunk.is_empty())
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
