//! The data layer: every layout, the published CMS formats, and a clear error for each kind of
//! bad input. Fixtures are written into a temporary folder by each test.

use std::fs;
use std::path::{Path, PathBuf};

use p4p_designer::data::{
    BATCH_ROWS, DataError, FileFormat, LoadProgress, guess_mapping, inspect_file,
    load_program_data, load_program_data_with_progress, long_csv_mapping, providers_csv_mapping,
    write_observations_long_csv, write_observations_long_parquet, write_providers_csv,
};
use p4p_designer::engine::{AttributeValues, Observations, PeriodValues};
use p4p_designer::program::{
    DataFile, Layout, LongMapping, PatientMapping, Program, ProviderMapping, WideColumn, WideField,
    WideMapping,
};
use polars::prelude::*;
use proptest::prelude::*;

fn write(dir: &Path, name: &str, content: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, content).unwrap();
    path
}

fn program(files: Vec<(&str, Layout)>) -> Program {
    let mut p = Program::default();
    p.data.missing_values = vec!["Not Available".into()];
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

fn load(dir: &Path, files: Vec<(&str, Layout)>) -> Result<Observations, DataError> {
    load_program_data(&program(files), dir)
}

/// Loads a single long file that must fail, and returns the message.
fn long_error(content: &str) -> (DataError, String) {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "perf.csv", content);
    let e = load(dir.path(), vec![("perf.csv", long())]).unwrap_err();
    let msg = e.to_string();
    (e, msg)
}

/// The message names the file, the data row and the column.
fn assert_points_at(e: &DataError, msg: &str, file: &str, row: usize, column: &str) {
    assert!(msg.contains(file), "no file in: {msg}");
    assert!(
        msg.contains(&format!("data row {row},")),
        "no row {row} in: {msg}"
    );
    assert!(
        msg.contains(&format!("column \"{column}\"")),
        "no column in: {msg}"
    );
    assert_eq!(e.file(), file);
    assert_eq!(e.row(), Some(row));
    assert_eq!(e.column(), Some(column));
}

fn series<'a>(obs: &'a Observations, m: &str, p: &str) -> &'a PeriodValues {
    obs.series(m, p)
        .unwrap_or_else(|| panic!("no series {m}/{p}"))
}

/// Equal content, NaN matching NaN (unknown values are NaN, which `==` never matches).
fn assert_same(a: &Observations, b: &Observations) {
    let show = |o: &Observations| format!("{:?}", (&o.providers, &o.series, &o.supplied));
    assert_eq!(show(a), show(b));
}

fn idx(obs: &Observations, id: &str) -> usize {
    obs.find_provider(id)
        .unwrap_or_else(|| panic!("no provider {id}"))
}

const LONG: &str = "provider_id,measure_id,period,numerator,denominator\n\
010001,M1,baseline,30,100\n\
010001,M1,performance,45,90\n\
10001,M1,baseline,5,10\n\
020002,M2,performance,,\n";

#[test]
fn long_csv_loads_counts_and_keeps_leading_zeros() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "perf.csv", LONG);
    let obs = load(dir.path(), vec![("perf.csv", long())]).unwrap();
    assert_eq!(obs.providers.ids, ["010001", "10001", "020002"]);
    let b = series(&obs, "M1", "baseline");
    assert_eq!(b.numerator[0], 30.0);
    assert_eq!(b.denominator[0], 100.0);
    assert_eq!(b.numerator[1], 5.0);
    assert!(b.numerator[2].is_nan());
    let p = series(&obs, "M1", "performance");
    assert_eq!(p.effective_rate(0), 0.5);
    assert!(p.numerator[1].is_nan());
    // A row whose values are all empty still names a provider and a measure.
    assert!(!series(&obs, "M2", "performance").reported(2));
}

#[test]
fn loading_twice_gives_the_same_order_and_values() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "perf.csv", LONG);
    let a = load(dir.path(), vec![("perf.csv", long())]).unwrap();
    let b = load(dir.path(), vec![("perf.csv", long())]).unwrap();
    assert_eq!(a.providers.ids, b.providers.ids);
    assert_eq!(
        a.series.keys().collect::<Vec<_>>(),
        b.series.keys().collect::<Vec<_>>()
    );
}

#[test]
fn long_with_rate_exclusions_and_expected() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "perf.csv",
        "prov,meas,per,n,d,x,e,r\nA,M,p,8,12,2,4.5,\nB,M,p,,,,,0.75\n",
    );
    let mapping = LongMapping {
        provider_id: "prov".into(),
        measure_id: "meas".into(),
        period: "per".into(),
        numerator: Some("n".into()),
        denominator: Some("d".into()),
        rate: Some("r".into()),
        exclusions: Some("x".into()),
        expected: Some("e".into()),
    };
    let obs = load(dir.path(), vec![("perf.csv", Layout::Long(mapping))]).unwrap();
    let s = series(&obs, "M", "p");
    assert_eq!(s.exclusions[0], 2.0);
    assert_eq!(s.expected[0], 4.5);
    assert_eq!(s.eligible_denominator(0), 10.0);
    assert_eq!(s.rate[1], 0.75);
    assert_eq!(s.effective_rate(1), 0.75);
}

#[test]
fn semicolon_file_with_decimal_commas_loads() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "perf.csv",
        "provider_id;measure_id;period;rate\n010001;M1;baseline;0,75\n010002;M1;baseline;12\n",
    );
    let mapping = LongMapping {
        numerator: None,
        denominator: None,
        rate: Some("rate".into()),
        ..LongMapping::default()
    };
    let obs = load(dir.path(), vec![("perf.csv", Layout::Long(mapping))]).unwrap();
    assert_eq!(obs.providers.ids, ["010001", "010002"]);
    assert_eq!(series(&obs, "M1", "baseline").rate, [0.75, 12.0]);
    let info = inspect_file(&dir.path().join("perf.csv")).unwrap();
    assert_eq!(info.delimiter, Some(';'));
}

#[test]
fn tab_separated_file_loads() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "perf.tsv",
        "provider_id\tmeasure_id\tperiod\tnumerator\tdenominator\n007\tM\tp\t1\t2\n",
    );
    let obs = load(dir.path(), vec![("perf.tsv", long())]).unwrap();
    assert_eq!(obs.providers.ids, ["007"]);
    assert_eq!(series(&obs, "M", "p").effective_rate(0), 0.5);
}

#[test]
fn bom_file_loads_and_its_first_column_matches() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(LONG.as_bytes());
    write(dir.path(), "perf.csv", &bytes);
    let obs = load(dir.path(), vec![("perf.csv", long())]).unwrap();
    assert_eq!(obs.providers.ids[0], "010001");
    let info = inspect_file(&dir.path().join("perf.csv")).unwrap();
    assert_eq!(info.columns[0], "provider_id");

    // The same with a quoted header, as CMS writes it.
    let mut bytes = b"\xEF\xBB\xBF\"Facility ID\",\"M Performance Rate\"\n".to_vec();
    bytes.extend_from_slice(b"010001,0.5\n");
    write(dir.path(), "wide.csv", &bytes);
    let info = inspect_file(&dir.path().join("wide.csv")).unwrap();
    assert_eq!(info.columns, ["Facility ID", "M Performance Rate"]);
}

