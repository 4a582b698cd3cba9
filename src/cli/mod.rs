//! Headless commands over the same engine as the window, so every number can be scripted.
//! [`run`] parses the arguments and either runs a command or says which program the window
//! should open; starting the window is the binary's job.

pub mod aggregate;
pub mod analysis;
pub mod bench;
pub mod data_bench;
pub mod export;
pub mod whatif;

use crate::data::{
    check_program, ensure_not_input, input_files, load_data, outside_data, read_program,
    write_atomic,
};
use crate::engine::{self, Inputs, Observations, Results};
use crate::program::{Program, Severity};
use clap::{Parser, Subcommand};
use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

#[derive(Parser)]
#[command(
    name = "p4p-designer",
    version,
    about = "Design pay-for-performance programs and simulate their payouts. With no command, opens the window."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Refuse to read data files outside the program's folder (by an absolute path, `..` or a
    /// symbolic link) instead of listing them and going on.
    #[arg(long, global = true)]
    pub no_outside_data: bool,
}

#[derive(Subcommand)]
pub enum Command {
    /// Score and pay every provider; one CSV row per provider.
    Score {
        program: PathBuf,
        /// Read the program's data files, by the same file names, from this folder.
        #[arg(long)]
        data_dir: Option<PathBuf>,
        /// Write the CSV here instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Check a program (and its data) and report problems.
    Validate {
        program: PathBuf,
        #[arg(long)]
        data_dir: Option<PathBuf>,
    },
    /// Time scoring and payment on synthetic programs of growing size.
    Bench {
        /// Provider counts to time.
        #[arg(
            long,
            value_delimiter = ',',
            default_value = "1000,10000,100000,1000000"
        )]
        sizes: Vec<usize>,
        /// Measures per provider.
        #[arg(long, default_value_t = 10)]
        measures: usize,
        /// Time what-if sweeps (GRID × GRID cells) instead of single runs.
        #[arg(long)]
        sweep: bool,
        /// Cells per sweep axis, with --sweep.
        #[arg(long, default_value_t = 50)]
        grid: usize,
        /// Time data loading instead: polars alone against our load and score, on the HVBP
        /// sample replicated, a long file (CSV and Parquet dataset) and patient-level rows.
        #[arg(long)]
        data: bool,
        /// With --data: the wide program to replicate.
        #[arg(long, default_value = "sample_programs/hvbp_fy2024.ron")]
        program: PathBuf,
        /// With --data: copies of the program's files.
        #[arg(long, default_value_t = 20)]
        replicas: usize,
        /// With --data: patient-level rows to generate and load (0: none).
        #[arg(long, default_value_t = 0)]
        patients: u64,
        /// With --data: timed runs of each step.
        #[arg(long, default_value_t = 3)]
        runs: usize,
        /// With --data: write the files into this folder and keep them (to profile or rerun
        /// a step), instead of a temporary folder.
        #[arg(long)]
        keep: Option<PathBuf>,
        /// With --data: run only this step, `--runs` times, on the files of a folder
        /// `bench --data` wrote (to profile a side; how each side's memory is measured in a
        /// process of its own).
        #[arg(long, hide = true, requires_all = ["side", "dir"])]
        step: Option<data_bench::Step>,
        #[arg(long, hide = true)]
        side: Option<data_bench::Side>,
        #[arg(long, hide = true)]
        dir: Option<PathBuf>,
    },
    /// Open the window on a program.
    Open { program: PathBuf },
    /// Write a synthetic Medicaid primary-care program and its data (deterministic by seed).
    Generate {
        /// Folder to write program.ron, providers.csv and performance.csv (or .parquet) into.
        #[arg(long)]
        out: PathBuf,
        #[arg(long, default_value_t = 300)]
        providers: usize,
        #[arg(long, default_value_t = 7)]
        measures: usize,
        #[arg(long, default_value_t = 20_260_101)]
        seed: u64,
        /// Write the performance data as Parquet instead of CSV.
        #[arg(long)]
        parquet: bool,
        /// Write the performance data as patient-level rows (patients.csv), one per patient ×
        /// measure × period, which the program sums to providers on load.
        #[arg(long, conflicts_with = "parquet")]
        patient_level: bool,
        /// Write this many patient-level rows (patients.csv, written as they are drawn)
        /// instead of provider-level performance data.
        #[arg(long)]
        patients: Option<u64>,
    },
    /// Export payouts (csv, xlsx, parquet), the audit trail (audit-csv, audit-xlsx) or the
    /// program summary report (html).
    Export {
        program: PathBuf,
        #[arg(long, value_parser = export::format_parser())]
        format: crate::report::ExportFormat,
        /// Output file; text formats go to standard output without it, binary formats to
        /// PROGRAM-payouts.xlsx (and so on) in the current folder.
        #[arg(long)]
        out: Option<PathBuf>,
        #[arg(long)]
        data_dir: Option<PathBuf>,
        /// Payouts workbook: show each payment's change against this scenario of the program.
        #[arg(long)]
        reference: Option<String>,
    },
    /// What-if sweep over two parameters; one CSV row per cell with every figure.
    Sweep(whatif::SweepArgs),
    /// Compare the base program with its scenarios side by side.
    Compare(whatif::CompareArgs),
    /// Equity lens: payout per attributed life by stratum, the reverse Robin Hood indicator,
    /// and the counters off and on; one CSV row per stratum, a summary on standard error.
    Equity(analysis::EquityArgs),
    /// Reliability per provider and measure, funnel positions, and each provider's chance of
    /// earning from resampling the numerators.
    Reliability(analysis::ReliabilityArgs),
    /// Exclusions per provider and measure, their effect on scores and payments, and
    /// providers excluding far more than their peers.
    Exceptions(analysis::ExceptionsArgs),
    /// Check the design against known pay-for-performance pitfalls; one block per finding,
    /// with its evidence and a suggested fix. Findings are advice: the exit code is 0.
    Lint {
        program: PathBuf,
        #[arg(long)]
        data_dir: Option<PathBuf>,
    },
    /// The program's decision log as a one-page record: what was decided, when, and what it
    /// meant for payouts. Plain text on standard output; with --out, an HTML page (text when
    /// the file does not end in .html or .htm).
    Decisions {
        program: PathBuf,
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Sum a patient-level data file per provider × measure × period into the long CSV the
    /// program can read instead, or print the same aggregation as SQL (--sql).
    Aggregate(aggregate::AggregateArgs),
}

