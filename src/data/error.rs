//! Why a data file could not be read, with the file, row and column to look at.

use std::fmt;

/// One cell of a data file. `row` is the 1-based data row: the first row after the header is
/// row 1 (in a plain CSV file without line breaks inside cells it is on line `row + 1`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellRef {
    pub file: String,
    pub row: usize,
    pub column: String,
}

impl fmt::Display for CellRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}, data row {}, column \"{}\"",
            self.file, self.row, self.column
        )
    }
}

/// Everything that can go wrong reading or writing a data file. Every message names the file
/// and, where there is one, the data row and column.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DataError {
    #[error("{file}: file not found")]
    FileNotFound { file: String },

    #[error("{file}: unsupported file type (expected .csv, .txt, .tsv or .parquet)")]
    UnsupportedFormat { file: String },

    #[error("{file}: cannot read the file: {}", excerpt_n(.message, MESSAGE_CHARS))]
    Unreadable { file: String, message: String },

    #[error("{file}: not a readable Parquet file: {}", excerpt_n(.message, MESSAGE_CHARS))]
    BadParquet { file: String, message: String },

    /// polars could not parse a CSV file's numbers as it read them (a code further down than
    /// the start of the file, say): the file is read again with its numbers as text, which
    /// reads every cell. Asked for only by a caller that reads the file again (see
    /// `Source::allow_typed_numbers`); never returned by a load.
    #[error("{file}: its numbers are read again as text")]
    NumbersAsText { file: String },

    #[error("{file}: the file is empty (no header line)")]
    NoHeader { file: String },

    #[error("{file}: the file has a header but no data rows")]
    NoRows { file: String },

    #[error(
        "{file}: column \"{column}\" (mapped as {role}) is not in the file; its columns are: {}",
        quoted_list(.available)
    )]
    MissingColumn {
        file: String,
        column: String,
        role: String,
        available: Vec<String>,
    },

    #[error("{file}, data row {row}: {}", excerpt_n(.message, MESSAGE_CHARS))]
    BadRow {
        file: String,
        row: usize,
        message: String,
    },

    #[error("{at}: {what} is missing")]
    MissingValue { at: CellRef, what: String },

    #[error(
        "{at}: \"{value}\" is not a number (if it marks a missing or suppressed value, add it \
         to the program's missing-value codes)"
    )]
    NotNumeric { at: CellRef, value: String },

    #[error("{at}: {value} {why}")]
    Implausible {
        at: CellRef,
        value: String,
        why: String,
    },

    #[error(
        "{file}: column \"{column}\" appears twice in the header (columns {first} and \
         {second}), so it is not clear which to use; rename or remove one of them"
    )]
    DuplicateColumn {
        file: String,
        column: String,
        /// 1-based positions in the header.
        first: usize,
        second: usize,
    },

    #[error(
        "{file}: the file is UTF-16 encoded; save it as UTF-8 (in Excel: Save As, \"CSV UTF-8\")"
    )]
    Utf16 { file: String },

    #[error("{at}: \"{value}\" is not a yes/no flag (use 1/0, true/false, yes/no or y/n)")]
    NotAFlag { at: CellRef, value: String },

    #[error("{at}: {what} cannot be negative (found {value})")]
    Negative {
        at: CellRef,
        what: String,
        value: f64,
    },

    #[error(
        "{at}: numerator {numerator} exceeds the denominator {}",
        eligible_text(.denominator, .exclusions)
    )]
    NumeratorExceedsDenominator {
        at: CellRef,
        numerator: f64,
        denominator: f64,
        exclusions: Option<f64>,
    },

    #[error("{at}: exclusions {exclusions} exceed the denominator {denominator}")]
    ExclusionsExceedDenominator {
        at: CellRef,
        exclusions: f64,
        denominator: f64,
    },

    #[error(
        "{at}: duplicate {} (first given at {})",
        excerpt_n(.what, MESSAGE_CHARS),
        excerpt_n(.first, MESSAGE_CHARS)
    )]
    Duplicate {
        at: CellRef,
        what: String,
        first: String,
    },

    #[error("{file}: column mapping problem: {}", excerpt_n(.message, MESSAGE_CHARS))]
    Mapping { file: String, message: String },

    #[error("{file}: cannot write: {message}")]
    Write { file: String, message: String },

    #[error("loading was cancelled while reading {file}")]
    Cancelled { file: String },
}

