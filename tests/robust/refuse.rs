//! Errors that `validate` reports stop every command that computes money, with the same
//! message; warnings are printed and the command goes on. The window's export and step 6 follow
//! the same errors.

use super::{cli, fixture, stderr, stdout};
use p4p_designer::app::export::export_to;
use p4p_designer::app::session::Session;
use p4p_designer::data::{check_program, refusal};
use p4p_designer::program::plan::{self, Evidence, Simulated, Step, StepStatus};
use p4p_designer::program::{Limit, Program, StandardRule, validate_step};
use p4p_designer::report::ExportFormat;
use p4p_designer::synth::{self, SynthSpec};

const CAP_ERROR: &str = "error: payment.cap: -5 cents must be 0 to 1000000000000000";

/// Every command that computes money, with the arguments it needs.
const MONEY_COMMANDS: [&[&str]; 9] = [
    &["score"],
    &["export", "--format", "csv"],
    &["export", "--format", "audit-csv"],
    &["export", "--format", "html"],
    &["sweep", "--x", "pool:1:2:2", "--y", "cap:0:1:2"],
    &["compare"],
    &["equity"],
    &["reliability", "--draws", "3"],
    &["exceptions"],
];

#[test]
fn score_refuses_a_program_validate_rejects_with_validate_s_message() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path(), |p| p.payment.cap = Some(Limit::Cents(-5)));
    let v = cli(&["validate", "program.ron"], dir.path());
    assert!(!v.status.success());
    let line = format!("program.ron: {CAP_ERROR}");
    assert!(stdout(&v).contains(&line), "{}", stdout(&v));

    let s = cli(&["score", "program.ron"], dir.path());
    assert_eq!(s.status.code(), Some(1), "{}", stderr(&s));
    assert!(stderr(&s).contains(&line), "{}", stderr(&s));
    assert!(
        stderr(&s).contains("1 error(s) found, as `validate` reports; nothing was computed"),
        "{}",
        stderr(&s)
    );
    assert_eq!(stdout(&s), "", "no payments may be written");
}

#[test]
fn every_money_command_refuses_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path(), |p| {
        p.payment.cap = Some(Limit::Cents(-5));
        p.standards.threshold = StandardRule::Percentile {
            p: 150.0,
            of: p4p_designer::program::PeriodRef::Baseline,
        };
    });
    for args in MONEY_COMMANDS {
        let out = dir.path().join("out.csv");
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["program.ron", "--out", "out.csv"]);
        let r = cli(&all, dir.path());
        let err = stderr(&r);
        assert_eq!(r.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.contains(CAP_ERROR), "{args:?}: {err}");
        assert!(
            err.contains("error: threshold percentile 150 must be between 0 and 100"),
            "{args:?}: {err}"
        );
        assert!(err.contains("2 error(s) found"), "{args:?}: {err}");
        assert!(!out.exists(), "{args:?} wrote {}", out.display());
        assert_eq!(stdout(&r), "", "{args:?}");
    }
}

#[test]
fn warnings_are_printed_and_the_command_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    // Share of pool never makes a provider owe: validate warns, nothing more.
    fixture(dir.path(), |p| p.payment.two_sided = true);
    for args in MONEY_COMMANDS {
        let mut all: Vec<&str> = args.to_vec();
        all.push("program.ron");
        let r = cli(&all, dir.path());
        let err = stderr(&r);
        assert!(r.status.success(), "{args:?}: {err}");
        assert!(
            err.contains("program.ron: warning: payment.two_sided has no effect"),
            "{args:?}: {err}"
        );
        assert!(!stdout(&r).is_empty(), "{args:?}");
    }
}

#[test]
fn the_medicaid_sample_without_data_files_says_no_data_loaded() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/sample_programs/medicaid_primary_care.ron"
    ))
    .unwrap();
    let mut p = Program::from_ron(&text).unwrap();
    p.data.files.clear();
    std::fs::write(dir.path().join("program.ron"), p.to_ron()).unwrap();
    for args in [&["compare"][..], &["sweep"], &["score"], &["validate"]] {
        let mut all: Vec<&str> = args.to_vec();
        all.push("program.ron");
        let r = cli(&all, dir.path());
        assert_eq!(r.status.code(), Some(1), "{args:?}: {}", stderr(&r));
        let said = format!("{}{}", stdout(&r), stderr(&r));
        assert!(
            said.contains("error: no data loaded: the program names no data files"),
            "{args:?}: {said}"
        );
    }
}

#[test]
fn shared_check_returns_validate_s_errors_and_warnings() {
    let spec = SynthSpec {
        providers: 12,
        measures: 3,
        ..SynthSpec::default()
    };
    let obs = synth::generate(&spec);
    let mut p = synth::program_for(&spec);
    p.data.files.truncate(1);
    assert_eq!(refusal(&check_program(&p, &obs)), None);
    p.payment.floor = Some(Limit::PercentOfBase(f64::NAN));
    p.payment.two_sided = true;
    let problems = check_program(&p, &obs);
    assert_eq!(
        refusal(&problems).unwrap(),
        "error: payment.floor: NaN% of base payments must be 0–100"
    );
    assert!(
        problems
            .iter()
            .any(|w| w.to_string().starts_with("warning: payment.two_sided")),
        "{problems:?}"
    );
}