#[test]
fn crlf_quotes_short_rows_and_latin1_text() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "providers.csv",
        b"provider_id,name,area\r\n001,\"Smith, Jones\r\n& Co\",north\r\n002,Caf\xe9 Clinic\r\n003,\"Three\",\r\n",
    );
    let mapping = ProviderMapping {
        service_area: Some("area".into()),
        ..ProviderMapping::default()
    };
    let obs = load(
        dir.path(),
        vec![("providers.csv", Layout::Providers(mapping))],
    )
    .unwrap();
    let p = &obs.providers;
    assert_eq!(p.ids, ["001", "002", "003"]);
    // A quoted cell keeps its comma and line break.
    assert_eq!(p.names[0], "Smith, Jones\r\n& Co");
    // A byte that is not UTF-8 becomes U+FFFD instead of failing the whole file.
    assert_eq!(p.names[1], "Caf\u{fffd} Clinic");
    // A row short of fields reads the missing cells as empty.
    assert_eq!(p.service_area, ["north", "", ""]);
}

#[test]
fn a_byte_not_utf8_far_into_a_file_reads_as_a_replacement() {
    // Past the sniffed start, where the first reading takes the file as UTF-8 on trust.
    let mut text = b"provider_id,measure_id,period,numerator,denominator\n".to_vec();
    for i in 0..6000 {
        text.extend(format!("P{i:05},M1,baseline,{},{}\n", i % 50, 50 + i % 7).as_bytes());
    }
    text.extend(b"Caf\xe9,M1,baseline,3,4\nP99999,M1,baseline,5,6\n");
    assert!(text.len() > 100_000);
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "perf.csv", &text);
    let obs = load(dir.path(), vec![("perf.csv", long())]).unwrap();
    assert_eq!(obs.provider_count(), 6002);
    assert_eq!(obs.providers.ids[6000], "Caf\u{fffd}");
    let m1 = &obs.series[&("M1".to_string(), "baseline".to_string())];
    assert_eq!((m1.numerator[6000], m1.denominator[6000]), (3.0, 4.0));
    assert_eq!(
        (m1.numerator[5999], m1.denominator[5999]),
        (49.0, 50.0 + 5999.0 % 7.0)
    );
    assert_eq!((m1.numerator[6001], m1.denominator[6001]), (5.0, 6.0));
}

fn wide_column(column: &str, measure: &str, field: WideField) -> WideColumn {
    WideColumn {
        column: column.into(),
        measure_id: measure.into(),
        field,
    }
}

#[test]
fn published_cms_values_parse() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "hcahps.csv",
        "\"Facility ID\",\"Facility Name\",\"Nurses Floor\",\"Nurses Performance Rate\",\"Nurses Points\",\"SSI Score\"\n\
         010001,SOUTHEAST HEALTH,53.50%,73.8343%,6 out of 10,1 out of 10\n\
         010005,MARSHALL,53.50%,Not Available,Not Available,\n",
    );
    let mapping = WideMapping {
        provider_id: "Facility ID".into(),
        provider_name: Some("Facility Name".into()),
        columns: vec![
            wide_column("Nurses Floor", "CWN", WideField::Floor),
            wide_column(
                "Nurses Performance Rate",
                "CWN",
                WideField::Rate("performance".into()),
            ),
            wide_column("Nurses Points", "CWN", WideField::SuppliedScore),
            wide_column("SSI Score", "SSI", WideField::SuppliedScore),
        ],
    };
    let obs = load(dir.path(), vec![("hcahps.csv", Layout::Wide(mapping))]).unwrap();
    assert_eq!(obs.providers.ids, ["010001", "010005"]);
    assert_eq!(obs.providers.names, ["SOUTHEAST HEALTH", "MARSHALL"]);
    let s = &obs.supplied["CWN"];
    // Percent signs are stripped, the value stays in percent units.
    assert_eq!(s.floor, [53.5, 53.5]);
    assert_eq!(s.score[0], 6.0);
    assert!(s.score[1].is_nan());
    assert_eq!(obs.supplied["SSI"].score[0], 1.0);
    assert!(obs.supplied["SSI"].score[1].is_nan());
    let rate = &series(&obs, "CWN", "performance").rate;
    assert_eq!(rate[0], 73.8343);
    assert!(rate[1].is_nan());
}

#[test]
fn wide_counts_are_checked_like_long_ones() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "w.csv", "id,M num,M den\nA,3,4\nB,5,4\n");
    let mapping = WideMapping {
        provider_id: "id".into(),
        provider_name: None,
        columns: vec![
            wide_column("M num", "M", WideField::Numerator("p".into())),
            wide_column("M den", "M", WideField::Denominator("p".into())),
        ],
    };
    let e = load(dir.path(), vec![("w.csv", Layout::Wide(mapping.clone()))]).unwrap_err();
    let msg = e.to_string();
    assert_points_at(&e, &msg, "w.csv", 2, "M num");
    assert!(
        matches!(e, DataError::NumeratorExceedsDenominator { .. }),
        "{msg}"
    );

    write(dir.path(), "w.csv", "id,M num,M den\nA,3,4\nA,1,4\n");
    let e = load(dir.path(), vec![("w.csv", Layout::Wide(mapping.clone()))]).unwrap_err();
    let msg = e.to_string();
    assert_points_at(&e, &msg, "w.csv", 2, "id");
    assert!(msg.contains("duplicate provider A"), "{msg}");

    let mut twice = mapping;
    twice.columns.push(wide_column(
        "M den",
        "M",
        WideField::Denominator("p".into()),
    ));
    let e = load(dir.path(), vec![("w.csv", Layout::Wide(twice))]).unwrap_err();
    assert!(matches!(e, DataError::Mapping { .. }), "{e}");
    assert!(
        e.to_string().contains("column \"M den\" is mapped twice"),
        "{e}"
    );
}

// ---- one clear error per kind of bad input ----

#[test]
fn missing_column_lists_the_columns_the_file_has() {
    let (e, msg) = long_error("provider_id,measure,period,numerator,denominator\nA,M,p,1,2\n");
    assert!(matches!(e, DataError::MissingColumn { .. }), "{msg}");
    assert!(msg.contains("perf.csv"), "{msg}");
    assert!(msg.contains("\"measure_id\""), "{msg}");
    assert!(msg.contains("\"measure\""), "{msg}");
    assert!(
        msg.contains("\"provider_id\", \"measure\", \"period\""),
        "{msg}"
    );
    assert_eq!(e.column(), Some("measure_id"));
    // A name written with a space before it is listed so, to show why it does not match.
    let (_, msg) = long_error(" provider_id,measure_id,period,numerator,denominator\nA,M,p,1,2\n");
    assert!(
        msg.contains("column \"provider_id\" (mapped as provider_id) is not in the file"),
        "{msg}"
    );
    assert!(
        msg.contains("are: \" provider_id\", \"measure_id\""),
        "{msg}"
    );
}

