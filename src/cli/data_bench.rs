//! Data loading at scale: `generate --patients N` (patient-level rows written as they are
//! drawn) and `bench --data` (polars alone against our load and score, on the same files).

use std::io::{BufWriter, Write as _};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use polars::prelude::*;

use crate::data::{BATCH_ROWS, load_program_data, read_program, write_observations_long_dataset};
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

fn mb(bytes: Option<u64>) -> String {
    bytes.map_or("?".into(), |b| format!("{:.0} MB", b as f64 / 1e6))
}

fn secs(d: Duration) -> String {
    format!("{:.3} s", d.as_secs_f64())
}

/// Runs `f` `runs` times; the fastest time.
fn measure<T>(runs: usize, mut f: impl FnMut() -> Result<T, Failure>) -> Result<Duration, Failure> {
    let mut best = Duration::MAX;
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        let out = f()?;
        best = best.min(t.elapsed());
        drop(out);
    }
    Ok(best)
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

/// Writes the program of `step` into the bench's folder, for [`run_side`] (and for anyone
/// who keeps the folder to run a step again, `p4p-designer score DIR/wide.ron`).
fn save_program(dir: &Path, step: Step, program: &Program) -> Result<(), Failure> {
    let path = dir.join(step.program());
    std::fs::write(&path, program.to_ron()).map_err(|e| Failure(format!("{}: {e}", path.display())))
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

/// A measured step of `bench --data`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Step {
    Wide,
    LongCsv,
    LongParquet,
    Patients,
}

impl Step {
    /// The program of the step, in the bench's folder.
    fn program(self) -> &'static str {
        match self {
            Step::Wide => "wide.ron",
            Step::LongCsv => "long_csv.ron",
            Step::LongParquet => "long_parquet.ron",
            Step::Patients => "patients.ron",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Step::Wide => "wide",
            Step::LongCsv => "long-csv",
            Step::LongParquet => "long-parquet",
            Step::Patients => "patients",
        }
    }
}

/// Who does a step: polars alone, polars alone handing the rows over a batch at a time, the
/// same with each batch's values kept (the long files only), or our load (and, for the wide
/// files, score and payment).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Side {
    Polars,
    Streamed,
    Kept,
    Ours,
}

impl Side {
    fn name(self) -> &'static str {
        match self {
            Side::Polars => "polars",
            Side::Streamed => "streamed",
            Side::Kept => "kept",
            Side::Ours => "ours",
        }
    }
}

/// A data file of a program saved in `dir`.
fn data_path(dir: &Path, path: &str) -> PathBuf {
    let p = Path::new(path);
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        dir.join(p)
    }
}

/// Runs one side of one step `runs` times and prints the fastest and the median time: to
/// compare two builds, or to profile one side alone.
pub fn run_side_timed(step: Step, side: Side, dir: &Path, runs: usize) -> Result<(), Failure> {
    let mut times = Vec::with_capacity(runs.max(1));
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        run_side(step, side, dir)?;
        times.push(t.elapsed());
    }
    times.sort();
    println!(
        "{} {}: fastest {:.4} s, median {:.4} s of {} runs",
        step.name(),
        side.name(),
        times[0].as_secs_f64(),
        times[times.len() / 2].as_secs_f64(),
        times.len()
    );
    Ok(())
}

