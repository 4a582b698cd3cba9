//! Patient-level files: one row per patient × measure × period, summed to providers.
//!
//! Polars reads the flags and sums them per provider × measure × period, batch by batch on its
//! streaming engine, so memory follows the number of groups rather than rows; the batches'
//! sums are added up in order of first appearance. When polars finds a cell it does not read
//! plainly (or a patient given twice), the file is read again cell by cell, which names the
//! row at fault. A patient counts in the numerator, exclusions and expected events
//! only when in the denominator; an excluded patient leaves the eligible denominator, so it
//! does not count in the numerator or expected events either.

use std::collections::HashMap;
use std::collections::hash_map::{Entry, RandomState};
use std::hash::BuildHasher;

use polars::prelude::*;

use crate::program::PatientMapping;

use super::cells::{Flag, Status, st};
use super::error::{DataError, excerpt};
use super::load::{Counts, LIMIT, Loader, RowRef};
use super::source::Source;

/// One provider × measure × period's running sums.
struct Group {
    provider: String,
    measure: String,
    period: String,
    denominator: f64,
    numerator: f64,
    exclusions: f64,
    expected: f64,
    /// The data row it first appears on.
    first_row: usize,
}

/// The columns one batch contributes, before polars sums them.
#[derive(Default)]
struct BatchColumns<'a> {
    provider: Vec<&'a str>,
    measure: Vec<&'a str>,
    period: Vec<&'a str>,
    den: Vec<f64>,
    num: Vec<f64>,
    excl: Vec<f64>,
    exp: Vec<f64>,
    row: Vec<u64>,
}

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
    let fast = if super::source::READ_WITH_EXPRESSIONS {
        sum_fast(ld, &source, m, &names)?
    } else {
        None
    };
    let groups = match fast {
        Some(groups) => groups,
        None => sum_precisely(ld, &source, m, &names)?,
    };
    store_groups(ld, &source, m, &groups)
}

/// Columns of the batches [`sum_fast`] reads.
const PATIENT: &str = "patient";
const PROVIDER: &str = "provider";
const MEASURE: &str = "measure";
const PERIOD: &str = "period";
const PROBLEM: &str = "problem";
const STATUS: &str = "status";

/// Repeated patients are looked for in this many rows at most, so memory stays bounded on
/// the largest files (a 64-bit fingerprint a row, about 75 MB).
pub(crate) const REPEAT_CHECK_ROWS: usize = 7_000_000;

