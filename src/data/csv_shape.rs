//! Plain passes over a CSV file's bytes: rows whose field count is not the header's, quotes
//! never closed, and whether the text is UTF-8. polars reads a short row's absent fields as empty cells and a cut-off
//! last row as complete, so this pass is what catches them.

use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

const UTF8_BOM: &[u8] = b"\xef\xbb\xbf";

/// Rows short of fields that a load could do without (text attributes, say).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct ShortRows {
    /// The first such data row.
    pub first: usize,
    pub rows: usize,
}

impl ShortRows {
    fn note(&mut self, row: usize) {
        if self.rows == 0 {
            self.first = row;
        }
        self.rows += 1;
    }
}

/// A file's bytes mapped into memory, or None where it cannot be (then it is read in pieces).
///
/// The map is read-only and lives as long as one pass; a file cut short by another program
/// while it is mapped is the one hazard, the same one polars' own reader (which maps the file
/// too) takes.
fn map(file: &File) -> Option<memmap2::Mmap> {
    // SAFETY: read-only map of a regular file, dropped at the end of the pass (see above).
    unsafe { memmap2::Mmap::map(file) }.ok()
}

/// Whether the whole file is valid UTF-8 (a byte-order mark at its start is fine): then polars
/// checks it a block at a time, where any other file is read replacing bytes that are not UTF-8
/// cell by cell, which costs a quarter more.
pub(crate) fn is_utf8(path: &Path) -> bool {
    let Ok(file) = File::open(path) else {
        return false;
    };
    match map(&file) {
        Some(bytes) => simdutf8::basic::from_utf8(&bytes).is_ok(),
        None => false,
    }
}

/// Where a CSV file's rows do not fit its header, found by one plain pass over it: the first
/// data row with more or fewer fields than the header (a cut-off last row has fewer), or a
/// quote that is never closed. Quotes follow RFC 4180: a quote opens a quoted field only at
/// the start of a field. Row 0 is the header line; None when every row fits.
///
/// A row with fewer fields than the header but at least `needed` is not an error: it is counted
/// in `tolerated`. Rows past `through` are not looked at (the reading stopped at that row).
pub(crate) fn diagnose_csv(
    path: &Path,
    delimiter: u8,
    needed: usize,
    tolerated: &mut ShortRows,
    through: &AtomicUsize,
) -> Option<(usize, String)> {
    let mut file = File::open(path).ok()?;
    let mut scan = Scan::new(delimiter, needed);
    match map(&file) {
        Some(bytes) => {
            let bytes = bytes.strip_prefix(UTF8_BOM).unwrap_or(&bytes);
            // A megabyte at a time, to stop soon after the reading has stopped.
            for piece in bytes.chunks(1 << 20) {
                if scan.record > through.load(Ordering::Relaxed) {
                    return None;
                }
                if let Some(bad) = scan.feed(piece, tolerated) {
                    return Some(bad);
                }
            }
        }
        None => {
            let mut buf = vec![0; 1 << 20];
            let mut first = true;
            loop {
                if scan.record > through.load(Ordering::Relaxed) {
                    return None;
                }
                let n = file.read(&mut buf).ok()?;
                if n == 0 {
                    break;
                }
                let mut piece = &buf[..n];
                if first {
                    piece = piece.strip_prefix(UTF8_BOM).unwrap_or(piece);
                    first = false;
                }
                if let Some(bad) = scan.feed(piece, tolerated) {
                    return Some(bad);
                }
            }
        }
    }
    scan.end(tolerated)
}

/// Where the pass is within a field.
#[derive(Debug, Clone, Copy, PartialEq)]
enum At {
    FieldStart,
    Unquoted,
    Quoted,
    /// A quote inside a quoted field: the field's end, or the first of `""`.
    QuoteInQuoted,
}

