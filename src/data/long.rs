//! Long files: one row per provider × measure × period.

use std::collections::HashMap;

use crate::program::LongMapping;

use super::error::DataError;
use super::load::{Counts, Loader, RowRef};
use super::source::Source;

pub(crate) fn load(ld: &mut Loader, source: Source, m: &LongMapping) -> Result<(), DataError> {
    let optional = [
        (&m.numerator, "numerator"),
        (&m.denominator, "denominator"),
        (&m.rate, "rate"),
        (&m.exclusions, "exclusions"),
        (&m.expected, "expected"),
    ];
    let mut wanted = vec![
        (m.provider_id.as_str(), "provider_id"),
        (m.measure_id.as_str(), "measure_id"),
        (m.period.as_str(), "period"),
    ];
    wanted.extend(
        optional
            .iter()
            .filter_map(|(c, role)| c.as_deref().map(|c| (c, *role))),
    );
    for (column, role) in &wanted {
        source.require(column, role)?;
    }
    let names: Vec<&str> = wanted.iter().map(|(c, _)| *c).collect();
    let rules = source.rules(ld.missing_values);

    let num_col = m.numerator.as_deref().unwrap_or("numerator");
    let den_col = m.denominator.as_deref().unwrap_or("denominator");
    let rate_col = m.rate.as_deref().unwrap_or("rate");
    let excl_col = m.exclusions.as_deref().unwrap_or("exclusions");
    let exp_col = m.expected.as_deref().unwrap_or("expected");
    source.read_batches(&names, &[], |table| {
        let mut rows = table.rows(&[
            Some(&m.provider_id),
            Some(&m.measure_id),
            Some(&m.period),
            m.numerator.as_deref(),
            m.denominator.as_deref(),
            m.rate.as_deref(),
            m.exclusions.as_deref(),
            m.expected.as_deref(),
        ])?;
        // Measure × period ids, looked up by the batch's own text to allocate nothing per row.
        let mut series_ids: HashMap<(&str, &str), usize> = HashMap::new();
        while let Some((r, cells)) = rows.next_row() {
            let row = RowRef {
                file: &table.name,
                row: r,
            };
            let id = row.required(&rules, cells[0], &m.provider_id, "the provider ID")?;
            let measure = row.required(&rules, cells[1], &m.measure_id, "the measure ID")?;
            let period = row.required(&rules, cells[2], &m.period, "the period")?;
            let counts = Counts {
                numerator: row.count(&rules, cells[3], num_col, "a numerator")?,
                denominator: row.count(&rules, cells[4], den_col, "a denominator")?,
                rate: row.number(&rules, cells[5], rate_col)?,
                exclusions: row.count(&rules, cells[6], excl_col, "exclusions")?,
                expected: row.count(&rules, cells[7], exp_col, "expected events")?,
            };
            counts.check(row, num_col, excl_col)?;
            let series = *series_ids
                .entry((measure, period))
                .or_insert_with(|| ld.series_id(measure, period));
            let p = ld.obs.provider_index(id);
            ld.claim_series(series, p, row, &m.provider_id)?;
            ld.store(series, p, &counts);
            if !counts.rate.is_nan() {
                ld.note_rate_column(series, rate_col);
            }
        }
        ld.batch_read(table.rows_through())
    })?;
    ld.note_codes(&rules);
    Ok(())
}
