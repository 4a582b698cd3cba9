//! `aggregate`: patient-level rows summed per provider × measure × period by the built-in
//! loader, and by the SQL query `aggregate --sql` prints, run here on polars' own SQL engine.

use p4p_designer::data::{load_data, read_program};
use p4p_designer::program::sql::{
    LONG_COLUMNS, REFUSED_COLUMN, SqlSource, aggregation_sql, patient_files,
};
use p4p_designer::program::{DataFile, Layout, PatientMapping, Program};
use p4p_designer::synth::{SynthSpec, expected_sum};
use polars::prelude::*;
use polars::sql::SQLContext;
use std::path::Path;
use std::process::Output;

use crate::robust::cli;

fn ok(o: &Output) -> String {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Runs `sql` with the CSV file at `path` registered as `table`, every column read as text.
fn run_sql(sql: &str, table: &str, path: &Path, separator: u8) -> DataFrame {
    let rows = LazyCsvReader::new(PlRefPath::try_from_path(path).unwrap())
        .with_has_header(true)
        .with_separator(separator)
        .with_infer_schema_length(Some(0))
        .finish()
        .unwrap();
    let mut ctx = SQLContext::new();
    ctx.register(table, rows);
    ctx.execute(sql).unwrap().collect().unwrap()
}

/// The query's long columns as the long CSV writes them (numbers in Rust's shortest form,
/// empty when missing), sorted.
fn sql_rows(df: &DataFrame) -> Vec<Vec<String>> {
    let mut rows = vec![Vec::new(); df.height()];
    for (k, name) in LONG_COLUMNS.iter().enumerate() {
        let column = df.column(name).unwrap();
        if k < 3 {
            for (row, v) in rows.iter_mut().zip(column.str().unwrap().iter()) {
                row.push(v.unwrap_or("").to_owned());
            }
        } else {
            let values = column.cast(&DataType::Float64).unwrap();
            for (row, v) in rows.iter_mut().zip(values.f64().unwrap().iter()) {
                row.push(v.map_or_else(String::new, |v| format!("{v}")));
            }
        }
    }
    rows.sort();
    rows
}

fn refused(df: &DataFrame) -> Vec<i64> {
    let c = df.column(REFUSED_COLUMN).unwrap();
    let c = c.cast(&DataType::Int64).unwrap();
    c.i64().unwrap().iter().map(|v| v.unwrap_or(-1)).collect()
}

/// The long CSV's data rows, sorted.
fn csv_rows(text: &str) -> Vec<Vec<String>> {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(
        r.headers().unwrap().iter().collect::<Vec<_>>(),
        LONG_COLUMNS
    );
    let mut rows: Vec<Vec<String>> = r
        .records()
        .map(|rec| rec.unwrap().iter().map(str::to_owned).collect())
        .collect();
    rows.sort();
    rows
}

#[test]
fn sql_gives_the_built_in_aggregation_row_for_row() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(&cli(
        &[
            "generate",
            "--out",
            "gen",
            "--providers",
            "30",
            "--measures",
            "3",
            "--seed",
            "7",
            "--patient-level",
        ],
        d,
    ));
    let program_path = d.join("gen/program.ron");
    let program = read_program(&program_path).unwrap();
    let files = patient_files(&program.data);
    assert_eq!(files.len(), 1);
    let (_, file, mapping) = files[0];
    assert_eq!(file, "patients.csv");

    // The built-in aggregation, through the command.
    ok(&cli(
        &["aggregate", "gen/program.ron", "--out", "agg.csv"],
        d,
    ));
    let built_in = csv_rows(&std::fs::read_to_string(d.join("agg.csv")).unwrap());
    // The command prints the same query the module writes.
    let printed = ok(&cli(&["aggregate", "gen/program.ron", "--sql"], d));
    let sql = aggregation_sql(&SqlSource {
        table: "patients",
        file,
        mapping,
        missing_values: &program.data.missing_values,
        decimal_comma: false,
    });
    assert_eq!(printed, sql);

    let df = run_sql(&sql, "patients", &d.join("gen/patients.csv"), b',');
    assert!(refused(&df).iter().all(|r| *r == 0), "{df}");
    let from_sql = sql_rows(&df);
    assert!(from_sql.len() > 150, "{} rows", from_sql.len());
    assert_eq!(from_sql, built_in);

    // And both give back the counts the patient rows were made from.
    let source = p4p_designer::synth::generate(&SynthSpec::new(30, 3, 7));
    let mut compared = 0;
    for row in &from_sql {
        let s = &source.series[&(row[1].clone(), row[2].clone())];
        let p = source.find_provider(&row[0]).unwrap();
        let num: f64 = row[3].parse().unwrap();
        let den: f64 = row[4].parse().unwrap();
        let excl: f64 = row[6].parse().unwrap();
        let exp: f64 = row[7].parse().unwrap();
        assert_eq!(
            (num, den, excl),
            (s.numerator[p], s.denominator[p], s.exclusions[p])
        );
        assert_eq!(exp, expected_sum((den - excl) as usize));
        assert_eq!(row[5], "");
        compared += 1;
    }
    assert_eq!(compared, built_in.len());
}

fn patient_program(mapping: PatientMapping, missing: &[&str]) -> Program {
    let mut p = Program::default();
    p.data.files = vec![DataFile {
        path: "pat.csv".into(),
        layout: Layout::PatientLevel(mapping),
    }];
    p.data.missing_values = missing.iter().map(|m| m.to_string()).collect();
    p
}

