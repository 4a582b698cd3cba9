//! Payouts and the audit trail as Excel workbooks (rust_xlsxwriter).

use std::io::Write;

use rust_xlsxwriter::{Color, Format, FormatBorder, Workbook, Worksheet};

use super::ReportError;
use super::audit::AUDIT_HEADER;
use super::table::{ColumnValues, payout_table};
use super::units::{RateUnit, measure_unit};
use crate::engine::{Inputs, Observations, Results, totals};
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

/// What a payouts export compares each provider's payment with: a design's name and its
/// results on the same data (so provider `i` is the same provider in both).
#[derive(Debug, Clone)]
pub struct Reference {
    /// E.g. "as saved" or a scenario's name.
    pub label: String,
    pub results: Results,
}

/// The payouts workbook without provider attributes or a reference: see [`payouts_workbook`].
pub fn payouts_xlsx(
    program: &Program,
    inputs: &Inputs,
    results: &Results,
    w: impl Write + Send,
) -> Result<(), ReportError> {
    payouts_workbook(program, None, inputs, results, None, w)
}

/// The payouts workbook, for people: a "Payouts" sheet with readable headers (provider name,
/// attributed lives, service area, peer group, each measure's rate in its own units and score,
/// the total, the payment and its change against `reference`), a "Summary" sheet with the
/// totals and why any money is not paid, and a "Scores" sheet with `score`'s columns for
/// scripts. Money is in currency units. Written to `w`.
pub fn payouts_workbook(
    program: &Program,
    obs: Option<&Observations>,
    inputs: &Inputs,
    results: &Results,
    reference: Option<&Reference>,
    w: impl Write + Send,
) -> Result<(), ReportError> {
    payouts_workbook_modelled(program, obs, inputs, results, reference, None, w)
}

