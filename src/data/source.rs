//! Opening a CSV or Parquet file lazily and reading the columns a mapping needs, as text.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use super::cells::CellRules;
use super::error::DataError;

/// File formats we read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    Csv,
    Parquet,
}

/// A file opened lazily: its header is known, its rows not yet read.
pub(crate) struct Source {
    pub name: String,
    path: PathBuf,
    pub format: FileFormat,
    /// The field separator of a CSV file.
    pub delimiter: Option<u8>,
    pub columns: Vec<String>,
    frame: LazyFrame,
}

/// The rows of a file, every selected column as text.
pub(crate) struct Table {
    pub name: String,
    pub delimiter: Option<u8>,
    frame: DataFrame,
}

/// How many bytes of a CSV file are read to find its header line.
const SNIFF_BYTES: usize = 64 * 1024;
const UTF8_BOM: &[u8] = b"\xef\xbb\xbf";

pub(crate) fn format_of(path: &Path, name: &str) -> Result<FileFormat, DataError> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("csv" | "txt" | "tsv") => Ok(FileFormat::Csv),
        Some("parquet" | "pq") => Ok(FileFormat::Parquet),
        _ => Err(DataError::UnsupportedFormat { file: name.into() }),
    }
}

impl Source {
    /// Opens `path` (shown in messages as `name`) and reads its header; no data rows are read.
    pub fn open(path: &Path, name: &str) -> Result<Source, DataError> {
        let format = format_of(path, name)?;
        match std::fs::metadata(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(DataError::FileNotFound { file: name.into() });
            }
            Err(e) => {
                return Err(DataError::Unreadable {
                    file: name.into(),
                    message: e.to_string(),
                });
            }
            Ok(m) if m.is_dir() => {
                return Err(DataError::Unreadable {
                    file: name.into(),
                    message: "it is a folder, not a file".into(),
                });
            }
            Ok(_) => {}
        }
        match format {
            FileFormat::Csv => Self::open_csv(path, name),
            FileFormat::Parquet => Self::open_parquet(path, name),
        }
    }

    fn open_csv(path: &Path, name: &str) -> Result<Source, DataError> {
        let unreadable = |message: String| DataError::Unreadable {
            file: name.into(),
            message,
        };
        let head = read_head(path).map_err(|e| unreadable(e.to_string()))?;
        let head = head.strip_prefix(UTF8_BOM).unwrap_or(&head);
        if head.iter().all(u8::is_ascii_whitespace) {
            return Err(DataError::NoHeader { file: name.into() });
        }
        let tsv = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("tsv"));
        let delimiter = sniff_delimiter(head).unwrap_or(if tsv { b'\t' } else { b',' });
        let pl_path = PlRefPath::try_from_path(path).map_err(|e| unreadable(e.to_string()))?;
        // Schema length 0 reads every column as text: we parse numbers ourselves so that IDs
        // keep leading zeros and "Not Available" or "53.50%" never turn into nulls.
        let mut frame = LazyCsvReader::new(pl_path)
            .with_has_header(true)
            .with_separator(delimiter)
            .with_infer_schema_length(Some(0))
            .with_encoding(CsvEncoding::LossyUtf8)
            .with_missing_is_null(true)
            .with_glob(false)
            .finish()
            .map_err(|e| unreadable(e.to_string()))?;
        let schema = frame
            .collect_schema()
            .map_err(|e| unreadable(e.to_string()))?;
        let raw: Vec<String> = schema.iter_names().map(|n| n.to_string()).collect();
        // polars drops a leading BOM itself; clean up after any other writer that left one (or
        // quotes) on the first name, so the mapping matches what a person sees.
        let columns: Vec<String> = raw.iter().map(|n| clean_name(n)).collect();
        if columns != raw {
            frame = frame.rename(raw.iter(), columns.iter(), true);
        }
        Ok(Source {
            name: name.into(),
            path: path.to_path_buf(),
            format: FileFormat::Csv,
            delimiter: Some(delimiter),
            columns,
            frame,
        })
    }

    fn open_parquet(path: &Path, name: &str) -> Result<Source, DataError> {
        let bad = |e: PolarsError| DataError::BadParquet {
            file: name.into(),
            message: e.to_string(),
        };
        let pl_path = PlRefPath::try_from_path(path).map_err(bad)?;
        let args = ScanArgsParquet {
            glob: false,
            ..Default::default()
        };
        let mut frame = LazyFrame::scan_parquet(pl_path, args).map_err(bad)?;
        let schema = frame.collect_schema().map_err(bad)?;
        let columns: Vec<String> = schema.iter_names().map(|n| n.to_string()).collect();
        if columns.is_empty() {
            return Err(DataError::NoHeader { file: name.into() });
        }
        Ok(Source {
            name: name.into(),
            path: path.to_path_buf(),
            format: FileFormat::Parquet,
            delimiter: None,
            columns,
            frame,
        })
    }

    /// Checks that a mapped column exists.
    pub fn require(&self, column: &str, role: &str) -> Result<(), DataError> {
        if self.columns.iter().any(|c| c == column) {
            Ok(())
        } else {
            Err(DataError::MissingColumn {
                file: self.name.clone(),
                column: column.into(),
                role: role.into(),
                available: self.columns.clone(),
            })
        }
    }

    /// Reads the given columns (which must exist) as text, every row, in file order.
    pub fn read(self, columns: &[&str]) -> Result<Table, DataError> {
        let mut wanted: Vec<&str> = Vec::new();
        for c in columns {
            if !wanted.contains(c) {
                wanted.push(c);
            }
        }
        let exprs: Vec<Expr> = wanted
            .iter()
            .map(|c| col(*c).cast(DataType::String))
            .collect();
        let frame = match self.frame.clone().select(exprs).collect() {
            Ok(f) => f,
            Err(e) => return Err(self.error(e)),
        };
        if frame.height() == 0 {
            return Err(DataError::NoRows { file: self.name });
        }
        Ok(Table {
            name: self.name,
            delimiter: self.delimiter,
            frame,
        })
    }

    /// Number of data rows.
    pub fn row_count(&self) -> Result<usize, DataError> {
        let df = self
            .frame
            .clone()
            .select([len().alias("n")])
            .collect()
            .map_err(|e| self.error(e))?;
        let n = df
            .column("n")
            .and_then(|c| c.cast(&DataType::UInt64))
            .map_err(|e| self.error(e))?;
        let n = n.u64().map_err(|e| self.error(e))?.get(0).unwrap_or(0);
        Ok(usize::try_from(n).unwrap_or(usize::MAX))
    }

    /// The first `n` rows, every column as text (empty where missing).
    pub fn preview(&self, n: usize) -> Result<Vec<Vec<String>>, DataError> {
        let exprs: Vec<Expr> = self
            .columns
            .iter()
            .map(|c| col(c.as_str()).cast(DataType::String))
            .collect();
        let limit = IdxSize::try_from(n).unwrap_or(IdxSize::MAX);
        let df = self
            .frame
            .clone()
            .limit(limit)
            .select(exprs)
            .collect()
            .map_err(|e| self.error(e))?;
        let mut rows = vec![Vec::with_capacity(self.columns.len()); df.height()];
        for c in &self.columns {
            let values = df
                .column(c)
                .and_then(|c| c.str())
                .map_err(|e| self.error(e))?;
            for (row, v) in rows.iter_mut().zip(values.iter()) {
                row.push(v.unwrap_or("").to_owned());
            }
        }
        Ok(rows)
    }

    fn error(&self, e: PolarsError) -> DataError {
        match self.format {
            FileFormat::Csv => match self.delimiter.and_then(|d| find_long_row(&self.path, d)) {
                Some((row, message)) => DataError::BadRow {
                    file: self.name.clone(),
                    row,
                    message,
                },
                None => DataError::Unreadable {
                    file: self.name.clone(),
                    message: e.to_string(),
                },
            },
            FileFormat::Parquet => DataError::BadParquet {
                file: self.name.clone(),
                message: e.to_string(),
            },
        }
    }
}

