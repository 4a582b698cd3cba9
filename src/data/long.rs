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
    // Measure × period ids and providers, known by their text and, where polars holds the text
    // in the cell's view, by the view alone: most rows repeat the row before's series and
    // name the provider that followed the row before's provider last time.
    let mut series_views: HashMap<(u128, u128), usize> = HashMap::default();
    let mut last_series: Option<(String, String, usize)> = None;
    let mut last_series_view = (0, 0, 0);
    let mut providers = ProviderViews::default();
    let mut last_provider = None;
    source.read_typed_batches(&names[..3], &numeric, &rules, |table, numbers| {
        let ids = table.view_column(&m.provider_id)?;
        let measures = table.view_column(&m.measure_id)?;
        let periods = table.view_column(&m.period)?;
        let first = table.first_data_row();
        // Rows before the batch's first unreadable number need no check of their own; its
        // error comes after them, from `numbers.finish`.
        let clean = numbers
            .first_bad_row()
            .map_or(table.height(), |r| r - first);
        let [numerators, denominators, rates, exclusions, expected] =
            slot.map(|s| s.map(|i| numbers.values[i].as_slice()));
        let at = |values: Option<&[f64]>, k: usize| values.map_or(f64::NAN, |v| v[k]);
        for k in 0..clean {
            let r = first + k;
            let row = RowRef {
                file: &table.name,
                row: r,
            };
            let (pv, mv, qv) = (ids.inline[k], measures.inline[k], periods.inline[k]);
            // A provider or series seen before by its view needs no text (nor its checks).
            let known_provider = providers.known(pv, last_provider);
            let id = match known_provider {
                Some(_) => "",
                None => {
                    row.required(&rules, Some(ids.text(k)), &m.provider_id, "the provider ID")?
                }
            };
            let known_series = if mv != 0 && qv != 0 {
                if (mv, qv) == (last_series_view.0, last_series_view.1) {
                    Some(last_series_view.2)
                } else {
                    series_views.get(&(mv, qv)).copied()
                }
            } else {
                None
            };
            let (measure, period) = match known_series {
                Some(_) => ("", ""),
                None => (
                    row.required(
                        &rules,
                        Some(measures.text(k)),
                        &m.measure_id,
                        "the measure ID",
                    )?,
                    row.required(&rules, Some(periods.text(k)), &m.period, "the period")?,
                ),
            };
            let counts = Counts {
                numerator: at(numerators, k),
                denominator: at(denominators, k),
                rate: at(rates, k),
                exclusions: at(exclusions, k),
                expected: at(expected, k),
            };
            counts.check(row, num_col, excl_col)?;
            let series = match known_series {
                Some(s) => s,
                None => {
                    let s = match &last_series {
                        Some((lm, lp, s)) if lm == measure && lp == period => *s,
                        _ => {
                            let s = ld.series_id(measure, period);
                            last_series = Some((measure.to_owned(), period.to_owned(), s));
                            s
                        }
                    };
                    if mv != 0 && qv != 0 {
                        series_views.insert((mv, qv), s);
                    }
                    s
                }
            };
            if mv != 0 && qv != 0 {
                last_series_view = (mv, qv, series);
            }
            let before = last_provider;
            let p = match known_provider {
                Some(p) => p,
                None => {
                    let p = ld.provider(id, &mut last_provider);
                    providers.learn(pv, p);
                    p
                }
            };
            providers.follow(before, p);
            last_provider = Some(p);
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

/// Providers by the view of their ID cell (see [`super::source::ViewColumn`]), and which
/// provider followed which in the rows read last: files list providers in one order, measure
/// after measure, so most rows are found by two comparisons.
#[derive(Default)]
struct ProviderViews {
    by_view: HashMap<u128, usize>,
    /// Each provider's view (0 when its ID is not held in one).
    view: Vec<u128>,
    after: Vec<usize>,
}

impl ProviderViews {
    /// The provider whose ID cell has view `v`, when known: first the one that followed
    /// `last` last time, then `last` itself and the three after it, then any.
    fn known(&self, v: u128, last: Option<usize>) -> Option<usize> {
        if v == 0 {
            return None;
        }
        let is = |p: usize| self.view.get(p) == Some(&v);
        if let Some(l) = last {
            let after = self.after.get(l).copied().unwrap_or(usize::MAX);
            if is(after) {
                return Some(after);
            }
            // `last` again, or the next in order: providers absent from this measure's rows
            // leave gaps of one or two.
            if let Some(p) = (l..l + 4).find(|&p| is(p)) {
                return Some(p);
            }
        }
        self.by_view.get(&v).copied()
    }

    /// Provider `p` has an ID cell of view `v`.
    fn learn(&mut self, v: u128, p: usize) {
        if v == 0 {
            return;
        }
        if p >= self.view.len() {
            self.view.resize(p + 1, 0);
        }
        self.view[p] = v;
        self.by_view.insert(v, p);
    }

    /// Provider `p` came after `last`.
    fn follow(&mut self, last: Option<usize>, p: usize) {
        if let Some(l) = last {
            if l >= self.after.len() {
                self.after.resize(l + 1, usize::MAX);
            }
            self.after[l] = p;
        }
    }
}
