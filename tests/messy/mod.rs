//! Messy data as designers receive it: missing-value and suppression codes, impossible and
//! implausible values, ragged rows, duplicated columns, odd encodings and non-files. Each gives
//! a clear error or a warning naming the file, row, column and value. Fixtures are written into
//! a temporary folder by each test.

use std::fs;
use std::path::Path;
use std::time::Duration;

use p4p_designer::data::{DataError, load_program_data};
use p4p_designer::engine::{Observations, check_data};
use p4p_designer::program::{
    DEFAULT_MISSING_VALUES, DataFile, Layout, LongMapping, Measure, MeasureKind, PatientMapping,
    PeriodRef, Program, ProviderMapping, Severity, StandardRule, WideColumn, WideField,
    WideMapping,
};

fn write(dir: &Path, name: &str, content: impl AsRef<[u8]>) {
    fs::write(dir.join(name), content).unwrap();
}

/// A program with the default missing-value codes and the given files.
fn program(files: Vec<(&str, Layout)>) -> Program {
    let mut p = Program::default();
    p.data.files = files
        .into_iter()
        .map(|(path, layout)| DataFile {
            path: path.into(),
            layout,
        })
        .collect();
    p
}

fn long() -> Layout {
    Layout::Long(LongMapping::default())
}

fn long_rate() -> Layout {
    Layout::Long(LongMapping {
        numerator: None,
        denominator: None,
        rate: Some("rate".into()),
        ..LongMapping::default()
    })
}

fn load_one(content: &str, layout: Layout) -> Result<Observations, DataError> {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "perf.csv", content);
    load_program_data(&program(vec![("perf.csv", layout)]), dir.path())
}

/// The error of a load that must fail (without printing all it loaded when it does not).
fn err(r: Result<Observations, DataError>) -> DataError {
    match r {
        Ok(obs) => panic!(
            "loaded {} providers; expected an error",
            obs.provider_count()
        ),
        Err(e) => e,
    }
}

/// The error names the file, data row, column and (when given) the value, and is short.
fn assert_names(e: &DataError, file: &str, row: usize, column: &str, value: Option<&str>) {
    let msg = e.to_string();
    assert_eq!(e.file(), file, "{msg}");
    assert_eq!(e.row(), Some(row), "{msg}");
    assert_eq!(e.column(), Some(column), "{msg}");
    assert!(msg.contains(&format!("data row {row},")), "{msg}");
    assert!(msg.contains(&format!("column \"{column}\"")), "{msg}");
    if let Some(v) = value {
        assert!(msg.contains(v), "no {v} in: {msg}");
    }
    assert!(msg.len() < 400, "too long: {msg}");
}

const HEAD: &str = "provider_id,measure_id,period,numerator,denominator\n";

// ---- missing-value and suppression codes ----

#[test]
fn an_nr_cell_is_missing_and_counted() {
    let text = format!("{HEAD}A,M,p,NR,10\nB,M,p,3,10\nC,M,p,<11,<11\nD,M,p,,\nE,M,p,n/a,5\n");
    let obs = load_one(&text, long()).unwrap();
    let s = obs.series("M", "p").unwrap();
    let a = obs.find_provider("A").unwrap();
    let b = obs.find_provider("B").unwrap();
    assert!(s.numerator[a].is_nan());
    assert_eq!(s.denominator[a], 10.0);
    assert_eq!(s.numerator[b], 3.0);
    let r = &obs.load_report;
    assert_eq!(r.code_cells("perf.csv", "NR"), 1);
    assert_eq!(r.code_cells("perf.csv", "N/A"), 1);
    assert_eq!(r.code_cells("perf.csv", "<11"), 2);
    assert_eq!(r.code_cells("perf.csv", ""), 2);
    // Suppressed cells are counted apart from plain missing ones.
    assert_eq!(r.cells("perf.csv", true), 2);
    assert_eq!(r.cells("perf.csv", false), 4);
    let summary = r.code_summary();
    assert_eq!(summary.len(), 1, "{summary:?}");
    assert!(summary[0].contains("1 cell \"NR\""), "{summary:?}");
    assert!(
        summary[0].contains("suppressed (small cells): 2 cells \"<11\""),
        "{summary:?}"
    );
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
}

