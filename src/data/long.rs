//! Long files: one row per provider × measure × period.

use foldhash::HashMap;

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
    let rate_col = m.rate.as_deref().unwrap_or("rate");
    let excl_col = m.exclusions.as_deref().unwrap_or("exclusions");
    let mapped = [
        (m.numerator.as_deref(), Some("a numerator")),
        (m.denominator.as_deref(), Some("a denominator")),
        (m.rate.as_deref(), None),
        (m.exclusions.as_deref(), Some("exclusions")),
        (m.expected.as_deref(), Some("expected events")),
    ];
    // The mapped numeric columns, and where each of the five fields is among them.
    let numeric: Vec<NumericColumn> = mapped
        .iter()
        .filter_map(|&(c, count)| c.map(|name| NumericColumn { name, count }))
        .collect();
    let mut slot = [None; 5];
    let mut next = 0;
    for (s, (c, _)) in slot.iter_mut().zip(&mapped) {
        if c.is_some() {
            *s = Some(next);
            next += 1;
        }
    }
    // Measure × period ids by their text, and the series and provider of the row before:
    // long files are mostly sorted, so most rows repeat the row before's series.
    let mut series_ids: HashMap<(String, String), usize> = HashMap::default();
    let mut last_series: Option<(String, String, usize)> = None;
    let mut last_provider = None;
    source.read_typed_batches(&names[..3], &numeric, &rules, |table, mut numbers| {
        let mut rows = table.rows(&[Some(&m.provider_id), Some(&m.measure_id), Some(&m.period)])?;
        let mut k = 0;
        while let Some((r, cells)) = rows.next_row() {
            numbers.check_row(r)?;
            let row = RowRef {
                file: &table.name,
                row: r,
            };
            let id = row.required(&rules, cells[0], &m.provider_id, "the provider ID")?;
            let measure = row.required(&rules, cells[1], &m.measure_id, "the measure ID")?;
            let period = row.required(&rules, cells[2], &m.period, "the period")?;
            // Field `f` (numerator, denominator, rate, exclusions, expected) of this row.
            let number = |f: usize| slot[f].map_or(f64::NAN, |i| numbers.values[i][k]);
            let counts = Counts {
                numerator: number(0),
                denominator: number(1),
                rate: number(2),
                exclusions: number(3),
                expected: number(4),
            };
            k += 1;
            counts.check(row, num_col, excl_col)?;
            let series = match &last_series {
                Some((lm, lp, s)) if lm == measure && lp == period => *s,
                _ => {
                    let key = (measure.to_owned(), period.to_owned());
                    let s = match series_ids.get(&key) {
                        Some(&s) => s,
                        None => {
                            let s = ld.series_id(measure, period);
                            series_ids.insert(key.clone(), s);
                            s
                        }
                    };
                    last_series = Some((key.0, key.1, s));
                    s
                }
            };
            let p = ld.provider(id, &mut last_provider);
            ld.claim_series(series, p, row, &m.provider_id)?;
            ld.store(series, p, &counts);
            if !counts.rate.is_nan() {
                ld.note_rate_column(series, rate_col);
            }
        }
        numbers.finish()?;
        ld.batch_read(table.rows_through())
    })?;
    ld.note_codes(&rules);
    Ok(())
}