/// Runs one side of one step once, on the files and programs `bench --data` wrote in `dir`.
pub fn run_side(step: Step, side: Side, dir: &Path) -> Result<(), Failure> {
    let program = read_program(&dir.join(step.program()))?;
    let first = || {
        program
            .data
            .files
            .first()
            .map(|f| data_path(dir, &f.path))
            .ok_or_else(|| Failure(format!("{}: no data file", step.program())))
    };
    match (step, side) {
        (Step::Wide, Side::Ours) => load_and_score(&program, dir).map(drop),
        (_, Side::Ours) => load_program_data(&program, dir)
            .map(drop)
            .map_err(Failure::from),
        (Step::Wide, Side::Polars) => {
            let files: Vec<(PathBuf, Vec<String>)> = program
                .data
                .files
                .iter()
                .filter_map(|f| match &f.layout {
                    Layout::Wide(m) => {
                        let mut cols = vec![m.provider_id.clone()];
                        cols.extend(m.provider_name.clone());
                        cols.extend(m.columns.iter().map(|c| c.column.clone()));
                        cols.dedup();
                        Some((data_path(dir, &f.path), cols))
                    }
                    _ => None,
                })
                .collect();
            polars_read_csv(&files, &program.data.missing_values).map(drop)
        }
        (Step::LongCsv, Side::Polars) => {
            let pl = PlRefPath::try_from_path(&first()?).map_err(polars_failure)?;
            LazyCsvReader::new(pl)
                .with_has_header(true)
                .finish()
                .and_then(LazyFrame::collect)
                .map(std::hint::black_box)
                .map(drop)
                .map_err(polars_failure)
        }
        (Step::LongParquet, Side::Polars) => {
            let pl = PlRefPath::try_from_path(&first()?).map_err(polars_failure)?;
            LazyFrame::scan_parquet(pl, ScanArgsParquet::default())
                .and_then(LazyFrame::collect)
                .map(std::hint::black_box)
                .map(drop)
                .map_err(polars_failure)
        }
        // The same reading, in batches of the size our load takes them, each dropped at once:
        // what any reader that holds one batch at a time starts from.
        (Step::LongCsv | Step::LongParquet, Side::Streamed) => {
            let pl = PlRefPath::try_from_path(&first()?).map_err(polars_failure)?;
            let scan = if step == Step::LongCsv {
                LazyCsvReader::new(pl).with_has_header(true).finish()
            } else {
                LazyFrame::scan_parquet(pl, ScanArgsParquet::default())
            };
            let each = PlanCallback::new(|df: DataFrame| {
                drop(std::hint::black_box(df));
                Ok(false)
            });
            scan.and_then(|lf| lf.sink_batches(each, true, std::num::NonZeroUsize::new(BATCH_ROWS)))
                .and_then(|lf| lf.collect_with_engine(Engine::Streaming))
                .map(drop)
                .map_err(polars_failure)
        }
        // The same reading, each batch's numeric columns copied out as numbers into columns as
        // long as the file, its IDs read but not looked up, and nothing checked: as much memory
        // written as the engine's columns of the same values (five fields a provider, measure
        // and period), the least a load into them does.
        (Step::LongCsv | Step::LongParquet, Side::Kept) => {
            let Some(Layout::Long(m)) = program.data.files.first().map(|f| &f.layout) else {
                return Err(Failure(format!("{}: not a long file", step.program())));
            };
            let fields: Vec<String> = [
                &m.numerator,
                &m.denominator,
                &m.rate,
                &m.exclusions,
                &m.expected,
            ]
            .into_iter()
            .flatten()
            .cloned()
            .collect();
            let pl = PlRefPath::try_from_path(&first()?).map_err(polars_failure)?;
            let scan = if step == Step::LongCsv {
                LazyCsvReader::new(pl).with_has_header(true).finish()
            } else {
                LazyFrame::scan_parquet(pl, ScanArgsParquet::default())
            };
            // The IDs are read too (as text, as our load reads them), though not looked at.
            let ids = [&m.provider_id, &m.measure_id, &m.period];
            let exprs: Vec<Expr> = fields
                .iter()
                .map(|c| col(c.as_str()).cast(DataType::Float64))
                .chain(ids.iter().map(|c| col(c.as_str()).cast(DataType::String)))
                .collect();
            let kept = Arc::new(std::sync::Mutex::new(vec![Vec::<f64>::new(); fields.len()]));
            let into = Arc::clone(&kept);
            let each = PlanCallback::new(move |df: DataFrame| {
                let mut kept = into
                    .lock()
                    .map_err(|_| polars_err!(ComputeError: "poisoned"))?;
                for (c, values) in df.columns().iter().zip(kept.iter_mut()) {
                    values.extend(c.f64()?.iter().map(|v| v.unwrap_or(f64::NAN)));
                }
                Ok(false)
            });
            scan.map(|lf| lf.select(exprs))
                .and_then(|lf| lf.sink_batches(each, true, std::num::NonZeroUsize::new(BATCH_ROWS)))
                .and_then(|lf| lf.collect_with_engine(Engine::Streaming))
                .map_err(polars_failure)?;
            std::hint::black_box(&kept);
            Ok(())
        }
        (_, Side::Streamed | Side::Kept) => Err(Failure(format!(
            "{}: polars in batches is measured on the long files only",
            step.name()
        ))),
        (Step::Patients, Side::Polars) => {
            let pl = PlRefPath::try_from_path(&first()?).map_err(polars_failure)?;
            LazyCsvReader::new(pl)
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
                .map(drop)
                .map_err(polars_failure)
        }
    }
}

/// The peak anonymous memory of one side of one step, run once in a process of its own
/// (`bench --data --step … --side … --dir …`), sampled every 2 ms: a fair start for each, as
/// an allocator keeps what an earlier step freed. None where it cannot be measured.
fn peak_in_own_process(step: Step, side: Side, dir: &Path) -> Option<u64> {
    let exe = std::env::current_exe().ok()?;
    let mut child = std::process::Command::new(exe)
        .args([
            "bench",
            "--data",
            "--step",
            step.name(),
            "--side",
            side.name(),
            "--runs",
            "1",
        ])
        .arg("--dir")
        .arg(dir)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .ok()?;
    let status = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    loop {
        if let Some(kb) = std::fs::read_to_string(&status).ok().and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("RssAnon:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        }) {
            peak = peak.max(kb * 1024);
        }
        match child.try_wait() {
            Ok(Some(exit)) => return exit.success().then_some(peak),
            Ok(None) => std::thread::sleep(Duration::from_millis(2)),
            Err(_) => return None,
        }
    }
}