#[test]
fn codes_are_the_programs_own() {
    let mut p = program(vec![("perf.csv", long())]);
    p.data.missing_values = vec!["Not Available".into()];
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "perf.csv", format!("{HEAD}A,M,p,NR,10\n"));
    let e = err(load_program_data(&p, dir.path()));
    assert_names(&e, "perf.csv", 1, "numerator", Some("\"NR\""));
    assert!(e.to_string().contains("missing-value codes"), "{e}");

    p.data.missing_values = vec!["NR".into(), "-999".into()];
    write(
        dir.path(),
        "perf.csv",
        format!("{HEAD}A,M,p,NR,10\nB,M,p,-999,10\n"),
    );
    let obs = load_program_data(&p, dir.path()).unwrap();
    assert_eq!(obs.load_report.code_cells("perf.csv", "-999"), 1);
}

#[test]
fn old_program_files_get_the_default_codes() {
    let mut p = Program::default();
    assert_eq!(
        p.data.missing_values,
        DEFAULT_MISSING_VALUES.map(String::from)
    );
    for code in ["NR", "NA", "N/A", "*", "<11", "Not Available"] {
        assert!(p.data.missing_values.iter().any(|c| c == code), "{code}");
    }
    // A file written before the list existed.
    let text = p.to_ron();
    let start = text.find("missing_values:").unwrap();
    let end = start + text[start..].find(']').unwrap() + 1;
    let mut old = text[..start].to_owned();
    old.push_str(text[end..].trim_start_matches(','));
    assert!(!old.contains("missing_values"));
    let loaded = Program::from_ron(&old).unwrap();
    assert_eq!(loaded.data.missing_values, p.data.missing_values);
    // A list saved in the file is kept as it is.
    p.data.missing_values = vec!["Not Available".into()];
    let again = Program::from_ron(&p.to_ron()).unwrap();
    assert_eq!(again.data.missing_values, ["Not Available"]);
}

#[test]
fn codes_count_in_wide_provider_and_patient_files() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "w.csv", "id,M rate\nA,0.5\nB,NR\nC,*\nD,0.7\n");
    write(dir.path(), "prov.csv", "provider_id,lives\nA,100\nB,NA\n");
    write(
        dir.path(),
        "pat.csv",
        "patient_id,provider_id,measure_id,period,denominator,numerator,expected\n\
         1,A,P,p,1,1,0.5\n2,A,P,p,0,0,NR\n3,A,P,p,1,NR,0.25\n",
    );
    let wide = Layout::Wide(WideMapping {
        provider_id: "id".into(),
        provider_name: None,
        columns: vec![WideColumn {
            column: "M rate".into(),
            measure_id: "M".into(),
            field: WideField::Rate("p".into()),
        }],
    });
    let prov = Layout::Providers(ProviderMapping {
        name: None,
        attributed_lives: Some("lives".into()),
        ..ProviderMapping::default()
    });
    let pat = Layout::PatientLevel(PatientMapping {
        expected: Some("expected".into()),
        ..PatientMapping::default()
    });
    let p = program(vec![("w.csv", wide), ("prov.csv", prov), ("pat.csv", pat)]);
    let obs = load_program_data(&p, dir.path()).unwrap();
    let r = &obs.load_report;
    assert_eq!(r.code_cells("w.csv", "NR"), 1);
    assert_eq!(r.cells("w.csv", true), 1);
    assert_eq!(r.code_cells("prov.csv", "NA"), 1);
    // One in the expected values, one in a flag (read as "no": patient 3 is not in the
    // numerator).
    assert_eq!(r.code_cells("pat.csv", "NR"), 2);
    assert_eq!(obs.series("P", "p").unwrap().numerator[0], 1.0);
    let b = obs.find_provider("B").unwrap();
    assert!(obs.providers.lives[b].is_nan());
    assert!(obs.series("M", "p").unwrap().rate[b].is_nan());
}

