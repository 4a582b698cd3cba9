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
    let mut frame = DataFrame::new_infer_height(columns).map_err(|e| error(e.to_string()))?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    // Readable by others once in place, as an ordinary export is (temporary files are private).
    let mut builder = tempfile::Builder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o644));
    }
    let mut tmp = builder.tempfile_in(dir).map_err(|e| error(e.to_string()))?;
    ParquetWriter::new(tmp.as_file_mut())
        .finish(&mut frame)
        .map_err(|e| error(e.to_string()))?;
    tmp.persist(path).map_err(|e| error(e.error.to_string()))?;
    Ok(())
}