/// Sums the file with polars; None when a cell needs reading one by one (to be refused or
/// read as `CellRules` reads it) or a patient may be given twice.
fn sum_fast(
    ld: &mut Loader,
    source: &Source,
    m: &PatientMapping,
    names: &[&str],
) -> Result<Option<Vec<Group>>, DataError> {
    let rules = source.rules(ld.missing_values);
    let text = |c: &str| col(c).cast(DataType::String).str().strip_chars(lit(NULL));
    let mut problem = lit(false);
    for c in [&m.patient_id, &m.provider_id, &m.measure_id, &m.period] {
        problem = problem.or(rules.text_missing_expr(col(c.as_str())));
    }
    let (in_den, bad) = rules.flag_exprs(col(m.in_denominator.as_str()));
    problem = problem.or(bad);
    let (in_num, bad) = rules.flag_exprs(col(m.in_numerator.as_str()));
    problem = problem.or(bad);
    let excluded = match &m.excluded {
        Some(c) => {
            let (yes, bad) = rules.flag_exprs(col(c.as_str()));
            problem = problem.or(bad);
            yes
        }
        None => lit(false),
    };
    let eligible = in_den.clone().and(excluded.clone().not());
    let (expected, status) = match &m.expected {
        Some(c) => {
            let Some((value, status)) = rules.number_exprs(col(c.as_str()), &source.dtype(c))
            else {
                return Ok(None);
            };
            // Values only: polars orders NaN above every number.
            let out_of_range = value
                .clone()
                .lt(lit(0.0))
                .or(value.clone().gt_eq(lit(LIMIT)));
            problem = problem
                .or(status.clone().eq(st(Status::OTHER)))
                .or(status.clone().eq(st(Status::VALUE)).and(out_of_range))
                // A patient in the denominator needs an expected value.
                .or(eligible.clone().and(status.clone().neq(st(Status::VALUE))));
            (value, status)
        }
        None => (lit(f64::NAN), st(Status::BLANK)),
    };
    let exprs = vec![
        text(&m.patient_id).alias(PATIENT),
        text(&m.provider_id).alias(PROVIDER),
        text(&m.measure_id).alias(MEASURE),
        text(&m.period).alias(PERIOD),
        in_den.clone().cast(DataType::Float64).alias("den"),
        eligible
            .clone()
            .and(in_num)
            .cast(DataType::Float64)
            .alias("num"),
        in_den.and(excluded).cast(DataType::Float64).alias("excl"),
        when(eligible.and(expected.clone().is_not_nan()))
            .then(expected)
            .otherwise(lit(0.0))
            .alias("exp"),
        status.alias(STATUS),
        problem.fill_null(lit(false)).alias(PROBLEM),
    ];

    let hasher = RandomState::new();
    let mut seen: std::collections::HashSet<u64> = std::collections::HashSet::new();
    let mut groups: Vec<Group> = Vec::new();
    let mut group_index: HashMap<(String, String, String), usize> = HashMap::new();
    let mut blanks = 0u64;
    let mut hits = vec![0u64; rules.code_count()];
    let mut precise = false;
    // Rows read, and rows looked at for repeated patients.
    let (mut read, mut checked) = (0usize, 0usize);
    let unsummed = |file: &str, rows: usize| DataError::Unreadable {
        file: file.to_owned(),
        message: format!("the patient rows up to data row {rows} could not be summed per provider"),
    };
    let result = source.read_computed(names, exprs, |table| {
        let df = table.frame();
        let failed = |_| unsummed(&table.name, table.rows_through());
        let flagged = df
            .column(PROBLEM)
            .and_then(|c| c.bool().map(|b| b.any()))
            .map_err(failed)?;
        if flagged {
            precise = true;
            return Err(DataError::Cancelled {
                file: table.name.clone(),
            });
        }
        if m.expected.is_some() {
            let status = df.column(STATUS).and_then(|c| c.i32()).map_err(failed)?;
            for chunk in status.downcast_iter() {
                for &s in chunk.values().iter() {
                    let s = u8::try_from(s).unwrap_or(Status::OTHER);
                    if s == Status::BLANK {
                        blanks += 1;
                    } else if s >= Status::CODE
                        && s != Status::OTHER
                        && let Some(h) = hits.get_mut(usize::from(s - Status::CODE))
                    {
                        *h += 1;
                    }
                }
            }
        }
        read = table.rows_through();
        if table.first_row() < REPEAT_CHECK_ROWS {
            checked = read;
            let key = |name| df.column(name).and_then(|c| c.str());
            let (pat, prov, meas, per) = (
                key(PATIENT).map_err(failed)?,
                key(PROVIDER).map_err(failed)?,
                key(MEASURE).map_err(failed)?,
                key(PERIOD).map_err(failed)?,
            );
            let rows = pat.iter().zip(prov.iter()).zip(meas.iter()).zip(per.iter());
            for (((a, b), c), d) in rows {
                let key = [a, b, c, d];
                if !seen.insert(hasher.hash_one(key)) {
                    // Perhaps a fingerprint shared by chance: the reading cell by cell tells.
                    precise = true;
                    return Err(DataError::Cancelled {
                        file: table.name.clone(),
                    });
                }
            }
        }
        let sums = sum_typed(df.clone(), table.first_row()).map_err(failed)?;
        merge(&mut groups, &mut group_index, sums);
        ld.batch_read(table.rows_through())
    });
    match result {
        Err(DataError::Cancelled { .. }) if precise => return Ok(None),
        Err(e) => return Err(e),
        Ok(()) => {}
    }
    if read > checked {
        ld.warn(crate::engine::LoadWarning {
            file: source.name.clone(),
            row: Some(checked + 1),
            column: Some(m.patient_id.clone()),
            value: None,
            message: format!(
                "patients given twice were looked for in the first {checked} rows only, to \
                 keep memory bounded"
            ),
        });
    }
    rules.add_counts(blanks, &hits);
    ld.note_codes(&rules);
    Ok(Some(groups))
}