/// Prints polars alone against our load and score on the same files: the wide program
/// replicated, a long file as CSV and as a hive-partitioned Parquet dataset, and a
/// patient-level file. Times are the fastest of `runs` in this process; memory is measured
/// with each side run once more in a process of its own.
pub fn run(opts: &DataBench) -> Result<(), Failure> {
    let tmp = match &opts.keep {
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(|e| Failure(format!("{}: {e}", dir.display())))?;
            Folder::Kept(dir.clone())
        }
        None => Folder::Temporary(tempfile::tempdir().map_err(|e| Failure(e.to_string()))?),
    };
    let dir = tmp.path();
    let base = opts
        .program
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let program = read_program(&opts.program)?;
    let wide = replicate(&program, &base, opts.replicas, dir)?;
    let bytes: u64 = wide
        .data
        .files
        .iter()
        .filter_map(|f| std::fs::metadata(data_path(dir, &f.path)).ok())
        .map(|m| m.len())
        .sum();
    save_program(dir, Step::Wide, &wide)?;
    let providers = load_program_data(&wide, dir)?.providers.ids.len();
    println!(
        "{:<44} {:>10} {:>10} {:>10} {:>10} {:>7} {:>7} {:>10} {:>10}",
        "data", "polars", "in batches", "kept", "ours", "ratio", "kept", "polars mem", "ours mem"
    );
    let step = |step: Step, what: &str, runs: usize| -> Result<(), Failure> {
        // The sides take turns, run after run, so that each meets the machine as it is: on a
        // shared machine the speed of one minute is not that of the next.
        let sides: &[Side] = match step {
            Step::LongCsv | Step::LongParquet => {
                &[Side::Polars, Side::Streamed, Side::Kept, Side::Ours]
            }
            _ => &[Side::Polars, Side::Ours],
        };
        let mut best = vec![Duration::MAX; sides.len()];
        for _ in 0..runs.max(1) {
            for (b, &side) in best.iter_mut().zip(sides) {
                *b = (*b).min(measure(1, || run_side(step, side, dir))?);
            }
        }
        let (p, o) = (best[0], best[sides.len() - 1]);
        let ratio = |t: Duration| format!("{:.2}×", t.as_secs_f64() / p.as_secs_f64());
        let (batches, kept, kept_ratio) = match sides.len() {
            4 => (secs(best[1]), secs(best[2]), ratio(best[2])),
            _ => ("—".into(), "—".into(), "—".into()),
        };
        println!(
            "{:<44} {:>10} {:>10} {:>10} {:>10} {:>7} {:>7} {:>10} {:>10}",
            what,
            secs(p),
            batches,
            kept,
            secs(o),
            ratio(o),
            kept_ratio,
            mb(peak_in_own_process(step, Side::Polars, dir)),
            mb(peak_in_own_process(step, Side::Ours, dir)),
        );
        Ok(())
    };
    step(
        Step::Wide,
        &format!(
            "wide ×{} ({providers} providers, {:.0} MB CSV)",
            opts.replicas,
            bytes as f64 / 1e6
        ),
        opts.runs,
    )?;

    // Long: synthetic providers × 10 measures, as CSV and as a Parquet dataset.
    let spec = SynthSpec::new(providers.clamp(1, 1_000_000), 10, 42);
    let obs = crate::synth::generate(&spec);
    let mut long = crate::synth::program_for(&spec);
    long.data
        .files
        .retain(|f| !matches!(f.layout, Layout::Providers(_)));
    let rows: usize = obs
        .series
        .values()
        .map(|v| v.denominator.iter().filter(|d| !d.is_nan()).count())
        .sum();
    crate::data::write_observations_long_csv(&obs, &dir.join("long.csv"))?;
    write_observations_long_dataset(&obs, &dir.join("long_dataset"))?;
    for (s, path, label) in [
        (Step::LongCsv, "long.csv", "CSV"),
        (
            Step::LongParquet,
            "long_dataset",
            "Parquet dataset, period=…/",
        ),
    ] {
        for f in &mut long.data.files {
            f.path = path.into();
        }
        save_program(dir, s, &long)?;
        step(s, &format!("long {label} ({rows} rows), load"), opts.runs)?;
    }

    if opts.patients > 0 {
        let spec = SynthSpec::new(10_000, 10, 42);
        let obs = crate::synth::generate(&spec);
        let path = dir.join("patients.csv");
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
        save_program(dir, Step::Patients, &program)?;
        step(
            Step::Patients,
            &format!("patient-level ({rows} rows), load"),
            opts.runs.min(3),
        )?;
    }
    println!(
        "(time: fastest of {} runs (patient-level: of at most 3), the sides taking turns; in \
         batches: polars handing the rows over {BATCH_ROWS} at a time and nothing done with \
         them; kept: the same, each batch's numeric columns copied out into columns as long as \
         the file, the memory the engine's columns of those values take, its IDs read but not \
         looked up, nothing checked; the ratios are to polars alone; memory: peak anonymous \
         resident memory of each side run once in a process of its own, sampled every 2 ms)",
        opts.runs
    );
    Ok(())
}