/// The program, its data folder and the output file: what every analysis command reads and
/// writes.
#[derive(clap::Args, Debug, Clone)]
pub struct ProgramFiles {
    /// The program document (.ron).
    pub program: PathBuf,
    /// Read the program's data files, by the same file names, from this folder.
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// Write the CSV here instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

impl ProgramFiles {
    /// Reads the program and its data, after checking that neither `--out` nor any of
    /// `other_outputs` would replace a file the run reads; refuses a program `validate`
    /// rejects (see [`refuse_invalid`]).
    pub fn load(
        &self,
        other_outputs: &[Option<&Path>],
    ) -> Result<(Program, crate::engine::Observations), Failure> {
        let program = read_program(&self.program)?;
        let data_dir = self.data_dir.as_deref();
        for out in other_outputs.iter().chain([&self.out.as_deref()]).flatten() {
            check_output(out, &program, &self.program, data_dir)?;
        }
        let obs = read_data(&program, &self.program, data_dir)?;
        refuse_invalid(&self.program, &program, &obs)?;
        Ok((program, obs))
    }
}

/// A failure reported as one line on standard error.
pub struct Failure(pub String);

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure(e.to_string())
    }
}

/// What the binary does after [`run`].
#[derive(Debug)]
pub enum Launch {
    /// Open the window, on this program or (with none) on the sample.
    Window(Option<PathBuf>),
    /// A command ran; exit with this code.
    Exit(ExitCode),
}

/// Parses the command line and runs the command, or says which program to open the window on.
pub fn run() -> Launch {
    let cli = Cli::parse();
    REFUSE_OUTSIDE.store(cli.no_outside_data, Ordering::Relaxed);
    let result = match cli.command {
        None => return Launch::Window(None),
        Some(Command::Open { program }) => return Launch::Window(Some(program)),
        Some(Command::Score {
            program,
            data_dir,
            out,
        }) => score(&program, data_dir.as_deref(), out.as_deref()),
        Some(Command::Validate { program, data_dir }) => validate(&program, data_dir.as_deref()),
        Some(Command::Generate {
            out,
            providers,
            measures,
            seed,
            parquet,
            patient_level,
            patients,
        }) => generate(
            &out,
            providers,
            measures,
            seed,
            parquet,
            (patient_level, patients),
        ),
        Some(Command::Export {
            program,
            format,
            out,
            data_dir,
            reference,
        }) => export::export_against(
            &program,
            format,
            out.as_deref(),
            data_dir.as_deref(),
            reference.as_deref(),
        ),
        Some(Command::Bench {
            sizes,
            measures,
            sweep,
            grid,
            data,
            program,
            replicas,
            patients,
            runs,
            keep,
            step,
            side,
            dir,
        }) => bench::check_args(&sizes, measures, grid).and_then(|()| {
            if let (true, Some(step), Some(side), Some(dir)) = (data, step, side, &dir) {
                return data_bench::run_side_timed(step, side, dir, runs);
            }
            if data {
                return data_bench::run(&data_bench::DataBench {
                    program,
                    replicas,
                    patients,
                    runs,
                    keep,
                });
            }
            if sweep {
                bench::run_sweeps(&sizes, measures, grid);
            } else {
                bench::run(&sizes, measures);
            }
            Ok(())
        }),
        Some(Command::Sweep(args)) => whatif::sweep(&args),
        Some(Command::Compare(args)) => whatif::compare(&args),
        Some(Command::Equity(args)) => analysis::equity(&args),
        Some(Command::Reliability(args)) => analysis::reliability(&args),
        Some(Command::Exceptions(args)) => analysis::exceptions(&args),
        Some(Command::Lint { program, data_dir }) => lint(&program, data_dir.as_deref()),
        Some(Command::Decisions { program, out }) => decisions(&program, out.as_deref()),
        Some(Command::Aggregate(args)) => aggregate::aggregate(&args),
    };
    Launch::Exit(match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure(msg)) => {
            report_failure(&msg);
            ExitCode::FAILURE
        }
    })
}

