//! Writing observations back out as CSV in our own column names (which `guess_mapping`
//! recognises), for sample data and exports.

use std::path::Path;

use polars::prelude::*;

use crate::engine::{AttributeValues, Observations};
use crate::program::{LongMapping, ProviderMapping};

use super::cells::format_number;
use super::error::DataError;

/// The long file's columns: the same list the SQL aggregation returns.
const LONG_HEADER: [&str; 8] = crate::program::sql::LONG_COLUMNS;

/// The mapping that reads a file written by [`write_observations_long_csv`].
pub fn long_csv_mapping() -> LongMapping {
    LongMapping {
        provider_id: "provider_id".into(),
        measure_id: "measure_id".into(),
        period: "period".into(),
        numerator: Some("numerator".into()),
        denominator: Some("denominator".into()),
        rate: Some("rate".into()),
        exclusions: Some("exclusions".into()),
        expected: Some("expected".into()),
    }
}

/// The mapping that reads a file written by [`write_providers_csv`] for `obs`.
pub fn providers_csv_mapping(obs: &Observations) -> ProviderMapping {
    ProviderMapping {
        provider_id: "provider_id".into(),
        name: Some("name".into()),
        service_area: Some("service_area".into()),
        peer_group: Some("peer_group".into()),
        attributed_lives: Some("attributed_lives".into()),
        base_payments: Some("base_payments".into()),
        spend: Some("spend".into()),
        benchmark_spend: Some("benchmark_spend".into()),
        stratifiers: obs
            .providers
            .stratifiers
            .iter()
            .map(|s| s.name.clone())
            .collect(),
    }
}

/// Writes every reported provider × measure × period as a long CSV (sorted by measure, period,
/// then provider order; empty cells where a value is unknown). Supplied thresholds and scores
/// have no place in the long format and are not written.
pub fn write_observations_long_csv(obs: &Observations, path: &Path) -> Result<(), DataError> {
    write_atomically(path, |w| long_rows(obs, w))
}

/// The long CSV of [`write_observations_long_csv`] as bytes, for standard output or
/// [`super::write_atomic`].
pub fn observations_long_csv(obs: &Observations) -> Result<Vec<u8>, DataError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    long_rows(obs, &mut w)
        .and_then(|()| w.into_inner().map_err(|e| csv::Error::from(e.into_error())))
        .map_err(|e| DataError::Write {
            file: "the long CSV".into(),
            message: e.to_string(),
        })
}

fn long_rows<W: std::io::Write>(obs: &Observations, w: &mut csv::Writer<W>) -> csv::Result<()> {
    w.write_record(LONG_HEADER)?;
    for ((measure, period), v) in &obs.series {
        for (i, id) in obs.providers.ids.iter().enumerate() {
            let values = [
                v.numerator[i],
                v.denominator[i],
                v.rate[i],
                v.exclusions[i],
                v.expected[i],
            ];
            if values.iter().all(|x| x.is_nan()) {
                continue;
            }
            let mut record = vec![id.clone(), measure.clone(), period.clone()];
            record.extend(values.iter().map(|x| format_number(*x)));
            w.write_record(&record)?;
        }
    }
    Ok(())
}

/// Writes the same rows as [`write_observations_long_csv`] as Parquet (IDs as strings, values
/// as nullable floats), for data too large to keep as CSV.
pub fn write_observations_long_parquet(obs: &Observations, path: &Path) -> Result<(), DataError> {
    write_long_parquet(obs, path, None)
}

