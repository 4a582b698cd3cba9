//! No command panics (exit code 101) on the edges: an empty program, no measures, no data
//! files, data files with no rows, and sizes near 2^64.

use super::{cli, fixture, stderr};
use p4p_designer::program::Program;
use std::path::Path;
use std::process::Output;

fn no_panic(args: &[&str], r: &Output) {
    assert_ne!(
        r.status.code(),
        Some(101),
        "{args:?} panicked: {}",
        stderr(r)
    );
    assert!(r.status.code().is_some(), "{args:?} was killed");
    if !r.status.success() {
        assert!(
            stderr(r).contains("p4p-designer: ") || stderr(r).contains("error: "),
            "{args:?} failed without a word: {}",
            stderr(r)
        );
    }
}

/// Every subcommand that reads a program, on `program.ron` in `dir`.
fn every_command(dir: &Path) {
    let commands: [&[&str]; 15] = [
        &["validate"],
        &["score"],
        &["export", "--format", "csv"],
        &["export", "--format", "xlsx", "--out", "o.xlsx"],
        &["export", "--format", "parquet", "--out", "o.parquet"],
        &["export", "--format", "audit-csv"],
        &["export", "--format", "audit-xlsx", "--out", "a.xlsx"],
        &["export", "--format", "html"],
        &["sweep", "--x", "pool:1:2:2", "--y", "threshold:10:90:2"],
        &["sweep", "--x", "cap:0:5:2", "--y", "peer-groups"],
        &["compare"],
        &["equity"],
        &["reliability", "--draws", "2"],
        &["exceptions"],
        &["exceptions", "--by-peer-group"],
    ];
    for args in commands {
        let mut all: Vec<&str> = args.to_vec();
        all.push("program.ron");
        no_panic(&all, &cli(&all, dir));
    }
}

#[test]
fn an_empty_program() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("program.ron"), "()").unwrap();
    every_command(dir.path());
    let r = cli(&["score", "program.ron"], dir.path());
    assert!(stderr(&r).contains("no data loaded"), "{}", stderr(&r));
}

#[test]
fn a_program_with_no_measures() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path(), |p| {
        p.measures.clear();
        p.crosswalk.clear();
        p.phases.clear();
        p.gaps.clear();
        p.standards.overrides.clear();
    });
    every_command(dir.path());
    // Nothing to score is a warning, not an error: the commands run and pay nothing.
    let r = cli(&["score", "program.ron"], dir.path());
    assert!(r.status.success(), "{}", stderr(&r));
    assert!(stderr(&r).contains("nothing is scored"), "{}", stderr(&r));
}

#[test]
fn a_program_with_no_vital_few() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path(), |p| {
        for m in &mut p.measures {
            m.vital_few = false;
        }
    });
    every_command(dir.path());
}

#[test]
fn a_program_with_no_data_files() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path(), |p| p.data.files.clear());
    every_command(dir.path());
}

#[test]
fn data_files_with_zero_rows() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path(), |_| {});
    let header = |name: &str| {
        let path = dir.path().join(name);
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, format!("{}\n", text.lines().next().unwrap())).unwrap();
    };
    header("performance.csv");
    every_command(dir.path());
    let r = cli(&["score", "program.ron"], dir.path());
    assert_eq!(r.status.code(), Some(1));
    assert!(stderr(&r).contains("performance.csv"), "{}", stderr(&r));
    header("providers.csv");
    every_command(dir.path());
    // Files with not even a header line.
    std::fs::write(dir.path().join("providers.csv"), "").unwrap();
    std::fs::write(dir.path().join("performance.csv"), "").unwrap();
    every_command(dir.path());
}

#[test]
fn the_by_peer_group_program_from_the_issue() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path(), |p| {
        let files = std::mem::take(&mut p.data.files);
        *p = Program::from_ron(
            "(measures: [(id: \"m\", vital_few: true)], standards: (by_peer_group: true))",
        )
        .unwrap();
        p.data.files = files;
    });
    every_command(dir.path());
}