/// The state of the pass, carried from one piece of the file to the next.
#[derive(Debug, Clone, PartialEq)]
struct Scan {
    delimiter: u8,
    needed: usize,
    at: At,
    /// Fields of the line so far.
    fields: usize,
    /// Whether the line so far holds nothing but carriage returns.
    blank: bool,
    /// Records (lines with something on them) ended so far; the header is record 0.
    record: usize,
    /// The header's field count.
    width: usize,
    line: usize,
    quote_at: (usize, usize),
}

/// Bytes looked at together: a line's delimiters are counted from bit masks of the block.
const BLOCK: usize = 64;

impl Scan {
    fn new(delimiter: u8, needed: usize) -> Scan {
        Scan {
            delimiter,
            needed,
            at: At::FieldStart,
            fields: 1,
            blank: true,
            record: 0,
            width: 0,
            line: 1,
            quote_at: (0, 0),
        }
    }

    /// Scans the next piece of the file.
    fn feed(&mut self, bytes: &[u8], tolerated: &mut ShortRows) -> Option<(usize, String)> {
        let mut blocks = bytes.chunks_exact(BLOCK);
        for block in &mut blocks {
            let block: &[u8; BLOCK] = block.try_into().ok()?;
            if let Some(bad) = self.block(block, tolerated) {
                return Some(bad);
            }
        }
        for &b in blocks.remainder() {
            if let Some(bad) = self.byte(b, tolerated) {
                return Some(bad);
            }
        }
        None
    }

    /// A block of bytes: with no quote in it and none open, each line's delimiters are counted
    /// from bit masks, which the compiler builds with vector instructions (most blocks of most
    /// files); otherwise byte by byte.
    fn block(&mut self, block: &[u8; BLOCK], tolerated: &mut ShortRows) -> Option<(usize, String)> {
        let [mut newlines, delimiters, returns, quotes] =
            masks(block, [b'\n', self.delimiter, b'\r', b'"']);
        if quotes != 0 || matches!(self.at, At::Quoted | At::QuoteInQuoted) {
            for &b in block {
                if let Some(bad) = self.byte(b, tolerated) {
                    return Some(bad);
                }
            }
            return None;
        }
        // Bytes that make a line not blank: anything but a line end or a carriage return.
        let content = !(newlines | returns);
        let mut start = 0u32;
        while newlines != 0 {
            let end = newlines.trailing_zeros();
            let line = bits(start, end);
            self.fields += (delimiters & line).count_ones() as usize;
            if content & line != 0 {
                self.blank = false;
            }
            if let Some(bad) = self.end_line(tolerated) {
                return Some(bad);
            }
            start = end + 1;
            newlines &= newlines - 1;
        }
        let rest = bits(start, BLOCK as u32);
        self.fields += (delimiters & rest).count_ones() as usize;
        let written = content & rest;
        if written != 0 {
            self.blank = false;
            // The last byte written decides whether a quote after it would open a field.
            let last = 63 - written.leading_zeros();
            self.at = if delimiters >> last & 1 == 1 {
                At::FieldStart
            } else {
                At::Unquoted
            };
        }
        None
    }

    fn byte(&mut self, b: u8, tolerated: &mut ShortRows) -> Option<(usize, String)> {
        if self.at == At::Quoted {
            match b {
                b'"' => self.at = At::QuoteInQuoted,
                b'\n' => self.line += 1,
                _ => {}
            }
            return None;
        }
        match b {
            b'"' if self.at == At::FieldStart => {
                self.quote_at = (self.record, self.line);
                self.at = At::Quoted;
                self.blank = false;
            }
            b'"' if self.at == At::QuoteInQuoted => {
                self.at = At::Quoted;
            }
            b'\n' => return self.end_line(tolerated),
            b'\r' => {}
            d if d == self.delimiter => {
                self.fields += 1;
                self.blank = false;
                self.at = At::FieldStart;
            }
            _ => {
                self.blank = false;
                self.at = At::Unquoted;
            }
        }
        None
    }