/// Adds one batch's sums to the running ones, new groups in order of first appearance.
fn merge(
    groups: &mut Vec<Group>,
    group_index: &mut HashMap<(String, String, String), usize>,
    sums: Vec<Group>,
) {
    for s in sums {
        let key = (s.provider, s.measure, s.period);
        match group_index.get(&key) {
            Some(&g) => {
                let g = &mut groups[g];
                g.denominator += s.denominator;
                g.numerator += s.numerator;
                g.exclusions += s.exclusions;
                g.expected += s.expected;
            }
            None => {
                group_index.insert(key.clone(), groups.len());
                groups.push(Group {
                    provider: key.0,
                    measure: key.1,
                    period: key.2,
                    ..s
                });
            }
        }
    }
}

/// Sums the file row by row, checking each cell where it is.
fn sum_precisely(
    ld: &mut Loader,
    source: &Source,
    m: &PatientMapping,
    names: &[&str],
) -> Result<Vec<Group>, DataError> {
    let rules = source.rules(ld.missing_values);
    let excl_col = m.excluded.as_deref().unwrap_or("excluded");
    let exp_col = m.expected.as_deref().unwrap_or("expected");

    // Patient × provider × measure × period seen so far, as two independent 64-bit hashes (a
    // false match among a billion rows has odds below 1e-20) and the row it was on: far less
    // memory than the keys, which are gone with their batch.
    let hashers = (RandomState::new(), RandomState::new());
    let mut seen: HashMap<(u64, u64), usize> = HashMap::new();
    let mut groups: Vec<Group> = Vec::new();
    let mut group_index: HashMap<(String, String, String), usize> = HashMap::new();

    source.read_batches(names, &[], |table| {
        let mut rows = table.rows(&m.read_columns())?;
        let mut batch = BatchColumns::default();
        while let Some((r, cells)) = rows.next_row() {
            let row = RowRef {
                file: &table.name,
                row: r,
            };
            let patient = row.required(&rules, cells[0], &m.patient_id, "the patient ID")?;
            let id = row.required(&rules, cells[1], &m.provider_id, "the provider ID")?;
            let mid = row.required(&rules, cells[2], &m.measure_id, "the measure ID")?;
            let per = row.required(&rules, cells[3], &m.period, "the period")?;
            let flag = |cell: Option<&str>, column: &str| match rules.flag(cell) {
                Flag::Yes => Ok(true),
                Flag::No => Ok(false),
                Flag::Invalid => Err(DataError::NotAFlag {
                    at: row.at(column),
                    value: excerpt(cell.unwrap_or("")),
                }),
            };
            let in_den = flag(cells[4], &m.in_denominator)?;
            let in_num = flag(cells[5], &m.in_numerator)?;
            let excluded = flag(cells[6], excl_col)?;
            let expected = row.count(&rules, cells[7], exp_col, "an expected value")?;

            let key = [patient, id, mid, per];
            match seen.entry((hashers.0.hash_one(key), hashers.1.hash_one(key))) {
                Entry::Vacant(v) => {
                    v.insert(r);
                }
                Entry::Occupied(o) => {
                    return Err(DataError::Duplicate {
                        at: row.at(&m.patient_id),
                        what: format!(
                            "patient {patient} for provider {id}, measure {mid}, period {per}"
                        ),
                        first: format!("{}, data row {}", table.name, o.get()),
                    });
                }
            }
            let eligible = in_den && !excluded;
            if eligible && m.expected.is_some() && expected.is_nan() {
                return Err(DataError::MissingValue {
                    at: row.at(exp_col),
                    what: "the expected value of a patient in the denominator".into(),
                });
            }
            batch.provider.push(id);
            batch.measure.push(mid);
            batch.period.push(per);
            batch.den.push(f64::from(u8::from(in_den)));
            batch.num.push(f64::from(u8::from(eligible && in_num)));
            batch.excl.push(f64::from(u8::from(in_den && excluded)));
            batch.exp.push(if eligible && !expected.is_nan() {
                expected
            } else {
                0.0
            });
            batch.row.push(r as u64);
        }
        let sums = sum_batch(batch).map_err(|_| DataError::Unreadable {
            file: table.name.clone(),
            message: format!(
                "the patient rows up to data row {} could not be summed per provider",
                table.rows_through()
            ),
        })?;
        merge(&mut groups, &mut group_index, sums);
        ld.batch_read(table.rows_through())
    })?;
    ld.note_codes(&rules);
    Ok(groups)
}