impl Table {
    pub fn height(&self) -> usize {
        self.frame.height()
    }

    /// A column's cells in row order (None where the cell is null).
    pub fn column(&self, name: &str) -> Result<Vec<Option<&str>>, DataError> {
        let values =
            self.frame
                .column(name)
                .and_then(|c| c.str())
                .map_err(|e| DataError::Unreadable {
                    file: self.name.clone(),
                    message: e.to_string(),
                })?;
        Ok(values.iter().collect())
    }

    /// An optional mapped column: all-null cells when not mapped.
    pub fn column_or_empty(&self, name: Option<&str>) -> Result<Vec<Option<&str>>, DataError> {
        match name {
            Some(n) => self.column(n),
            None => Ok(vec![None; self.height()]),
        }
    }

    /// How this file's cells are parsed.
    pub fn rules(&self, missing_values: &[String]) -> CellRules {
        CellRules::new(missing_values, self.delimiter == Some(b';'))
    }
}

fn read_head(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::with_capacity(SNIFF_BYTES);
    File::open(path)?
        .take(SNIFF_BYTES as u64)
        .read_to_end(&mut buf)?;
    Ok(buf)
}

/// The first data row with more fields than the header, which polars refuses without saying
/// where it is. Only called after a read has failed, so a good file is never read twice.
fn find_long_row(path: &Path, delimiter: u8) -> Option<(usize, String)> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_path(path)
        .ok()?;
    let width = reader.byte_headers().ok()?.len();
    for (i, record) in reader.byte_records().enumerate() {
        match record {
            Ok(r) if r.len() > width => {
                return Some((
                    i + 1,
                    format!("the row has {} fields but the header has {width}", r.len()),
                ));
            }
            Ok(_) => {}
            Err(e) => return Some((i + 1, e.to_string())),
        }
    }
    None
}

/// The field separator of the header line: whichever of `,` `;` tab occurs most outside quotes.
pub(crate) fn sniff_delimiter(head: &[u8]) -> Option<u8> {
    let mut counts = [0usize; 3];
    let mut in_quotes = false;
    let start = head
        .iter()
        .position(|b| !b.is_ascii_whitespace() || *b == b'\t')
        .unwrap_or(0);
    for &b in &head[start..] {
        match b {
            b'"' => in_quotes = !in_quotes,
            b'\n' | b'\r' if !in_quotes => break,
            b',' if !in_quotes => counts[0] += 1,
            b';' if !in_quotes => counts[1] += 1,
            b'\t' if !in_quotes => counts[2] += 1,
            _ => {}
        }
    }
    let (best, &n) = counts
        .iter()
        .enumerate()
        .max_by_key(|&(i, n)| (*n, 2 - i))?;
    (n > 0).then_some([b',', b';', b'\t'][best])
}

fn clean_name(name: &str) -> String {
    let n = name.trim_start_matches('\u{feff}');
    let n = n
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(n);
    n.to_owned()
}

/// `base_dir/relative`, unless `relative` is already absolute.
pub(crate) fn resolve(base_dir: &Path, relative: &str) -> PathBuf {
    let p = Path::new(relative);
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        base_dir.join(p)
    }
}
