//! Wide files: one row per provider, a column per measure and field, as CMS publishes them.

use std::collections::BTreeMap;

use crate::program::{WideField, WideMapping};

use super::error::DataError;
use super::load::{
    BENCHMARK, Counts, FLOOR, Loader, NOT_SUBMITTED, RowRef, SUPPLIED_SCORE, THRESHOLD, WEIGHT,
};
use super::source::{NumericColumn, Source};

/// The columns (indexes into `WideMapping::columns`) that give one measure × period.
#[derive(Default)]
struct SeriesColumns {
    numerator: Option<usize>,
    denominator: Option<usize>,
    rate: Option<usize>,
    exclusions: Option<usize>,
    expected: Option<usize>,
}

pub(crate) fn load(ld: &mut Loader, source: Source, m: &WideMapping) -> Result<(), DataError> {
    source.require(&m.provider_id, "provider_id")?;
    if let Some(n) = &m.provider_name {
        source.require(n, "provider name")?;
    }
    for c in &m.columns {
        source.require(&c.column, &role(c.measure_id.as_str(), &c.field))?;
    }
    let (series, supplied) = plan(m, &source.name)?;

    let mut names = vec![m.provider_id.as_str()];
    names.extend(m.provider_name.as_deref());
    names.extend(m.columns.iter().map(|c| c.column.as_str()));
    let rules = source.rules(ld.missing_values);

    let column_name = |i: Option<usize>, fallback: &'static str| {
        i.map_or(fallback, |i| m.columns[i].column.as_str())
    };
    let series: Vec<(usize, SeriesColumns)> = series
        .into_iter()
        .map(|((measure, period), sc)| (ld.series_id(measure, period), sc))
        .collect();
    let supplied: Vec<(usize, usize)> = supplied
        .into_iter()
        .map(|(i, field)| (i, ld.supplied_id(&m.columns[i].measure_id, field)))
        .collect();

    // Text cells: provider ID, provider name and any not-submitted flags (codes, not
    // numbers); the other mapped columns are read as numbers.
    let is_flag = |i: usize| matches!(m.columns[i].field, WideField::NotSubmitted(_));
    let mut text_cells = vec![Some(m.provider_id.as_str()), m.provider_name.as_deref()];
    let mut flag_cell = vec![None; m.columns.len()];
    let mut numeric_index = vec![None; m.columns.len()];
    let mut numeric: Vec<NumericColumn> = Vec::new();
    for (i, c) in m.columns.iter().enumerate() {
        if is_flag(i) {
            flag_cell[i] = Some(text_cells.len());
            text_cells.push(Some(c.column.as_str()));
            continue;
        }
        numeric_index[i] = Some(numeric.len());
        numeric.push(NumericColumn {
            name: &c.column,
            count: match c.field {
                WideField::Numerator(_) => Some("a numerator"),
                WideField::Denominator(_) => Some("a denominator"),
                WideField::Exclusions(_) => Some("exclusions"),
                WideField::Expected(_) => Some("expected events"),
                _ => None,
            },
        });
    }
    // The data row each provider was given on, to refuse a second.
    let mut row_of_provider: Vec<usize> = Vec::new();
    let mut last_provider = None;
    let text: Vec<&str> = text_cells.iter().flatten().copied().collect();
    source.read_typed_batches(&text, &numeric, &rules, |table, numbers| {
        let mut rows = table.rows(&text_cells)?;
        let mut k = 0;
        while let Some((r, cells)) = rows.next_row() {
            numbers.check_row(r)?;
            let row = RowRef {
                file: &table.name,
                row: r,
            };
            let id = row.required(&rules, cells[0], &m.provider_id, "the provider ID")?;
            let p = ld.provider(id, &mut last_provider);
            if p >= row_of_provider.len() {
                row_of_provider.resize(p + 1, 0);
            }
            if row_of_provider[p] != 0 {
                return Err(DataError::Duplicate {
                    at: row.at(&m.provider_id),
                    what: format!("provider {id}"),
                    first: format!("{}, data row {}", table.name, row_of_provider[p]),
                });
            }
            row_of_provider[p] = row.row;
            if let Some(name) = rules.text(cells[1])
                && ld.obs.providers.names[p].is_empty()
            {
                ld.obs.providers.names[p] = name.to_owned();
            }
            // Mapped numeric column `i` of this row.
            let number = |i: usize| numeric_index[i].map_or(f64::NAN, |j| numbers.values[j][k]);
            // A not-submitted flag is set where the cell holds one of its codes.
            let flag = |i: usize| {
                let cell = flag_cell[i].and_then(|c| cells[c]);
                let text = cell.unwrap_or("").trim();
                match &m.columns[i].field {
                    WideField::NotSubmitted(codes) if codes.iter().any(|c| c.trim() == text) => 1.0,
                    _ => f64::NAN,
                }
            };

            for (series_id, sc) in &series {
                let value = |i: Option<usize>| i.map_or(f64::NAN, number);
                let counts = Counts {
                    numerator: value(sc.numerator),
                    denominator: value(sc.denominator),
                    rate: value(sc.rate),
                    exclusions: value(sc.exclusions),
                    expected: value(sc.expected),
                };
                if counts.is_empty() {
                    continue;
                }
                counts.check(
                    row,
                    column_name(sc.numerator, "numerator"),
                    column_name(sc.exclusions, "exclusions"),
                )?;
                let first_column = [sc.rate, sc.numerator, sc.denominator, sc.exclusions]
                    .into_iter()
                    .flatten()
                    .next()
                    .or(sc.expected);
                ld.claim_series(*series_id, p, row, column_name(first_column, ""))?;
                ld.store(*series_id, p, &counts);
                if let Some(i) = sc.rate
                    && !counts.rate.is_nan()
                {
                    ld.note_rate_column(*series_id, &m.columns[i].column);
                }
            }

            for &(i, supplied_id) in &supplied {
                let column = &m.columns[i].column;
                let v = if is_flag(i) { flag(i) } else { number(i) };
                if !v.is_nan() {
                    ld.claim_supplied(supplied_id, p, row, column)?;
                    ld.store_supplied(supplied_id, p, v);
                }
            }
            k += 1;
        }
        numbers.finish()?;
        ld.batch_read(table.rows_through())
    })?;
    ld.note_codes(&rules);
    Ok(())
}