    /// A line ends (outside quotes): checks its field count against the header's.
    fn end_line(&mut self, tolerated: &mut ShortRows) -> Option<(usize, String)> {
        self.line += 1;
        if !self.blank {
            if self.record == 0 {
                self.width = self.fields;
            } else if self.fields < self.width && self.fields >= self.needed {
                tolerated.note(self.record);
            } else if self.fields != self.width {
                return Some((self.record, wrong_width(self.fields, self.width)));
            }
            self.record += 1;
        }
        self.fields = 1;
        self.blank = true;
        self.at = At::FieldStart;
        None
    }

    /// The file ends: a quote still open, or a last line without a line end that does not fit.
    fn end(&self, tolerated: &mut ShortRows) -> Option<(usize, String)> {
        if self.at == At::Quoted {
            let (row, line) = self.quote_at;
            return Some((
                row,
                format!(
                    "a quote opened on line {line} is never closed, so the rest of the file \
                     would read as one cell; close or remove that quote"
                ),
            ));
        }
        if !self.blank && self.record > 0 && self.fields != self.width {
            if self.fields < self.width && self.fields >= self.needed {
                tolerated.note(self.record);
            } else {
                return Some((self.record, wrong_width(self.fields, self.width)));
            }
        }
        None
    }
}

/// For each of four bytes, the bit mask of where it is in the block (bit `i`: byte `i`).
#[cfg(target_arch = "x86_64")]
fn masks(block: &[u8; BLOCK], wanted: [u8; 4]) -> [u64; 4] {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set1_epi8,
    };
    let mut out = [0u64; 4];
    // SAFETY: SSE2 is part of every x86_64 processor; each load reads 16 bytes inside `block`.
    unsafe {
        for part in 0..BLOCK / 16 {
            let bytes = _mm_loadu_si128(block.as_ptr().add(part * 16).cast::<__m128i>());
            for (mask, &w) in out.iter_mut().zip(&wanted) {
                let hits = _mm_movemask_epi8(_mm_cmpeq_epi8(bytes, _mm_set1_epi8(w as i8)));
                *mask |= u64::from(hits as u16) << (part * 16);
            }
        }
    }
    out
}

#[cfg(not(target_arch = "x86_64"))]
fn masks(block: &[u8; BLOCK], wanted: [u8; 4]) -> [u64; 4] {
    let mut out = [0u64; 4];
    for (i, &b) in block.iter().enumerate() {
        for (mask, &w) in out.iter_mut().zip(&wanted) {
            *mask |= u64::from(b == w) << i;
        }
    }
    out
}

/// Bits `from..to` of a block's mask.
fn bits(from: u32, to: u32) -> u64 {
    let below_to = if to >= 64 { u64::MAX } else { (1 << to) - 1 };
    let below_from = if from >= 64 {
        u64::MAX
    } else {
        (1 << from) - 1
    };
    below_to & !below_from
}

fn wrong_width(fields: usize, width: usize) -> String {
    if fields > width {
        format!("the row has {fields} fields but the header has {width}")
    } else {
        short_row(width)
    }
}