#[test]
fn non_numeric_cell_is_quoted() {
    let (e, msg) = long_error(
        "provider_id,measure_id,period,numerator,denominator\nA,M,p,1,2\nB,M,p,1,twelve\n",
    );
    assert_points_at(&e, &msg, "perf.csv", 2, "denominator");
    assert!(msg.contains("\"twelve\" is not a number"), "{msg}");
}

#[test]
fn unlisted_missing_marker_is_not_a_number() {
    let (e, msg) = long_error("provider_id,measure_id,period,numerator,denominator\nA,M,p,N/A,2\n");
    assert_points_at(&e, &msg, "perf.csv", 1, "numerator");
    assert!(msg.contains("\"N/A\""), "{msg}");
}

#[test]
fn numerator_above_denominator() {
    let (e, msg) =
        long_error("provider_id,measure_id,period,numerator,denominator\nA,M,p,1,2\nA,M,q,7,5\n");
    assert_points_at(&e, &msg, "perf.csv", 2, "numerator");
    assert!(
        msg.contains("numerator 7 exceeds the denominator 5"),
        "{msg}"
    );
}

#[test]
fn numerator_above_denominator_after_exclusions() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "perf.csv",
        "provider_id,measure_id,period,numerator,denominator,exclusions\nA,M,p,9,10,2\n",
    );
    let mapping = LongMapping {
        exclusions: Some("exclusions".into()),
        ..LongMapping::default()
    };
    let e = load(dir.path(), vec![("perf.csv", Layout::Long(mapping))]).unwrap_err();
    let msg = e.to_string();
    assert_points_at(&e, &msg, "perf.csv", 1, "numerator");
    assert!(msg.contains("8 (10 less 2 exclusions)"), "{msg}");
}

#[test]
fn negative_count() {
    let (e, msg) = long_error("provider_id,measure_id,period,numerator,denominator\nA,M,p,-1,5\n");
    assert_points_at(&e, &msg, "perf.csv", 1, "numerator");
    assert!(msg.contains("cannot be negative"), "{msg}");
}

#[test]
fn duplicate_provider_measure_period_in_one_file() {
    let (e, msg) = long_error(
        "provider_id,measure_id,period,numerator,denominator\n010001,M,p,1,5\n010002,M,p,1,5\n010001,M,p,2,5\n",
    );
    assert_points_at(&e, &msg, "perf.csv", 3, "provider_id");
    assert!(
        msg.contains("duplicate provider 010001, measure M, period p"),
        "{msg}"
    );
    assert!(msg.contains("first given at perf.csv, data row 1"), "{msg}");
}

#[test]
fn duplicate_across_files() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.csv", LONG);
    write(
        dir.path(),
        "b.csv",
        "provider_id,measure_id,period,numerator,denominator\n10001,M1,baseline,1,2\n",
    );
    let e = load(dir.path(), vec![("a.csv", long()), ("b.csv", long())]).unwrap_err();
    let msg = e.to_string();
    assert_points_at(&e, &msg, "b.csv", 1, "provider_id");
    assert!(msg.contains("first given at a.csv, data row 3"), "{msg}");
}

#[test]
fn missing_provider_id() {
    let (e, msg) = long_error("provider_id,measure_id,period,numerator,denominator\n,M,p,1,5\n");
    assert_points_at(&e, &msg, "perf.csv", 1, "provider_id");
    assert!(msg.contains("provider ID is missing"), "{msg}");
}

#[test]
fn empty_file_and_header_only_file() {
    let (e, msg) = long_error("");
    assert!(matches!(e, DataError::NoHeader { .. }), "{msg}");
    assert!(msg.contains("perf.csv") && msg.contains("empty"), "{msg}");

    let (e, _) = long_error("\u{feff}\n\n");
    assert!(matches!(e, DataError::NoHeader { .. }), "{e}");

    let (e, msg) = long_error("provider_id,measure_id,period,numerator,denominator\n");
    assert!(matches!(e, DataError::NoRows { .. }), "{msg}");
    assert!(
        msg.contains("perf.csv") && msg.contains("no data rows"),
        "{msg}"
    );
}

#[test]
fn missing_file() {
    let dir = tempfile::tempdir().unwrap();
    let e = load(dir.path(), vec![("nowhere/perf.csv", long())]).unwrap_err();
    assert!(matches!(e, DataError::FileNotFound { .. }), "{e}");
    assert!(e.to_string().contains("nowhere/perf.csv"), "{e}");
}

#[test]
fn unreadable_parquet_and_unknown_extension() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "perf.parquet",
        "provider_id,measure_id\nthis is not parquet\n",
    );
    let e = load(dir.path(), vec![("perf.parquet", long())]).unwrap_err();
    assert!(matches!(e, DataError::BadParquet { .. }), "{e}");
    assert!(e.to_string().contains("perf.parquet"), "{e}");

    write(dir.path(), "perf.xlsx", "x");
    let e = load(dir.path(), vec![("perf.xlsx", long())]).unwrap_err();
    assert!(matches!(e, DataError::UnsupportedFormat { .. }), "{e}");
}

#[test]
fn ragged_csv_is_an_error_not_a_panic() {
    let (e, msg) = long_error(
        "provider_id,measure_id,period,numerator,denominator\nA,M,p,1,5,9,9\n\"unclosed,M\n",
    );
    assert!(matches!(e, DataError::BadRow { .. }), "{msg}");
    assert_eq!(e.row(), Some(1), "{msg}");
    assert!(
        msg.contains("perf.csv, data row 1: the row has 7 fields but the header has 5"),
        "{msg}"
    );
}

#[test]
fn a_bad_file_does_not_touch_what_was_loaded() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "good.csv", LONG);
    write(
        dir.path(),
        "bad.csv",
        "provider_id,measure_id,period,numerator,denominator\nZ,M9,p,1,x\n",
    );
    let mut current = load(dir.path(), vec![("good.csv", long())]).unwrap();
    let before = current.clone();
    match load(dir.path(), vec![("good.csv", long()), ("bad.csv", long())]) {
        Ok(obs) => current = obs,
        Err(e) => assert!(e.to_string().contains("bad.csv")),
    }
    assert_same(&current, &before);
}

// ---- patient-level rows ----

