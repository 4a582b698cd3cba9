//! Opening a CSV or Parquet file lazily and reading the columns a mapping needs: IDs as text,
//! numbers as numbers.

use std::borrow::Cow;
use std::fs::File;
use std::io::{Read, Seek};
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use polars::prelude::*;

use super::cells::CellRules;
use super::csv_shape::{ShortRows, diagnose_csv, is_utf8};
use super::error::{DataError, excerpt};
use super::load::{LIMIT, RowRef};

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
    /// The header's names as written (CSV), to find a mapped column given twice; polars
    /// renames the second copy, which would otherwise be ignored without a word.
    header: Vec<String>,
    frame: LazyFrame,
    schema: SchemaRef,
    /// Whether the start of the file writes a percent sign: then polars is asked to drop one
    /// at the end of a number as it casts (a pass over every cell, wasted on other files).
    percent_signs: bool,
    /// About how many data rows the file has, from its size and the lines of its start (CSV).
    rows_estimate: Option<usize>,
    /// How polars reads a CSV file, to read it again with numeric columns parsed as it goes.
    csv: Option<CsvRead>,
    /// Whether the caller reads the file again with its numbers as text when polars cannot
    /// parse them as it reads (see [`Source::allow_typed_numbers`]).
    typed_numbers: bool,
}

/// How polars reads a CSV file.
struct CsvRead {
    /// Whether the file's first bytes are UTF-8.
    head_utf8: bool,
    /// Whether the whole file is, once a reading has needed to know (see
    /// [`Source::reading_frame`]).
    utf8: OnceLock<bool>,
    /// The column names polars reads, before they are cleaned.
    raw: Vec<String>,
}

/// One batch of a file's rows: the selected columns as text, and the numeric columns polars
/// cast to numbers when asked for (see [`Source::read_typed_batches`]).
pub(crate) struct Table {
    pub name: String,
    /// Data rows before this batch.
    first_row: usize,
    frame: DataFrame,
}

/// A numeric column to read: its name, and what it counts when it is a count (never
/// negative), as messages name it ("a numerator").
#[derive(Debug, Clone, Copy)]
pub(crate) struct NumericColumn<'a> {
    pub name: &'a str,
    pub count: Option<&'a str>,
}

/// The first cell of a column that cannot be right: its data row and why.
type BadCell = (usize, DataError);

/// A batch's numeric columns read (see [`Source::read_typed_batches`]): one value per row
/// (NaN where missing), and the first cell of the batch that cannot be right.
pub(crate) struct Numbers {
    pub values: Vec<Vec<f64>>,
    first_bad: Option<BadCell>,
}

impl Numbers {
    /// The error of the first bad numeric cell when it is on data row `row`: callers check
    /// each row before using it, so errors come in the order of the file's rows.
    pub fn check_row(&mut self, row: usize) -> Result<(), DataError> {
        match self.first_bad.take() {
            Some((r, e)) if r == row => Err(e),
            other => {
                self.first_bad = other;
                Ok(())
            }
        }
    }

    /// The data row of the batch's first cell that could not be read, if any.
    pub fn first_bad_row(&self) -> Option<usize> {
        self.first_bad.as_ref().map(|(r, _)| *r)
    }

    /// The error of the batch's first cell that could not be read, if any: what is left when
    /// every row before it has been checked.
    pub fn finish(&mut self) -> Result<(), DataError> {
        self.first_bad.take().map_or(Ok(()), |(_, e)| Err(e))
    }
}

