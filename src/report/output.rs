//! Every export format in one table: its name on the command line, its menu text, the file
//! name it suggests and how it is rendered. The window and the `export` command both use it.

use super::{ColumnValues, ReportError, Table};
use crate::data::export::{ExportColumn, parquet_bytes};
use crate::engine::{Inputs, Observations, Results};
use crate::program::Program;

/// What to export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
    /// Every format, in menu order.
    pub const ALL: [ExportFormat; 6] = [
        ExportFormat::Csv,
        ExportFormat::Xlsx,
        ExportFormat::Parquet,
        ExportFormat::AuditCsv,
        ExportFormat::AuditXlsx,
        ExportFormat::Html,
    ];

    /// The name on the command line (`--format audit-csv`).
    pub fn name(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Xlsx => "xlsx",
            ExportFormat::Parquet => "parquet",
            ExportFormat::AuditCsv => "audit-csv",
            ExportFormat::AuditXlsx => "audit-xlsx",
            ExportFormat::Html => "html",
        }
    }

    /// The format named `name` (see [`ExportFormat::name`]).
    pub fn from_name(name: &str) -> Option<ExportFormat> {
        Self::ALL.into_iter().find(|f| f.name() == name)
    }

    /// What the format holds, for command-line help.
    pub fn help(self) -> &'static str {
        match self {
            ExportFormat::Csv => "Payouts, one row per provider (the `score` CSV)",
            ExportFormat::Xlsx => "Payouts as an Excel workbook",
            ExportFormat::Parquet => "Payouts as Parquet",
            ExportFormat::AuditCsv => "The audit trail, one row per provider × item",
            ExportFormat::AuditXlsx => "The audit trail as an Excel workbook",
            ExportFormat::Html => "The program summary report, one self-contained HTML file",
        }
    }

    /// The File ▸ Export menu text.
    pub fn label(self) -> &'static str {
        match self {
            ExportFormat::Csv => "Payouts (CSV)…",
            ExportFormat::Xlsx => "Payouts (Excel)…",
            ExportFormat::Parquet => "Payouts (Parquet)…",
            ExportFormat::AuditCsv => "Audit trail (CSV)…",
            ExportFormat::AuditXlsx => "Audit trail (Excel)…",
            ExportFormat::Html => "Summary report (HTML)…",
        }
    }

    /// The file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Csv | ExportFormat::AuditCsv => "csv",
            ExportFormat::Xlsx | ExportFormat::AuditXlsx => "xlsx",
            ExportFormat::Parquet => "parquet",
            ExportFormat::Html => "html",
        }
    }

    /// Suffix of the suggested file name: `PROGRAM-<suffix>`.
    pub fn suffix(self) -> &'static str {
        match self {
            ExportFormat::Csv => "payouts.csv",
            ExportFormat::Xlsx => "payouts.xlsx",
            ExportFormat::Parquet => "payouts.parquet",
            ExportFormat::AuditCsv => "audit.csv",
            ExportFormat::AuditXlsx => "audit.xlsx",
            ExportFormat::Html => "summary.html",
        }
    }

    /// The suggested file name for a program whose file (or name) has the stem `stem`.
    pub fn file_name(self, stem: &str) -> String {
        format!("{stem}-{}", self.suffix())
    }

    /// Binary formats are never written to a terminal.
    pub fn is_binary(self) -> bool {
        matches!(
            self,
            ExportFormat::Xlsx | ExportFormat::Parquet | ExportFormat::AuditXlsx
        )
    }

    /// The export's bytes from results already computed.
    pub fn render(
        self,
        program: &Program,
        obs: &Observations,
        inputs: &Inputs,
        results: &Results,
    ) -> Result<Vec<u8>, ReportError> {
        self.render_with(program, obs, inputs, results, None)
    }

    /// As [`render`](Self::render), with the payouts workbook comparing each payment with
    /// `reference` (the other formats do not use it).
    pub fn render_with(
        self,
        program: &Program,
        obs: &Observations,
        inputs: &Inputs,
        results: &Results,
        reference: Option<&super::Reference>,
    ) -> Result<Vec<u8>, ReportError> {
        self.render_modelled(program, obs, inputs, results, reference, None)
    }

    /// As [`render_with`](Self::render_with), for results that model part of the program
    /// (one of its phases): `modelling` says which ("Modelling: Phase 1 · …"), in a
    /// `modelling` column of the payouts (CSV, Parquet, the workbook's "Scores" sheet), a
    /// "Modelling" line of the workbook's "Summary" sheet and a line under the report's title.
    /// The audit trail does not carry it.
    pub fn render_modelled(
        self,
        program: &Program,
        obs: &Observations,
        inputs: &Inputs,
        results: &Results,
        reference: Option<&super::Reference>,
        modelling: Option<&str>,
    ) -> Result<Vec<u8>, ReportError> {
        let mut buf: Vec<u8> = Vec::new();
        let payouts = || {
            let mut table = super::payout_table(program, inputs, results);
            if let Some(note) = modelling {
                table.push_text("modelling", note);
            }
            table
        };
        match self {
            ExportFormat::Csv => super::write_table_csv(&payouts(), &mut buf)?,
            ExportFormat::Xlsx => super::xlsx::payouts_workbook_modelled(
                program,
                Some(obs),
                inputs,
                results,
                reference,
                modelling,
                &mut buf,
            )?,
            ExportFormat::AuditCsv => super::write_audit_csv(program, inputs, results, &mut buf)?,
            ExportFormat::AuditXlsx => super::audit_xlsx(program, inputs, results, &mut buf)?,
            ExportFormat::Html => {
                buf = super::html::summary_html_modelled(program, obs, inputs, results, modelling)
                    .into_bytes();
            }
            // Parquet is encoded by the data layer, the only one that uses polars.
            ExportFormat::Parquet => {
                buf = parquet_bytes(parquet_columns(payouts())).map_err(ReportError::Parquet)?;
            }
        }
        Ok(buf)
    }
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