#[test]
fn patient_rows_are_summed_per_provider_measure_period() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "patients.csv",
        "patient_id,provider_id,measure_id,period,denominator,numerator,excluded,reason,risk\n\
         p1,010001,M,2025,1,1,0,,0.5\n\
         p2,010001,M,2025,yes,no,no,,0.25\n\
         p3,010001,M,2025,TRUE,true,Y,frail,0.9\n\
         p4,010001,M,2025,0,1,0,,\n\
         p5,010001,M,2025,y,Yes,n,,0.5\n\
         p1,020002,M,2025,1,0,,,0.1\n\
         p1,010001,N,2025,1,1,false,,0.3\n",
    );
    let mapping = PatientMapping {
        excluded: Some("excluded".into()),
        exclusion_reason: Some("reason".into()),
        expected: Some("risk".into()),
        ..PatientMapping::default()
    };
    let obs = load(
        dir.path(),
        vec![("patients.csv", Layout::PatientLevel(mapping))],
    )
    .unwrap();
    assert_eq!(obs.providers.ids, ["010001", "020002"]);
    let m = series(&obs, "M", "2025");
    // p1, p2, p3, p5 are in the denominator; p4's numerator flag does not count.
    assert_eq!(m.denominator[0], 4.0);
    assert_eq!(m.exclusions[0], 1.0);
    // p1 and p5: p3 is in the numerator but excluded.
    assert_eq!(m.numerator[0], 2.0);
    assert_eq!(m.expected[0], 0.5 + 0.25 + 0.5);
    assert_eq!(m.eligible_denominator(0), 3.0);
    assert_eq!(
        (m.denominator[1], m.numerator[1], m.exclusions[1]),
        (1.0, 0.0, 0.0)
    );
    assert_eq!(series(&obs, "N", "2025").numerator[0], 1.0);
    assert!(series(&obs, "N", "2025").numerator[1].is_nan());
}

#[test]
fn patient_flag_errors_point_at_the_cell() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "patients.csv",
        "patient_id,provider_id,measure_id,period,denominator,numerator\n\
         p1,A,M,p,1,1\n\
         p2,A,M,p,1,maybe\n",
    );
    let layout = || Layout::PatientLevel(PatientMapping::default());
    let e = load(dir.path(), vec![("patients.csv", layout())]).unwrap_err();
    let msg = e.to_string();
    assert_points_at(&e, &msg, "patients.csv", 2, "numerator");
    assert!(msg.contains("\"maybe\" is not a yes/no flag"), "{msg}");

    write(
        dir.path(),
        "patients.csv",
        "patient_id,provider_id,measure_id,period,denominator,numerator\n\
         p1,A,M,p,1,1\n\
         p1,A,M,p,1,0\n",
    );
    let e = load(dir.path(), vec![("patients.csv", layout())]).unwrap_err();
    let msg = e.to_string();
    assert_points_at(&e, &msg, "patients.csv", 2, "patient_id");
    assert!(msg.contains("duplicate patient p1"), "{msg}");
}

/// A patient given again far into the file (after several batches, looked for on a thread of
/// its own) is named with both rows; an error on an earlier row still comes first.
#[test]
fn a_patient_given_again_many_batches_later_is_found_in_row_order() {
    let dir = tempfile::tempdir().unwrap();
    let file = |bad_flag_at: Option<usize>| {
        let mut s =
            String::from("patient_id,provider_id,measure_id,period,denominator,numerator\n");
        for row in 1..=250_000usize {
            // Row 200,001 gives row 5's patient, provider, measure and period again.
            let (patient, provider) = if row == 200_001 {
                (5, 5)
            } else {
                (row, row % 7)
            };
            let numerator = if Some(row) == bad_flag_at {
                "maybe"
            } else {
                "1"
            };
            s.push_str(&format!("p{patient},A{provider},M,2026,1,{numerator}\n"));
        }
        s
    };
    let layout = || Layout::PatientLevel(PatientMapping::default());

    write(dir.path(), "patients.csv", file(Some(240_000)));
    let e = load(dir.path(), vec![("patients.csv", layout())]).unwrap_err();
    let msg = e.to_string();
    assert_points_at(&e, &msg, "patients.csv", 200_001, "patient_id");
    assert!(
        msg.contains("duplicate patient p5 for provider A5"),
        "{msg}"
    );
    assert!(msg.contains("data row 5"), "{msg}");

    write(dir.path(), "patients.csv", file(Some(100)));
    let e = load(dir.path(), vec![("patients.csv", layout())]).unwrap_err();
    let msg = e.to_string();
    assert_points_at(&e, &msg, "patients.csv", 100, "numerator");

    write(dir.path(), "patients.csv", file(None));
    let e = load(dir.path(), vec![("patients.csv", layout())]).unwrap_err();
    assert_eq!(e.row(), Some(200_001), "{e}");
}

// ---- provider attributes ----

#[test]
fn provider_attributes_and_stratifiers() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "providers.csv",
        "provider_id,name,area,peer,lives,base,dual_share,safety_net,quintile\n\
         020002,Two,primary,rural,1200,\"1,500,000\",0.35,Y,5\n\
         010001,One,primary,urban,800,900000,Not Available,N,\n",
    );
    write(dir.path(), "perf.csv", LONG);
    let mapping = ProviderMapping {
        provider_id: "provider_id".into(),
        name: Some("name".into()),
        service_area: Some("area".into()),
        peer_group: Some("peer".into()),
        attributed_lives: Some("lives".into()),
        base_payments: Some("base".into()),
        spend: None,
        benchmark_spend: None,
        stratifiers: vec!["dual_share".into(), "safety_net".into(), "quintile".into()],
    };
    let obs = load(
        dir.path(),
        vec![
            ("providers.csv", Layout::Providers(mapping)),
            ("perf.csv", long()),
        ],
    )
    .unwrap();
    // Files in program order, rows in file order.
    assert_eq!(obs.providers.ids, ["020002", "010001", "10001"]);
    let p = &obs.providers;
    assert_eq!(p.names, ["Two", "One", ""]);
    assert_eq!(p.peer_group[0], "rural");
    assert_eq!(p.lives[0], 1200.0);
    assert_eq!(p.base_payments[0], 1_500_000.0);
    assert!(p.base_payments[2].is_nan());
    assert!(p.spend[0].is_nan());
    match &p.stratifier("dual_share").unwrap().values {
        AttributeValues::Numeric(v) => {
            assert_eq!(v[0], 0.35);
            assert!(v[1].is_nan() && v[2].is_nan());
        }
        other => panic!("dual_share should be numeric: {other:?}"),
    }
    assert_eq!(
        p.stratifier("safety_net").unwrap().values,
        AttributeValues::Text(vec!["Y".into(), "N".into(), String::new()])
    );
    assert!(matches!(
        p.stratifier("quintile").unwrap().values,
        AttributeValues::Numeric(_)
    ));
    // The performance rows found the providers already listed.
    assert_eq!(series(&obs, "M1", "baseline").numerator[1], 30.0);
}

#[test]
fn provider_attribute_errors() {
    let dir = tempfile::tempdir().unwrap();
    let layout = || {
        Layout::Providers(ProviderMapping {
            attributed_lives: Some("lives".into()),
            ..ProviderMapping::default()
        })
    };
    write(
        dir.path(),
        "p.csv",
        "provider_id,name,lives\nA,a,10\nB,b,-3\n",
    );
    let e = load(dir.path(), vec![("p.csv", layout())]).unwrap_err();
    assert_points_at(&e, &e.to_string(), "p.csv", 2, "lives");

    write(
        dir.path(),
        "p.csv",
        "provider_id,name,lives\nA,a,10\nA,b,3\n",
    );
    let e = load(dir.path(), vec![("p.csv", layout())]).unwrap_err();
    assert_points_at(&e, &e.to_string(), "p.csv", 2, "provider_id");
}

// ---- Parquet and writing ----