/// Name of the column polars casts numeric column `i` to.
fn value_name(i: usize) -> String {
    format!("\u{1}p4p value {i}")
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
        if path.is_dir() {
            return Self::open_dataset(path, name);
        }
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
            // A pipe or device would block the reader forever, or never end.
            Ok(m) if !m.is_file() => {
                return Err(DataError::Unreadable {
                    file: name.into(),
                    message: "it is not a regular file (a pipe, device or socket); give the path \
                              of a saved data file"
                        .into(),
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
        if looks_utf16(&head) {
            return Err(DataError::Utf16 { file: name.into() });
        }
        let head = head.strip_prefix(UTF8_BOM).unwrap_or(&head);
        if head.iter().all(u8::is_ascii_whitespace) {
            return Err(DataError::NoHeader { file: name.into() });
        }
        if head.contains(&0) {
            return Err(unreadable(
                "it contains NUL bytes, so it is not a text file; export it as CSV (UTF-8)".into(),
            ));
        }
        let tsv = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("tsv"));
        let delimiter = sniff_delimiter(head).unwrap_or(if tsv { b'\t' } else { b',' });
        let header = header_names(head, delimiter);
        let failed = |e: PolarsError| csv_error(path, name, delimiter, &e);
        // A multi-byte character cut off at the end of the sniffed bytes is no fault.
        let head_utf8 = match simdutf8::compat::from_utf8(head) {
            Ok(_) => true,
            Err(e) => e.error_len().is_none(),
        };
        // The header is all polars reads of it here.
        let mut frame = csv_frame(path, delimiter, head_utf8, &[]).map_err(failed)?;
        let schema = frame.collect_schema().map_err(failed)?;
        let raw: Vec<String> = schema.iter_names().map(|n| n.to_string()).collect();
        // polars drops a leading BOM itself; clean up after any other writer that left one (or
        // quotes) on the first name, so the mapping matches what a person sees.
        let columns: Vec<String> = raw.iter().map(|n| clean_name(n)).collect();
        let schema = if columns != raw {
            frame = frame.rename(raw.iter(), columns.iter(), true);
            frame.collect_schema().map_err(failed)?
        } else {
            schema
        };
        Ok(Source {
            name: name.into(),
            path: path.to_path_buf(),
            format: FileFormat::Csv,
            delimiter: Some(delimiter),
            columns,
            header,
            frame,
            schema,
            percent_signs: head.contains(&b'%'),
            rows_estimate: estimate_rows(path, head),
            csv: Some(CsvRead {
                head_utf8,
                utf8: OnceLock::new(),
                raw,
            }),
            typed_numbers: false,
        })
    }

    fn open_parquet(path: &Path, name: &str) -> Result<Source, DataError> {
        let bad = |e: PolarsError| parquet_error(name, &e);
        let pl_path = PlRefPath::try_from_path(path).map_err(bad)?;
        let args = ScanArgsParquet {
            glob: false,
            ..Default::default()
        };
        let source =
            Source::parquet(path, name, LazyFrame::scan_parquet(pl_path, args)).map_err(bad)?;
        if source.columns.is_empty() {
            return Err(DataError::NoHeader { file: name.into() });
        }
        Ok(source)
    }

    /// A source over a scanned Parquet file or dataset, with its columns.
    fn parquet(path: &Path, name: &str, frame: PolarsResult<LazyFrame>) -> PolarsResult<Source> {
        let mut frame = frame?;
        let schema = frame.collect_schema()?;
        let columns: Vec<String> = schema.iter_names().map(|n| n.to_string()).collect();
        Ok(Source {
            name: name.into(),
            path: path.to_path_buf(),
            format: FileFormat::Parquet,
            delimiter: None,
            columns,
            header: Vec::new(),
            frame,
            schema,
            percent_signs: false,
            rows_estimate: None,
            csv: None,
            typed_numbers: false,
        })
    }

    /// A folder of Parquet part files, as Spark, DuckDB, dbt or polars write a dataset, read
    /// as one table; folders named `key=value` (hive partitions, `year=2025/state=OR/`) give
    /// columns `key`, usable in a mapping like any other.
    fn open_dataset(path: &Path, name: &str) -> Result<Source, DataError> {
        if !has_parquet(path, 0) {
            return Err(DataError::Unreadable {
                file: name.into(),
                message: "it is a folder with no Parquet files in it; give a data file, or a \
                          folder of Parquet part files"
                    .into(),
            });
        }
        let bad = |e: PolarsError| parquet_error(name, &e);
        let pl_path = PlRefPath::try_from_path(path).map_err(bad)?;
        let args = ScanArgsParquet {
            hive_options: HiveOptions {
                enabled: Some(true),
                // Partition values are kept as written ("2025Q1", "007"), then read as text.
                try_parse_dates: false,
                ..HiveOptions::default()
            },
            ..Default::default()
        };
        Source::parquet(path, name, LazyFrame::scan_parquet(pl_path, args)).map_err(bad)
    }

    /// Checks that a mapped column exists, once.
    pub fn require(&self, column: &str, role: &str) -> Result<(), DataError> {
        let mut at = self
            .header
            .iter()
            .enumerate()
            .filter(|(_, h)| *h == column)
            .map(|(i, _)| i + 1);
        if let (Some(first), Some(second)) = (at.next(), at.next()) {
            return Err(DataError::DuplicateColumn {
                file: self.name.clone(),
                column: column.into(),
                first,
                second,
            });
        }
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

    /// How this file's cells are parsed.
    pub fn rules(&self, missing_values: &[String]) -> CellRules {
        CellRules::new(missing_values, self.delimiter == Some(b';'))
    }

    /// Reads the given columns (which must exist) as text, in file order, one batch of rows at
    /// a time, so a file far larger than memory can be loaded: only a batch of cells is held
    /// as text at once. Stops at the first error `each` returns.
    ///
    /// A CSV row with more fields than the header, or too few to reach a column of `columns`
    /// that is not `optional`, is an error; a row short only of `optional` columns reads them
    /// as empty, and the first such row and their number are returned.
    pub fn read_batches(
        &self,
        columns: &[&str],
        optional: &[&str],
        mut each: impl FnMut(&Table) -> Result<(), DataError>,
    ) -> Result<Option<ShortRows>, DataError> {
        self.read(
            self.reading_frame(&[], false)?,
            columns,
            optional,
            text_exprs(columns),
            false,
            |t| each(t).map_err(Stop::Data),
        )
    }

    /// About how many data rows the file has, when that can be told before reading it.
    pub fn rows_estimate(&self) -> Option<usize> {
        self.rows_estimate
    }

    /// The type polars gives a column (text for every CSV column).
    pub fn dtype(&self, column: &str) -> DataType {
        self.schema.get(column).cloned().unwrap_or(DataType::String)
    }

    /// [`Source::read_batches`] of the `text` columns, with the `numeric` columns read as
    /// numbers, each cell exactly as [`RowRef::number`] (or [`RowRef::count`]) reads it.
    ///
    /// Polars casts each numeric column to numbers as it reads, in parallel; only the cells it
    /// cannot read as a plain finite number within range (an empty cell, a code, `53.50%`,
    /// `1,234`, `6 out of 10`, text) are read one by one from their text. Columns of a file
    /// that writes decimal commas, or whose codes read as numbers, are read one by one
    /// throughout. Where the caller has allowed it ([`Source::allow_typed_numbers`]), a CSV
    /// file's numeric columns that it writes plainly are parsed by polars as it reads instead;
    /// a cell polars then cannot parse, or any other error, ends the reading with
    /// [`DataError::NumbersAsText`], and the caller reads the file again with its numbers as
    /// text, which tells where the error is (what polars hands over before it stops is not
    /// used).
    pub fn read_typed_batches(
        &self,
        text: &[&str],
        numeric: &[NumericColumn],
        rules: &CellRules,
        mut each: impl FnMut(&Table, &mut Numbers) -> Result<(), DataError>,
    ) -> Result<Option<ShortRows>, DataError> {
        let cast = rules.numbers_cast_plainly();
        // Numeric columns of a CSV file whose start writes them plainly: polars parses them as
        // it reads, when the caller reads the file again as text should it meet a cell it
        // cannot parse (a code further down, say), or a value that cannot be right (which
        // the message quotes as written).
        let parsed: Vec<&str> = match self.delimiter {
            Some(d) if self.typed_numbers && cast && !self.percent_signs => {
                let plain = plain_number_columns(&self.path, d, self.columns.len());
                numeric
                    .iter()
                    .map(|n| n.name)
                    .filter(|c| !text.contains(c))
                    .filter(|c| {
                        let i = self.columns.iter().position(|n| n == c);
                        i.is_some_and(|i| plain.get(i) == Some(&true))
                    })
                    .collect()
            }
            _ => Vec::new(),
        };
        // A column stored as numbers (Parquet) needs no text: its values are what they are.
        let typed = |c: &str| self.dtype(c).is_primitive_numeric() || parsed.contains(&c);
        let is_numeric = |c: &str| numeric.iter().any(|n| n.name == c);
        let mut columns: Vec<&str> = text.to_vec();
        columns.extend(numeric.iter().map(|n| n.name));
        let as_text: Vec<&str> = columns
            .iter()
            .copied()
            .filter(|c| !(is_numeric(c) && typed(c)))
            .collect();
        let mut exprs = text_exprs(&as_text);
        for (i, n) in numeric.iter().enumerate() {
            if typed(n.name) {
                exprs.push(col(n.name).cast(DataType::Float64).alias(value_name(i)));
            } else if cast {
                // "53.50%" reads as 53.5, as cell by cell: CMS writes its HCAHPS rates so.
                // Anywhere else a percent sign is read cell by cell, to the same value.
                let text = if self.percent_signs {
                    col(n.name).str().strip_suffix(lit("%"))
                } else {
                    col(n.name)
                };
                exprs.push(text.cast(DataType::Float64).alias(value_name(i)));
            }
        }
        // One buffer a numeric column, kept from batch to batch: fresh memory costs the
        // kernel's zeroing of it every time.
        let mut numbers = Numbers {
            values: vec![Vec::new(); numeric.len()],
            first_bad: None,
        };
        let raw: Vec<&str> = match &self.csv {
            Some(csv) => parsed
                .iter()
                .filter_map(|c| {
                    let i = self.columns.iter().position(|n| n == c)?;
                    csv.raw.get(i).map(String::as_str)
                })
                .collect(),
            None => Vec::new(),
        };
        let frame = self.reading_frame(&raw, !parsed.is_empty())?;
        let read_again = || DataError::NumbersAsText {
            file: self.name.clone(),
        };
        self.read(frame, &columns, &[], exprs, !parsed.is_empty(), |table| {
            numbers.first_bad = None;
            for (i, n) in numeric.iter().enumerate() {
                let bad = table
                    .numbers(i, n, typed(n.name), rules, &mut numbers.values[i])
                    .map_err(Stop::Data)?;
                if let Some((row, e)) = bad
                    && numbers.first_bad.as_ref().is_none_or(|(r, _)| row < *r)
                {
                    if parsed.contains(&n.name) {
                        return Err(Stop::Data(read_again()));
                    }
                    numbers.first_bad = Some((row, e));
                }
            }
            each(table, &mut numbers).map_err(Stop::Data)
        })
    }

    /// The file as polars reads it, with CSV columns `numbers` (named as polars reads them)
    /// parsed as numbers. polars reads a CSV file as UTF-8, checked a block at a time, or
    /// replaces bytes that are not UTF-8 cell by cell, which costs a quarter more; telling
    /// which takes a pass over the whole file, made only for a reading that is not read again
    /// on any error (`read_again`). One that is takes the UTF-8 of the file's start on trust:
    /// a file that is not UTF-8 further on fails it, and is read again.
    fn reading_frame(&self, numbers: &[&str], read_again: bool) -> Result<LazyFrame, DataError> {
        let (Some(csv), Some(delimiter)) = (&self.csv, self.delimiter) else {
            return Ok(self.frame.clone());
        };
        let utf8 = csv.head_utf8 && (read_again || *csv.utf8.get_or_init(|| is_utf8(&self.path)));
        if utf8 == csv.head_utf8 && numbers.is_empty() {
            return Ok(self.frame.clone());
        }
        let frame = csv_frame(&self.path, delimiter, utf8, numbers)
            .map_err(|e| csv_error(&self.path, &self.name, delimiter, &e))?;
        Ok(if self.columns != csv.raw {
            frame.rename(csv.raw.iter(), self.columns.iter(), true)
        } else {
            frame
        })
    }

    /// Lets [`Source::read_typed_batches`] have polars parse a CSV file's numeric columns as
    /// it reads, where the start of the file writes them plainly: the caller reads the file
    /// again, from a new `Source`, when it returns [`DataError::NumbersAsText`].
    pub fn allow_typed_numbers(&mut self) {
        self.typed_numbers = true;
    }

    /// Reads `frame` (the file as polars reads it) in batches; `parsing` when polars parses
    /// numbers as it reads, so that an error asks for the file to be read again with its
    /// numbers as text ([`DataError::NumbersAsText`]).
    fn read(
        &self,
        frame: LazyFrame,
        columns: &[&str],
        optional: &[&str],
        exprs: Vec<Expr>,
        parsing: bool,
        mut each: impl FnMut(&Table) -> Result<(), Stop>,
    ) -> Result<Option<ShortRows>, DataError> {
        // polars reads a short row's absent fields as empty cells and a cut-off last row as
        // complete: one plain pass over the file, beside polars' reading, finds rows whose
        // field count is not the header's. What it finds comes before anything the rows say.
        // Rows past this one need no check: the reading stopped at an error there.
        let checked_through = Arc::new(AtomicUsize::new(usize::MAX));
        let mut shape = None;
        if let Some(d) = self.delimiter {
            let needed = self
                .header
                .iter()
                .enumerate()
                .filter(|(_, h)| columns.contains(&h.as_str()) && !optional.contains(&h.as_str()))
                .map(|(i, _)| i + 1)
                .max()
                .unwrap_or(0);
            let path = self.path.clone();
            let through = Arc::clone(&checked_through);
            let check = std::thread::Builder::new()
                .name("p4p-data-shape".into())
                .spawn(move || {
                    let mut tolerated = ShortRows::default();
                    let bad = diagnose_csv(&path, d, needed, &mut tolerated, &through);
                    (bad, tolerated)
                })
                .map_err(|e| DataError::Unreadable {
                    file: self.name.clone(),
                    message: e.to_string(),
                })?;
            shape = Some(check);
        }
        // The shape check's verdict: Err for a row that does not fit.
        let verdict =
            |check: std::thread::JoinHandle<(Option<(usize, String)>, ShortRows)>| match check
                .join()
            {
                Ok((Some((row, message)), _)) => Err(row_error(&self.name, row, message)),
                Ok((None, tolerated)) => Ok((tolerated.rows > 0).then_some(tolerated)),
                Err(_) => Err(DataError::Unreadable {
                    file: self.name.clone(),
                    message: "the check of its rows stopped unexpectedly".into(),
                }),
            };
        let mut rows = 0;
        let mut short = None;
        // A row the shape check found wrong, raised once every row before it has been read.
        let mut bad_shape: Option<DataError> = None;
        // Whether the reading stopped at the shape check's error (whose row is its own count).
        let mut shape_stopped = false;
        let query = frame.select(exprs);
        let streamed = stream_batches(query, |frame| {
            if shape.as_ref().is_some_and(|c| c.is_finished())
                && let Some(check) = shape.take()
            {
                match verdict(check) {
                    Ok(s) => short = s,
                    Err(e) => bad_shape = Some(e),
                }
            }
            if let Some(e) = bad_shape.take_if(|e| e.row().is_none_or(|r| r <= rows + 1)) {
                shape_stopped = true;
                return Err(Stop::Data(e));
            }
            let table = Table {
                name: self.name.clone(),
                first_row: rows,
                frame,
            };
            rows += table.height();
            each(&table)
        });
        // Polars may end a reading at an error it meets further on (a cell it cannot parse, a
        // quote never closed), and then the batches it handed over before may lack rows (a
        // block of some 26,000 rows, seen about once in a hundred readings on two busy cores):
        // what those rows seemed to say cannot be trusted, not even the row an error of theirs
        // is on. The error is then polars', which the shape check, counting rows itself, names.
        let streamed = match streamed {
            Err(Stop::DataAmissPolars(both)) => match *both {
                (e, _) if shape_stopped => Err(Stop::Data(e)),
                (e @ DataError::Cancelled { .. }, _) => Err(Stop::Data(e)),
                (_, e) => Err(Stop::Polars(e)),
            },
            streamed => streamed,
        };
        // Read again with numbers as text: whatever else this reading found, that one finds it.
        let again = parsing
            && match &streamed {
                Err(Stop::Polars(_)) => true,
                Err(Stop::Data(e)) => !matches!(e, DataError::Cancelled { .. }),
                _ => false,
            };
        if again {
            checked_through.store(0, Ordering::Relaxed);
            if let Some(check) = shape {
                let _ = check.join();
            }
            return Err(DataError::NumbersAsText {
                file: self.name.clone(),
            });
        }
        match &streamed {
            Err(Stop::Data(DataError::Cancelled { .. })) => {
                checked_through.store(0, Ordering::Relaxed);
            }
            Err(Stop::Data(e)) => {
                if let Some(row) = e.row() {
                    checked_through.store(row, Ordering::Relaxed);
                }
            }
            _ => {}
        }
        if let Some(check) = shape {
            match verdict(check) {
                Ok(s) => short = s,
                Err(e) => bad_shape = Some(e),
            }
        }
        // The earlier of the two errors, the shape's on a tie (a row of the wrong width is why
        // its cells read wrong); a cancelled read stays cancelled.
        let cancelled = matches!(streamed, Err(Stop::Data(DataError::Cancelled { .. })));
        if let Some(shape_error) = bad_shape
            && !cancelled
        {
            let read_row = match &streamed {
                Err(Stop::Data(e)) => e.row(),
                _ => None,
            };
            if read_row.is_none_or(|r| shape_error.row().is_none_or(|s| s <= r)) {
                return Err(shape_error);
            }
        }
        streamed.map_err(|e| match e {
            Stop::Data(e) => e,
            Stop::Polars(e) => self.error(e),
            Stop::Worker(message) => DataError::Unreadable {
                file: self.name.clone(),
                message,
            },
            Stop::DataAmissPolars(both) => self.error(both.1),
        })?;
        if rows == 0 {
            return Err(DataError::NoRows {
                file: self.name.clone(),
            });
        }
        Ok(short)
    }

    /// Number of data rows.
    pub fn row_count(&self) -> Result<usize, DataError> {
        let df = self
            .reading_frame(&[], false)?
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
            .reading_frame(&[], false)?
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
            FileFormat::Csv => {
                csv_error(&self.path, &self.name, self.delimiter.unwrap_or(b','), &e)
            }
            FileFormat::Parquet => parquet_error(&self.name, &e),
        }
    }
}

impl Table {
    pub fn height(&self) -> usize {
        self.frame.height()
    }

    fn unreadable(&self) -> DataError {
        DataError::Unreadable {
            file: self.name.clone(),
            message: "a batch of rows could not be read".into(),
        }
    }

    /// Numeric column `i` of [`Source::read_typed_batches`] (`c`; `typed` when the file
    /// stores it as numbers): polars' value where it read a plain finite number within range,
    /// the cell read from its text otherwise. Empty cells and codes are counted in `rules`.
    /// Also gives the first cell that cannot be right, with its data row: the rest of the
    /// column after it is not read.
    fn numbers(
        &self,
        i: usize,
        c: &NumericColumn,
        typed: bool,
        rules: &CellRules,
        out: &mut Vec<f64>,
    ) -> Result<Option<BadCell>, DataError> {
        let cast = match self.frame.column(&value_name(i)) {
            Ok(v) => Some(v.f64().map_err(|_| self.unreadable())?),
            Err(_) => None,
        };
        let text = if typed {
            None
        } else {
            Some(self.strings(c.name)?)
        };
        let n = self.height();
        // A column empty throughout the batch (an unused rate column, say).
        out.clear();
        if text.is_none_or(|t| t.null_count() == n) && cast.is_none_or(|c| c.null_count() == n) {
            rules.count_blanks(n as u64);
            out.resize(n, f64::NAN);
            return Ok(None);
        }
        // A cell polars did not read plainly, read as the cell-by-cell reading reads it.
        let slow = |k: usize, value: Option<f64>, cell: Option<&str>| {
            let row = RowRef {
                file: &self.name,
                row: self.first_row + k + 1,
            };
            let written: Cow<str> = match (cell, value) {
                (Some(t), _) => Cow::Borrowed(t),
                (None, Some(v)) => Cow::Owned(v.to_string()),
                (None, None) => Cow::Borrowed(""),
            };
            match c.count {
                Some(what) => row.count(rules, Some(&written), c.name, what),
                None => row.number(rules, Some(&written), c.name),
            }
            .map_err(|e| (row.row, e))
        };
        let plain = |v: f64| plain(v, c);
        match cast {
            Some(cast) => {
                let mut from = 0;
                for chunk in cast.downcast_iter() {
                    let values = chunk.values().as_slice();
                    // Plain throughout (most chunks): checked in one pass the compiler can
                    // vectorise, and copied whole.
                    if chunk.validity().is_none_or(|v| v.unset_bits() == 0)
                        && values.iter().fold(true, |all, &v| all & plain(v))
                    {
                        out.extend_from_slice(values);
                        from += values.len();
                        continue;
                    }
                    // The chunk's cells as written, walked in step (looking each up by its
                    // place would search the column's chunks for every one).
                    let written = text.map(|t| t.slice(from as i64, values.len()));
                    let mut cells = written.as_ref().map(|t| t.iter());
                    for (j, v) in chunk.iter().enumerate() {
                        let k = from + j;
                        let cell = cells.as_mut().and_then(Iterator::next).flatten();
                        let v = v.copied();
                        match v {
                            Some(v) if plain(v) => out.push(v),
                            _ => match (v, cell) {
                                // An empty cell (a null, as polars reads it).
                                (None, None) => {
                                    rules.count_blanks(1);
                                    out.push(f64::NAN);
                                }
                                (v, written) => match slow(k, v, written) {
                                    Ok(v) => out.push(v),
                                    Err(bad) => return Ok(Some(bad)),
                                },
                            },
                        }
                    }
                    from += values.len();
                }
            }
            // Not cast: read from the text (which a column not cast always has).
            None => {
                for (k, cell) in text.into_iter().flat_map(|t| t.iter()).enumerate() {
                    match slow(k, None, cell) {
                        Ok(v) => out.push(v),
                        Err(bad) => return Ok(Some(bad)),
                    }
                }
            }
        }
        Ok(None)
    }

    /// Text column `name` of the batch, each cell known by its view (see [`ViewColumn`]).
    pub fn view_column(&self, name: &str) -> Result<ViewColumn<'_>, DataError> {
        let column = self.strings(name)?;
        let nulls = column.null_count() > 0;
        let chunks: Vec<_> = column.downcast_iter().collect();
        let mut starts = Vec::with_capacity(chunks.len());
        let mut inline = Vec::with_capacity(self.height());
        for chunk in &chunks {
            starts.push(inline.len());
            let views = chunk.views().iter().map(|v| v.as_u128());
            if !nulls {
                inline.extend(views);
            } else {
                inline.extend(views.zip(chunk.iter()).map(|(v, cell)| match cell {
                    Some(_) => v,
                    None => 0,
                }));
            }
            // Text longer than a view holds is known by where it is, not what it says.
            let from = starts.last().copied().unwrap_or(0);
            for v in &mut inline[from..] {
                if (*v as u32) > 12 {
                    *v = 0;
                }
            }
        }
        Ok(ViewColumn {
            chunks,
            starts,
            inline,
        })
    }

    /// The batch's first data row, 1-based.
    pub fn first_data_row(&self) -> usize {
        self.first_row + 1
    }

    /// Data rows of the file up to the end of this batch.
    pub fn rows_through(&self) -> usize {
        self.first_row + self.height()
    }

    fn strings(&self, name: &str) -> Result<&StringChunked, DataError> {
        self.frame
            .column(name)
            .and_then(|c| c.str())
            .map_err(|_| DataError::Unreadable {
                file: self.name.clone(),
                message: format!("column \"{}\" could not be read as text", excerpt(name)),
            })
    }

    /// Walks the batch's rows, giving the cells of `columns` (in that order; None for an
    /// unmapped column, "" for an empty cell). Columns are read in step rather than copied out.
    pub fn rows(&self, columns: &[Option<&str>]) -> Result<Rows<'_>, DataError> {
        let mut cursors = Vec::with_capacity(columns.len());
        for c in columns {
            cursors.push(match c {
                Some(name) => Some(Cursor {
                    chunks: self.strings(name)?.downcast_iter().collect(),
                    chunk: 0,
                    at: 0,
                }),
                None => None,
            });
        }
        Ok(Rows {
            cursors,
            cells: Vec::with_capacity(columns.len()),
            row: self.first_row,
            left: self.height(),
        })
    }
}