#[test]
fn sizes_near_two_to_the_sixty_four_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let huge = "18446744073709551615";
    let r = cli(&["generate", "--out", "g", "--providers", huge], dir.path());
    assert_eq!(r.status.code(), Some(1), "{}", stderr(&r));
    assert!(
        stderr(&r).contains("providers: ask for 1 to 10000000"),
        "{}",
        stderr(&r)
    );
    assert!(!dir.path().join("g").exists(), "nothing is written");
    let r = cli(&["generate", "--out", "g", "--measures", huge], dir.path());
    assert_eq!(r.status.code(), Some(1), "{}", stderr(&r));
    assert!(
        stderr(&r).contains("measures: ask for 1 to"),
        "{}",
        stderr(&r)
    );
    let r = cli(
        &[
            "generate",
            "--out",
            "g",
            "--providers",
            "10000000",
            "--measures",
            "1000",
        ],
        dir.path(),
    );
    assert_eq!(r.status.code(), Some(1), "{}", stderr(&r));
    assert!(stderr(&r).contains("results per period"), "{}", stderr(&r));
    let r = cli(&["bench", "--sizes", huge], dir.path());
    assert_eq!(r.status.code(), Some(1), "{}", stderr(&r));
    let r = cli(&["bench", "--sweep", "--grid", huge], dir.path());
    assert_eq!(r.status.code(), Some(1), "{}", stderr(&r));
    assert!(stderr(&r).contains("--grid"), "{}", stderr(&r));

    fixture(dir.path(), |_| {});
    for args in [
        &["reliability", "--draws", huge][..],
        &["compare", "--top", huge],
        &["exceptions", "--sd", "NaN"],
    ] {
        let mut all: Vec<&str> = args.to_vec();
        all.push("program.ron");
        let r = cli(&all, dir.path());
        assert_eq!(r.status.code(), Some(2), "{args:?}: {}", stderr(&r));
        assert!(stderr(&r).contains("invalid value"), "{}", stderr(&r));
    }
}

#[test]
fn a_small_generate_still_works() {
    let dir = tempfile::tempdir().unwrap();
    let r = cli(
        &[
            "generate",
            "--out",
            "g",
            "--providers",
            "5",
            "--measures",
            "2",
        ],
        dir.path(),
    );
    assert!(r.status.success(), "{}", stderr(&r));
    let r = cli(&["score", "g/program.ron"], dir.path());
    assert!(r.status.success(), "{}", stderr(&r));
    assert_eq!(String::from_utf8_lossy(&r.stdout).lines().count(), 6);
}

/// The window runs the engine without the commands' refusal (while a designer edits, the
/// program is often invalid): every analysis must survive the same edges as values.
#[test]
fn the_engine_survives_the_edges_without_the_refusal() {
    use p4p_designer::engine::{
        self, CompareOptions, Observations, SweepSpec, equity, exceptions, reliability,
    };
    use p4p_designer::report::ExportFormat;
    use p4p_designer::synth::{self, SynthSpec};
    use std::sync::atomic::AtomicBool;

    let spec = SynthSpec {
        providers: 12,
        measures: 3,
        ..SynthSpec::default()
    };
    let data = synth::generate(&spec);
    let synthetic = synth::program_for(&spec);
    let mut no_measures = synthetic.clone();
    no_measures.measures.clear();
    let peer = Program::from_ron(
        "(measures: [(id: \"m\", vital_few: true)], standards: (by_peer_group: true))",
    )
    .unwrap();
    let mut medicaid = Program::from_ron(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/sample_programs/medicaid_primary_care.ron"
        ))
        .unwrap(),
    )
    .unwrap();
    medicaid.data.files.clear();
    let programs = [Program::default(), synthetic, no_measures, peer, medicaid];
    let empty = Observations::new();
    let cancel = AtomicBool::new(false);
    for program in &programs {
        for obs in [&empty, &data] {
            let (inputs, results) = engine::run(program, obs);
            assert_eq!(results.payment.net.len(), obs.provider_count());
            for f in ExportFormat::ALL {
                // An error (an empty table) is fine; a panic is not.
                let _ = f.render(program, obs, &inputs, &results);
            }
            let mut sweep = SweepSpec::default_for(program);
            sweep.x.steps = 3;
            sweep.y.steps = 3;
            let cells = engine::sweep(program, obs, &sweep, &|_| {}, &cancel).unwrap();
            assert_eq!(cells.cells.len(), cells.nx() * cells.ny());
            let cmp = engine::compare(program, obs, &CompareOptions::default()).unwrap();
            assert_eq!(cmp.outcomes.len(), program.scenarios.len() + 1);
            let _ = equity::equity_report(&obs.providers, &results, None);
            let _ = reliability::reliability(program, obs);
            let opts = reliability::ResampleOptions {
                draws: 2,
                ..Default::default()
            };
            reliability::resample(program, obs, &opts, &|_| {}, &cancel).unwrap();
            exceptions::exception_report(program, obs, &Default::default());
            let _ = equity::compare_counters(program, obs);
            let _ = engine::monitoring::monitoring(program, obs, "2026Q1");
            let _ = p4p_designer::data::check_program(program, obs);
        }
    }
}

