//! Loading at scale: numbers read by polars batch by batch (and cell by cell where a batch
//! needs it), Parquet datasets of part files and hive partitions, and generated patient rows.

use std::fs;
use std::path::Path;

use p4p_designer::cli::data_bench::{patient_mapping, write_patients_csv};
use p4p_designer::data::{DataError, load_program_data, write_observations_long_dataset};
use p4p_designer::engine::Observations;
use p4p_designer::program::{
    DataFile, Layout, LongMapping, PatientMapping, Program, ProviderMapping, WideColumn, WideField,
    WideMapping,
};
use polars::prelude::*;

fn program(codes: &[&str], files: Vec<(&str, Layout)>) -> Program {
    let mut p = Program::default();
    p.data.missing_values = codes.iter().map(|c| (*c).to_owned()).collect();
    p.data.files = files
        .into_iter()
        .map(|(path, layout)| DataFile {
            path: path.into(),
            layout,
        })
        .collect();
    p
}

fn load(dir: &Path, codes: &[&str], files: Vec<(&str, Layout)>) -> Result<Observations, DataError> {
    load_program_data(&program(codes, files), dir)
}

fn codes(obs: &Observations) -> Vec<(String, u64)> {
    let mut c: Vec<(String, u64)> = obs
        .load_report
        .codes
        .iter()
        .map(|c| (c.code.clone(), c.cells))
        .collect();
    c.sort();
    c
}

/// 250,000 rows come in three batches; only the last has a cell polars leaves to the rules
/// ("1,000"), so it is read cell by cell while the first two are not. Every value and every
/// code count is as the file says either way.
#[test]
fn long_batches_read_by_polars_and_cell_by_cell_agree() {
    let dir = tempfile::tempdir().unwrap();
    let n = 250_000;
    let mut text = String::from("provider_id,measure_id,period,numerator,denominator\n");
    for i in 0..n {
        let (num, den) = match i % 5 {
            0 => ("NR".to_owned(), "40".to_owned()),
            1 => (String::new(), "<11".to_owned()),
            _ => ((i % 30).to_string(), "30".to_owned()),
        };
        let den = if i == n - 1 {
            "\"1,000\"".to_owned()
        } else {
            den
        };
        text.push_str(&format!("{i:07},M,2025,{num},{den}\n"));
    }
    fs::write(dir.path().join("long.csv"), text).unwrap();
    let obs = load(
        dir.path(),
        &["NR", "<11"],
        vec![("long.csv", Layout::Long(LongMapping::default()))],
    )
    .unwrap();
    let s = obs.series("M", "2025").unwrap();
    assert_eq!(obs.providers.ids.len(), n);
    assert_eq!(obs.providers.ids[7], "0000007");
    assert_eq!((s.numerator[7], s.denominator[7]), (7.0, 30.0));
    assert!(s.numerator[5].is_nan());
    assert_eq!(s.denominator[5], 40.0);
    assert!(s.denominator[6].is_nan());
    assert_eq!(s.denominator[n - 1], 1000.0);
    assert_eq!(s.numerator[n - 1], ((n - 1) % 30) as f64);
    // Every fifth row's numerator is NR, the next row's numerator is empty and its
    // denominator <11.
    assert_eq!(
        codes(&obs),
        [
            (String::new(), (n / 5) as u64),
            ("<11".to_owned(), (n / 5) as u64),
            ("NR".to_owned(), (n / 5) as u64),
        ]
    );
}

/// A fast batch still names the row of a numerator above its denominator, and a negative
/// count found by polars is named by the cell-by-cell reading.
#[test]
fn errors_in_batches_polars_read_name_the_row() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("provider_id,measure_id,period,numerator,denominator\n");
    for i in 0..120_000 {
        let num = if i == 110_000 { 31 } else { 3 };
        text.push_str(&format!("P{i},M,2025,{num},30\n"));
    }
    fs::write(dir.path().join("long.csv"), &text).unwrap();
    let layout = || vec![("long.csv", Layout::Long(LongMapping::default()))];
    let e = load(dir.path(), &[], layout()).unwrap_err();
    assert!(
        matches!(e, DataError::NumeratorExceedsDenominator { .. }),
        "{e}"
    );
    assert_eq!(e.row(), Some(110_001));
    assert_eq!(e.column(), Some("numerator"));

    let text = text.replace("P5,M,2025,3,30", "P5,M,2025,-3,30");
    fs::write(dir.path().join("long.csv"), &text).unwrap();
    let e = load(dir.path(), &[], layout()).unwrap_err();
    assert!(matches!(e, DataError::Negative { .. }), "{e}");
    assert_eq!(e.row(), Some(6));
}