/// The given columns as text, each once.
fn text_exprs(columns: &[&str]) -> Vec<Expr> {
    let mut wanted: Vec<&str> = Vec::new();
    for c in columns {
        if !wanted.contains(c) {
            wanted.push(c);
        }
    }
    wanted
        .iter()
        .map(|c| col(*c).cast(DataType::String))
        .collect()
}

/// Rows per batch handed over by the streaming reader.
pub const BATCH_ROWS: usize = 50_000;

/// Why streaming a query stopped early.
enum Stop {
    Data(DataError),
    Polars(PolarsError),
    Worker(String),
    /// An error found in the batches, when polars too had stopped at an error of its own: the
    /// batches it handed over may lack rows (see [`Source::read`]).
    DataAmissPolars(Box<(DataError, PolarsError)>),
}

/// Whether `v` is a value numeric column `c` can hold, read plainly.
fn plain(v: f64, c: &NumericColumn) -> bool {
    v.is_finite() && v.abs() < LIMIT && (c.count.is_none() || v >= 0.0)
}

enum Batch {
    Rows(DataFrame),
    Done(PolarsResult<()>),
}

/// Runs `query` on polars' streaming engine on a worker thread and hands each batch of rows, in
/// order, to `each` on this thread. A bounded channel keeps at most a couple of batches in
/// memory; dropping the receiver tells the worker to stop.
fn stream_batches(
    query: LazyFrame,
    mut each: impl FnMut(DataFrame) -> Result<(), Stop>,
) -> Result<(), Stop> {
    let (send, recv) = std::sync::mpsc::sync_channel::<Batch>(4);
    let to_callback = send.clone();
    let stop = Arc::new(AtomicBool::new(false));
    let stopped = Arc::clone(&stop);
    let callback = PlanCallback::new(move |df: DataFrame| {
        // `true` asks polars to stop: the reader has stopped, or gone.
        if stopped.load(Ordering::Relaxed) {
            return Ok(true);
        }
        Ok(to_callback.send(Batch::Rows(df)).is_err())
    });
    let plan = query
        .sink_batches(callback, true, NonZeroUsize::new(BATCH_ROWS))
        .map_err(Stop::Polars)?;
    let worker = std::thread::Builder::new()
        .name("p4p-data-read".into())
        .spawn(move || {
            let result = plan.collect_with_engine(Engine::Streaming).map(|_| ());
            // The reader may have gone already; then nobody needs to hear.
            let _ = send.send(Batch::Done(result));
        })
        .map_err(|e| Stop::Worker(e.to_string()))?;

    let mut outcome = Err(Stop::Worker("the reader stopped unexpectedly".into()));
    let mut messages = recv.iter();
    for message in messages.by_ref() {
        match message {
            Batch::Rows(df) => {
                if let Err(e) = each(df) {
                    outcome = Err(e);
                    break;
                }
            }
            Batch::Done(result) => {
                outcome = result.map_err(Stop::Polars);
                break;
            }
        }
    }
    // Stopped by an error found in the batches: polars is asked to stop, and what it says as
    // it does is heard. Asked to stop, it stops without an error; one here is its own.
    if matches!(outcome, Err(Stop::Data(_))) {
        stop.store(true, Ordering::Relaxed);
        let own = messages.find_map(|m| match m {
            Batch::Done(Err(e)) => Some(e),
            _ => None,
        });
        outcome = match (own, outcome) {
            (Some(polars), Err(Stop::Data(e))) => Err(Stop::DataAmissPolars(Box::new((e, polars)))),
            (_, outcome) => outcome,
        };
    }
    drop(recv);
    if worker.join().is_err() && outcome.is_ok() {
        outcome = Err(Stop::Worker("the reader stopped unexpectedly".into()));
    }
    outcome
}