/// Values `validate` refuses but the window still computes with while they are being typed.
#[test]
fn out_of_range_values_do_not_panic_the_engine_or_the_plan() {
    use p4p_designer::engine::{self, consistency_points};
    use p4p_designer::program::plan::{self, Evidence, Step};
    use p4p_designer::program::{
        AchievementCurve, Consistency, Domain, GapItem, Phase, Severity, validate,
    };
    use p4p_designer::synth::{self, SynthSpec};

    assert_eq!(consistency_points(0.5, -0.5), 0.0);
    assert_eq!(consistency_points(0.5, f64::NAN), 0.0);

    let spec = SynthSpec {
        providers: 12,
        measures: 3,
        ..SynthSpec::default()
    };
    let obs = synth::generate(&spec);
    let mut p = synth::program_for(&spec);
    p.scoring.achievement = AchievementCurve::Linear { max: -1.0 };
    for d in &mut p.scoring.domains {
        d.consistency = Some(Consistency { max_points: -0.5 });
    }
    p.scoring.domains.push(Domain {
        id: "extra".into(),
        consistency: Some(Consistency { max_points: 101.0 }),
        ..Domain::default()
    });
    p.gaps = vec![
        GapItem {
            cost_cents: i64::MAX,
            months: 1e308,
            measure_ids: vec![p.measures[0].id.clone()],
            ..GapItem::default()
        };
        2
    ];
    p.phases = vec![
        Phase {
            start: "2026-01".into(),
            months: u32::MAX,
            pool_share: f64::NAN,
            measure_ids: vec![p.measures[0].id.clone()],
            ..Phase::default()
        };
        2
    ];
    let (_, results) = engine::run(&p, &obs);
    assert_eq!(results.payment.net.len(), 12);
    assert_eq!(plan::gap_totals(&p).cost_cents, i64::MAX);
    assert!(plan::end_month(&p.phases[0]).is_some());
    plan::chain_dates(&mut p.phases);
    let _ = plan::timing_conflict(&p, &p.measures[0].id.clone());
    for step in Step::ALL {
        let _ = plan::problems(step, &p, &Evidence::default());
    }
    let errors: Vec<String> = validate(&p)
        .into_iter()
        .filter(|e| e.severity == Severity::Error)
        .map(|e| e.message)
        .collect();
    for expected in [
        "consistency: max_points -0.5 must be 0 to 100",
        "domain extra: consistency: max_points 101 must be 0 to 100",
        "scoring.achievement: points -1 must be 0 to 1,000,000",
        "gaps[1]: cost 9223372036854775807 cents must be 0 to 1000000000000000",
        "gaps[0]: 1e308 months to close must be 0 to 1200",
        "phases[1]: pool share NaN must be a share from 0 to 1",
        "phases[0]: 4294967295 months must be at most 1200",
    ] {
        assert!(
            errors.iter().any(|e| e.contains(expected)),
            "{expected:?} not in {errors:#?}"
        );
    }
}