#[test]
fn parquet_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "perf.csv",
        "provider_id,measure_id,period,numerator,denominator,rate,exclusions,expected\n\
         010001,M1,baseline,30,100,,5,\n\
         010001,M1,performance,45,90,,,40.5\n\
         10001,M2,baseline,,,0.25,,\n",
    );
    let all = Layout::Long(long_csv_mapping());
    let obs = load(dir.path(), vec![("perf.csv", all.clone())]).unwrap();

    write_observations_long_parquet(&obs, &dir.path().join("perf.parquet")).unwrap();
    let back = load(dir.path(), vec![("perf.parquet", all.clone())]).unwrap();
    assert_same(&back, &obs);
    let info = inspect_file(&dir.path().join("perf.parquet")).unwrap();
    assert_eq!(info.format, FileFormat::Parquet);
    assert_eq!(info.row_count, 3);
    assert_eq!(info.delimiter, None);
    assert_eq!(info.preview[0][0], "010001");

    write_observations_long_csv(&obs, &dir.path().join("again.csv")).unwrap();
    let info = inspect_file(&dir.path().join("again.csv")).unwrap();
    assert_eq!(guess_mapping(&info), Some(Layout::Long(long_csv_mapping())));
    let again = load(dir.path(), vec![("again.csv", all)]).unwrap();
    assert_same(&again, &obs);
}

#[test]
fn parquet_with_typed_columns_loads() {
    let dir = tempfile::tempdir().unwrap();
    let mut df = df!(
        "provider_id" => ["010001", "010002"],
        "measure_id" => ["M", "M"],
        "period" => ["p", "p"],
        "numerator" => [Some(3i64), None],
        "denominator" => [4i64, 5],
    )
    .unwrap();
    let file = fs::File::create(dir.path().join("typed.parquet")).unwrap();
    ParquetWriter::new(file).finish(&mut df).unwrap();
    let obs = load(dir.path(), vec![("typed.parquet", long())]).unwrap();
    assert_eq!(obs.providers.ids, ["010001", "010002"]);
    let s = series(&obs, "M", "p");
    assert_eq!(s.numerator[0], 3.0);
    assert!(s.numerator[1].is_nan());
    assert_eq!(s.denominator[1], 5.0);
}

#[test]
fn providers_csv_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "providers.csv",
        "provider_id,name,dual,flag\n007,Seven,0.5,Y\n008,\"Eight, Inc\",,N\n",
    );
    let mapping = ProviderMapping {
        stratifiers: vec!["dual".into(), "flag".into()],
        ..ProviderMapping::default()
    };
    let obs = load(
        dir.path(),
        vec![("providers.csv", Layout::Providers(mapping))],
    )
    .unwrap();
    let out = dir.path().join("out.csv");
    write_providers_csv(&obs, &out).unwrap();
    let text = fs::read_to_string(&out).unwrap();
    assert!(text.starts_with("provider_id,name,"), "{text}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(&out).unwrap().permissions().mode();
        assert_eq!(
            mode & 0o044,
            0o044,
            "written file should be readable by others: {mode:o}"
        );
    }
    assert!(text.contains("\n007,Seven,"), "{text}");
    let back = load(
        dir.path(),
        vec![("out.csv", Layout::Providers(providers_csv_mapping(&obs)))],
    )
    .unwrap();
    assert_same(&back, &obs);
}

// ---- files larger than one read batch (100,000 rows) ----

#[test]
fn rows_are_numbered_across_read_batches() {
    let dir = tempfile::tempdir().unwrap();
    // Two periods of 115,000 providers: 230,000 rows, three read batches.
    let mut text = String::from("provider_id,measure_id,period,numerator,denominator\n");
    for i in 0..230_000 {
        let period = if i < 115_000 { "p" } else { "q" };
        text.push_str(&format!("{:06},M,{period},1,2\n", i % 115_000));
    }
    write(dir.path(), "big.csv", &text);
    let obs = load(dir.path(), vec![("big.csv", long())]).unwrap();
    assert_eq!(obs.provider_count(), 115_000);
    assert_eq!(obs.providers.ids[114_999], "114999");
    assert_eq!(series(&obs, "M", "q").numerator[114_999], 1.0);

    // A bad cell deep in the third batch, and a duplicate of row 1 there.
    write(dir.path(), "bad.csv", format!("{text}000007,M,r,1,-2\n"));
    let e = load(dir.path(), vec![("bad.csv", long())]).unwrap_err();
    assert_points_at(&e, &e.to_string(), "bad.csv", 230_001, "denominator");
    write(dir.path(), "dup.csv", format!("{text}000000,M,p,1,2\n"));
    let e = load(dir.path(), vec![("dup.csv", long())]).unwrap_err();
    let msg = e.to_string();
    assert_points_at(&e, &msg, "dup.csv", 230_001, "provider_id");
    assert!(msg.contains("first given at dup.csv, data row 1)"), "{msg}");
}

#[test]
fn patient_sums_add_up_across_read_batches() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("patient_id,provider_id,measure_id,period,denominator,numerator\n");
    for i in 0..210_000 {
        let provider = ["B", "A", "C"][i % 3];
        let numerator = u8::from(i % 2 == 0);
        text.push_str(&format!("p{i},{provider},M,2025,1,{numerator}\n"));
    }
    write(dir.path(), "patients.csv", &text);
    let layout = Layout::PatientLevel(PatientMapping::default());
    let obs = load(dir.path(), vec![("patients.csv", layout.clone())]).unwrap();
    assert_eq!(obs.providers.ids, ["B", "A", "C"]);
    let s = series(&obs, "M", "2025");
    assert_eq!(s.denominator, [70_000.0, 70_000.0, 70_000.0]);
    assert_eq!(s.numerator, [35_000.0, 35_000.0, 35_000.0]);

    write(
        dir.path(),
        "patients.csv",
        format!("{text}p1,A,M,2025,1,0\n"),
    );
    let e = load(dir.path(), vec![("patients.csv", layout)]).unwrap_err();
    let msg = e.to_string();
    assert_points_at(&e, &msg, "patients.csv", 210_001, "patient_id");
    assert!(
        msg.contains("first given at patients.csv, data row 2)"),
        "{msg}"
    );
}

#[test]
fn progress_is_reported_and_a_load_can_be_cancelled() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.csv", LONG);
    let mut text = String::from("provider_id,measure_id,period,numerator,denominator\n");
    for i in 0..150_000 {
        text.push_str(&format!("{i},M,p,1,2\n"));
    }
    write(dir.path(), "b.csv", &text);
    let program = program(vec![("a.csv", long()), ("b.csv", long())]);

    let mut seen: Vec<(String, usize, usize, usize)> = Vec::new();
    let mut record = |p: &LoadProgress| {
        seen.push((p.file.to_owned(), p.file_number, p.file_count, p.rows));
        true
    };
    load_program_data_with_progress(&program, dir.path(), &mut record).unwrap();
    assert_eq!(seen.first(), Some(&("a.csv".to_owned(), 1, 2, 0)));
    assert_eq!(seen.last(), Some(&("b.csv".to_owned(), 2, 2, 150_000)));
    assert!(seen.contains(&("a.csv".to_owned(), 1, 2, 4)), "{seen:?}");
    // The second file is reported more than once while it is read.
    assert!(
        seen.iter().filter(|s| s.0 == "b.csv").count() >= 3,
        "{seen:?}"
    );

    let mut stop_in_b = |p: &LoadProgress| !(p.file == "b.csv" && p.rows > 0);
    let e = load_program_data_with_progress(&program, dir.path(), &mut stop_in_b).unwrap_err();
    assert_eq!(
        e,
        DataError::Cancelled {
            file: "b.csv".into()
        }
    );
}

