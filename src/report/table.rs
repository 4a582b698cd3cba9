//! The payouts table: one row per provider, shared by the CSV, XLSX and Parquet exports.

use std::io::Write;

use super::ReportError;
use crate::engine::{Inputs, Results};
use crate::program::Program;

/// One column's values, one per provider.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnValues {
    Text(Vec<String>),
    /// NaN where missing.
    Number(Vec<f64>),
    /// Money in integer cents.
    Cents(Vec<i64>),
    Flag(Vec<bool>),
}

impl ColumnValues {
    pub fn len(&self) -> usize {
        match self {
            ColumnValues::Text(v) => v.len(),
            ColumnValues::Number(v) => v.len(),
            ColumnValues::Cents(v) => v.len(),
            ColumnValues::Flag(v) => v.len(),
        }
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The cell as CSV text: numbers round-trip, NaN is empty, cents are whole cents.
    pub fn cell(&self, row: usize) -> String {
        match self {
            ColumnValues::Text(v) => v[row].clone(),
            ColumnValues::Number(v) => {
                if v[row].is_nan() {
                    String::new()
                } else {
                    v[row].to_string()
                }
            }
            ColumnValues::Cents(v) => v[row].to_string(),
            ColumnValues::Flag(v) => v[row].to_string(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub name: String,
    pub values: ColumnValues,
}

/// Columns of equal length.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    pub columns: Vec<Column>,
}

impl Table {
    pub fn rows(&self) -> usize {
        self.columns.first().map_or(0, |c| c.values.len())
    }
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }
    fn push(&mut self, name: impl Into<String>, values: ColumnValues) {
        self.columns.push(Column {
            name: name.into(),
            values,
        });
    }
    /// A column with the same text on every row.
    pub(crate) fn push_text(&mut self, name: &str, text: &str) {
        let rows = self.rows();
        self.push(name, ColumnValues::Text(vec![text.to_owned(); rows]));
    }
}

/// Payouts, one row per provider, in the shape of `p4p-designer score`: provider id, each
/// measure's achievement, improvement and score, each domain's consistency (where it has them)
/// and score, the total, eligibility, and withheld / earned / net payment in cents with the
/// payment multiplier.
pub fn payout_table(program: &Program, inputs: &Inputs, results: &Results) -> Table {
    let mut t = Table::default();
    t.push(
        "provider_id",
        ColumnValues::Text(inputs.provider_ids.clone()),
    );
    for m in &results.measures {
        t.push(
            format!("{} achievement", m.id),
            ColumnValues::Number(m.achievement.clone()),
        );
        t.push(
            format!("{} improvement", m.id),
            ColumnValues::Number(m.improvement.clone()),
        );
        t.push(
            format!("{} score", m.id),
            ColumnValues::Number(m.score.clone()),
        );
    }
    for (d, dr) in program.scoring.domains.iter().zip(&results.domains) {
        if d.consistency.is_some() {
            t.push(
                format!("{} consistency", dr.id),
                ColumnValues::Number(dr.consistency.clone()),
            );
        }
        t.push(
            format!("{} score", dr.id),
            ColumnValues::Number(dr.score.clone()),
        );
    }
    let p = &results.payment;
    t.push("total_score", ColumnValues::Number(results.total.clone()));
    t.push("eligible", ColumnValues::Flag(results.eligible.clone()));
    t.push("withheld_cents", ColumnValues::Cents(p.withheld.clone()));
    t.push("earned_cents", ColumnValues::Cents(p.earned.clone()));
    t.push("payment_cents", ColumnValues::Cents(p.net.clone()));
    t.push(
        "payment_multiplier",
        ColumnValues::Number(p.multiplier.clone()),
    );
    t
}

/// Writes a table as CSV with a header row.
pub fn write_table_csv(table: &Table, w: impl Write) -> Result<(), ReportError> {
    let mut csv = csv::Writer::from_writer(w);
    csv.write_record(table.columns.iter().map(|c| c.name.as_str()))?;
    let mut row: Vec<String> = Vec::with_capacity(table.columns.len());
    for r in 0..table.rows() {
        row.clear();
        row.extend(table.columns.iter().map(|c| c.values.cell(r)));
        csv.write_record(&row)?;
    }
    csv.flush()?;
    Ok(())
}

/// The payouts CSV: byte for byte what `p4p-designer score` writes.
pub fn write_payouts_csv(
    program: &Program,
    inputs: &Inputs,
    results: &Results,
    w: impl Write,
) -> Result<(), ReportError> {
    write_table_csv(&payout_table(program, inputs, results), w)
}