#[test]
fn a_code_or_an_impossible_value_far_down_a_file_reads_as_at_its_start() {
    // The file writes plain numbers where its reading is decided (its first 64 KB and samples
    // from a quarter, half and three quarters of the way, and its end), so they are parsed as
    // the file is read; between them, a cell that is not one.
    let file = |odd: &str| {
        let mut text = HEAD.to_owned();
        for i in 1..=40_000 {
            let num = if i == 6000 {
                odd.to_owned()
            } else {
                (i % 9).to_string()
            };
            text.push_str(&format!("P{i:05},M,p,{num},10.5\n"));
        }
        let at = text.find(odd).unwrap();
        assert!(at > 64 * 1024 && at + 64 * 1024 < text.len() / 4);
        text
    };
    let obs = load_one(&file("NR"), long()).unwrap();
    assert_eq!(obs.load_report.code_cells("perf.csv", "NR"), 1);
    let s = obs.series("M", "p").unwrap();
    assert!(s.numerator[5999].is_nan());
    assert_eq!((s.numerator[5998], s.denominator[5999]), (5.0, 10.5));

    let e = err(load_one(&file("1e308"), long()));
    assert!(matches!(e, DataError::Implausible { .. }), "{e}");
    assert_names(&e, "perf.csv", 6000, "numerator", Some("1e308"));
    let e = err(load_one(&file("-2.50"), long()));
    assert!(matches!(e, DataError::Negative { .. }), "{e}");
    assert_names(&e, "perf.csv", 6000, "numerator", None);
    let e = err(load_one(&file("six"), long()));
    assert_names(&e, "perf.csv", 6000, "numerator", Some("\"six\""));
}

// ---- impossible values are errors ----

#[test]
fn huge_nan_infinite_and_negative_values_are_refused() {
    let e = err(load_one(
        &format!("{HEAD}A,M,p,3,10\nB,M,p,1e308,1e308\n"),
        long(),
    ));
    assert!(matches!(e, DataError::Implausible { .. }), "{e}");
    assert_names(&e, "perf.csv", 2, "numerator", Some("1e308"));

    let e = err(load_one(&format!("{HEAD}A,M,p,3,NaN\n"), long()));
    assert!(matches!(e, DataError::NotNumeric { .. }), "{e}");
    assert_names(&e, "perf.csv", 1, "denominator", Some("\"NaN\""));

    let e = err(load_one(&format!("{HEAD}A,M,p,3,inf\n"), long()));
    assert_names(&e, "perf.csv", 1, "denominator", Some("\"inf\""));

    let e = err(load_one(&format!("{HEAD}A,M,p,3,10\nB,M,p,1,-4\n"), long()));
    assert!(matches!(e, DataError::Negative { .. }), "{e}");
    assert_names(&e, "perf.csv", 2, "denominator", Some("-4"));

    let rates = "provider_id,measure_id,period,rate\nA,M,p,0.5\nB,M,p,1e308\n";
    let e = err(load_one(rates, long_rate()));
    assert_names(&e, "perf.csv", 2, "rate", Some("1e308"));
    let e = err(load_one(
        "provider_id,measure_id,period,rate\nA,M,p,NaN\n",
        long_rate(),
    ));
    assert_names(&e, "perf.csv", 1, "rate", Some("NaN"));
}

#[test]
fn numerator_above_denominator_is_refused() {
    let e = err(load_one(
        &format!("{HEAD}A,M,p,3,10\nB,M,p,12,10\n"),
        long(),
    ));
    assert!(
        matches!(e, DataError::NumeratorExceedsDenominator { .. }),
        "{e}"
    );
    assert_names(&e, "perf.csv", 2, "numerator", Some("12"));
}