// ---- inspecting and guessing ----

#[test]
fn inspect_counts_rows_and_previews_them_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("provider_id,measure_id,period,numerator,denominator\n");
    for i in 0..30 {
        text.push_str(&format!("{i:06},M,p,{i},30\n"));
    }
    let path = write(dir.path(), "perf.csv", text);
    let info = inspect_file(&path).unwrap();
    assert_eq!(info.format, FileFormat::Csv);
    assert_eq!(info.delimiter, Some(','));
    assert_eq!(info.row_count, 30);
    assert_eq!(info.preview.len(), 20);
    assert_eq!(info.preview[1], ["000001", "M", "p", "1", "30"]);
    assert_eq!(
        guess_mapping(&info),
        Some(Layout::Long(LongMapping::default()))
    );

    assert!(matches!(
        inspect_file(&dir.path().join("none.csv")),
        Err(DataError::FileNotFound { .. })
    ));
}

#[test]
fn guess_recognises_patient_and_provider_files() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "patients.csv",
        "Patient ID,Provider ID,Measure ID,Period,Denominator,Numerator,Excluded\nx,A,M,p,1,1,0\n",
    );
    let Some(Layout::PatientLevel(m)) = guess_mapping(&inspect_file(&path).unwrap()) else {
        panic!("not a patient file");
    };
    assert_eq!(m.patient_id, "Patient ID");
    assert_eq!(m.in_denominator, "Denominator");
    assert_eq!(m.excluded.as_deref(), Some("Excluded"));

    let path = write(
        dir.path(),
        "providers.csv",
        "provider_id,name,peer_group,attributed_lives,dual_share,rurality\nA,a,g,10,0.2,rural\n",
    );
    let Some(Layout::Providers(m)) = guess_mapping(&inspect_file(&path).unwrap()) else {
        panic!("not a providers file");
    };
    assert_eq!(m.name.as_deref(), Some("name"));
    assert_eq!(m.attributed_lives.as_deref(), Some("attributed_lives"));
    assert_eq!(m.stratifiers, ["dual_share", "rurality"]);

    let path = write(dir.path(), "other.csv", "a,b\n1,2\n");
    assert_eq!(guess_mapping(&inspect_file(&path).unwrap()), None);
}

// ---- the published CMS Hospital VBP FY2024 files ----

fn hvbp_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("sample_programs/data/hvbp_fy2024")
}

#[test]
fn published_hvbp_files_load_as_published() {
    let dir = hvbp_dir();
    let names = [
        "hvbp_clinical_outcomes.csv",
        "hvbp_safety.csv",
        "hvbp_efficiency_and_cost_reduction.csv",
        "hvbp_person_and_community_engagement.csv",
    ];
    let mut files = Vec::new();
    for name in names {
        let info = inspect_file(&dir.join(name)).unwrap();
        assert_eq!(info.row_count, 2474, "{name}");
        assert_eq!(info.columns[1], "Facility ID");
        let Some(layout @ Layout::Wide(_)) = guess_mapping(&info) else {
            panic!("{name} not recognised as a wide file");
        };
        files.push((name, layout));
    }
    let obs = load(&dir, files).unwrap();
    assert_eq!(obs.provider_count(), 2474);
    let a = idx(&obs, "010001");
    let b = idx(&obs, "010005");
    assert_eq!((a, b), (0, 1));
    assert_eq!(obs.providers.names[a], "SOUTHEAST HEALTH MEDICAL CENTER");

    let ami = series(&obs, "MORT-30-AMI", "performance");
    assert_eq!(ami.rate[a], 0.880237);
    assert_eq!(series(&obs, "MORT-30-AMI", "baseline").rate[a], 0.856752);
    assert_eq!(obs.supplied["MORT-30-AMI"].threshold[a], 0.869247);
    assert_eq!(obs.supplied["MORT-30-AMI"].benchmark[a], 0.887868);
    // "Not Available" is missing.
    assert!(series(&obs, "MORT-30-CABG", "baseline").rate[b].is_nan());
    // HCAHPS in percent units.
    let nurses = "Communication With Nurses";
    assert_eq!(obs.supplied[nurses].floor[a], 53.5);
    assert_eq!(series(&obs, nurses, "performance").rate[a], 73.8343);
    // The published combined SSI score ("1 out of 10") is a supplied score.
    assert_eq!(obs.supplied["Combined SSI"].score[a], 1.0);
    assert_eq!(obs.supplied["Combined SSI"].score[b], 0.0);
}

// ---- no input makes the loader panic ----

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_csv_text_never_panics(body in "[A-Za-z0-9,;\t\"%. \n\r-]{0,120}") {
        let dir = tempfile::tempdir().unwrap();
        let text = format!("provider_id,measure_id,period,numerator,denominator\n{body}");
        write(dir.path(), "perf.csv", &text);
        write(dir.path(), "raw.csv", &body);
        let _ = load(dir.path(), vec![("perf.csv", long())]);
        let _ = load(dir.path(), vec![("raw.csv", long())]);
        if let Ok(info) = inspect_file(&dir.path().join("raw.csv")) {
            let _ = guess_mapping(&info);
        }
    }

    #[test]
    fn arbitrary_parquet_bytes_never_panic(
        bytes in proptest::collection::vec(any::<u8>(), 0..200),
        cut in 0usize..2000,
    ) {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "raw.parquet", &bytes);
        prop_assert!(load(dir.path(), vec![("raw.parquet", long())]).is_err());
        let _ = inspect_file(&dir.path().join("raw.parquet"));

        // A real file cut short, or with its magic bytes at the end but junk before them.
        let mut df = df!("provider_id" => ["010001"], "measure_id" => ["M"], "period" => ["p"],
            "numerator" => [1i64], "denominator" => [2i64]).unwrap();
        let mut good = Vec::new();
        ParquetWriter::new(&mut good).finish(&mut df).unwrap();
        let cut = cut.min(good.len().saturating_sub(1));
        write(dir.path(), "cut.parquet", &good[..cut]);
        prop_assert!(load(dir.path(), vec![("cut.parquet", long())]).is_err());
        let mut junk = bytes.clone();
        junk.extend_from_slice(&good[good.len().saturating_sub(8)..]);
        write(dir.path(), "junk.parquet", &junk);
        prop_assert!(load(dir.path(), vec![("junk.parquet", long())]).is_err());
    }
}

// ---- long files against an independent reading of their rules ----