/// Set by `--no-outside-data`.
static REFUSE_OUTSIDE: AtomicBool = AtomicBool::new(false);

/// Lists on standard error, before anything is read, the data files `program` reads from
/// outside its folder; with `--no-outside-data`, refuses to go on. A program file from
/// someone else could otherwise read any file the user can.
pub fn check_outside_data(
    path: &Path,
    program: &Program,
    data_dir: Option<&Path>,
) -> Result<(), Failure> {
    let outside = outside_data(program, path, data_dir);
    for o in &outside {
        eprintln!("p4p-designer: {}: {o}", path.display());
    }
    if !outside.is_empty() && REFUSE_OUTSIDE.load(Ordering::Relaxed) {
        return Err(Failure(format!(
            "{}: {} data file(s) outside the program's folder, refused (--no-outside-data); \
             nothing was read",
            path.display(),
            outside.len()
        )));
    }
    Ok(())
}

/// The program's data, read after [`check_outside_data`].
pub fn read_data(
    program: &Program,
    path: &Path,
    data_dir: Option<&Path>,
) -> Result<Observations, Failure> {
    check_outside_data(path, program, data_dir)?;
    Ok(load_data(program, path, data_dir)?)
}

/// Stops a command that computes money when `validate` reports an error about the program or
/// its data, printing the same messages on standard error; prints the warnings and lets the
/// command go on.
pub fn refuse_invalid(path: &Path, program: &Program, obs: &Observations) -> Result<(), Failure> {
    let problems = check_program(program, obs);
    for p in problems.iter().filter(|p| p.severity == Severity::Warning) {
        eprintln!("p4p-designer: {}: {p}", path.display());
    }
    let errors: Vec<_> = problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .collect();
    if errors.is_empty() {
        return Ok(());
    }
    for p in &errors {
        eprintln!("p4p-designer: {}: {p}", path.display());
    }
    Err(Failure(format!(
        "{}: {} error(s) found, as `validate` reports; nothing was computed",
        path.display(),
        errors.len()
    )))
}

/// Prints a failure as one line on standard error.
pub fn report_failure(msg: &str) {
    eprintln!("p4p-designer: {}", msg.replace('\n', " "));
}

/// Checks that `out` is none of the files a run of `program` reads (the program itself and its
/// data), before anything is computed.
pub fn check_output(
    out: &Path,
    program: &Program,
    program_path: &Path,
    data_dir: Option<&Path>,
) -> Result<(), Failure> {
    ensure_not_input(out, &input_files(program, program_path, data_dir)).map_err(Failure)
}

/// Writes `buf` to `out` atomically, or to standard output without one. A reader that stops
/// early (`| head`) is not a failure.
pub fn write_out(buf: &[u8], out: Option<&Path>) -> Result<(), Failure> {
    match out {
        Some(p) => write_atomic(p, buf).map_err(|e| Failure(format!("{}: {e}", p.display()))),
        None => match std::io::stdout().lock().write_all(buf) {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            r => Ok(r?),
        },
    }
}

/// `decisions`: the decision log, read from the program alone (no data is loaded: the
/// figures are those recorded when each decision was taken).
fn decisions(path: &Path, out: Option<&Path>) -> Result<(), Failure> {
    let program = read_program(path)?;
    let html = out.is_some_and(|o| {
        o.extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm"))
    });
    if let Some(out) = out {
        check_output(out, &program, path, None)?;
    }
    let text = if html {
        crate::report::decisions::decisions_html(&program)
    } else {
        crate::report::decisions::decisions_text(&program)
    };
    write_out(text.as_bytes(), out)
}