/// [`payouts_workbook`] for results that model part of the program: `modelling` says which,
/// in the "Summary" sheet and a `modelling` column of the "Scores" sheet.
pub(crate) fn payouts_workbook_modelled(
    program: &Program,
    obs: Option<&Observations>,
    inputs: &Inputs,
    results: &Results,
    reference: Option<&Reference>,
    modelling: Option<&str>,
    w: impl Write + Send,
) -> Result<(), ReportError> {
    let mut table = payout_table(program, inputs, results);
    if let Some(note) = modelling {
        table.push_text("modelling", note);
    }
    let mut wb = Workbook::new();
    let head = header_format();
    let money = Format::new().set_num_format(MONEY);
    let points = Format::new().set_num_format("0.######");
    readable_sheet(wb.add_worksheet(), program, obs, inputs, results, reference)?;
    {
        let ws = wb.add_worksheet();
        ws.set_name("Summary")?;
        summary_sheet(ws, program, inputs, results, reference)?;
        if let Some(note) = modelling {
            let bold = Format::new().set_bold();
            ws.write_string_with_format(15, 0, "Modelling", &bold)?;
            ws.write_string(15, 1, note)?;
        }
    }
    {
        let ws = wb.add_worksheet();
        ws.set_name("Scores")?;
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
    wb.save_to_writer(w)?;
    Ok(())
}

fn summary_sheet(
    ws: &mut Worksheet,
    program: &Program,
    inputs: &Inputs,
    results: &Results,
    reference: Option<&Reference>,
) -> Result<(), ReportError> {
    let money = Format::new().set_num_format(MONEY);
    {
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
        let unpaid = totals::unpaid(program, inputs, results).sentence(program);
        let counts = totals::not_scored_counts(program, inputs, results);
        let lines = [
            (
                "Not paid",
                if unpaid.is_empty() {
                    "the whole pool is paid".to_owned()
                } else {
                    unpaid
                },
            ),
            (
                "Not scored",
                match totals::not_scored_sentence(&counts) {
                    s if s.is_empty() => "every provider has a total score".to_owned(),
                    s => s,
                },
            ),
            (
                "Compared with",
                reference.map_or_else(|| "no reference".to_owned(), |r| r.label.clone()),
            ),
        ];
        for (k, (label, text)) in lines.iter().enumerate() {
            let r = 12 + k as u32;
            ws.write_string_with_format(r, 0, *label, &bold)?;
            ws.write_string(r, 1, text)?;
        }
    }
    Ok(())
}

/// The "Payouts" sheet: one row per provider, headers in words.
fn readable_sheet(
    ws: &mut Worksheet,
    program: &Program,
    obs: Option<&Observations>,
    inputs: &Inputs,
    results: &Results,
    reference: Option<&Reference>,
) -> Result<(), ReportError> {
    ws.set_name("Payouts")?;
    let head = header_format().set_text_wrap();
    let money = Format::new().set_num_format(MONEY);
    let points = Format::new().set_num_format("0.##");
    let n = inputs.provider_count();
    let text =
        |v: Option<&Vec<String>>, i: usize| v.and_then(|v| v.get(i)).cloned().unwrap_or_default();
    let providers = obs.map(|o| &o.providers);
    let mut col: u16 = 0;
    let mut header = |ws: &mut Worksheet, title: &str, width: f64| -> Result<u16, ReportError> {
        ws.write_string_with_format(0, col, title, &head)?;
        ws.set_column_width(col, width)?;
        col += 1;
        Ok(col - 1)
    };
    let c = header(ws, "Provider ID", 12.0)?;
    for i in 0..n {
        ws.write_string(i as u32 + 1, c, &inputs.provider_ids[i])?;
    }
    let c = header(ws, "Provider name", 32.0)?;
    for i in 0..n {
        ws.write_string(i as u32 + 1, c, text(providers.map(|p| &p.names), i))?;
    }
    let c = header(ws, "Service area", 18.0)?;
    for i in 0..n {
        let id = text(providers.map(|p| &p.service_area), i);
        ws.write_string(
            i as u32 + 1,
            c,
            crate::program::plan::area_name(program, &id),
        )?;
    }
    let c = header(ws, "Peer group", 16.0)?;
    for i in 0..n {
        ws.write_string(i as u32 + 1, c, text(providers.map(|p| &p.peer_group), i))?;
    }
    let c = header(ws, "Attributed lives", 11.0)?;
    for (i, l) in inputs.lives.iter().enumerate().take(n) {
        if l.is_finite() {
            ws.write_number(i as u32 + 1, c, *l)?;
        }
    }
    for (mi, mr) in inputs.measures.iter().zip(&results.measures) {
        let name = program
            .measure(&mi.id)
            .map(|m| m.title.trim())
            .filter(|t| !t.is_empty())
            .unwrap_or(&mi.id)
            .to_owned();
        if !mi.supplied_score {
            let unit = obs.map_or(RateUnit::Number, |o| measure_unit(program, o, &mi.id));
            let f = Format::new().set_num_format(unit.excel_format());
            let c = header(ws, &format!("{name} — {}", unit.noun()), 14.0)?;
            for (i, p) in mi.performance.iter().enumerate().take(n) {
                // Inputs are oriented so that greater is better; the sheet shows the data's value.
                let v = p * mi.sign;
                if v.is_finite() {
                    ws.write_number_with_format(i as u32 + 1, c, v, &f)?;
                }
            }
        }
        let c = header(ws, &format!("{name} — score"), 12.0)?;
        for (i, s) in mr.score.iter().enumerate().take(n) {
            if s.is_finite() {
                ws.write_number_with_format(i as u32 + 1, c, *s, &points)?;
            }
        }
    }
    let c = header(ws, "Total score", 10.0)?;
    for (i, t) in results.total.iter().enumerate().take(n) {
        if t.is_finite() {
            ws.write_number_with_format(i as u32 + 1, c, *t, &points)?;
        }
    }
    let c = header(ws, "Eligible to earn", 9.0)?;
    for (i, e) in results.eligible.iter().enumerate().take(n) {
        ws.write_string(i as u32 + 1, c, if *e { "yes" } else { "no" })?;
    }
    let c = header(ws, "Why not scored or not eligible", 36.0)?;
    for i in 0..n {
        let why = totals::not_scored(program, inputs, results, i)
            .map(|w| format!("not scored: {}", w.detail()))
            .or_else(|| {
                totals::not_eligible(program, inputs, results, i)
                    .map(|w| format!("not eligible: {w}"))
            });
        if let Some(why) = why {
            ws.write_string(i as u32 + 1, c, why)?;
        }
    }
    let p = &results.payment;
    if p.withheld.iter().any(|w| *w != 0) {
        let c = header(ws, "Withheld", 13.0)?;
        for (i, v) in p.withheld.iter().enumerate().take(n) {
            ws.write_number_with_format(i as u32 + 1, c, *v as f64 / 100.0, &money)?;
        }
        let c = header(ws, "Earned", 13.0)?;
        for (i, v) in p.earned.iter().enumerate().take(n) {
            ws.write_number_with_format(i as u32 + 1, c, *v as f64 / 100.0, &money)?;
        }
    }
    let c = header(ws, "Payment", 13.0)?;
    for (i, v) in p.net.iter().enumerate().take(n) {
        ws.write_number_with_format(i as u32 + 1, c, *v as f64 / 100.0, &money)?;
    }
    if let Some(r) = reference {
        let c = header(ws, &format!("Payment — {}", r.label), 13.0)?;
        let before = |i: usize| r.results.payment.net.get(i).copied();
        for i in 0..n {
            if let Some(v) = before(i) {
                ws.write_number_with_format(i as u32 + 1, c, v as f64 / 100.0, &money)?;
            }
        }
        let c = header(ws, &format!("Change against {}", r.label), 13.0)?;
        for (i, v) in p.net.iter().enumerate().take(n) {
            if let Some(b) = before(i) {
                let d = v.saturating_sub(b);
                ws.write_number_with_format(i as u32 + 1, c, d as f64 / 100.0, &money)?;
            }
        }
    }
    ws.set_row_height(0, 45.0)?;
    ws.set_freeze_panes(1, 2)?;
    if n > 0 {
        ws.autofilter(0, 0, n as u32, col.saturating_sub(1))?;
    }
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
