//! A first look at a file for the import dialog: its columns, size and first rows.

use std::path::{Path, PathBuf};

use super::error::DataError;
use super::source::{FileFormat, Source, contain};

/// Rows shown in a preview.
pub const PREVIEW_ROWS: usize = 20;

/// What the import dialog shows about a file before its columns are mapped.
#[derive(Debug, Clone, PartialEq)]
pub struct FileInfo {
    pub path: PathBuf,
    pub format: FileFormat,
    /// The field separator found in a CSV header line.
    pub delimiter: Option<char>,
    pub columns: Vec<String>,
    /// Data rows (the header not counted).
    pub row_count: usize,
    /// The first rows, every cell as text (empty where missing), in `columns` order.
    pub preview: Vec<Vec<String>>,
}

/// Reads a file's header, counts its rows and previews the first [`PREVIEW_ROWS`].
pub fn inspect_file(path: &Path) -> Result<FileInfo, DataError> {
    let name = path.display().to_string();
    contain(&name, || {
        let source = Source::open(path, &name)?;
        let row_count = source.row_count()?;
        let preview = source.preview(PREVIEW_ROWS)?;
        Ok(FileInfo {
            path: path.to_path_buf(),
            format: source.format,
            delimiter: source.delimiter.map(char::from),
            columns: source.columns,
            row_count,
            preview,
        })
    })
}

/// The field separator of a CSV file's header line, read from its first bytes only (None for
/// Parquet or a file that cannot be read).
pub fn csv_delimiter(path: &Path) -> Option<char> {
    use std::io::Read;
    if super::source::format_of(path, "").ok()? != FileFormat::Csv {
        return None;
    }
    let mut head = Vec::new();
    std::fs::File::open(path)
        .ok()?
        .take(64 * 1024)
        .read_to_end(&mut head)
        .ok()?;
    super::source::sniff_delimiter(&head).map(char::from)
}