#[test]
fn a_negative_rate_of_a_process_measure_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "perf.csv",
        "provider_id,measure_id,period,rate\nA,M,p,0.5\nB,M,p,0.6\nC,M,p,-0.2\n",
    );
    let mut p = program(vec![("perf.csv", long_rate())]);
    p.measures.push(Measure {
        id: "M".into(),
        kind: MeasureKind::Process,
        ..Measure::default()
    });
    let e = err(load_program_data(&p, dir.path()));
    assert!(matches!(e, DataError::Implausible { .. }), "{e}");
    assert_names(&e, "perf.csv", 3, "rate", Some("-0.2"));
    assert!(e.to_string().contains("process or structure"), "{e}");
}

#[test]
fn lives_that_cannot_be_right_are_refused() {
    let prov = || {
        Layout::Providers(ProviderMapping {
            name: None,
            attributed_lives: Some("Attributed Members".into()),
            ..ProviderMapping::default()
        })
    };
    for (cell, shown) in [("1e308", "1e308"), ("NaN", "NaN"), ("-5", "-5")] {
        let text = format!("provider_id,Attributed Members\nA,100\nB,{cell}\n");
        let e = err(load_one(&text, prov()));
        assert_names(&e, "perf.csv", 2, "Attributed Members", Some(shown));
    }
    // An empty lives column loads, with a warning naming it.
    let obs = load_one("provider_id,Attributed Members\nA,\nB,NR\n", prov()).unwrap();
    let w = &obs.load_report.warnings;
    assert_eq!(w.len(), 1, "{w:?}");
    assert_eq!(w[0].file, "perf.csv");
    assert_eq!(w[0].column.as_deref(), Some("Attributed Members"));
    let text = w[0].to_string();
    assert!(
        text.contains("attributed lives but no row gives a value"),
        "{text}"
    );
    // And data checks show it, so validation does not pass it silently.
    let problems = check_data(&Program::default(), &obs);
    assert!(
        problems
            .iter()
            .any(|p| p.severity == Severity::Warning && p.message.contains("Attributed Members")),
        "{problems:?}"
    );
}

// ---- implausible values are warnings ----

#[test]
fn a_rate_off_the_scale_of_its_measure_is_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "perf.csv",
        "provider_id,measure_id,period,rate\nA,M,p,0.5\nB,M,p,0.6\nC,M,p,0.7\nD,M,p,72\nE,M,p,0.4\n\
         A,S,p,0.8\nB,S,p,1.9\nC,S,p,1.1\nD,S,p,0.9\n",
    );
    let mut p = program(vec![("perf.csv", long_rate())]);
    p.measures.push(Measure {
        id: "M".into(),
        kind: MeasureKind::Process,
        ..Measure::default()
    });
    // An SIR (outcome) above 1 is nothing unusual.
    p.measures.push(Measure {
        id: "S".into(),
        kind: MeasureKind::Outcome,
        ..Measure::default()
    });
    let obs = load_program_data(&p, dir.path()).unwrap();
    let w = &obs.load_report.warnings;
    assert_eq!(w.len(), 1, "{w:?}");
    assert_eq!(w[0].file, "perf.csv");
    assert_eq!(w[0].row, Some(4));
    assert_eq!(w[0].column.as_deref(), Some("rate"));
    assert_eq!(w[0].value.as_deref(), Some("72"));
    let text = w[0].to_string();
    assert!(
        text.contains("perf.csv, data row 4, column \"rate\": \"72\""),
        "{text}"
    );
    assert!(text.contains("proportions (0–1)"), "{text}");
    // The value is kept as given: a warning, not a silent change.
    let d = obs.find_provider("D").unwrap();
    assert_eq!(obs.series("M", "p").unwrap().rate[d], 72.0);
}