fn score(path: &Path, data_dir: Option<&Path>, out: Option<&Path>) -> Result<(), Failure> {
    let program = read_program(path)?;
    if let Some(out) = out {
        check_output(out, &program, path, data_dir)?;
    }
    let obs = read_data(&program, path, data_dir)?;
    refuse_invalid(path, &program, &obs)?;
    let (inputs, results) = engine::run(&program, &obs);
    let mut buf = Vec::with_capacity(256 * inputs.provider_count().max(1));
    write_scores_csv(&program, &inputs, &results, &mut buf)?;
    write_out(&buf, out)?;
    for line in score_summary(&program, &inputs, &results) {
        eprintln!("p4p-designer: {}: {line}", path.display());
    }
    Ok(())
}

/// What `score` says on standard error beside the CSV: the totals, why any of the pool is not
/// paid and why any provider has no total score, as the window's live panel says it.
pub fn score_summary(program: &Program, inputs: &Inputs, results: &Results) -> Vec<String> {
    use crate::format::money;
    let p = &results.payment;
    let scored = results.total.iter().filter(|t| !t.is_nan()).count();
    let mut lines = vec![format!(
        "{} providers, {scored} scored, {} earning; pool {}, paid {}",
        results.provider_count(),
        results.earning_count(),
        money(p.pool_cents),
        money(p.paid_cents)
    )];
    let unpaid = engine::totals::unpaid(program, inputs, results).sentence(program);
    if !unpaid.is_empty() {
        lines.push(unpaid);
    }
    let counts = engine::totals::not_scored_counts(program, inputs, results);
    let not_scored = engine::totals::not_scored_sentence(&counts);
    if !not_scored.is_empty() {
        lines.push(not_scored);
    }
    lines
}

fn num(x: f64) -> String {
    if x.is_nan() {
        String::new()
    } else {
        x.to_string()
    }
}

/// One row per provider: measure points, domain scores, total and payment in cents.
pub fn write_scores_csv(
    program: &Program,
    inputs: &Inputs,
    results: &Results,
    w: &mut impl Write,
) -> Result<(), Failure> {
    let mut csv = csv::Writer::from_writer(w);
    let mut header = vec!["provider_id".to_owned()];
    for m in &results.measures {
        for f in ["achievement", "improvement", "score"] {
            header.push(format!("{} {f}", m.id));
        }
    }
    for (d, dr) in program.scoring.domains.iter().zip(&results.domains) {
        if d.consistency.is_some() {
            header.push(format!("{} consistency", dr.id));
        }
        header.push(format!("{} score", dr.id));
    }
    header.extend(
        [
            "total_score",
            "eligible",
            "withheld_cents",
            "earned_cents",
            "payment_cents",
            "payment_multiplier",
        ]
        .map(String::from),
    );
    csv.write_record(&header)?;
    let mut row: Vec<String> = Vec::with_capacity(header.len());
    let p = &results.payment;
    for i in 0..inputs.provider_count() {
        row.clear();
        row.push(inputs.provider_ids[i].clone());
        for m in &results.measures {
            row.push(num(m.achievement[i]));
            row.push(num(m.improvement[i]));
            row.push(num(m.score[i]));
        }
        for (d, dr) in program.scoring.domains.iter().zip(&results.domains) {
            if d.consistency.is_some() {
                row.push(num(dr.consistency[i]));
            }
            row.push(num(dr.score[i]));
        }
        row.push(num(results.total[i]));
        row.push(results.eligible[i].to_string());
        row.push(p.withheld[i].to_string());
        row.push(p.earned[i].to_string());
        row.push(p.net[i].to_string());
        row.push(num(p.multiplier[i]));
        csv.write_record(&row)?;
    }
    csv.flush()?;
    Ok(())
}

fn validate(path: &Path, data_dir: Option<&Path>) -> Result<(), Failure> {
    let program = read_program(path)?;
    let obs = read_data(&program, path, data_dir)?;
    let mut problems: Vec<crate::program::Problem> = outside_data(&program, path, data_dir)
        .iter()
        .map(|o| crate::program::Problem::warning(o.to_string()))
        .collect();
    problems.extend(check_program(&program, &obs));
    let evidence = crate::program::plan::Evidence::data(&obs);
    problems.extend(crate::program::plan::step_warnings(&program, &evidence));
    for line in obs.load_report.code_summary() {
        println!("{}: {line}", path.display());
    }
    if problems.is_empty() {
        println!(
            "{}: ok ({} measures scored, {} providers)",
            path.display(),
            program.scored_measures().count(),
            obs.provider_count()
        );
        return Ok(());
    }
    let mut text = String::new();
    for p in &problems {
        let _ = writeln!(text, "{}: {p}", path.display());
    }
    print!("{text}");
    let errors = problems
        .iter()
        .filter(|p| p.severity == crate::program::Severity::Error)
        .count();
    if errors == 0 {
        return Ok(());
    }
    Err(Failure(format!(
        "{}: {errors} error(s) found",
        path.display()
    )))
}