/// A text column of a batch as polars holds it: each cell as its 16-byte view, which holds
/// text of up to 12 bytes in itself (zero-padded), so two such cells are the same text exactly
/// when their views are equal: IDs are compared and looked up without reading their text.
pub(crate) struct ViewColumn<'a> {
    chunks: Vec<&'a <StringType as PolarsDataType>::Array>,
    starts: Vec<usize>,
    /// Each cell's view when it holds its text; 0 for an empty cell or a longer text.
    pub inline: Vec<u128>,
}

impl<'a> ViewColumn<'a> {
    /// Cell `k`'s text ("" when empty).
    pub fn text(&self, k: usize) -> &'a str {
        let c = self.starts.partition_point(|&s| s <= k).saturating_sub(1);
        self.chunks
            .get(c)
            .and_then(|chunk| chunk.get(k - self.starts[c]))
            .unwrap_or("")
    }
}

/// A cursor over a table's rows.
pub(crate) struct Rows<'a> {
    /// One per column asked for; None for an unmapped one.
    cursors: Vec<Option<Cursor<'a>>>,
    cells: Vec<Option<&'a str>>,
    row: usize,
    left: usize,
}

/// Where a walk through one text column is: its chunks as polars holds them, read in place.
struct Cursor<'a> {
    chunks: Vec<&'a <StringType as PolarsDataType>::Array>,
    chunk: usize,
    at: usize,
}