#[test]
fn a_negative_rate_among_positive_ones_is_a_warning_in_a_wide_file() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "w.csv",
        "id,Score\nA,12\nB,15\nC,-3\nD,11\nE,14\nF,13\n",
    );
    let wide = Layout::Wide(WideMapping {
        provider_id: "id".into(),
        provider_name: None,
        columns: vec![WideColumn {
            column: "Score".into(),
            measure_id: "U".into(),
            field: WideField::Rate("p".into()),
        }],
    });
    let obs = load_program_data(&program(vec![("w.csv", wide)]), dir.path()).unwrap();
    let w = &obs.load_report.warnings;
    assert_eq!(w.len(), 1, "{w:?}");
    assert_eq!((w[0].row, w[0].column.as_deref()), (Some(3), Some("Score")));
    assert!(w[0].message.contains("negative"), "{w:?}");
}

// ---- ragged rows, duplicated columns ----

#[test]
fn short_long_and_cut_off_rows_are_refused() {
    let e = err(load_one(
        &format!("{HEAD}A,M,p,3,10\nB,M,p,3\nC,M,p,1,2\n"),
        long(),
    ));
    assert!(matches!(e, DataError::BadRow { .. }), "{e}");
    assert_eq!((e.file(), e.row()), ("perf.csv", Some(2)), "{e}");
    assert!(
        e.to_string().contains("fewer fields than the header"),
        "{e}"
    );

    let e = err(load_one(
        &format!("{HEAD}A,M,p,3,10\nB,M,p,3,10,7\n"),
        long(),
    ));
    assert!(matches!(e, DataError::BadRow { .. }), "{e}");
    assert_eq!(e.row(), Some(2), "{e}");
    assert!(
        e.to_string().contains("6 fields but the header has 5"),
        "{e}"
    );

    // The file ends in the middle of its last row.
    let e = err(load_one(
        &format!("{HEAD}A,M,p,3,10\nB,M,p,3,10\nC,M,p"),
        long(),
    ));
    assert!(matches!(e, DataError::BadRow { .. }), "{e}");
    assert_eq!(e.row(), Some(3), "{e}");
}

#[test]
fn a_row_cut_short_in_a_later_batch_is_found() {
    let mut text = String::from(HEAD);
    for i in 0..250_000 {
        text.push_str(&format!("P{i},M,p,1,2\n"));
    }
    text.push_str("Q,M,p,1");
    let e = err(load_one(&text, long()));
    assert_eq!(e.row(), Some(250_001), "{e}");
}

#[test]
fn a_mapped_column_given_twice_is_refused() {
    let text = "provider_id,measure_id,period,numerator,denominator,numerator\nA,M,p,1,10,9\n";
    let e = err(load_one(text, long()));
    assert!(matches!(e, DataError::DuplicateColumn { .. }), "{e}");
    assert_eq!(e.column(), Some("numerator"));
    let msg = e.to_string();
    assert!(msg.contains("perf.csv"), "{msg}");
    assert!(msg.contains("columns 4 and 6"), "{msg}");
    // An unmapped column given twice is no one's business.
    let text = "provider_id,measure_id,period,numerator,denominator,note,note\nA,M,p,1,10,x,y\n";
    assert!(load_one(text, long()).is_ok());
}

// ---- unreadable files, in plain words ----

#[test]
fn polars_advice_is_never_shown() {
    let cases = [
        format!("{HEAD}A,M,p,1,2\n\"B,M,p,1,2\nC,M,p,1,2\n"),
        format!("{HEAD}A,M,p,1,2,3,4,5\n"),
        "\"provider_id,measure_id\nA,M\n".repeat(2000),
    ];
    for text in &cases {
        let e = err(load_one(text, long()));
        let msg = e.to_string();
        for advice in [
            "infer_schema_length",
            "ignore_errors",
            "polars",
            "You might want",
        ] {
            assert!(!msg.contains(advice), "{msg}");
        }
        assert!(msg.contains("perf.csv"), "{msg}");
        assert!(msg.len() < 1200, "{} bytes: {}", msg.len(), &msg[..200]);
    }
}