/// Why a row with fewer fields than the header (`width`, when known) is refused.
fn short_row(width: usize) -> String {
    let width = if width > 0 {
        format!(" ({width})")
    } else {
        String::new()
    };
    format!(
        "the row has fewer fields than the header{width}, so its last values would be lost; a \
         delimiter is missing or the row was cut short"
    )
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// The pass byte by byte throughout: what the block pass must equal.
    fn byte_by_byte(bytes: &[u8], needed: usize) -> (Option<(usize, String)>, ShortRows) {
        let mut scan = Scan::new(b',', needed);
        let mut tolerated = ShortRows::default();
        for &b in bytes {
            if let Some(bad) = scan.byte(b, &mut tolerated) {
                return (Some(bad), tolerated);
            }
        }
        (scan.end(&mut tolerated), tolerated)
    }

    fn in_pieces(
        bytes: &[u8],
        needed: usize,
        piece: usize,
    ) -> (Option<(usize, String)>, ShortRows) {
        let mut scan = Scan::new(b',', needed);
        let mut tolerated = ShortRows::default();
        for p in bytes.chunks(piece) {
            if let Some(bad) = scan.feed(p, &mut tolerated) {
                return (Some(bad), tolerated);
            }
        }
        (scan.end(&mut tolerated), tolerated)
    }

    /// Text made of what matters to the pass: delimiters, quotes, line ends, carriage returns,
    /// and letters, mostly in lines of a few fields.
    fn csvish() -> impl Strategy<Value = Vec<u8>> {
        let byte = prop_oneof![
            6 => Just(b'a'),
            3 => Just(b','),
            2 => Just(b'\n'),
            1 => Just(b'\r'),
            1 => Just(b'"'),
        ];
        let line = prop_oneof![
            // A fitting line of three fields, without quotes.
            4 => "[a-z0-9]{0,9},[a-z0-9]{0,9},[a-z0-9]{0,30}\r?\n".prop_map(String::into_bytes),
            1 => proptest::collection::vec(byte, 0..90),
        ];
        proptest::collection::vec(line, 0..40).prop_map(|lines| lines.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn blocks_find_what_bytes_find(bytes in csvish(), needed in 0usize..4, piece in 1usize..200) {
            let expected = byte_by_byte(&bytes, needed);
            prop_assert_eq!(in_pieces(&bytes, needed, piece), expected.clone());
            prop_assert_eq!(in_pieces(&bytes, needed, 1 << 20), expected);
        }
    }

    #[test]
    fn a_short_row_after_many_blocks_is_found() {
        let mut text = String::from("a,b,c\n");
        for i in 0..1000 {
            text.push_str(&format!("p{i},{i},x\r\n"));
        }
        text.push_str("p,1\nq,2,3\n");
        let (bad, _) = in_pieces(text.as_bytes(), 3, 1 << 20);
        let (row, message) = bad.expect("the short row");
        assert_eq!(row, 1001);
        assert!(
            message.contains("fewer fields than the header (3)"),
            "{message}"
        );
        assert_eq!(byte_by_byte(text.as_bytes(), 3).0, Some((row, message)));
    }

    /// A quoted field with a delimiter inside, at every position against the blocks' edges.
    #[test]
    fn a_quote_opens_a_field_wherever_the_block_ends() {
        for pad in 0..(2 * BLOCK) {
            let text = format!("a,b,c\n{},\"p,q\",z\n\"r\",s,t\n", "x".repeat(pad));
            assert_eq!(
                in_pieces(text.as_bytes(), 3, 1 << 20),
                (None, ShortRows::default()),
                "{text}"
            );
            let wrong = text.replace("\"p,q\"", "p,q");
            let found = in_pieces(wrong.as_bytes(), 3, 1 << 20);
            assert_eq!(found, byte_by_byte(wrong.as_bytes(), 3));
            assert_eq!(found.0.map(|(row, _)| row), Some(1), "{wrong}");
        }
    }

    #[test]
    fn masks_mark_each_byte() {
        let mut block = [b'a'; BLOCK];
        for (i, b) in block.iter_mut().enumerate() {
            *b = [b'a', b',', b'\n', b'"', b'\r'][i * 7 % 5];
        }
        let found = masks(&block, [b'\n', b',', b'\r', b'"']);
        for (k, w) in [b'\n', b',', b'\r', b'"'].into_iter().enumerate() {
            for (i, &b) in block.iter().enumerate() {
                assert_eq!(found[k] >> i & 1 == 1, b == w, "byte {i}");
            }
        }
    }

    #[test]
    fn bits_cover_the_range() {
        assert_eq!(bits(0, 64), u64::MAX);
        assert_eq!(bits(0, 0), 0);
        assert_eq!(bits(3, 5), 0b11000);
        assert_eq!(bits(63, 64), 1 << 63);
        assert_eq!(bits(64, 64), 0);
    }
}