impl DataError {
    /// The file the problem is in.
    pub fn file(&self) -> &str {
        match self {
            DataError::FileNotFound { file }
            | DataError::UnsupportedFormat { file }
            | DataError::Unreadable { file, .. }
            | DataError::BadParquet { file, .. }
            | DataError::NoHeader { file }
            | DataError::NoRows { file }
            | DataError::BadRow { file, .. }
            | DataError::MissingColumn { file, .. }
            | DataError::Mapping { file, .. }
            | DataError::Write { file, .. }
            | DataError::DuplicateColumn { file, .. }
            | DataError::Utf16 { file }
            | DataError::Cancelled { file } => file,
            _ => self.cell().map_or("", |c| c.file.as_str()),
        }
    }

    /// The cell the problem is in, when it is in one cell.
    pub fn cell(&self) -> Option<&CellRef> {
        match self {
            DataError::MissingValue { at, .. }
            | DataError::NotNumeric { at, .. }
            | DataError::Implausible { at, .. }
            | DataError::NotAFlag { at, .. }
            | DataError::Negative { at, .. }
            | DataError::NumeratorExceedsDenominator { at, .. }
            | DataError::ExclusionsExceedDenominator { at, .. }
            | DataError::Duplicate { at, .. } => Some(at),
            _ => None,
        }
    }

    /// The 1-based data row, when the problem is in one row.
    pub fn row(&self) -> Option<usize> {
        match self {
            DataError::BadRow { row, .. } => Some(*row),
            _ => self.cell().map(|c| c.row),
        }
    }

    /// The column, when the problem is in one column.
    pub fn column(&self) -> Option<&str> {
        match self {
            DataError::MissingColumn { column, .. } | DataError::DuplicateColumn { column, .. } => {
                Some(column)
            }
            _ => self.cell().map(|c| c.column.as_str()),
        }
    }
}

/// At most this many characters of a cell are quoted in a message.
pub(crate) const EXCERPT_CHARS: usize = 40;

/// A cell's text for a message: trimmed, control characters shown as spaces, and cut to
/// [`EXCERPT_CHARS`] characters with "…" so that a message never carries a whole line or file.
pub(crate) fn excerpt(cell: &str) -> String {
    excerpt_n(cell, EXCERPT_CHARS)
}

/// At most this many characters of a message built from several cells (a duplicate key of
/// four IDs) or of a reader's own words, which may quote the file.
pub(crate) const MESSAGE_CHARS: usize = 240;

/// [`excerpt`] with room for `n` characters.
pub(crate) fn excerpt_n(text: &str, n: usize) -> String {
    cut(text.trim(), n)
}

/// `t` with control characters shown as spaces, cut to `n` characters with "…".
fn cut(t: &str, n: usize) -> String {
    let mut out: String = t
        .chars()
        .take(n)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if t.chars().nth(n).is_some() {
        out.push('…');
    }
    out
}

fn quoted_list(names: &[String]) -> String {
    /// Enough to find a column by eye; a header of thousands of names is not listed whole.
    const SHOWN: usize = 40;
    if names.is_empty() {
        return "(none)".into();
    }
    let mut list = names
        .iter()
        .take(SHOWN)
        // Untrimmed: a name written with a space before or after it is not the name without.
        .map(|n| format!("\"{}\"", cut(n, EXCERPT_CHARS)))
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > SHOWN {
        list.push_str(&format!(" and {} more", names.len() - SHOWN));
    }
    list
}

fn eligible_text(denominator: &f64, exclusions: &Option<f64>) -> String {
    match *exclusions {
        Some(e) if e != 0.0 => format!("{} ({denominator} less {e} exclusions)", denominator - e),
        _ => format!("{denominator}"),
    }
}
