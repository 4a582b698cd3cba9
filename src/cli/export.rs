//! `p4p-designer export`: payouts, the audit trail and the program summary, from the command
//! line, through the same engine and report code as the window.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::cli::{Failure, load_data, read_program};
use crate::data::export::{ExportColumn, write_parquet_table};
use crate::engine;
use crate::report::{self, ColumnValues, Table};

/// What to export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// Payouts, one row per provider (the `score` CSV).
    Csv,
    /// Payouts as an Excel workbook.
    Xlsx,
    /// Payouts as Parquet.
    Parquet,
    /// The audit trail, one row per provider × item.
    AuditCsv,
    /// The audit trail as an Excel workbook.
    AuditXlsx,
    /// The program summary report, one self-contained HTML file.
    Html,
}

impl ExportFormat {
    /// Suffix of the default output file name: `PROGRAM-<suffix>`.
    fn default_suffix(self) -> &'static str {
        match self {
            ExportFormat::Csv => "payouts.csv",
            ExportFormat::Xlsx => "payouts.xlsx",
            ExportFormat::Parquet => "payouts.parquet",
            ExportFormat::AuditCsv => "audit.csv",
            ExportFormat::AuditXlsx => "audit.xlsx",
            ExportFormat::Html => "summary.html",
        }
    }
    /// Binary formats are never written to a terminal.
    fn is_binary(self) -> bool {
        matches!(
            self,
            ExportFormat::Xlsx | ExportFormat::Parquet | ExportFormat::AuditXlsx
        )
    }
}

/// The file a binary export goes to without `--out`: `<program stem>-<suffix>` in the current
/// folder.
pub fn default_out(program: &Path, format: ExportFormat) -> PathBuf {
    let stem = program
        .file_stem()
        .map_or_else(|| "program".into(), |s| s.to_string_lossy().into_owned());
    PathBuf::from(format!("{stem}-{}", format.default_suffix()))
}

/// Runs the export. Text formats go to standard output without `--out`; binary formats go to
/// [`default_out`]. Files are written atomically.
pub fn export(
    program_path: &Path,
    format: ExportFormat,
    out: Option<&Path>,
    data_dir: Option<&Path>,
) -> Result<(), Failure> {
    let program = read_program(program_path)?;
    let obs = load_data(&program, program_path, data_dir)?;
    let (inputs, results) = engine::run(&program, &obs);
    let target = match out {
        Some(p) => Some(p.to_path_buf()),
        None if format.is_binary() => Some(default_out(program_path, format)),
        None => None,
    };
    if format == ExportFormat::Parquet {
        let path = target.expect("binary formats always have a target");
        let table = report::payout_table(&program, &inputs, &results);
        write_parquet_table(&path, parquet_columns(table))?;
        eprintln!("wrote {}", path.display());
        return Ok(());
    }
    let mut buf: Vec<u8> = Vec::new();
    match format {
        ExportFormat::Csv => report::write_payouts_csv(&program, &inputs, &results, &mut buf)?,
        ExportFormat::Xlsx => report::payouts_xlsx(&program, &inputs, &results, &mut buf)?,
        ExportFormat::AuditCsv => report::write_audit_csv(&program, &inputs, &results, &mut buf)?,
        ExportFormat::AuditXlsx => report::audit_xlsx(&program, &inputs, &results, &mut buf)?,
        ExportFormat::Html => {
            buf = report::summary_html(&program, &obs, &inputs, &results).into_bytes();
        }
        ExportFormat::Parquet => unreachable!("written above"),
    }
    match target {
        Some(path) => {
            write_atomically(&path, &buf)?;
            eprintln!("wrote {}", path.display());
        }
        None => match std::io::stdout().lock().write_all(&buf) {
            // A reader that stops early (`| head`) is not a failure of the export.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
            r => r?,
        },
    }
    Ok(())
}

/// The payouts table in the data layer's column type.
pub fn parquet_columns(table: Table) -> Vec<(String, ExportColumn)> {
    table
        .columns
        .into_iter()
        .map(|c| {
            let values = match c.values {
                ColumnValues::Text(v) => ExportColumn::Text(v),
                ColumnValues::Number(v) => ExportColumn::Float(v),
                ColumnValues::Cents(v) => ExportColumn::Int(v),
                ColumnValues::Flag(v) => ExportColumn::Bool(v),
            };
            (c.name, values)
        })
        .collect()
}

/// Writes next to the target and renames over it, so a failed export leaves no half file.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    let fail = |e: &dyn std::fmt::Display| Failure(format!("{}: {e}", path.display()));
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = readable_temp_file(dir).map_err(|e| fail(&e))?;
    tmp.write_all(bytes).map_err(|e| fail(&e))?;
    tmp.persist(path).map_err(|e| fail(&e.error))?;
    Ok(())
}

/// A temporary file in `dir` that, once renamed into place, is readable by others as an
/// ordinary export is (temporary files are otherwise private to their owner).
pub fn readable_temp_file(dir: &Path) -> std::io::Result<tempfile::NamedTempFile> {
    let mut b = tempfile::Builder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        b.permissions(std::fs::Permissions::from_mode(0o644));
    }
    b.tempfile_in(dir)
}
