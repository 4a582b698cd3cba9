//! Long files: one row per provider × measure × period.

use std::collections::HashMap;

use crate::program::LongMapping;

use super::error::DataError;
use super::load::{Counts, Loader, RowRef};
use super::source::{NumericColumn, Source};

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
    let mapped = [
        (m.numerator.as_deref(), num_col, Some("a numerator")),
        (m.denominator.as_deref(), den_col, Some("a denominator")),
        (m.rate.as_deref(), rate_col, None),
        (m.exclusions.as_deref(), excl_col, Some("exclusions")),
        (m.expected.as_deref(), exp_col, Some("expected events")),
    ];
    // The mapped numeric columns, and where each of the five fields is among them.
    let numeric: Vec<NumericColumn> = mapped
        .iter()
        .filter_map(|(c, _, what)| {
            c.map(|name| NumericColumn {
                name,
                count: what.is_some(),
            })
        })
        .collect();
    let mut slot = [None; 5];
    let mut next = 0;
    for (s, (c, _, _)) in slot.iter_mut().zip(&mapped) {
        if c.is_some() {
            *s = Some(next);
            next += 1;
        }
    }
    source.read_typed_batches(&names, &numeric, &rules, |table| {
        let fast = table.fast()?;
        let mut rows = if fast.is_some() {
            table.rows(&[Some(&m.provider_id), Some(&m.measure_id), Some(&m.period)])?
        } else {
            table.rows(&[
                Some(&m.provider_id),
                Some(&m.measure_id),
                Some(&m.period),
                m.numerator.as_deref(),
                m.denominator.as_deref(),
                m.rate.as_deref(),
                m.exclusions.as_deref(),
                m.expected.as_deref(),
            ])?
        };
        // Measure × period ids, looked up by the batch's own text to allocate nothing per row.
        let mut series_ids: HashMap<(&str, &str), usize> = HashMap::new();
        let mut k = 0;
        while let Some((r, cells)) = rows.next_row() {
            let row = RowRef {
                file: &table.name,
                row: r,
            };
            let id = row.required(&rules, cells[0], &m.provider_id, "the provider ID")?;
            let measure = row.required(&rules, cells[1], &m.measure_id, "the measure ID")?;
            let period = row.required(&rules, cells[2], &m.period, "the period")?;
            // Field `f` (numerator, denominator, rate, exclusions, expected) of this row.
            let number = |f: usize| {
                let (_, column, what) = mapped[f];
                match (&fast, slot[f]) {
                    (Some(values), Some(i)) => Ok(values[i][k]),
                    (Some(_), None) => Ok(f64::NAN),
                    (None, _) => match what {
                        Some(what) => row.count(&rules, cells[3 + f], column, what),
                        None => row.number(&rules, cells[3 + f], column),
                    },
                }
            };
            let counts = Counts {
                numerator: number(0)?,
                denominator: number(1)?,
                rate: number(2)?,
                exclusions: number(3)?,
                expected: number(4)?,
            };
            k += 1;
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