/// The long rows as Parquet; with `only`, the rows of that period, without the period column.
fn write_long_parquet(
    obs: &Observations,
    path: &Path,
    only: Option<&str>,
) -> Result<(), DataError> {
    let error = |message: String| DataError::Write {
        file: path.display().to_string(),
        message,
    };
    let mut ids: Vec<&str> = Vec::new();
    let mut measures: Vec<&str> = Vec::new();
    let mut periods: Vec<&str> = Vec::new();
    let mut values: [Vec<Option<f64>>; 5] = Default::default();
    for ((measure, period), v) in &obs.series {
        if only.is_some_and(|p| p != period) {
            continue;
        }
        for (i, id) in obs.providers.ids.iter().enumerate() {
            let row = [
                v.numerator[i],
                v.denominator[i],
                v.rate[i],
                v.exclusions[i],
                v.expected[i],
            ];
            if row.iter().all(|x| x.is_nan()) {
                continue;
            }
            ids.push(id);
            measures.push(measure);
            periods.push(period);
            for (dst, x) in values.iter_mut().zip(row) {
                dst.push((!x.is_nan()).then_some(x));
            }
        }
    }
    let mut columns = vec![
        Column::new(LONG_HEADER[0].into(), ids),
        Column::new(LONG_HEADER[1].into(), measures),
    ];
    if only.is_none() {
        columns.push(Column::new(LONG_HEADER[2].into(), periods));
    }
    for (name, v) in LONG_HEADER[3..].iter().zip(values) {
        columns.push(Column::new((*name).into(), v));
    }
    let mut frame = DataFrame::new_infer_height(columns).map_err(|e| error(e.to_string()))?;
    super::output::write_atomic_with(path, |file| {
        ParquetWriter::new(file)
            .finish(&mut frame)
            .map(|_| ())
            .map_err(|e| std::io::Error::other(e.to_string()))
    })
    .map_err(|e| error(e.to_string()))?;
    Ok(())
}

/// Writes the provider attributes, one row per provider, stratifiers after the named columns.
pub fn write_providers_csv(obs: &Observations, path: &Path) -> Result<(), DataError> {
    let p = &obs.providers;
    write_atomically(path, |w| {
        let mut header: Vec<&str> = vec![
            "provider_id",
            "name",
            "service_area",
            "peer_group",
            "attributed_lives",
            "base_payments",
            "spend",
            "benchmark_spend",
        ];
        header.extend(p.stratifiers.iter().map(|s| s.name.as_str()));
        w.write_record(&header)?;
        for i in 0..p.len() {
            let mut record = vec![
                p.ids[i].clone(),
                p.names[i].clone(),
                p.service_area[i].clone(),
                p.peer_group[i].clone(),
                format_number(p.lives[i]),
                format_number(p.base_payments[i]),
                format_number(p.spend[i]),
                format_number(p.benchmark_spend[i]),
            ];
            for s in &p.stratifiers {
                record.push(match &s.values {
                    AttributeValues::Numeric(v) => format_number(v[i]),
                    AttributeValues::Text(v) => v[i].clone(),
                });
            }
            w.write_record(&record)?;
        }
        Ok(())
    })
}

/// Writes a CSV file through [`super::output::write_atomic_with`], so a failed write never
/// leaves a half-written file where a good one was.
fn write_atomically(
    path: &Path,
    body: impl FnOnce(&mut csv::Writer<&mut std::fs::File>) -> csv::Result<()>,
) -> Result<(), DataError> {
    super::output::write_atomic_with(path, |file| {
        let mut w = csv::Writer::from_writer(file);
        body(&mut w).map_err(std::io::Error::other)?;
        w.flush()
    })
    .map_err(|e| DataError::Write {
        file: path.display().to_string(),
        message: e.to_string(),
    })
}

/// Writes the observations as a Parquet dataset as Spark or dbt lay one out: a folder per
/// period, `period=NAME/part-0.parquet`, each holding the long columns but the period.
pub fn write_observations_long_dataset(obs: &Observations, dir: &Path) -> Result<(), DataError> {
    let error = |message: String| DataError::Write {
        file: dir.display().to_string(),
        message,
    };
    let mut periods: Vec<&str> = obs.series.keys().map(|(_, p)| p.as_str()).collect();
    periods.sort_unstable();
    periods.dedup();
    for period in periods {
        let part = dir.join(format!("period={period}"));
        std::fs::create_dir_all(&part).map_err(|e| error(e.to_string()))?;
        write_long_parquet(obs, &part.join("part-0.parquet"), Some(period))?;
    }
    Ok(())
}