#[test]
fn codes_exclusions_and_refused_rows_follow_the_loader() {
    let dir = tempfile::tempdir().unwrap();
    let mapping = PatientMapping {
        excluded: Some("excl".into()),
        expected: Some("exp".into()),
        ..PatientMapping::default()
    };
    let program = patient_program(mapping.clone(), &["Unknown", "NR"]);
    let sql = |decimal_comma| {
        aggregation_sql(&SqlSource {
            table: "pat",
            file: "pat.csv",
            mapping: &mapping,
            missing_values: &program.data.missing_values,
            decimal_comma,
        })
    };
    let header = "patient_id,provider_id,measure_id,period,denominator,numerator,excl,exp\n";
    // A: p1 counts; p2 is excluded (its numerator and expected do not count); p3 is outside
    // the denominator; p4's flags are codes ("no"); p5's blank numerator is "no".
    let good = "p1, A ,M,2025,yes,1,0,0.5\n\
                p2,A,M,2025,1,1,Y,NR\n\
                p3,A,M,2025,0,1,0,NR\n\
                p4,A,M,2025,unknown,nr,0,\n\
                p5,A,M,2025,TRUE,,false,0.25\n\
                p1,B,M,2025,1,0,0,0.125\n";
    let path = dir.path().join("pat.csv");
    std::fs::write(&path, format!("{header}{good}")).unwrap();
    let obs = load_data(&program, &dir.path().join("program.ron"), None).unwrap();
    let df = run_sql(&sql(false), "pat", &path, b',');
    let rows = sql_rows(&df);
    assert_eq!(
        rows,
        [
            ["A", "M", "2025", "1", "3", "", "1", "0.75"],
            ["B", "M", "2025", "0", "1", "", "0", "0.125"],
        ]
    );
    assert_eq!(refused(&df), [0, 0]);
    let s = &obs.series[&("M".to_owned(), "2025".to_owned())];
    let a = obs.find_provider("A").unwrap();
    assert_eq!(
        (
            s.numerator[a],
            s.denominator[a],
            s.exclusions[a],
            s.expected[a]
        ),
        (1.0, 3.0, 1.0, 0.75)
    );

    // Each row the loader refuses is counted in its group, and the loader refuses the file.
    for (bad, why) in [
        ("p9,A,M,2025,maybe,1,0,0.5\n", "is not a yes/no flag"),
        ("p1,A,M,2025,1,0,0,0.5\n", "duplicate patient p1"),
        ("p9,A,M,2025,1,0,0,NR\n", "expected value"),
        ("p9,A,M,2025,1,0,0,-0.5\n", "cannot be negative"),
    ] {
        std::fs::write(&path, format!("{header}{good}{bad}")).unwrap();
        let e = load_data(&program, &dir.path().join("program.ron"), None).unwrap_err();
        assert!(e.to_string().contains(why), "{e}");
        let df = run_sql(&sql(false), "pat", &path, b',');
        let by_provider: Vec<(String, i64)> = sql_rows(&df)
            .iter()
            .map(|r| r[0].clone())
            .zip(refused(&df))
            .collect();
        assert_eq!(
            by_provider,
            [("A".to_owned(), 1), ("B".to_owned(), 0)],
            "{bad}"
        );
    }

    // A `;` file with decimal commas.
    let semi = format!(
        "{}p1;A;M;2025;1;1;0;0,5\np2;A;M;2025;1;0;0;0,25\n",
        header.replace(',', ";")
    );
    std::fs::write(&path, semi).unwrap();
    let obs = load_data(&program, &dir.path().join("program.ron"), None).unwrap();
    let s = &obs.series[&("M".to_owned(), "2025".to_owned())];
    let df = run_sql(&sql(true), "pat", &path, b';');
    assert_eq!(
        sql_rows(&df),
        [["A", "M", "2025", "1", "2", "", "0", "0.75"]]
    );
    assert_eq!(s.expected[0], 0.75);
}

#[test]
fn aggregate_needs_one_patient_level_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(&cli(&["generate", "--out", "long", "--providers", "5"], d));
    let o = cli(&["aggregate", "long/program.ron", "--sql"], d);
    assert!(!o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("no patient-level data file"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let mut p = patient_program(PatientMapping::default(), &[]);
    p.data.files.push(DataFile {
        path: "pat2.csv".into(),
        layout: Layout::PatientLevel(PatientMapping::default()),
    });
    std::fs::write(d.join("two.ron"), p.to_ron()).unwrap();
    let o = cli(&["aggregate", "two.ron", "--sql"], d);
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("choose one with --file"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let sql = ok(&cli(
        &["aggregate", "two.ron", "--sql", "--file", "pat2.csv"],
        d,
    ));
    assert!(sql.contains("FROM pat2\n"), "{sql}");
    let sql = ok(&cli(
        &[
            "aggregate",
            "two.ron",
            "--sql",
            "--file",
            "pat2.csv",
            "--table",
            "warehouse.pat",
        ],
        d,
    ));
    assert!(sql.contains("FROM warehouse.pat\n"), "{sql}");
    // The output never replaces an input.
    let o = cli(
        &[
            "aggregate",
            "two.ron",
            "--sql",
            "--file",
            "pat2.csv",
            "--out",
            "two.ron",
        ],
        d,
    );
    assert!(!o.status.success());
}