fn simulated() -> Evidence<'static> {
    Evidence {
        simulation: Some(Simulated {
            pool_cents: 100_000,
            paid_cents: 100_000,
            measures: Vec::new(),
        }),
        ..Evidence::default()
    }
}

#[test]
fn step_six_is_not_done_while_validate_reports_an_error_in_it() {
    let mut p = synth::program_for(&SynthSpec::default());
    let ev = simulated();
    assert_eq!(plan::status(Step::Payment, &p, &ev), StepStatus::Done);
    p.payment.cap = Some(Limit::Cents(-5));
    assert_eq!(
        plan::status(Step::Payment, &p, &ev),
        StepStatus::NeedsAttention("payment.cap: -5 cents must be 0 to 1000000000000000".into())
    );
    // The error is the step's, not step 5's; the validate command lists it once.
    assert!(validate_step(&p, Step::Baselines).is_empty());
    let warnings = plan::step_warnings(&p, &ev);
    assert!(
        !warnings.iter().any(|w| w.message.contains("payment.cap")),
        "{warnings:?}"
    );
}

#[test]
fn a_bad_percentile_is_step_five_s_error() {
    let mut p = synth::program_for(&SynthSpec::default());
    p.standards.benchmark = StandardRule::Percentile {
        p: -1.0,
        of: p4p_designer::program::PeriodRef::Baseline,
    };
    let problems = plan::problems(Step::Baselines, &p, &simulated());
    assert!(
        problems.contains(&"benchmark percentile -1 must be between 0 and 100".to_owned()),
        "{problems:?}"
    );
    assert!(validate_step(&p, Step::Payment).is_empty());
}

#[test]
fn window_export_refuses_with_validate_s_message() {
    let dir = tempfile::tempdir().unwrap();
    let spec = SynthSpec {
        providers: 15,
        measures: 3,
        ..SynthSpec::default()
    };
    let obs = synth::generate(&spec);
    let mut program = synth::program_for(&spec);
    program.data.files.truncate(1);
    program.data.files[0].path = "data.csv".into();
    let mut s = Session::new(dir.path().to_path_buf(), None);
    s.set_observations(&program, obs);
    let out = dir.path().join("payouts.csv");
    export_to(ExportFormat::Csv, &program, &s, &out).unwrap();
    std::fs::remove_file(&out).unwrap();
    program.payment.cap = Some(Limit::Cents(-5));
    let e = export_to(ExportFormat::Csv, &program, &s, &out).unwrap_err();
    assert!(e.contains(CAP_ERROR), "{e}");
    assert!(!out.exists());
}

#[test]
fn a_sweep_whose_axes_leave_the_valid_range_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path(), |_| {});
    let r = cli(
        &[
            "sweep",
            "program.ron",
            "--x",
            "pool:1:1e308:3",
            "--y",
            "cap:0:5:2",
        ],
        dir.path(),
    );
    assert_eq!(r.status.code(), Some(1), "{}", stderr(&r));
    assert!(
        stderr(&r).contains("--x pool = 1e308, --y cap = 0: error: payment.pool: "),
        "{}",
        stderr(&r)
    );
    assert_eq!(stdout(&r), "");
    let r = cli(
        &[
            "sweep",
            "program.ron",
            "--x",
            "pool:1:2:10000",
            "--y",
            "threshold:0:100:10000",
        ],
        dir.path(),
    );
    assert_eq!(r.status.code(), Some(1), "{}", stderr(&r));
    assert!(
        stderr(&r).contains("100000000 cells: a sweep computes at most 1000000"),
        "{}",
        stderr(&r)
    );
    let r = cli(
        &[
            "sweep",
            "program.ron",
            "--x",
            "pool:1:2:3",
            "--y",
            "threshold:0:100:3",
        ],
        dir.path(),
    );
    assert!(r.status.success(), "{}", stderr(&r));
    assert_eq!(stdout(&r).lines().count(), 10);
}

#[test]
fn scenarios_must_pass_validate_too() {
    use p4p_designer::program::{Parameter, Scenario, validate};
    let mut p = synth::program_for(&SynthSpec::default());
    p.scenarios = vec![Scenario {
        name: "Huge".into(),
        description: String::new(),
        overrides: vec![
            (Parameter::PoolDollars, 1e300),
            (Parameter::ThresholdPercentile, f64::NAN),
        ],
    }];
    let errors: Vec<String> = validate(&p).iter().map(|e| e.to_string()).collect();
    assert!(
        errors.contains(&"error: scenario \"Huge\": threshold = NaN must be a number".to_owned()),
        "{errors:?}"
    );
    assert!(
        errors.iter().any(|e| e.starts_with(
            "error: scenario \"Huge\": payment.pool: 9223372036854775807 cents is more than"
        )),
        "{errors:?}"
    );
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path(), |q| q.scenarios = p.scenarios.clone());
    let r = cli(&["compare", "program.ron"], dir.path());
    assert_eq!(r.status.code(), Some(1), "{}", stderr(&r));
    assert!(stderr(&r).contains("scenario \"Huge\""), "{}", stderr(&r));
}
