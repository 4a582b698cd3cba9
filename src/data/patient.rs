//! Patient-level files: one row per patient × measure × period, summed to providers.
//!
//! Flags are checked row by row (so a bad cell is reported where it is), then polars sums
//! them per provider × measure × period. A patient counts in the numerator, exclusions and
//! expected events only when in the denominator; an excluded patient leaves the eligible
//! denominator, so it does not count in the numerator or expected events either.

use std::collections::HashMap;

use polars::prelude::*;

use crate::program::PatientMapping;

use super::cells::Flag;
use super::error::DataError;
use super::load::{Counts, Loader, RowRef};
use super::source::Source;

pub(crate) fn load(ld: &mut Loader, source: Source, m: &PatientMapping) -> Result<(), DataError> {
    let mut wanted = vec![
        (m.patient_id.as_str(), "patient_id"),
        (m.provider_id.as_str(), "provider_id"),
        (m.measure_id.as_str(), "measure_id"),
        (m.period.as_str(), "period"),
        (m.in_denominator.as_str(), "denominator flag"),
        (m.in_numerator.as_str(), "numerator flag"),
    ];
    wanted.extend(m.excluded.as_deref().map(|c| (c, "exclusion flag")));
    wanted.extend(m.expected.as_deref().map(|c| (c, "expected")));
    for (column, role) in &wanted {
        source.require(column, role)?;
    }
    // The reason is not summed, but a mapping naming a column that is not there is wrong.
    if let Some(c) = &m.exclusion_reason {
        source.require(c, "exclusion reason")?;
    }
    let names: Vec<&str> = wanted.iter().map(|(c, _)| *c).collect();
    let table = source.read(&names)?;
    let rules = table.rules(ld.missing_values);

    let patients = table.column(&m.patient_id)?;
    let ids = table.column(&m.provider_id)?;
    let measures = table.column(&m.measure_id)?;
    let periods = table.column(&m.period)?;
    let dens = table.column(&m.in_denominator)?;
    let nums = table.column(&m.in_numerator)?;
    let excls = table.column_or_empty(m.excluded.as_deref())?;
    let exps = table.column_or_empty(m.expected.as_deref())?;
    let excl_col = m.excluded.as_deref().unwrap_or("excluded");
    let exp_col = m.expected.as_deref().unwrap_or("expected");

    let n = table.height();
    let mut provider = Vec::with_capacity(n);
    let mut measure = Vec::with_capacity(n);
    let mut period = Vec::with_capacity(n);
    let mut den = Vec::with_capacity(n);
    let mut num = Vec::with_capacity(n);
    let mut excl = Vec::with_capacity(n);
    let mut exp = Vec::with_capacity(n);
    let mut first_row: HashMap<(&str, &str, &str, &str), usize> = HashMap::with_capacity(n);

    for r in 0..n {
        let row = RowRef {
            file: &table.name,
            row: r + 1,
        };
        let patient = row.required(&rules, patients[r], &m.patient_id, "the patient ID")?;
        let id = row.required(&rules, ids[r], &m.provider_id, "the provider ID")?;
        let mid = row.required(&rules, measures[r], &m.measure_id, "the measure ID")?;
        let per = row.required(&rules, periods[r], &m.period, "the period")?;
        let flag = |cell: Option<&str>, column: &str| match rules.flag(cell) {
            Flag::Yes => Ok(true),
            Flag::No => Ok(false),
            Flag::Invalid => Err(DataError::NotAFlag {
                at: row.at(column),
                value: cell.unwrap_or("").to_owned(),
            }),
        };
        let in_den = flag(dens[r], &m.in_denominator)?;
        let in_num = flag(nums[r], &m.in_numerator)?;
        let excluded = flag(excls[r], excl_col)?;
        let expected = row.count(&rules, exps[r], exp_col, "an expected value")?;
        if let Some(first) = first_row.insert((patient, id, mid, per), row.row) {
            return Err(DataError::Duplicate {
                at: row.at(&m.patient_id),
                what: format!("patient {patient} for provider {id}, measure {mid}, period {per}"),
                first: format!("{}, data row {first}", table.name),
            });
        }
        let eligible = in_den && !excluded;
        if eligible && m.expected.is_some() && expected.is_nan() {
            return Err(DataError::MissingValue {
                at: row.at(exp_col),
                what: "the expected value of a patient in the denominator".into(),
            });
        }
        provider.push(id);
        measure.push(mid);
        period.push(per);
        den.push(f64::from(u8::from(in_den)));
        num.push(f64::from(u8::from(eligible && in_num)));
        excl.push(f64::from(u8::from(in_den && excluded)));
        exp.push(if eligible && !expected.is_nan() {
            expected
        } else {
            0.0
        });
    }
    drop(first_row);

    let polars_error = |e: PolarsError| DataError::Unreadable {
        file: table.name.clone(),
        message: format!("aggregating patient rows: {e}"),
    };
    let rows: Vec<u64> = (1..=n as u64).collect();
    let frame = DataFrame::new_infer_height(vec![
        Column::new("provider".into(), provider),
        Column::new("measure".into(), measure),
        Column::new("period".into(), period),
        Column::new("den".into(), den),
        Column::new("num".into(), num),
        Column::new("excl".into(), excl),
        Column::new("exp".into(), exp),
        Column::new("row".into(), rows),
    ])
    .map_err(polars_error)?;
    // Stable grouping keeps groups in order of first appearance, so providers are numbered in
    // file order.
    let sums = frame
        .lazy()
        .group_by_stable([col("provider"), col("measure"), col("period")])
        .agg([
            col("den").sum(),
            col("num").sum(),
            col("excl").sum(),
            col("exp").sum(),
            col("row").first(),
        ])
        .collect()
        .map_err(polars_error)?;

    let g_provider = texts(&sums, "provider").map_err(polars_error)?;
    let g_measure = texts(&sums, "measure").map_err(polars_error)?;
    let g_period = texts(&sums, "period").map_err(polars_error)?;
    let g_den = numbers(&sums, "den").map_err(polars_error)?;
    let g_num = numbers(&sums, "num").map_err(polars_error)?;
    let g_excl = numbers(&sums, "excl").map_err(polars_error)?;
    let g_exp = numbers(&sums, "exp").map_err(polars_error)?;
    let g_row = numbers(&sums, "row").map_err(polars_error)?;

    for g in 0..sums.height() {
        let (Some(id), Some(mid), Some(per)) = (g_provider[g], g_measure[g], g_period[g]) else {
            continue;
        };
        let row = RowRef {
            file: &table.name,
            row: g_row[g].map_or(0, |r| r as usize),
        };
        let counts = Counts {
            denominator: g_den[g].unwrap_or(0.0),
            numerator: g_num[g].unwrap_or(0.0),
            exclusions: if m.excluded.is_some() {
                g_excl[g].unwrap_or(0.0)
            } else {
                f64::NAN
            },
            expected: if m.expected.is_some() {
                g_exp[g].unwrap_or(0.0)
            } else {
                f64::NAN
            },
            rate: f64::NAN,
        };
        let p = ld.obs.provider_index(id);
        ld.claim_series(p, mid, per, row, &m.provider_id)?;
        ld.store(p, mid, per, &counts);
    }
    Ok(())
}

fn texts<'a>(df: &'a DataFrame, name: &str) -> PolarsResult<Vec<Option<&'a str>>> {
    Ok(df.column(name)?.str()?.iter().collect())
}

fn numbers(df: &DataFrame, name: &str) -> PolarsResult<Vec<Option<f64>>> {
    Ok(df
        .column(name)?
        .cast(&DataType::Float64)?
        .f64()?
        .iter()
        .collect())
}