impl<'a> Cursor<'a> {
    /// The next cell; a null (an empty cell, as polars reads it) is "".
    fn next(&mut self) -> Option<&'a str> {
        loop {
            let chunk = self.chunks.get(self.chunk)?;
            if self.at < chunk.len() {
                let cell = chunk.get(self.at).unwrap_or("");
                self.at += 1;
                return Some(cell);
            }
            self.chunk += 1;
            self.at = 0;
        }
    }
}

impl<'a> Rows<'a> {
    /// The next row's 1-based number and cells.
    pub fn next_row(&mut self) -> Option<(usize, &[Option<&'a str>])> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        self.cells.clear();
        for c in &mut self.cursors {
            self.cells.push(match c {
                // A null cell of a mapped column is an empty one (counted as blank), unlike
                // the None of an unmapped column.
                Some(c) => Some(c.next()?),
                None => None,
            });
        }
        self.row += 1;
        Some((self.row, &self.cells))
    }
}

/// Whether a folder (or its sub-folders, a few levels down) holds a Parquet file.
fn has_parquet(dir: &Path, depth: usize) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    entries.flatten().any(|e| {
        let p = e.path();
        if p.is_dir() {
            depth < 8 && has_parquet(&p, depth + 1)
        } else {
            matches!(format_of(&p, ""), Ok(FileFormat::Parquet))
        }
    })
}

/// A CSV file as polars reads it: every column as text, but the columns named (as polars
/// names them) in `numbers`, which it parses as numbers as it reads.
///
/// Text is read so that IDs keep leading zeros and "Not Available" or "53.50%" never turn into
/// nulls; numbers are parsed by polars as it reads only where the caller reads the file again
/// as text when polars stops at a cell it cannot parse (see [`Source::allow_typed_numbers`]):
/// the batches polars hands over before it stops at an error may lack rows (see
/// [`Source::read`]). A file that is not UTF-8 throughout (a
/// Latin-1 name, say) is read replacing such bytes, which polars does cell by cell; a UTF-8
/// file is checked a block at a time.
fn csv_frame(path: &Path, delimiter: u8, utf8: bool, numbers: &[&str]) -> PolarsResult<LazyFrame> {
    let pl_path = PlRefPath::try_from_path(path)?;
    let typed = (!numbers.is_empty()).then(|| {
        Arc::new(Schema::from_iter(
            numbers
                .iter()
                .map(|c| Field::new((*c).into(), DataType::Float64)),
        ))
    });
    LazyCsvReader::new(pl_path)
        .with_has_header(true)
        .with_separator(delimiter)
        .with_infer_schema_length(Some(0))
        .with_dtype_overwrite(typed)
        .with_encoding(if utf8 {
            CsvEncoding::Utf8
        } else {
            CsvEncoding::LossyUtf8
        })
        .with_missing_is_null(true)
        .with_glob(false)
        .finish()
}