#[test]
fn an_unbalanced_quote_names_its_row_not_the_file() {
    let mut text = format!("{HEAD}A,M,p,1,2\nB,M,p,\"1,2\n");
    for i in 0..20_000 {
        text.push_str(&format!("P{i},M,p,1,2\n"));
    }
    let e = err(load_one(&text, long()));
    let msg = e.to_string();
    assert!(msg.len() < 400, "{} bytes", msg.len());
    assert_eq!(e.row(), Some(2), "{msg}");
    assert!(msg.contains("never closed"), "{msg}");
}

#[test]
fn utf16_is_named() {
    let mut bytes = vec![0xff, 0xfe];
    for u in format!("{HEAD}A,M,p,1,2\n").encode_utf16() {
        bytes.extend(u.to_le_bytes());
    }
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "perf.csv", &bytes);
    let e = err(load_program_data(
        &program(vec![("perf.csv", long())]),
        dir.path(),
    ));
    assert!(matches!(e, DataError::Utf16 { .. }), "{e}");
    let msg = e.to_string();
    assert!(msg.contains("perf.csv"), "{msg}");
    assert!(msg.contains("UTF-16 encoded; save it as UTF-8"), "{msg}");
    assert!(!msg.contains('\0'), "{msg}");

    // Big-endian, and without a byte-order mark.
    let mut be = vec![0xfe, 0xff];
    let mut bare = Vec::new();
    for u in format!("{HEAD}A,M,p,1,2\n").encode_utf16() {
        be.extend(u.to_be_bytes());
        bare.extend(u.to_le_bytes());
    }
    for b in [be, bare] {
        write(dir.path(), "perf.csv", &b);
        let e = err(load_program_data(
            &program(vec![("perf.csv", long())]),
            dir.path(),
        ));
        assert!(matches!(e, DataError::Utf16 { .. }), "{e}");
    }
}

#[cfg(unix)]
#[test]
fn a_fifo_is_refused_without_waiting() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("perf.csv");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("mkfifo is not available; skipped");
        return;
    }
    let base = dir.path().to_path_buf();
    let (send, recv) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let r = load_program_data(&program(vec![("perf.csv", long())]), &base);
        let _ = send.send(r.map(|_| ()).map_err(|e| e.to_string()));
    });
    let result = recv
        .recv_timeout(Duration::from_secs(20))
        .expect("loading a FIFO must not hang");
    let msg = result.unwrap_err();
    assert!(msg.contains("perf.csv"), "{msg}");
    assert!(msg.contains("not a regular file"), "{msg}");
}

// ---- no baseline for standards set on the baseline ----

#[test]
fn no_baseline_suggests_standards_on_the_performance_period() {
    let obs = load_one(
        &format!("{HEAD}A,M,performance,3,10\nB,M,performance,5,10\n"),
        long(),
    )
    .unwrap();
    let mut p = Program::default();
    p.measures.push(Measure {
        id: "M".into(),
        vital_few: true,
        ..Measure::default()
    });
    assert!(p.scored_measures().any(|m| m.id == "M"));
    assert!(matches!(
        p.standards.threshold,
        StandardRule::Percentile {
            of: PeriodRef::Baseline,
            ..
        }
    ));
    let problems = check_data(&p, &obs);
    let advice = problems
        .iter()
        .find(|p| p.message.contains("no baseline"))
        .unwrap_or_else(|| panic!("{problems:?}"));
    assert_eq!(advice.severity, Severity::Warning);
    assert!(
        advice
            .message
            .contains("set the standards on the performance period"),
        "{advice}"
    );

    // With standards on the performance period, the warning is only about improvement.
    p.standards.threshold = StandardRule::Percentile {
        p: 50.0,
        of: PeriodRef::Performance,
    };
    p.standards.benchmark = StandardRule::TopDecileMean {
        of: PeriodRef::Performance,
    };
    let problems = check_data(&p, &obs);
    let w = problems
        .iter()
        .find(|p| p.message.contains("no baseline"))
        .unwrap();
    assert!(!w.message.contains("performance period"), "{w}");
}