/// Stores the sums of each provider × measure × period.
fn store_groups(
    ld: &mut Loader,
    source: &Source,
    m: &PatientMapping,
    groups: &[Group],
) -> Result<(), DataError> {
    let mut series_ids: HashMap<(&str, &str), usize> = HashMap::new();
    for g in groups {
        let row = RowRef {
            file: &source.name,
            row: g.first_row,
        };
        let counts = Counts {
            denominator: g.denominator,
            numerator: g.numerator,
            exclusions: if m.excluded.is_some() {
                g.exclusions
            } else {
                f64::NAN
            },
            expected: if m.expected.is_some() {
                g.expected
            } else {
                f64::NAN
            },
            rate: f64::NAN,
        };
        let series = *series_ids
            .entry((g.measure.as_str(), g.period.as_str()))
            .or_insert_with(|| ld.series_id(&g.measure, &g.period));
        let p = ld.obs.provider_index(&g.provider);
        ld.claim_series(series, p, row, &m.provider_id)?;
        ld.store(series, p, &counts);
    }
    Ok(())
}

/// Sums one batch [`sum_fast`] read, groups in order of first appearance; `first_row`: data
/// rows before the batch.
fn sum_typed(frame: DataFrame, first_row: usize) -> PolarsResult<Vec<Group>> {
    let offset = IdxSize::try_from(first_row + 1).unwrap_or(IdxSize::MAX);
    let frame = frame.with_row_index("row".into(), Some(offset))?;
    let sums = frame
        .lazy()
        .group_by_stable([col(PROVIDER), col(MEASURE), col(PERIOD)])
        .agg([
            col("den").sum(),
            col("num").sum(),
            col("excl").sum(),
            col("exp").sum(),
            col("row").first(),
        ])
        .collect()?;
    groups_of(&sums)
}

/// Sums one batch's rows per provider × measure × period with polars, groups in order of first
/// appearance.
fn sum_batch(b: BatchColumns<'_>) -> PolarsResult<Vec<Group>> {
    let frame = DataFrame::new_infer_height(vec![
        Column::new("provider".into(), b.provider),
        Column::new("measure".into(), b.measure),
        Column::new("period".into(), b.period),
        Column::new("den".into(), b.den),
        Column::new("num".into(), b.num),
        Column::new("excl".into(), b.excl),
        Column::new("exp".into(), b.exp),
        Column::new("row".into(), b.row),
    ])?;
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
        .collect()?;
    groups_of(&sums)
}

fn groups_of(sums: &DataFrame) -> PolarsResult<Vec<Group>> {
    let provider = texts(sums, "provider")?;
    let measure = texts(sums, "measure")?;
    let period = texts(sums, "period")?;
    let den = numbers(sums, "den")?;
    let num = numbers(sums, "num")?;
    let excl = numbers(sums, "excl")?;
    let exp = numbers(sums, "exp")?;
    let row = numbers(sums, "row")?;
    Ok((0..sums.height())
        .map(|g| Group {
            provider: provider[g].unwrap_or_default().to_owned(),
            measure: measure[g].unwrap_or_default().to_owned(),
            period: period[g].unwrap_or_default().to_owned(),
            denominator: den[g].unwrap_or(0.0),
            numerator: num[g].unwrap_or(0.0),
            exclusions: excl[g].unwrap_or(0.0),
            expected: exp[g].unwrap_or(0.0),
            first_row: row[g].map_or(0, |r| r as usize),
        })
        .collect())
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
