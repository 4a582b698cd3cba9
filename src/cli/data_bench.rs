//! Data loading at scale: `generate --patients N` (patient-level rows written as they are
//! drawn) and `bench --data` (polars alone against our load and score, on the same files).

use std::io::{BufWriter, Write as _};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use polars::prelude::*;

use crate::data::{load_program_data, read_program, write_observations_long_dataset};
use crate::engine::{self, Inputs, Observations, Results};
use crate::program::{Layout, PatientMapping, Program};
use crate::synth::{PatientRows, SynthSpec};

use super::Failure;

/// Header of a generated patient-level file.
pub const PATIENT_HEADER: &str =
    "patient_id,provider_id,measure_id,period,denominator,numerator,excluded,risk";

/// Writes `count` patient rows drawn from `obs` to `path` as CSV, row by row (memory does
/// not grow with `count`); returns the rows written.
pub fn write_patients_csv(
    obs: &Observations,
    count: u64,
    seed: u64,
    path: &Path,
) -> Result<u64, Failure> {
    let rows = PatientRows::new(obs, count, seed);
    let series = rows.series.clone();
    let ids: Vec<String> = obs.providers.ids.clone();
    let mut written = 0u64;
    crate::data::write_atomic_with(path, |file| -> Result<(), std::io::Error> {
        let mut w = BufWriter::with_capacity(1 << 20, file);
        writeln!(w, "{PATIENT_HEADER}")?;
        let flag = |b: bool| if b { '1' } else { '0' };
        for r in rows {
            let (measure, period) = &series[r.series];
            writeln!(
                w,
                "P{},{},{measure},{period},{},{},{},{:.3}",
                r.patient,
                ids[r.provider],
                flag(r.in_denominator),
                flag(r.in_numerator),
                flag(r.excluded),
                r.risk
            )?;
            written += 1;
        }
        w.flush()
    })
    .map_err(|e| Failure(format!("{}: {e}", path.display())))?;
    Ok(written)
}

/// The mapping of a file [`write_patients_csv`] wrote.
pub fn patient_mapping() -> PatientMapping {
    PatientMapping {
        excluded: Some("excluded".into()),
        expected: Some("risk".into()),
        ..PatientMapping::default()
    }
}