/// What a long file's rows say, read by the documented rules alone: each row's provider,
/// measure and period trimmed, and neither empty nor a missing-value code; a count empty or a
/// code is unknown; a numerator above its denominator, or a provider × measure × period given
/// twice, is an error at its row. The first row at fault, or every value given.
type Given = std::collections::BTreeMap<(String, String, String), (f64, f64)>;

fn read_by_the_rules(rows: &[[String; 5]], codes: &[&str]) -> Result<Given, usize> {
    let is_code = |t: &str| codes.iter().any(|c| c.eq_ignore_ascii_case(t));
    let mut given = Given::new();
    for (i, cells) in rows.iter().enumerate() {
        let row = i + 1;
        let key: Vec<String> = cells[..3].iter().map(|c| c.trim().to_owned()).collect();
        if key.iter().any(|t| t.is_empty() || is_code(t)) {
            return Err(row);
        }
        let count = |c: &str| {
            let t = c.trim();
            if t.is_empty() || is_code(t) {
                f64::NAN
            } else {
                t.parse().unwrap()
            }
        };
        let (num, den) = (count(&cells[3]), count(&cells[4]));
        if num > den {
            return Err(row);
        }
        let key = (key[0].clone(), key[1].clone(), key[2].clone());
        if given.insert(key, (num, den)).is_some() {
            return Err(row);
        }
    }
    Ok(given)
}

/// Long files as real exports list them: blocks of one measure × period, each naming the
/// providers in one order (now and then another: reversed, or starting part-way), some
/// skipped, some given twice, some written differently (padded, longer than polars keeps in a
/// cell's view, a code, empty).
fn long_rows() -> impl Strategy<Value = Vec<[String; 5]>> {
    let provider = prop_oneof![
        300 => (0u32..400).prop_map(|i| format!("P{i:03}")),
        80 => (0u32..400).prop_map(|i| format!("PRACTICE-000000{i:03}")),
        40 => (0u32..400).prop_map(|i| format!(" P{i:03} ")),
        3 => prop_oneof![Just(String::new()), Just("Not Available".to_owned())],
    ];
    let series = (
        prop_oneof![
            30 => Just("M1".to_owned()),
            30 => Just("M2 ".to_owned()),
            30 => Just("A MEASURE WITH A LONG NAME".to_owned()),
            1 => Just(String::new()),
        ],
        prop_oneof![
            Just("base".to_owned()),
            Just("perf".to_owned()),
            Just("performance period 2025".to_owned()),
        ],
    );
    // Mostly a numerator within its denominator; now and then a count unknown or too big.
    let counts = prop_oneof![
        200 => (0u32..60, 0u32..60).prop_map(|(n, extra)| (n.to_string(), (n + extra).to_string())),
        2 => Just((String::new(), "7".to_owned())),
        2 => Just(("3".to_owned(), "Not Available".to_owned())),
        1 => Just(("9".to_owned(), "8".to_owned())),
    ];
    let order = proptest::collection::vec(provider, 1..25);
    let listed = prop_oneof![6 => Just(0usize), 1 => Just(1), 1 => 2usize..20];
    let blocks = proptest::collection::vec(
        (
            series,
            listed,
            proptest::collection::vec((0u8..10, counts), 25),
        ),
        1..6,
    );
    (order, blocks).prop_map(|(order, blocks)| {
        let mut rows = Vec::new();
        for ((measure, period), listed, cells) in blocks {
            let mut order = order.clone();
            match listed {
                0 => {}
                1 => order.reverse(),
                n => {
                    let by = n % order.len();
                    order.rotate_left(by);
                }
            }
            for (p, (keep, (num, den))) in order.iter().zip(cells) {
                // Most providers of a block are listed; a few are skipped.
                if keep > 0 {
                    rows.push([p.clone(), measure.clone(), period.clone(), num, den]);
                }
            }
        }
        rows
    })
}

/// Loads `rows` as a long CSV file and compares what it gives with [`read_by_the_rules`]: the
/// first bad row, or every value and the providers in the order they first appear.
fn long_rows_load_by_the_rules(rows: &[[String; 5]]) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    let mut w = csv::Writer::from_path(dir.path().join("perf.csv")).unwrap();
    w.write_record([
        "provider_id",
        "measure_id",
        "period",
        "numerator",
        "denominator",
    ])
    .unwrap();
    for r in rows {
        w.write_record(r).unwrap();
    }
    w.flush().unwrap();
    let loaded = load(dir.path(), vec![("perf.csv", long())]);
    match (read_by_the_rules(rows, &["Not Available"]), loaded) {
        (Err(row), Err(e)) => prop_assert_eq!(e.row(), Some(row), "{}", e),
        (Ok(given), Ok(obs)) => {
            let mut first_seen: Vec<String> = Vec::new();
            for r in rows {
                let id = r[0].trim();
                if !first_seen.iter().any(|p| p == id) {
                    first_seen.push(id.to_owned());
                }
            }
            prop_assert_eq!(&obs.providers.ids, &first_seen);
            for ((p, m, q), (num, den)) in &given {
                let s = series(&obs, m, q);
                let i = idx(&obs, p);
                prop_assert_eq!(s.numerator[i].to_bits(), num.to_bits(), "{} {} {}", p, m, q);
                prop_assert_eq!(
                    s.denominator[i].to_bits(),
                    den.to_bits(),
                    "{} {} {}",
                    p,
                    m,
                    q
                );
            }
            // Nothing is stored that the rows do not give.
            for ((m, q), s) in &obs.series {
                for (i, id) in obs.providers.ids.iter().enumerate() {
                    if !s.numerator[i].is_nan() || !s.denominator[i].is_nan() {
                        let key = (id.clone(), m.clone(), q.clone());
                        prop_assert!(given.contains_key(&key), "{:?} is not given", key);
                    }
                }
            }
        }
        (expected, loaded) => prop_assert!(
            false,
            "by the rules {:?}, loaded {:?}",
            expected.err(),
            loaded.err().map(|e| e.to_string())
        ),
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn long_files_load_as_an_independent_reading_of_their_rules(rows in long_rows()) {
        prop_assume!(!rows.is_empty());
        long_rows_load_by_the_rules(&rows)?;
    }
}

/// Rows of a long file of 2,500 providers in 24 blocks of one measure × period, over more than
/// one batch of the reader: blocks list the providers in one order, reversed or from
/// part-way, each skipping some; a seventh of the IDs are longer than a cell's view holds.
fn many_batches_of_long_rows() -> Vec<[String; 5]> {
    let order: Vec<String> = (0..2500)
        .map(|i| match i % 7 {
            0 => format!("PRACTICE-WITH-A-LONG-ID-{i:05}"),
            _ => format!("P{i:05}"),
        })
        .collect();
    let mut rows = Vec::new();
    for b in 0..24usize {
        let mut listed = order.clone();
        match b % 4 {
            1 => listed.reverse(),
            2 => listed.rotate_left(b * 37),
            _ => {}
        }
        for (j, p) in listed.iter().enumerate() {
            if (j * 31 + b * 17) % 11 == 0 {
                continue;
            }
            let n = (j + b) % 50;
            rows.push([
                p.clone(),
                format!("M{}", b / 3),
                ["baseline", "performance", "2026Q1"][b % 3].to_owned(),
                n.to_string(),
                (n + j % 13).to_string(),
            ]);
        }
    }
    assert!(rows.len() > BATCH_ROWS);
    rows
}

