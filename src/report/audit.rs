//! The audit trail as CSV: one row per provider × item.

use std::io::Write;

use super::ReportError;
use crate::engine::{Inputs, Results};
use crate::program::Program;
use crate::report::explain::audit_rows;

/// Columns of the audit trail (CSV and XLSX). `value` is machine-readable: numbers round-trip,
/// money is in currency units with two decimals (`unit` says "currency"), flags are yes/no.
pub const AUDIT_HEADER: [&str; 7] = [
    "provider_id",
    "section",
    "subject",
    "item",
    "value",
    "unit",
    "rule",
];

/// Writes every provider's audit trail, provider by provider in input order.
pub fn write_audit_csv(
    program: &Program,
    inputs: &Inputs,
    results: &Results,
    w: impl Write,
) -> Result<(), ReportError> {
    let mut csv = csv::Writer::from_writer(w);
    csv.write_record(AUDIT_HEADER)?;
    let mut value = String::new();
    for (id, row) in audit_rows(program, inputs, results) {
        value.clear();
        use std::fmt::Write as _;
        let _ = write!(value, "{}", row.value);
        csv.write_record([
            id,
            row.section.label(),
            &row.subject,
            &row.item,
            &value,
            row.value.unit(),
            &row.rule,
        ])?;
    }
    csv.flush()?;
    Ok(())
}