type SeriesPlan<'m> = BTreeMap<(&'m str, &'m str), SeriesColumns>;
/// Mapped columns (indexes) holding a supplied field, with the field's name.
type SuppliedPlan = Vec<(usize, &'static str)>;

/// Groups the mapped columns by measure × period, refusing a mapping that gives the same field
/// twice (it could not say which one to believe).
fn plan<'m>(m: &'m WideMapping, file: &str) -> Result<(SeriesPlan<'m>, SuppliedPlan), DataError> {
    let mut series: SeriesPlan<'m> = BTreeMap::new();
    let mut supplied: SuppliedPlan = Vec::new();
    let twice = |i: usize, j: usize| {
        let (a, b) = (&m.columns[j].column, &m.columns[i].column);
        let what = role(&m.columns[i].measure_id, &m.columns[i].field);
        DataError::Mapping {
            file: file.to_owned(),
            message: if a == b {
                format!("column \"{a}\" is mapped twice as {what}")
            } else {
                format!("columns \"{a}\" and \"{b}\" are both mapped as {what}")
            },
        }
    };
    for (i, c) in m.columns.iter().enumerate() {
        let (period, slot): (&str, fn(&mut SeriesColumns) -> &mut Option<usize>) = match &c.field {
            WideField::Rate(p) => (p, |s| &mut s.rate),
            WideField::Numerator(p) => (p, |s| &mut s.numerator),
            WideField::Denominator(p) => (p, |s| &mut s.denominator),
            WideField::Exclusions(p) => (p, |s| &mut s.exclusions),
            WideField::Expected(p) => (p, |s| &mut s.expected),
            WideField::Threshold
            | WideField::Benchmark
            | WideField::Floor
            | WideField::SuppliedScore
            | WideField::Weight
            | WideField::NotSubmitted(_) => {
                let field = match c.field {
                    WideField::Threshold => THRESHOLD,
                    WideField::Benchmark => BENCHMARK,
                    WideField::Floor => FLOOR,
                    WideField::Weight => WEIGHT,
                    WideField::NotSubmitted(_) => NOT_SUBMITTED,
                    _ => SUPPLIED_SCORE,
                };
                if let Some(&(j, _)) = supplied
                    .iter()
                    .find(|(j, f)| m.columns[*j].measure_id == c.measure_id && *f == field)
                {
                    return Err(twice(i, j));
                }
                supplied.push((i, field));
                continue;
            }
        };
        let slot = slot(series.entry((c.measure_id.as_str(), period)).or_default());
        if let Some(j) = *slot {
            return Err(twice(i, j));
        }
        *slot = Some(i);
    }
    Ok((series, supplied))
}

fn role(measure: &str, field: &WideField) -> String {
    match field {
        WideField::Rate(p) => format!("{measure} rate ({p})"),
        WideField::Numerator(p) => format!("{measure} numerator ({p})"),
        WideField::Denominator(p) => format!("{measure} denominator ({p})"),
        WideField::Exclusions(p) => format!("{measure} exclusions ({p})"),
        WideField::Expected(p) => format!("{measure} expected ({p})"),
        WideField::Threshold => format!("{measure} achievement threshold"),
        WideField::Benchmark => format!("{measure} benchmark"),
        WideField::Floor => format!("{measure} floor"),
        WideField::SuppliedScore => format!("{measure} supplied score"),
        WideField::Weight => format!("{measure} weight"),
        WideField::NotSubmitted(_) => format!("{measure} not-submitted flag"),
    }
}
