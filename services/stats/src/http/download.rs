//! A view as a download: the report's rows are turned into cells one at a time as the response
//! body asks for more, and encoded chunk by chunk, so the only thing held whole is the report
//! itself (which must be complete before its first row: the small-group rule looks at all of
//! them). See the crate README on why the exporter streams.

use crate::export::{Cell, Format, TableWriter};
use axum::body::Body;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use futures_util::StreamExt;

/// Streams `rows` encoded as `format`, named after the view and the period.
pub fn download<I>(
    format: Format,
    name: &str,
    (from, to): (NaiveDate, NaiveDate),
    headers: &[&str],
    rows: I,
) -> Response
where
    I: IntoIterator<Item = Vec<Cell>>,
    I::IntoIter: Send + 'static,
{
    let chunks = TableWriter::new(format, name, headers).chunks(rows);
    let stream = futures_util::stream::iter(chunks)
        .map(|chunk| Ok::<_, std::convert::Infallible>(bytes::Bytes::from(chunk)));
    let filename = format!("farmgate-{name}-{from}-{to}.{}", format.extension());
    let mut resp = Body::from_stream(stream).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

pub fn opt(v: Option<i64>) -> Cell {
    v.map_or(Cell::Empty, Cell::Int)
}

pub fn money(v: Option<i64>) -> Cell {
    v.map_or(Cell::Empty, Cell::Money)
}

pub fn pct(v: Option<i64>) -> Cell {
    v.map_or(Cell::Empty, Cell::Percent)
}
