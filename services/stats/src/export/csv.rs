//! CSV: a UTF-8 BOM so Excel opens Chinese correctly, CRLF lines, RFC 4180 quoting and a
//! leading `'` against formula injection.

use super::{Cell, decimal};

pub(super) fn csv_row(out: &mut Vec<u8>, cells: &[Cell]) {
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
pub(super) fn csv_text(out: &mut Vec<u8>, s: &str) {
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
