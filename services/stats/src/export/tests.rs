//! The exporters' tests: bytes checked field by field, and read back with calamine.

#![expect(clippy::unwrap_used, reason = "tests")]

use super::xlsx::*;
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

#[test]
fn chunks_pull_rows_only_as_the_body_asks_and_give_the_same_file() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    const ROWS: i64 = 200_000;
    let row = |i: i64| {
        vec![
            text(&format!("第{i}天")),
            Cell::Int(i),
            Cell::Money(i * 37),
            Cell::Percent(i % 10_000),
        ]
    };
    let pulled = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&pulled);
    let rows = (0..ROWS).map(move |i| {
        counter.fetch_add(1, Ordering::Relaxed);
        row(i)
    });
    let mut chunks =
        TableWriter::new(Format::Xlsx, "大表", &["日期", "n", "金额", "占比"]).chunks(rows);
    let mut file = Vec::new();
    for _ in 0..3 {
        let chunk = chunks.next().unwrap();
        assert!(!chunk.is_empty() && chunk.len() <= 256 * 1024);
        file.extend(chunk);
    }
    let early = pulled.load(Ordering::Relaxed);
    assert!(
        early < (ROWS / 4) as usize,
        "three chunks pulled {early} rows: rows are made as the body asks"
    );
    for chunk in chunks {
        assert!(chunk.len() <= 256 * 1024, "chunk of {} bytes", chunk.len());
        file.extend(chunk);
    }
    assert_eq!(pulled.load(Ordering::Relaxed), ROWS as usize);
    let whole = xlsx(
        "大表",
        &["日期", "n", "金额", "占比"],
        &(0..ROWS).map(row).collect::<Vec<_>>(),
    );
    assert_eq!(file, whole);
}
