//! A ZIP written front to back: every entry is deflated, its local header carries
//! general-purpose bit 3 and its CRC and sizes follow the data in a data descriptor, so
//! nothing is ever rewritten and the file can go out as it is made. No ZIP64 (the sheet is
//! kept under 4 GiB, see `xlsx::XLSX_MAX_SHEET_BYTES`).

use flate2::{Compress, Compression, FlushCompress, Status};

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

pub(super) struct ZipState {
    /// Bytes handed out so far.
    written: u64,
    entries: Vec<Entry>,
    /// The entry being written.
    current: Option<(&'static str, u64)>,
    deflate: Compress,
    crc: crc32fast::Hasher,
    pub(super) current_in: u64,
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
    pub(super) fn begin_entry(&mut self, out: &mut Vec<u8>, name: &'static str) {
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
    pub(super) fn entry_data(&mut self, out: &mut Vec<u8>, data: &[u8], flush: FlushCompress) {
        self.crc.update(data);
        self.current_in += data.len() as u64;
        let mut compressed = Vec::with_capacity(data.len() / 4 + 1024);
        deflate(&mut self.deflate, data, flush, &mut compressed);
        self.current_out += compressed.len() as u64;
        self.emit(out, &compressed);
    }

    /// The data descriptor of the current entry (its compressed stream must be finished).
    pub(super) fn end_entry(&mut self, out: &mut Vec<u8>) {
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

    pub(super) fn whole_entry(&mut self, out: &mut Vec<u8>, name: &'static str, data: &[u8]) {
        self.begin_entry(out, name);
        self.entry_data(out, data, FlushCompress::Finish);
        self.end_entry(out);
    }

    pub(super) fn central_directory(&mut self, out: &mut Vec<u8>) {
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
