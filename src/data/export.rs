//! Writing a plain table (built by `report`, which may not use polars) as Parquet.

use std::path::Path;

use polars::prelude::*;

use super::error::DataError;

/// One column of an export table, one value per row.
#[derive(Debug, Clone, PartialEq)]
pub enum ExportColumn {
    Text(Vec<String>),
    /// NaN is written as null.
    Float(Vec<f64>),
    Int(Vec<i64>),
    Bool(Vec<bool>),
}

/// Writes `columns` (all of one length) as a Parquet file, atomically: the file appears
/// complete or not at all. Text columns (provider ids among them) stay strings, so leading
/// zeros survive.
pub fn write_parquet_table(
    path: &Path,
    columns: Vec<(String, ExportColumn)>,
) -> Result<(), DataError> {
    let error = |message: String| DataError::Write {
        file: path.display().to_string(),
        message,
    };
    let mut frame = frame(columns).map_err(error)?;
    super::output::write_atomic_with(path, |file| {
        ParquetWriter::new(file)
            .finish(&mut frame)
            .map(|_| ())
            .map_err(|e| std::io::Error::other(e.to_string()))
    })
    .map_err(|e| error(e.to_string()))
}

/// `columns` (all of one length) encoded as a Parquet file in memory, for a writer that takes
/// bytes.
pub fn parquet_bytes(columns: Vec<(String, ExportColumn)>) -> Result<Vec<u8>, String> {
    let mut frame = frame(columns)?;
    let mut buf = Vec::new();
    ParquetWriter::new(&mut buf)
        .finish(&mut frame)
        .map_err(|e| e.to_string())?;
    Ok(buf)
}

fn frame(columns: Vec<(String, ExportColumn)>) -> Result<DataFrame, String> {
    let columns: Vec<Column> = columns
        .into_iter()
        .map(|(name, values)| match values {
            ExportColumn::Text(v) => Column::new(name.into(), v),
            ExportColumn::Float(v) => Column::new(
                name.into(),
                v.into_iter()
                    .map(|x| (!x.is_nan()).then_some(x))
                    .collect::<Vec<_>>(),
            ),
            ExportColumn::Int(v) => Column::new(name.into(), v),
            ExportColumn::Bool(v) => Column::new(name.into(), v),
        })
        .collect();
    DataFrame::new_infer_height(columns).map_err(|e| e.to_string())
}