/// For each of the `n` columns of a CSV file: whether every cell of it in the first 64 KB of
/// the file and in samples of the same size from a quarter, half and three quarters of the way
/// and from its end is empty or a plain decimal number, such as "12", "-3" or "0.25":
/// no sign but a minus, no space, exponent, percent sign or code, digits on both sides of a
/// point. Codes such as "Not Available" are mostly found so; a rare one further down makes
/// polars stop, and the file is read again as text.
fn plain_number_columns(path: &Path, delimiter: u8, n: usize) -> Vec<bool> {
    let mut columns = vec![true; n];
    match read_head(path) {
        Ok(head) => plain_cells(&head, delimiter, true, &mut columns),
        Err(_) => return vec![false; n],
    }
    let size = std::fs::metadata(path).map_or(0, |m| m.len());
    if size <= SNIFF_BYTES as u64 || !columns.contains(&true) {
        return columns;
    }
    let Ok(mut file) = File::open(path) else {
        return columns;
    };
    let last = size - SNIFF_BYTES as u64;
    for at in [size / 4, size / 2, size / 4 * 3, last] {
        let mut sample = Vec::with_capacity(SNIFF_BYTES);
        let read = file
            .seek(std::io::SeekFrom::Start(at.min(last)))
            .and_then(|_| {
                (&mut file)
                    .take(SNIFF_BYTES as u64)
                    .read_to_end(&mut sample)
            });
        // The sample starts part-way through a line: from the next one.
        if read.is_ok()
            && let Some(line) = sample.iter().position(|&b| b == b'\n')
        {
            plain_cells(&sample[line + 1..], delimiter, false, &mut columns);
        }
    }
    columns
}