// ---- the command line shows warnings ----

#[test]
fn score_and_validate_show_load_warnings() {
    use p4p_designer::data::{write_observations_long_csv, write_providers_csv};
    use p4p_designer::synth::{SynthSpec, generate, program_for};
    let dir = tempfile::tempdir().unwrap();
    let spec = SynthSpec {
        providers: 30,
        measures: 3,
        ..SynthSpec::default()
    };
    let obs = generate(&spec);
    let mut p = program_for(&spec);
    p.data.missing_values = vec!["NR".into()];
    write_providers_csv(&obs, &dir.path().join("providers.csv")).unwrap();
    write_observations_long_csv(&obs, &dir.path().join("performance.csv")).unwrap();
    // Lives mapped to a column that is empty throughout.
    let prov = fs::read_to_string(dir.path().join("providers.csv")).unwrap();
    let blank: String = prov
        .lines()
        .enumerate()
        .map(|(i, l)| format!("{l},{}\n", if i == 0 { "members" } else { "NR" }))
        .collect();
    write(dir.path(), "providers.csv", blank);
    for f in &mut p.data.files {
        f.path = match &mut f.layout {
            Layout::Providers(m) => {
                m.attributed_lives = Some("members".into());
                "providers.csv".into()
            }
            _ => "performance.csv".into(),
        };
    }
    let ron = dir.path().join("program.ron");
    fs::write(&ron, p.to_ron()).unwrap();

    let run = |cmd: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_p4p-designer"))
            .arg(cmd)
            .arg(&ron)
            .output()
            .unwrap()
    };
    let out = run("score");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("warning: providers.csv, column \"members\""),
        "{stderr}"
    );
    let out = run("validate");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains(": ok ("), "{stdout}");
    assert!(stdout.contains("column \"members\""), "{stdout}");
    assert!(stdout.contains("cells \"NR\""), "{stdout}");
}

#[test]
fn a_quote_inside_a_cell_is_not_an_unclosed_quote() {
    let text = "provider_id,name,lives\nA,Dr \"Bob\" Smith,10\nB,\"Quoted, \"\"fine\"\"\",20\n";
    let prov = Layout::Providers(ProviderMapping {
        attributed_lives: Some("lives".into()),
        ..ProviderMapping::default()
    });
    let obs = load_one(text, prov).unwrap();
    assert_eq!(obs.providers.lives, [10.0, 20.0]);
    assert_eq!(obs.providers.names[1], "Quoted, \"fine\"");
}

#[test]
fn a_provider_row_short_only_of_descriptive_columns_is_a_warning() {
    let prov = || {
        Layout::Providers(ProviderMapping {
            attributed_lives: Some("lives".into()),
            service_area: Some("area".into()),
            ..ProviderMapping::default()
        })
    };
    let obs = load_one(
        "provider_id,lives,name,area\nA,10,Alpha,north\nB,20,Beta\n",
        prov(),
    )
    .unwrap();
    let w = &obs.load_report.warnings;
    assert_eq!(w.len(), 1, "{w:?}");
    assert_eq!((w[0].file.as_str(), w[0].row), ("perf.csv", Some(2)));
    assert!(
        w[0].message.contains("fewer fields than the header"),
        "{w:?}"
    );
    assert_eq!(obs.providers.lives, [10.0, 20.0]);
    // Short of the lives column itself: an error.
    let e = err(load_one(
        "provider_id,name,area,lives\nA,Alpha,north,10\nB,Beta,south\n",
        prov(),
    ));
    assert_eq!((e.file(), e.row()), ("perf.csv", Some(2)), "{e}");
}