fn write_parquet(path: &Path, mut df: DataFrame) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    let file = fs::File::create(path).unwrap();
    ParquetWriter::new(file).finish(&mut df).unwrap();
}

/// A folder of part files in hive partitions (`year=…/state=…/`), as Spark or dbt write it,
/// with Spark's `_SUCCESS` marker: read as one table, the partition columns mapped as the
/// period and as a stratifier.
#[test]
fn hive_partitioned_parquet_dataset_is_one_table() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("perf");
    let part = |provider: &[&str], num: &[f64], den: &[f64]| {
        df!(
            "provider_id" => provider,
            "measure_id" => vec!["M"; provider.len()],
            "numerator" => num,
            "denominator" => den,
        )
        .unwrap()
    };
    write_parquet(
        &data.join("year=2024/state=OR/part-0.parquet"),
        part(&["010001", "010002"], &[5.0, 6.0], &[10.0, 12.0]),
    );
    write_parquet(
        &data.join("year=2025/state=OR/part-0.parquet"),
        part(&["010001"], &[7.0], &[10.0]),
    );
    write_parquet(
        &data.join("year=2025/state=WA/part-00001.parquet"),
        part(&["010002"], &[9.0], &[12.0]),
    );
    fs::write(data.join("_SUCCESS"), "").unwrap();

    let long = Layout::Long(LongMapping {
        period: "year".into(),
        rate: None,
        ..LongMapping::default()
    });
    let providers = Layout::Providers(ProviderMapping {
        provider_id: "provider_id".into(),
        name: None,
        stratifiers: vec!["state".into()],
        ..ProviderMapping::default()
    });
    let obs = load(dir.path(), &[], vec![("perf", long.clone())]).unwrap();
    assert_eq!(obs.providers.ids, ["010001", "010002"]);
    let y24 = obs.series("M", "2024").unwrap();
    let y25 = obs.series("M", "2025").unwrap();
    assert_eq!(y24.numerator, [5.0, 6.0]);
    assert_eq!(y25.numerator, [7.0, 9.0]);
    assert_eq!(y25.denominator, [10.0, 12.0]);

    // The 2025 partition alone, as a provider file: state is a stratifier.
    let obs = load(dir.path(), &[], vec![("perf/year=2025", providers)]).unwrap();
    let state = &obs.providers.stratifiers[0];
    assert_eq!(state.name, "state");
    assert_eq!(
        format!("{:?}", state.values),
        format!(
            "{:?}",
            p4p_designer::engine::AttributeValues::Text(vec!["OR".into(), "WA".into()])
        )
    );

    // A folder with no Parquet file in it is refused in words.
    fs::create_dir_all(dir.path().join("empty")).unwrap();
    let e = load(dir.path(), &[], vec![("empty", long)]).unwrap_err();
    assert!(e.to_string().contains("no Parquet files"), "{e}");
}

/// What `write_observations_long_dataset` writes (a folder per period) reads back as the
/// observations it came from.
#[test]
fn long_dataset_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let obs = p4p_designer::synth::generate(&p4p_designer::synth::SynthSpec::new(50, 3, 7));
    write_observations_long_dataset(&obs, &dir.path().join("ds")).unwrap();
    assert!(
        dir.path()
            .join("ds/period=baseline/part-0.parquet")
            .is_file()
    );
    let back = load(
        dir.path(),
        &[],
        vec![("ds", Layout::Long(LongMapping::default()))],
    )
    .unwrap();
    for ((m, p), v) in &obs.series {
        let b = back.series(m, p).unwrap();
        for (i, id) in obs.providers.ids.iter().enumerate() {
            let j = back.providers.ids.iter().position(|x| x == id);
            let Some(j) = j else {
                assert!(v.denominator[i].is_nan() && v.rate[i].is_nan());
                continue;
            };
            assert_eq!(
                format!("{:?}", v.numerator[i]),
                format!("{:?}", b.numerator[j])
            );
            assert_eq!(
                format!("{:?}", v.denominator[i]),
                format!("{:?}", b.denominator[j])
            );
        }
    }
}