/// Marks in `columns` those with a cell in `text` (whole lines of a CSV file, the header
/// first where `header`) that is not empty or a plain decimal number.
fn plain_cells(text: &[u8], delimiter: u8, header: bool, columns: &mut [bool]) {
    let digits = |d: &[u8]| !d.is_empty() && d.iter().all(u8::is_ascii_digit);
    let plain = |cell: &[u8]| {
        let number = cell.strip_prefix(b"-").unwrap_or(cell);
        cell.is_empty()
            || match number.iter().position(|&b| b == b'.') {
                Some(dot) => digits(&number[..dot]) && digits(&number[dot + 1..]),
                None => digits(number),
            }
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(header)
        .flexible(true)
        .from_reader(text);
    let mut records: Vec<csv::ByteRecord> = reader.byte_records().map_while(Result::ok).collect();
    // The last line of a sample cut off part-way may be cut in a cell.
    if text.len() >= SNIFF_BYTES - 1 || !header {
        records.pop();
    }
    for record in &records {
        for (column, cell) in columns.iter_mut().zip(record.iter()) {
            *column &= plain(cell);
        }
    }
}

fn read_head(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::with_capacity(SNIFF_BYTES);
    File::open(path)?
        .take(SNIFF_BYTES as u64)
        .read_to_end(&mut buf)?;
    Ok(buf)
}

/// About how many data rows a CSV file has: its size over the bytes a line takes in `head`,
/// its first bytes (lines of a quoted cell counted as rows: an estimate, for sizing tables).
fn estimate_rows(path: &Path, head: &[u8]) -> Option<usize> {
    let size = std::fs::metadata(path).ok()?.len() as usize;
    let lines = head.iter().filter(|&&b| b == b'\n').count();
    if lines == 0 {
        return None;
    }
    Some((size / (head.len() / lines).max(1)).saturating_sub(1))
}

/// The error for a row [`diagnose_csv`] found (row 0: the header line).
fn row_error(name: &str, row: usize, message: String) -> DataError {
    if row == 0 {
        DataError::Unreadable {
            file: name.into(),
            message: format!("in the header line, {message}"),
        }
    } else {
        DataError::BadRow {
            file: name.into(),
            row,
            message,
        }
    }
}

/// A CSV read failure in plain words: the row at fault when one can be found, never polars'
/// own advice (which names options of a library the designer does not see).
fn csv_error(path: &Path, name: &str, delimiter: u8, e: &PolarsError) -> DataError {
    let every_row = AtomicUsize::new(usize::MAX);
    match diagnose_csv(
        path,
        delimiter,
        usize::MAX,
        &mut ShortRows::default(),
        &every_row,
    ) {
        Some((row, message)) => row_error(name, row, message),
        None => DataError::Unreadable {
            file: name.into(),
            message: match e {
                PolarsError::IO { error, .. } => error.to_string(),
                _ => "it could not be read as a table; check that it is comma-, semicolon- or \
                      tab-separated text saved as UTF-8, with the same number of fields on \
                      every row"
                    .into(),
            },
        },
    }
}

/// A Parquet read failure in plain words.
fn parquet_error(name: &str, e: &PolarsError) -> DataError {
    DataError::BadParquet {
        file: name.into(),
        message: match e {
            PolarsError::IO { error, .. } => error.to_string(),
            _ => "it may be damaged, cut short, or another kind of file saved with a .parquet \
                  name; export it again"
                .into(),
        },
    }
}

/// A byte-order mark of UTF-16 (or UTF-32), or text whose every other byte is NUL: polars
/// would read it as columns full of NUL bytes.
fn looks_utf16(head: &[u8]) -> bool {
    if head.starts_with(&[0xff, 0xfe]) || head.starts_with(&[0xfe, 0xff]) {
        return true;
    }
    let sample = &head[..head.len().min(512)];
    let nul = sample.iter().filter(|&&b| b == 0).count();
    sample.len() >= 8 && nul * 3 >= sample.len()
}

/// The names on the header line (as far as `head` reaches), cleaned like polars' names.
fn header_names(head: &[u8], delimiter: u8) -> Vec<String> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(head);
    let mut record = csv::ByteRecord::new();
    // Skip blank lines before the header, as polars does.
    while let Ok(true) = reader.read_byte_record(&mut record) {
        if record.iter().any(|f| !f.trim_ascii().is_empty()) {
            return record
                .iter()
                .map(|f| clean_name(&String::from_utf8_lossy(f)))
                .collect();
        }
    }
    Vec::new()
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

/// Runs `f`, turning a panic inside it (a bug in a dependency meeting an odd file) into an
/// error about `file`, so no input can take the program down.
pub(crate) fn contain<T>(
    file: &str,
    f: impl FnOnce() -> Result<T, DataError>,
) -> Result<T, DataError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|panic| {
        let detail = panic
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        Err(DataError::Unreadable {
            file: file.to_owned(),
            message: format!("the reader failed unexpectedly {detail}")
                .trim()
                .to_owned(),
        })
    })
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

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// Cells as real files write numbers, and the odd ones around them.
    fn cell() -> impl Strategy<Value = String> {
        let number = prop_oneof![
            (0u32..100_000).prop_map(|n| n.to_string()),
            (-1e6f64..1e6).prop_map(|v| format!("{v}")),
            (-1e6f64..1e6).prop_map(|v| format!("{v:.2}")),
            (0f64..1.0).prop_map(|v| format!("{v:e}")),
            (0u32..1000).prop_map(|n| format!("+{n}")),
            (0u32..1000).prop_map(|n| format!(".{n}")),
            (0u32..1000).prop_map(|n| format!("{n}.")),
            (1_000u32..10_000_000).prop_map(|n| {
                let s = n.to_string();
                let (a, b) = s.split_at(s.len() - 3);
                format!("{a},{b}")
            }),
            (0u32..1000).prop_map(|n| format!("{n}%")),
            (-1e3f64..1e3).prop_map(|v| format!("{v:.4}%")),
            prop_oneof![
                Just("5 %"),
                Just(" 7%"),
                Just("%"),
                Just("-%"),
                Just("1e2%"),
                Just("12%%"),
                Just("inf%"),
                Just("6 out of 10%"),
            ]
            .prop_map(str::to_owned),
            (0u32..10, 1u32..10).prop_map(|(a, b)| format!("{a} out of {b}")),
            (0u32..1000).prop_map(|n| format!("${n}")),
            Just("1e12".to_owned()),
            Just("-2e13".to_owned()),
            Just("999999999999".to_owned()),
        ];
        let odd = prop_oneof![
            Just(String::new()),
            Just("NR".to_owned()),
            Just("nr".to_owned()),
            Just("Not Available".to_owned()),
            Just("NOT AVAILABLE".to_owned()),
            Just("<11".to_owned()),
            Just("NaN".to_owned()),
            Just("inf".to_owned()),
            Just("-inf".to_owned()),
            Just("abc".to_owned()),
            Just("1,23".to_owned()),
            Just("- 5".to_owned()),
            Just("1e".to_owned()),
            Just("0x10".to_owned()),
        ];
        let pad = prop_oneof![Just(""), Just(" "), Just("  ")];
        (prop_oneof![4 => number, 1 => odd], pad.clone(), pad)
            .prop_map(|(c, a, b)| format!("{a}{c}{b}"))
    }

    /// Reads one column of `cells` the batch way (with polars parsing numbers as it reads and
    /// without) and the cell-by-cell way: the values (NaN as missing), the first error, and the
    /// codes counted must agree. Whether polars parsing numbers as it reads asked for the file
    /// to be read again as text.
    fn both_ways(cells: &[String], count: bool, codes: &[&str]) -> bool {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.csv");
        let mut w = csv::Writer::from_path(&path).unwrap();
        w.write_record(["id", "x"]).unwrap();
        for (i, c) in cells.iter().enumerate() {
            // Some IDs span two lines, in quotes: rows are not lines.
            let id = if i % 1000 == 0 {
                format!("p{i}\nsecond line")
            } else {
                format!("p{i}")
            };
            w.write_record([id.as_str(), c]).unwrap();
        }
        w.flush().unwrap();
        let codes: Vec<String> = codes.iter().map(|c| (*c).to_owned()).collect();
        let numeric = [NumericColumn {
            name: "x",
            count: count.then_some("a count"),
        }];
        // Read in batches, polars parsing the numbers as it reads where allowed, and read
        // again as text where it cannot, as a load does.
        let in_batches = |typed: bool| {
            let mut source = Source::open(&path, "f.csv").unwrap();
            if typed {
                source.allow_typed_numbers();
            }
            let rules = source.rules(&codes);
            let mut values = Vec::new();
            let read = source.read_typed_batches(&["id"], &numeric, &rules, |t, n| {
                for r in t.first_row + 1..=t.rows_through() {
                    n.check_row(r)?;
                    values.push(n.values[0][r - t.first_row - 1]);
                }
                n.finish()
            });
            (read, values, rules.code_counts())
        };
        let source = Source::open(&path, "f.csv").unwrap();
        let cell_rules = source.rules(&codes);
        let mut cell_values = Vec::new();
        let by_cell = source.read_batches(&["id", "x"], &[], |t| {
            let mut rows = t.rows(&[Some("x")])?;
            while let Some((r, c)) = rows.next_row() {
                let row = RowRef {
                    file: &t.name,
                    row: r,
                };
                let v = if count {
                    row.count(&cell_rules, c[0], "x", "a count")?
                } else {
                    row.number(&cell_rules, c[0], "x")?
                };
                cell_values.push(v);
            }
            Ok(())
        });
        let mut again = false;
        for typed in [false, true] {
            let (batch, batch_values, batch_codes) = match in_batches(typed) {
                (Err(DataError::NumbersAsText { .. }), ..) if typed => {
                    again = true;
                    in_batches(false)
                }
                read => read,
            };
            match (batch, &by_cell) {
                (Ok(_), Ok(_)) => {
                    let same = batch_values
                        .iter()
                        .zip(&cell_values)
                        .all(|(a, b)| a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()));
                    assert!(
                        same && batch_values.len() == cell_values.len(),
                        "{cells:?}\n{batch_values:?}\n{cell_values:?}"
                    );
                    assert_eq!(batch_codes, cell_rules.code_counts());
                }
                (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{cells:?}"),
                (a, b) => panic!(
                    "{cells:?}: batch {:?}, by cell {:?}",
                    a.err(),
                    b.as_ref().err()
                ),
            }
        }
        again
    }

    #[test]
    fn a_cell_polars_cannot_parse_far_down_reads_as_cell_by_cell() {
        // The file writes plain numbers where its reading is decided (its start and samples
        // further down), so polars parses them as it reads; between them, in the second batch
        // of rows read, a cell it cannot parse, or one it parses to a value that cannot be
        // right, or one it could read otherwise than as text.
        let plain: Vec<String> = (0..BATCH_ROWS * 3)
            .map(|i| format!("{}.{}", i % 97, i % 10))
            .collect();
        assert!(!both_ways(&plain, true, &["NR", "<11"]));
        for odd in [
            "NR", "<11", "inf", "NaN", "-5", "1e13", " 7 ", "5%", "", " ", "1,5", "+3", "5.", ".5",
            "1e3", "0x10", "١٢",
        ] {
            let mut cells = plain.clone();
            cells[BATCH_ROWS + 20_000] = odd.to_owned();
            let again = both_ways(&cells, true, &["NR", "<11"]);
            // A code, or a value that cannot be right, is read from its text.
            if ["NR", "<11", "inf", "NaN", "-5", "1e13", "5%", "1,5"].contains(&odd) {
                assert!(again, "{odd:?}");
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(96))]

        #[test]
        fn numbers_read_in_batches_equal_numbers_read_cell_by_cell(
            cells in proptest::collection::vec(cell(), 1..40),
            count in any::<bool>(),
        ) {
            both_ways(&cells, count, &["NR", "Not Available", "<11"]);
        }
    }

    /// Errors come in the order of the file's rows, whichever pass finds them.
    #[test]
    fn the_first_bad_row_is_reported_whether_its_shape_or_its_cells_are_wrong() {
        let dir = tempfile::tempdir().unwrap();
        let read = |body: &str| {
            let path = dir.path().join("f.csv");
            std::fs::write(&path, format!("id,x\n{body}")).unwrap();
            let source = Source::open(&path, "f.csv").unwrap();
            source
                .read_batches(&["id", "x"], &[], |t| {
                    let mut rows = t.rows(&[Some("x")])?;
                    while let Some((r, c)) = rows.next_row() {
                        if c[0] == Some("bad") {
                            return Err(DataError::MissingValue {
                                at: RowRef {
                                    file: &t.name,
                                    row: r,
                                }
                                .at("x"),
                                what: "a test value".into(),
                            });
                        }
                    }
                    Ok(())
                })
                .unwrap_err()
        };
        // A bad cell on row 2, a row cut short on row 4 (polars reads it, with its last
        // field empty): row 2's error.
        let e = read("a,1\nb,bad\nc,3\nd\n");
        assert_eq!(e.row(), Some(2), "{e}");
        assert!(matches!(e, DataError::MissingValue { .. }), "{e}");
        // The row cut short first: its error.
        let e = read("a\nb,bad\n");
        assert_eq!(e.row(), Some(1), "{e}");
        assert!(matches!(e, DataError::BadRow { .. }), "{e}");
    }

    #[test]
    fn numeric_codes_and_files_of_many_batches() {
        // A code that reads as a number is a code, not a value.
        let cells: Vec<String> = ["12", "999", " 999 ", "3.5"].map(String::from).to_vec();
        both_ways(&cells, false, &["999"]);
        // More rows than a batch, with codes, blanks and odd forms throughout.
        let cells: Vec<String> = (0..BATCH_ROWS * 2 + 17)
            .map(|i| match i % 7 {
                0 => String::new(),
                1 => "NR".into(),
                2 => format!("{i}%"),
                3 => format!("{}.25", i % 1000),
                _ => i.to_string(),
            })
            .collect();
        both_ways(&cells, true, &["NR"]);
        // Plain numbers and one code deep in the file: a reader that had polars parse the
        // numbers as it read would stop there, and the batches polars hands over before
        // stopping can hold rows out of their order.
        let mut cells: Vec<String> = (0..BATCH_ROWS * 3 + 17)
            .map(|i| match i % 5 {
                0 => String::new(),
                _ => (i % 1013).to_string(),
            })
            .collect();
        cells[BATCH_ROWS * 2 + 40] = "NR".into();
        both_ways(&cells, true, &["NR"]);
    }

    /// A byte that is not UTF-8 deep in a file: every row is read once, in order, and the byte
    /// is replaced.
    #[test]
    fn a_latin1_byte_deep_in_a_file_is_replaced_and_no_row_is_read_twice() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.csv");
        let n = BATCH_ROWS * 3 + 5;
        let odd = BATCH_ROWS * 2 + 10;
        let mut bytes = b"id,x\n".to_vec();
        for i in 0..n {
            if i == odd {
                bytes.extend_from_slice(b"Caf\xe9,1\n");
            } else {
                bytes.extend_from_slice(format!("p{i},1\n").as_bytes());
            }
        }
        std::fs::write(&path, bytes).unwrap();
        let source = Source::open(&path, "f.csv").unwrap();
        let mut ids = Vec::new();
        source
            .read_batches(&["id"], &[], |t| {
                let mut rows = t.rows(&[Some("id")])?;
                while let Some((r, c)) = rows.next_row() {
                    ids.push((r, c[0].unwrap_or("").to_owned()));
                }
                Ok(())
            })
            .unwrap();
        assert_eq!(ids.len(), n);
        assert!(ids.iter().enumerate().all(|(i, (r, _))| *r == i + 1));
        assert_eq!(ids[odd].1, "Caf\u{fffd}");
        assert_eq!(ids[n - 1].1, format!("p{}", n - 1));
    }

    /// An error found in the batches stands when polars was asked to stop there; when polars
    /// had already stopped at an error of its own further down, the batches it handed over may
    /// lack rows, and polars' error is the file's.
    #[test]
    fn an_error_in_batches_polars_cut_short_gives_way_to_its_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.csv");
        let n = BATCH_ROWS * 6;
        // In the last batch: polars hands over the first, then reads on to it while the first
        // is still being looked at.
        let odd = BATCH_ROWS * 5 + 7;
        for fault in [false, true] {
            let mut text = String::from("id,x\n");
            for i in 0..n {
                let x = if fault && i == odd { "NR" } else { "1" };
                text.push_str(&format!("p{i},{x}\n"));
            }
            std::fs::write(&path, &text).unwrap();
            let source = Source::open(&path, "f.csv").unwrap();
            // Polars parsing the numbers, and failing at "NR", but read as a text reading is.
            let frame = csv_frame(&path, b',', true, &["x"]).unwrap();
            let mut batches = 0;
            let err = source
                .read(
                    frame,
                    &["id", "x"],
                    &[],
                    vec![col("id"), col("x")],
                    false,
                    |t| {
                        batches += 1;
                        // Time for polars to read on to the end of the file, or to its error.
                        std::thread::sleep(std::time::Duration::from_millis(1500));
                        let e = row_error(&t.name, t.first_data_row() + 2, "ours".into());
                        Err(Stop::Data(e))
                    },
                )
                .unwrap_err()
                .to_string();
            assert_eq!(batches, 1, "{err}");
            if fault {
                assert!(!err.contains("ours"), "{err}");
            } else {
                assert!(err.contains("data row 3") && err.contains("ours"), "{err}");
            }
        }
    }

    /// A CSV file's rows are estimated from its size and the lines of its start.
    #[test]
    fn rows_are_estimated_from_the_size_and_the_start() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.csv");
        for rows in [0usize, 5, 100_000] {
            let mut text = String::from("patient_id,provider_id\n");
            for i in 0..rows {
                text.push_str(&format!("P{:07},PC{:05}\n", i, i % 300));
            }
            std::fs::write(&path, &text).unwrap();
            let got = Source::open(&path, "f.csv")
                .unwrap()
                .rows_estimate()
                .unwrap();
            assert!(
                got.abs_diff(rows) <= rows / 50 + 1,
                "{rows} rows, estimated {got}"
            );
        }
    }

    /// Percent signs are dropped by polars only when the start of the file writes one; one
    /// first written far past the start reads the same, cell by cell.
    #[test]
    fn a_percent_sign_reads_the_same_near_the_start_and_far_past_it() {
        let dir = tempfile::tempdir().unwrap();
        // Row 7,000 starts past the first SNIFF_BYTES (rows are at least 11 bytes).
        for at in [3, 7_000] {
            let path = dir.path().join("f.csv");
            let mut text = String::from("id,x\n");
            let mut i = 0;
            while text.len() < SNIFF_BYTES * 2 || i <= at {
                let x = if i == at {
                    "53.50%".to_owned()
                } else {
                    format!("{i}.25")
                };
                text.push_str(&format!("p{i},{x}\n"));
                i += 1;
            }
            std::fs::write(&path, &text).unwrap();
            let source = Source::open(&path, "f.csv").unwrap();
            assert_eq!(source.percent_signs, at == 3, "{at}");
            let rules = source.rules(&[]);
            let numeric = [NumericColumn {
                name: "x",
                count: None,
            }];
            let mut values = Vec::new();
            source
                .read_typed_batches(&["id"], &numeric, &rules, |t, n| {
                    n.finish()?;
                    values.extend_from_slice(&n.values[0][..t.height()]);
                    Ok(())
                })
                .unwrap();
            assert_eq!(values.len(), i);
            assert_eq!(values[at], 53.5, "{at}");
            assert_eq!(values[at + 1], (at + 1) as f64 + 0.25);
        }
    }
}