/// Peak resident memory of this process so far (VmHWM), in bytes; None where unknown.
pub fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Resets the peak so the next [`peak_rss`] covers only what follows (Linux: writing 5 to
/// clear_refs); false where that is not possible.
pub fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// Resident memory now (VmRSS), in bytes.
fn rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

fn mb(bytes: Option<u64>) -> String {
    bytes.map_or("?".into(), |b| format!("{:.0} MB", b as f64 / 1e6))
}

fn secs(d: Duration) -> String {
    format!("{:.3} s", d.as_secs_f64())
}

/// Runs `f` `runs` times; the fastest time, and the peak memory above what was resident
/// before (peak of the last run).
fn measure<T>(
    runs: usize,
    mut f: impl FnMut() -> Result<T, Failure>,
) -> Result<(Duration, Option<u64>), Failure> {
    let mut best = Duration::MAX;
    let mut peak = None;
    for _ in 0..runs.max(1) {
        let before = rss();
        let reset = reset_peak_rss();
        let t = Instant::now();
        let out = f()?;
        best = best.min(t.elapsed());
        drop(out);
        if reset {
            peak = peak_rss().zip(before).map(|(p, b)| p.saturating_sub(b));
        }
    }
    Ok((best, peak))
}

fn polars_failure(e: PolarsError) -> Failure {
    Failure(format!("polars: {e}"))
}

/// Writes every wide data file of `program` (relative to `base`) `replicas` times over into
/// `dir`, provider IDs prefixed by the copy's number; returns the program pointing at them.
fn replicate(
    program: &Program,
    base: &Path,
    replicas: usize,
    dir: &Path,
) -> Result<Program, Failure> {
    let mut out = program.clone();
    for (i, file) in out.data.files.iter_mut().enumerate() {
        let Layout::Wide(m) = &file.layout else {
            return Err(Failure(format!(
                "{}: only wide files are replicated",
                file.path
            )));
        };
        let src = base.join(&file.path);
        let mut reader = csv::ReaderBuilder::new()
            .from_path(&src)
            .map_err(|e| Failure(format!("{}: {e}", src.display())))?;
        let header = reader
            .headers()
            .map_err(|e| Failure(e.to_string()))?
            .clone();
        let id_at = header
            .iter()
            .position(|h| h == m.provider_id)
            .ok_or_else(|| Failure(format!("{}: no column {}", src.display(), m.provider_id)))?;
        let records: Vec<csv::StringRecord> = reader
            .records()
            .collect::<Result<_, _>>()
            .map_err(|e| Failure(e.to_string()))?;
        let dst = dir.join(format!("wide{i}.csv"));
        let mut writer = csv::Writer::from_path(&dst).map_err(|e| Failure(e.to_string()))?;
        writer
            .write_record(&header)
            .map_err(|e| Failure(e.to_string()))?;
        for r in 0..replicas {
            for rec in &records {
                let fields = rec.iter().enumerate().map(|(k, f)| {
                    if k == id_at {
                        format!("{r:02}{f}")
                    } else {
                        f.to_owned()
                    }
                });
                writer
                    .write_record(fields)
                    .map_err(|e| Failure(e.to_string()))?;
            }
        }
        writer.flush().map_err(|e| Failure(e.to_string()))?;
        file.path = dst.display().to_string();
    }
    Ok(out)
}

/// Our whole path: every file loaded, aligned and scored and paid once.
fn load_and_score(program: &Program, base: &Path) -> Result<usize, Failure> {
    let obs = load_program_data(program, base)?;
    let inputs = Inputs::build(program, &obs);
    let mut results = Results::default();
    engine::evaluate_into(program, &inputs, &mut results);
    Ok(obs.providers.ids.len())
}

/// Polars alone: the mapped columns of every CSV file, types inferred, the program's codes
/// as nulls and cells it cannot read as nulls too, in memory.
fn polars_read_csv(files: &[(PathBuf, Vec<String>)], codes: &[String]) -> Result<usize, Failure> {
    let mut rows = 0;
    for (path, columns) in files {
        let p = PlRefPath::try_from_path(path).map_err(polars_failure)?;
        let nulls = NullValues::AllColumns(codes.iter().map(|c| c.as_str().into()).collect());
        let df = LazyCsvReader::new(p)
            .with_has_header(true)
            .with_infer_schema_length(Some(10_000))
            .with_null_values(Some(nulls))
            .with_ignore_errors(true)
            .finish()
            .map_err(polars_failure)?
            .select(columns.iter().map(|c| col(c.as_str())).collect::<Vec<_>>())
            .collect()
            .map_err(polars_failure)?;
        rows += df.height();
    }
    Ok(rows)
}

/// Where `bench --data` writes its files.
enum Folder {
    Temporary(tempfile::TempDir),
    Kept(PathBuf),
}

impl Folder {
    fn path(&self) -> &Path {
        match self {
            Folder::Temporary(t) => t.path(),
            Folder::Kept(p) => p,
        }
    }
}

/// Writes `program` as `name` into a kept folder, so each step can be run again on its own
/// (`p4p-designer score DIR/NAME`); nothing in a temporary one.
fn keep_program(folder: &Folder, name: &str, program: &Program) -> Result<(), Failure> {
    if let Folder::Kept(dir) = folder {
        let path = dir.join(name);
        std::fs::write(&path, program.to_ron())
            .map_err(|e| Failure(format!("{}: {e}", path.display())))?;
    }
    Ok(())
}

/// Options of `bench --data`.
pub struct DataBench {
    /// The wide program to replicate (the HVBP sample).
    pub program: PathBuf,
    pub replicas: usize,
    /// Patient-level rows to generate and load (0: skip).
    pub patients: u64,
    /// Timed runs of each step (the fastest is shown).
    pub runs: usize,
    /// A folder to write the files into and keep; a temporary one when None.
    pub keep: Option<PathBuf>,
}

/// Prints polars alone against our load and score on the same files: the wide program
/// replicated, a long file as CSV and as a hive-partitioned Parquet dataset, and a
/// patient-level file.
pub fn run(opts: &DataBench) -> Result<(), Failure> {
    let tmp = match &opts.keep {
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(|e| Failure(format!("{}: {e}", dir.display())))?;
            Folder::Kept(dir.clone())
        }
        None => Folder::Temporary(tempfile::tempdir().map_err(|e| Failure(e.to_string()))?),
    };
    let base = opts
        .program
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let program = read_program(&opts.program)?;
    let wide = replicate(&program, &base, opts.replicas, tmp.path())?;
    let files: Vec<(PathBuf, Vec<String>)> = wide
        .data
        .files
        .iter()
        .filter_map(|f| match &f.layout {
            Layout::Wide(m) => {
                let mut cols = vec![m.provider_id.clone()];
                cols.extend(m.provider_name.clone());
                cols.extend(m.columns.iter().map(|c| c.column.clone()));
                cols.dedup();
                Some((PathBuf::from(&f.path), cols))
            }
            _ => None,
        })
        .collect();
    let bytes: u64 = files
        .iter()
        .filter_map(|(p, _)| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum();
    keep_program(&tmp, "wide.ron", &wide)?;
    let providers = load_and_score(&wide, tmp.path())?;
    println!(
        "{:<44} {:>10} {:>10} {:>7} {:>10} {:>10}",
        "data", "polars", "ours", "ratio", "polars mem", "ours mem"
    );
    let line = |what: &str, p: (Duration, Option<u64>), o: (Duration, Option<u64>)| {
        println!(
            "{:<44} {:>10} {:>10} {:>6.2}× {:>10} {:>10}",
            what,
            secs(p.0),
            secs(o.0),
            o.0.as_secs_f64() / p.0.as_secs_f64(),
            mb(p.1),
            mb(o.1)
        );
    };
    let p = measure(opts.runs, || {
        polars_read_csv(&files, &program.data.missing_values)
    })?;
    let o = measure(opts.runs, || load_and_score(&wide, tmp.path()))?;
    line(
        &format!(
            "wide ×{} ({providers} providers, {:.0} MB CSV)",
            opts.replicas,
            bytes as f64 / 1e6
        ),
        p,
        o,
    );

    // Long: synthetic providers × 10 measures, as CSV and as a Parquet dataset.
    let spec = SynthSpec::new(providers.clamp(1, 1_000_000), 10, 42);
    let obs = crate::synth::generate(&spec);
    let mut long = crate::synth::program_for(&spec);
    let csv_path = tmp.path().join("long.csv");
    crate::data::write_observations_long_csv(&obs, &csv_path)?;
    let dataset = tmp.path().join("long_dataset");
    write_observations_long_dataset(&obs, &dataset)?;
    crate::data::write_providers_csv(&obs, &tmp.path().join("providers.csv"))?;
    for (path, label) in [(&csv_path, "CSV"), (&dataset, "Parquet dataset, period=…/")] {
        for f in &mut long.data.files {
            f.path = match f.layout {
                Layout::Providers(_) => "providers.csv".into(),
                _ => path.display().to_string(),
            };
        }
        let perf_only = {
            let mut p = long.clone();
            p.data
                .files
                .retain(|f| !matches!(f.layout, Layout::Providers(_)));
            p
        };
        let name = if label == "CSV" {
            "long_csv.ron"
        } else {
            "long_parquet.ron"
        };
        keep_program(&tmp, name, &perf_only)?;
        let pl = PlRefPath::try_from_path(path).map_err(polars_failure)?;
        let rows: usize = obs
            .series
            .values()
            .map(|v| v.denominator.iter().filter(|d| !d.is_nan()).count())
            .sum();
        let p = measure(opts.runs, || {
            let lf = if label == "CSV" {
                LazyCsvReader::new(pl.clone())
                    .with_has_header(true)
                    .finish()
            } else {
                LazyFrame::scan_parquet(pl.clone(), ScanArgsParquet::default())
            };
            lf.and_then(|lf| lf.collect())
                .map_err(polars_failure)
                .map(|df| df.height())
        })?;
        let o = measure(opts.runs, || {
            load_program_data(&perf_only, tmp.path())
                .map(|obs| obs.providers.ids.len())
                .map_err(Failure::from)
        })?;
        line(&format!("long {label} ({rows} rows), load"), p, o);
    }

    if opts.patients > 0 {
        let spec = SynthSpec::new(10_000, 10, 42);
        let obs = crate::synth::generate(&spec);
        let path = tmp.path().join("patients.csv");
        let t = Instant::now();
        let rows = write_patients_csv(&obs, opts.patients, 42, &path)?;
        let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        println!(
            "(wrote {rows} patient rows, {:.0} MB, in {})",
            size as f64 / 1e6,
            secs(t.elapsed())
        );
        let mut program = crate::synth::program_for(&spec);
        program
            .data
            .files
            .retain(|f| !matches!(f.layout, Layout::Providers(_)));
        for f in &mut program.data.files {
            f.path = "patients.csv".into();
            f.layout = Layout::PatientLevel(patient_mapping());
        }
        keep_program(&tmp, "patients.ron", &program)?;
        let pl = PlRefPath::try_from_path(&path).map_err(polars_failure)?;
        let p = measure(1, || {
            LazyCsvReader::new(pl.clone())
                .with_has_header(true)
                .finish()
                .and_then(|lf| {
                    lf.filter(col("denominator").eq(lit(1)))
                        .group_by([col("provider_id"), col("measure_id"), col("period")])
                        .agg([
                            col("numerator").sum(),
                            col("excluded").sum(),
                            col("risk").sum(),
                            len(),
                        ])
                        .collect_with_engine(Engine::Streaming)
                })
                .map(std::hint::black_box)
                .map_err(polars_failure)
        })?;
        let o = measure(1, || {
            load_program_data(&program, tmp.path())
                .map(|obs| obs.providers.ids.len())
                .map_err(Failure::from)
        })?;
        line(&format!("patient-level ({rows} rows), load"), p, o);
    }
    println!(
        "(fastest of {} runs; memory: peak resident above what was resident before)",
        opts.runs
    );
    Ok(())
}