/// `generate --patients`: rows written as drawn load to sums that match the file.
#[test]
fn generated_patient_rows_load_to_their_sums() {
    let dir = tempfile::tempdir().unwrap();
    let obs = p4p_designer::synth::generate(&p4p_designer::synth::SynthSpec::new(20, 2, 3));
    let path = dir.path().join("patients.csv");
    let rows = write_patients_csv(&obs, 5_000, 9, &path).unwrap_or_else(|e| panic!("{}", e.0));
    assert_eq!(rows, 5_000);
    let text = fs::read_to_string(&path).unwrap();
    assert_eq!(text.lines().count(), 5_001);
    let mut den = 0.0;
    let mut num = 0.0;
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        if f[4] == "1" {
            den += 1.0;
            if f[6] == "0" && f[5] == "1" {
                num += 1.0;
            }
        }
    }
    let loaded = load(
        dir.path(),
        &[],
        vec![("patients.csv", Layout::PatientLevel(patient_mapping()))],
    )
    .unwrap();
    let sum = |f: fn(&p4p_designer::engine::PeriodValues) -> &p4p_designer::engine::Column| -> f64 {
        loaded
            .series
            .values()
            .flat_map(|v| f(v).iter().filter(|x| !x.is_nan()).copied())
            .sum()
    };
    assert_eq!(sum(|v| &v.denominator), den);
    assert_eq!(sum(|v| &v.numerator), num);
    // Same seed, same file.
    let again = dir.path().join("again.csv");
    write_patients_csv(&obs, 5_000, 9, &again).unwrap_or_else(|e| panic!("{}", e.0));
    assert_eq!(fs::read(&again).unwrap(), text.as_bytes());
}

/// Codes in the expected column of a patient file read by polars are counted as before.
#[test]
fn patient_codes_counted_when_polars_reads_them() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("p.csv"),
        "patient_id,provider_id,measure_id,period,denominator,numerator,risk\n\
         a,X,M,2025,1,1,0.5\n\
         b,X,M,2025,0,0,NA\n\
         c,X,M,2025,0,0,\n\
         d,Y,M,2025,1,0,0.25\n",
    )
    .unwrap();
    let mapping = PatientMapping {
        expected: Some("risk".into()),
        ..PatientMapping::default()
    };
    let obs = load(
        dir.path(),
        &["NA"],
        vec![("p.csv", Layout::PatientLevel(mapping))],
    )
    .unwrap();
    let s = obs.series("M", "2025").unwrap();
    assert_eq!(s.denominator, [1.0, 1.0]);
    assert_eq!(s.expected, [0.5, 0.25]);
    assert_eq!(codes(&obs), [(String::new(), 1), ("NA".to_owned(), 1)]);
}

/// A wide file with percentages, "x out of y" and a code, all read by polars.
#[test]
fn wide_published_forms_read_by_polars() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("w.csv"),
        "Facility ID,Rate,Score\n010001,53.50%,6 out of 10\n010002,Not Available,0 out of 10\n",
    )
    .unwrap();
    let layout = Layout::Wide(WideMapping {
        provider_id: "Facility ID".into(),
        provider_name: None,
        columns: vec![
            WideColumn {
                column: "Rate".into(),
                measure_id: "M".into(),
                field: WideField::Rate("performance".into()),
            },
            WideColumn {
                column: "Score".into(),
                measure_id: "M".into(),
                field: WideField::SuppliedScore,
            },
        ],
    });
    let obs = load(dir.path(), &["Not Available"], vec![("w.csv", layout)]).unwrap();
    assert_eq!(obs.providers.ids, ["010001", "010002"]);
    let s = obs.series("M", "performance").unwrap();
    assert_eq!(s.rate[0], 53.5);
    assert!(s.rate[1].is_nan());
    assert_eq!(obs.supplied["M"].score, [6.0, 0.0]);
    assert_eq!(codes(&obs), [("Not Available".to_owned(), 1)]);
}
