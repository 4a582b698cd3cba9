//! Payouts and the audit trail as Excel workbooks (rust_xlsxwriter).

use std::io::Write;

use rust_xlsxwriter::{Color, Format, FormatBorder, Workbook, Worksheet};

use super::ReportError;
use super::audit::AUDIT_HEADER;
use super::table::{ColumnValues, payout_table};
use crate::engine::{Inputs, Results};
use crate::program::Program;
use crate::report::explain::{AuditValue, audit_rows, fmt_money};

/// Excel's last row number is 1,048,575: an audit trail longer than that continues on
/// further sheets.
const MAX_ROW: u32 = 1_048_575;

const MONEY: &str = "#,##0.00";

fn header_format() -> Format {
    Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0x1F3A5F))
        .set_font_color(Color::White)
        .set_border_bottom(FormatBorder::Thin)
}

fn write_header(ws: &mut Worksheet, names: &[&str], fmt: &Format) -> Result<(), ReportError> {
    for (c, name) in names.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *name, fmt)?;
    }
    ws.set_freeze_panes(1, 1)?;
    Ok(())
}

/// The payouts workbook: a "Payouts" sheet (one row per provider, money in currency units)
/// and a "Summary" sheet with the program's totals. Written to `w`.
pub fn payouts_xlsx(
    program: &Program,
    inputs: &Inputs,
    results: &Results,
    w: impl Write + Send,
) -> Result<(), ReportError> {
    let table = payout_table(program, inputs, results);
    let mut wb = Workbook::new();
    let head = header_format();
    let money = Format::new().set_num_format(MONEY);
    let points = Format::new().set_num_format("0.######");
    {
        let ws = wb.add_worksheet();
        ws.set_name("Payouts")?;
        // Money goes out in currency units so a spreadsheet user can sum and format it.
        let names: Vec<String> = table
            .columns
            .iter()
            .map(|c| match c.values {
                ColumnValues::Cents(_) => c.name.trim_end_matches("_cents").to_owned(),
                _ => c.name.clone(),
            })
            .collect();
        let name_refs: Vec<&str> = names.iter().map(String::as_str).collect();
        write_header(ws, &name_refs, &head)?;
        for (c, col) in table.columns.iter().enumerate() {
            let c = c as u16;
            ws.set_column_width(c, if c == 0 { 14.0 } else { 13.0 })?;
            for r in 0..table.rows() {
                let row = r as u32 + 1;
                match &col.values {
                    ColumnValues::Text(v) => {
                        ws.write_string(row, c, &v[r])?;
                    }
                    ColumnValues::Number(v) => {
                        if !v[r].is_nan() {
                            ws.write_number_with_format(row, c, v[r], &points)?;
                        }
                    }
                    ColumnValues::Cents(v) => {
                        ws.write_number_with_format(row, c, v[r] as f64 / 100.0, &money)?;
                    }
                    ColumnValues::Flag(v) => {
                        ws.write_boolean(row, c, v[r])?;
                    }
                }
            }
        }
        if table.rows() > 0 {
            ws.autofilter(0, 0, table.rows() as u32, table.columns.len() as u16 - 1)?;
        }
    }
    {
        let ws = wb.add_worksheet();
        ws.set_name("Summary")?;
        let p = &results.payment;
        let bold = Format::new().set_bold();
        ws.set_column_width(0, 28.0)?;
        ws.set_column_width(1, 60.0)?;
        ws.write_string_with_format(0, 0, "Program", &bold)?;
        ws.write_string(0, 1, &program.name)?;
        let rows: [(&str, f64, bool); 7] = [
            ("Providers", inputs.provider_count() as f64, false),
            ("Pool", p.pool_cents as f64 / 100.0, true),
            ("Paid", p.paid_cents as f64 / 100.0, true),
            ("Unallocated", p.unallocated_cents as f64 / 100.0, true),
            (
                "Withheld",
                p.withheld.iter().sum::<i64>() as f64 / 100.0,
                true,
            ),
            ("Providers earning", results.earning_count() as f64, false),
            (
                "Providers penalised",
                results.penalised_count() as f64,
                false,
            ),
        ];
        for (k, (label, value, is_money)) in rows.iter().enumerate() {
            let r = k as u32 + 1;
            ws.write_string_with_format(r, 0, *label, &bold)?;
            if *is_money {
                ws.write_number_with_format(r, 1, *value, &money)?;
            } else {
                ws.write_number(r, 1, *value)?;
            }
        }
        ws.write_string_with_format(9, 0, "Distribution", &bold)?;
        ws.write_string(9, 1, program.payment.distribution.label())?;
        ws.write_string_with_format(10, 0, "Performance period", &bold)?;
        ws.write_string(10, 1, &inputs.performance_period)?;
        ws.write_string_with_format(11, 0, "Check", &bold)?;
        ws.write_string(
            11,
            1,
            format!(
                "Σ earned {} + unallocated {} = pool {}",
                fmt_money(p.paid_cents),
                fmt_money(p.unallocated_cents),
                fmt_money(p.pool_cents)
            ),
        )?;
    }
    wb.save_to_writer(w)?;
    Ok(())
}

/// The audit workbook: one row per provider × item on an "Audit" sheet (continued on
/// "Audit 2", … past Excel's row limit). Rows are streamed to temporary files rather than held
/// in memory, since a large program's trail runs to hundreds of thousands of rows.
pub fn audit_xlsx(
    program: &Program,
    inputs: &Inputs,
    results: &Results,
    w: impl Write + Send,
) -> Result<(), ReportError> {
    let mut wb = Workbook::new();
    let head = header_format();
    let money = Format::new().set_num_format(MONEY);
    let mut sheet = 0usize;
    let mut row: u32 = MAX_ROW;
    for (id, r) in audit_rows(program, inputs, results) {
        if row >= MAX_ROW {
            let ws = wb.add_worksheet_with_constant_memory()?;
            sheet += 1;
            ws.set_name(if sheet == 1 {
                "Audit".to_owned()
            } else {
                format!("Audit {sheet}")
            })?;
            for (c, width) in [12.0, 12.0, 16.0, 18.0, 14.0, 9.0, 90.0]
                .into_iter()
                .enumerate()
            {
                ws.set_column_width(c as u16, width)?;
            }
            write_header(ws, &AUDIT_HEADER, &head)?;
            row = 0;
        }
        row += 1;
        let ws = wb.worksheet_from_index(sheet - 1)?;
        ws.write_string(row, 0, id)?;
        ws.write_string(row, 1, r.section.label())?;
        ws.write_string(row, 2, &r.subject)?;
        ws.write_string(row, 3, &r.item)?;
        match &r.value {
            AuditValue::Number(x) => {
                ws.write_number(row, 4, *x)?;
            }
            AuditValue::Cents(c) => {
                ws.write_number_with_format(row, 4, *c as f64 / 100.0, &money)?;
            }
            AuditValue::Flag(b) => {
                ws.write_string(row, 4, if *b { "yes" } else { "no" })?;
            }
            AuditValue::Text(t) => {
                ws.write_string(row, 4, t)?;
            }
            AuditValue::Missing => {}
        }
        let unit = r.value.unit();
        if !unit.is_empty() {
            ws.write_string(row, 5, unit)?;
        }
        ws.write_string(row, 6, &r.rule)?;
    }
    if sheet == 0 {
        let ws = wb.add_worksheet();
        ws.set_name("Audit")?;
        write_header(ws, &AUDIT_HEADER, &head)?;
    }
    wb.save_to_writer(w)?;
    Ok(())
}