#[test]
fn a_long_file_of_many_batches_loads_as_its_rules_read_it() {
    let rows = many_batches_of_long_rows();
    long_rows_load_by_the_rules(&rows).unwrap();
    // A row given again in the second batch, of a provider and series of the first; and a
    // count that does not fit there.
    let mut again = rows.clone();
    again.insert(BATCH_ROWS + 100, rows[7].clone());
    long_rows_load_by_the_rules(&again).unwrap();
    let mut misfit = rows.clone();
    misfit[BATCH_ROWS + 200][3] = "1000".into();
    long_rows_load_by_the_rules(&misfit).unwrap();
}

/// Patient-level sums by provider × measure × period: (denominator, numerator, exclusions,
/// expected).
type PatientSums = std::collections::BTreeMap<(String, String, String), (f64, f64, f64, f64)>;

/// A patient-level file read by its documented rules, row by row: the IDs must be given, the
/// flags must read as yes or no (empty: no), a patient is counted once per provider × measure
/// × period, and a patient in the denominator and not excluded needs an expected value.
/// Err(row) at the first row that breaks one.
fn patients_by_the_rules(rows: &[[String; 8]], codes: &[&str]) -> Result<PatientSums, usize> {
    let is_code = |t: &str| codes.iter().any(|c| c.eq_ignore_ascii_case(t));
    let flag = |c: &str| {
        let t = c.trim().to_ascii_lowercase();
        match t.as_str() {
            "1" | "true" | "t" | "yes" | "y" => Some(true),
            "0" | "false" | "f" | "no" | "n" => Some(false),
            _ if t.is_empty() || is_code(&t) => Some(false),
            _ => None,
        }
    };
    let mut sums = PatientSums::new();
    let mut seen = std::collections::BTreeSet::new();
    for (i, cells) in rows.iter().enumerate() {
        let row = i + 1;
        let expected = match cells[7].trim() {
            t if t.is_empty() || is_code(t) => None,
            t => Some(t.parse::<f64>().map_err(|_| row)?),
        };
        let ids: Vec<String> = cells[..4].iter().map(|c| c.trim().to_owned()).collect();
        if ids.iter().any(|t| t.is_empty() || is_code(t)) {
            return Err(row);
        }
        let (Some(den), Some(num), Some(excl)) =
            (flag(&cells[4]), flag(&cells[5]), flag(&cells[6]))
        else {
            return Err(row);
        };
        if !seen.insert(ids.clone()) {
            return Err(row);
        }
        let eligible = den && !excl;
        if eligible && expected.is_none() {
            return Err(row);
        }
        let s = sums
            .entry((ids[1].clone(), ids[2].clone(), ids[3].clone()))
            .or_insert((0.0, 0.0, 0.0, 0.0));
        s.0 += f64::from(u8::from(den));
        s.1 += f64::from(u8::from(eligible && num));
        s.2 += f64::from(u8::from(den && excl));
        if eligible {
            s.3 += expected.unwrap_or(0.0);
        }
    }
    Ok(sums)
}

/// Patient rows as exports write them: a few hundred patients over a handful of providers,
/// measures and periods in no order, now and then a patient given twice, an ID padded,
/// longer than polars keeps in a cell's view, empty or a code, a flag that is not one, or an
/// expected value missing or unreadable.
fn patient_rows() -> impl Strategy<Value = Vec<[String; 8]>> {
    let patient = prop_oneof![
        200 => (0u32..300).prop_map(|i| format!("p{i}")),
        20 => (0u32..300).prop_map(|i| format!(" p{i} ")),
        20 => (0u32..300).prop_map(|i| format!("PATIENT-0000000{i}")),
        1 => prop_oneof![Just(String::new()), Just("Not Available".to_owned())],
    ];
    let provider = prop_oneof![
        100 => (0u32..6).prop_map(|i| format!("A{i}")),
        30 => (0u32..6).prop_map(|i| format!("PRACTICE-0000000{i}")),
        1 => Just(String::new()),
    ];
    let measure = prop_oneof![Just("M1".to_owned()), Just("M2".to_owned())];
    let period = prop_oneof![Just("2025".to_owned()), Just("performance 2026".to_owned())];
    let flag = || {
        prop_oneof![
            100 => prop_oneof![Just("1"), Just("0"), Just("yes"), Just("N"), Just(" 1 ")],
            10 => Just(""),
            1 => Just("maybe"),
        ]
        .prop_map(str::to_owned)
    };
    let expected = prop_oneof![
        100 => prop_oneof![Just("0.5"), Just("1.25"), Just("0")],
        4 => Just(""),
        2 => Just("Not Available"),
        1 => Just("abc"),
    ]
    .prop_map(str::to_owned);
    let row = (
        (patient, provider, measure, period),
        (flag(), flag(), flag(), expected),
    )
        .prop_map(|((pa, pr, m, q), (d, n, x, e))| [pa, pr, m, q, d, n, x, e]);
    proptest::collection::vec(row, 1..120)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn patient_files_load_as_an_independent_reading_of_their_rules(rows in patient_rows()) {
        let dir = tempfile::tempdir().unwrap();
        let mut w = csv::Writer::from_path(dir.path().join("patients.csv")).unwrap();
        w.write_record([
            "patient_id", "provider_id", "measure_id", "period", "denominator", "numerator",
            "excluded", "risk",
        ])
        .unwrap();
        for r in &rows {
            w.write_record(r).unwrap();
        }
        w.flush().unwrap();
        let mapping = PatientMapping {
            excluded: Some("excluded".into()),
            expected: Some("risk".into()),
            ..PatientMapping::default()
        };
        let loaded = load(dir.path(), vec![("patients.csv", Layout::PatientLevel(mapping))]);
        match (patients_by_the_rules(&rows, &["Not Available"]), loaded) {
            (Err(row), Err(e)) => prop_assert_eq!(e.row(), Some(row), "{}", e),
            (Ok(sums), Ok(obs)) => {
                let providers: std::collections::BTreeSet<&String> =
                    sums.keys().map(|k| &k.0).collect();
                prop_assert_eq!(obs.providers.len(), providers.len());
                for ((p, m, q), (den, num, excl, exp)) in &sums {
                    let s = series(&obs, m, q);
                    let i = idx(&obs, p);
                    let got = (s.denominator[i], s.numerator[i], s.exclusions[i]);
                    prop_assert_eq!(got, (*den, *num, *excl), "{} {} {}", p, m, q);
                    prop_assert!((s.expected[i] - exp).abs() < 1e-9, "{} {} {}", p, m, q);
                }
            }
            (expected, loaded) => prop_assert!(
                false,
                "by the rules {:?}, loaded {:?}",
                expected.err(),
                loaded.err().map(|e| e.to_string())
            ),
        }
    }
}
