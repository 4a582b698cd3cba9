//! Exports: payouts as CSV, XLSX (and the table Parquet is written from), the per-provider
//! audit trail as CSV and XLSX, and a one-file HTML summary a designer can send to
//! stakeholders.
//!
//! Uses only `program` and `engine` (no polars, no egui): Parquet is encoded by `data::export`
//! from the plain [`Table`] built here.

mod audit;
pub mod decisions;
pub mod explain;
mod html;
mod output;
mod svg;
mod table;
pub mod units;
pub mod wording;
mod xlsx;

pub use audit::{AUDIT_HEADER, write_audit_csv};
pub use html::summary_html;
pub use output::{ExportFormat, parquet_columns};
pub use table::{Column, ColumnValues, Table, payout_table, write_payouts_csv, write_table_csv};
pub use xlsx::{Reference, audit_xlsx, payouts_workbook, payouts_xlsx};

/// Why an export could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Csv(#[from] csv::Error),
    #[error("spreadsheet: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("parquet: {0}")]
    Parquet(String),
}