fn lint(path: &Path, data_dir: Option<&Path>) -> Result<(), Failure> {
    let program = read_program(path)?;
    let obs = read_data(&program, path, data_dir)?;
    refuse_invalid(path, &program, &obs)?;
    let (inputs, results) = engine::run(&program, &obs);
    let findings = engine::lint::lint(&program, &obs, &inputs, &results);
    print!("{}", format_findings(path, &findings));
    Ok(())
}

/// One block per finding: severity, check and message, then its evidence and the fix.
pub fn format_findings(path: &Path, findings: &[engine::lint::Finding]) -> String {
    let mut text = String::new();
    if findings.is_empty() {
        let _ = writeln!(text, "{}: no pitfalls found", path.display());
        return text;
    }
    for f in findings {
        let _ = writeln!(
            text,
            "{}: {} [{}]: {}",
            path.display(),
            f.severity.label(),
            f.check.label(),
            f.message
        );
        for e in &f.evidence {
            let _ = writeln!(text, "  evidence: {e}");
        }
        let _ = writeln!(text, "  fix: {}", f.fix);
        text.push('\n');
    }
    let _ = writeln!(text, "{} finding(s)", findings.len());
    text
}

fn generate(
    out: &Path,
    providers: usize,
    measures: usize,
    seed: u64,
    parquet: bool,
    (patient_level, patients): (bool, Option<u64>),
) -> Result<(), Failure> {
    use crate::program::Layout;
    use crate::synth::{SynthSpec, program_for};
    let spec = SynthSpec {
        providers,
        measures,
        seed,
        ..SynthSpec::default()
    };
    spec.check().map_err(Failure)?;
    std::fs::create_dir_all(out).map_err(|e| Failure(format!("{}: {e}", out.display())))?;
    let obs = crate::synth::generate(&spec);
    let mut program = program_for(&spec);
    let performance = if patients.is_some() {
        "patients.csv"
    } else if parquet {
        "performance.parquet"
    } else if patient_level {
        "patients.csv"
    } else {
        "performance.csv"
    };
    for f in &mut program.data.files {
        f.path = match f.layout {
            Layout::Providers(_) => "providers.csv".into(),
            _ => performance.into(),
        };
        if patient_level && !matches!(f.layout, Layout::Providers(_)) {
            f.layout = Layout::PatientLevel(crate::synth::patient_mapping());
        }
    }
    crate::data::write_providers_csv(&obs, &out.join("providers.csv"))?;
    if let Some(rows) = patients {
        for f in &mut program.data.files {
            if !matches!(f.layout, Layout::Providers(_)) {
                f.layout = Layout::PatientLevel(data_bench::patient_mapping());
            }
        }
        data_bench::write_patients_csv(&obs, rows, seed, &out.join(performance))?;
    } else if patient_level {
        write_patient_rows(&obs, &out.join(performance))?;
    } else if parquet {
        crate::data::write_observations_long_parquet(&obs, &out.join(performance))?;
    } else {
        crate::data::write_observations_long_csv(&obs, &out.join(performance))?;
    }
    let ron = out.join("program.ron");
    write_atomic(&ron, program.to_ron().as_bytes())
        .map_err(|e| Failure(format!("{}: {e}", ron.display())))?;
    println!(
        "{}: {providers} providers × {measures} measures (seed {seed})",
        ron.display()
    );
    Ok(())
}

/// Writes the patient-level rows behind `obs` (see [`crate::synth::for_each_patient_row`]).
fn write_patient_rows(obs: &Observations, path: &Path) -> Result<(), Failure> {
    crate::data::write_atomic_with(path, |file| {
        let mut w = csv::Writer::from_writer(file);
        w.write_record(crate::synth::PATIENT_COLUMNS)?;
        let mut result = Ok(());
        crate::synth::for_each_patient_row(obs, |row| {
            if result.is_ok() {
                result = w.write_record(row);
            }
        });
        result?;
        w.flush()?;
        Ok::<(), std::io::Error>(())
    })
    .map_err(|e| Failure(format!("{}: {e}", path.display())))
}
