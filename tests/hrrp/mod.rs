//! Reproduces the payment adjustment factors of CMS's mock HRRP hospital-specific reports,
//! FY2020–FY2025, from the reports' cohort results: each cohort's excess readmission ratio is
//! scored by how far it exceeds the peer group's median (cohorts with at least 25 discharges),
//! weighted by the hospital's own share of DRG payments for the cohort (measure weights read
//! from the data), summed, scaled by the year's neutrality modifier, rounded to four places and
//! capped at 3%: factor = 1 − reduction.
//!
//! FY2019's mock report is left out on purpose: its tables disagree with each other (its cohort
//! results give no reduction under the published rules, yet table 1 publishes 0.99132245).

use p4p_designer::data::{load_data, read_program};
use p4p_designer::engine::{self, Inputs, Results};
use p4p_designer::program::{Severity, validate};
use std::path::PathBuf;

const YEARS: [u32; 6] = [2020, 2021, 2022, 2023, 2024, 2025];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn program_path(year: u32) -> PathBuf {
    root().join(format!("sample_programs/hrrp_mock/fy{year}.ron"))
}

fn run(year: u32) -> (Inputs, Results) {
    let path = program_path(year);
    let program = read_program(&path).unwrap_or_else(|e| panic!("{}", e.0));
    let obs = load_data(&program, &path, None).unwrap_or_else(|e| panic!("{}", e.0));
    engine::run(&program, &obs)
}

/// A published table as header (whitespace collapsed) → cells, one map per data row; rows
/// after the first blank-headed note lines are skipped by the caller.
fn table(year: u32, which: &str) -> Vec<Vec<(String, String)>> {
    let path = root().join(format!(
        "sample_programs/data/hrrp_mock/published/FY{year}_mockHSR_{which}.csv"
    ));
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(&path)
        .unwrap();
    let headers: Vec<String> = rdr
        .headers()
        .unwrap()
        .iter()
        .map(|h| h.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    rdr.records()
        .map(|r| {
            let r = r.unwrap();
            headers
                .iter()
                .cloned()
                .zip(r.iter().map(str::to_owned))
                .collect()
        })
        .collect()
}

fn cell<'a>(row: &'a [(String, String)], needle: &str) -> &'a str {
    &row.iter()
        .find(|(h, _)| h.contains(needle))
        .unwrap_or_else(|| panic!("no column {needle}"))
        .1
}

fn published_factor(year: u32) -> f64 {
    let rows = table(year, "table1_payment_adjustment");
    cell(&rows[0], "Payment Adjustment Factor").parse().unwrap()
}

#[test]
fn every_published_payment_adjustment_factor_fy2020_to_fy2025() {
    let mut factors = Vec::new();
    for year in YEARS {
        let (inputs, results) = run(year);
        assert_eq!(inputs.provider_ids, [format!("MOCK-FY{year}")]);
        let ours = results.payment.multiplier[0];
        let published = published_factor(year);
        assert!(
            (ours - published).abs() < 1e-9,
            "FY{year}: ours {ours}, published {published}"
        );
        // The reduction is in whole cents of the $1,000,000 default base payments.
        let reduction = ((1.0 - published) * 100_000_000.0).round() as i64;
        assert_eq!(results.payment.net[0], -reduction, "FY{year}");
        factors.push(ours);
    }
    // Not all alike: the years reduce by different amounts, one not at all.
    assert_eq!(factors, [0.984, 0.9998, 1.0, 0.9956, 0.9998, 0.9993]);
}

#[test]
fn penalty_indicators_match_the_cohorts_that_count() {
    for year in YEARS {
        let (inputs, results) = run(year);
        let cohorts = table(year, "table2_cohort_results");
        let names = [
            ("AMI", "READM-30-AMI"),
            ("COPD", "READM-30-COPD"),
            ("HF", "READM-30-HF"),
            ("Pneumonia", "READM-30-PN"),
            ("CABG", "READM-30-CABG"),
            ("THA/TKA", "READM-30-HIP-KNEE"),
        ];
        for (name, id) in names {
            let row = cohorts
                .iter()
                .find(|r| cell(r, "Measure").starts_with(name))
                .unwrap_or_else(|| panic!("FY{year}: no cohort {name}"));
            let flagged = matches!(cell(row, "Penalty Indicator"), "Yes" | "Y");
            let m = results.measure(id).unwrap();
            let ours = m.score[0] > 0.0;
            assert_eq!(ours, flagged, "FY{year} {name}: score {}", m.score[0]);
            // The DRG payment share is this hospital's own weight for the cohort.
            let mi = inputs.measures.iter().find(|m| m.id == id).unwrap();
            match cell(row, "Ratio of DRG").parse::<f64>() {
                Ok(w) => assert_eq!(mi.provider_weight[0], w),
                Err(_) => assert_eq!(mi.provider_weight[0], 1.0, "NQ: the measure's own weight"),
            }
        }
    }
}

#[test]
fn the_reduction_is_the_neutrality_modifier_times_the_weighted_excess() {
    // FY2020: only THA/TKA counts, 0.95760770567596 × 0.24143303700485 × (1.05330810120047 −
    // 0.98405927145014) = 0.01601…, rounded to 0.0160.
    let (_, results) = run(2020);
    // As published, parsed as the loader parses them.
    let (share, err, median): (f64, f64, f64) = (
        "0.24143303700485".parse().unwrap(),
        "1.0533081012004699".parse().unwrap(),
        "0.98405927145014005".parse().unwrap(),
    );
    let weighted = share * (err - median);
    assert!((results.total[0] - weighted).abs() < 1e-12);
    assert_eq!(results.payment.multiplier[0], 1.0 - 0.016);
    // FY2022: no cohort reaches 25 discharges: no total, and no reduction.
    let (_, results) = run(2022);
    assert!(results.total[0].is_nan());
    assert_eq!(results.payment.multiplier[0], 1.0);
    assert_eq!(results.payment.net[0], 0);
}

#[test]
fn the_programs_validate_and_score_from_the_command_line() {
    for year in YEARS {
        let program = read_program(&program_path(year)).unwrap_or_else(|e| panic!("{}", e.0));
        let errors: Vec<String> = validate(&program)
            .iter()
            .filter(|p| p.severity == Severity::Error)
            .map(|p| p.to_string())
            .collect();
        assert!(errors.is_empty(), "FY{year}: {errors:?}");
    }
    let out = tempfile::tempdir().unwrap();
    let csv_path = out.path().join("scores.csv");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_p4p-designer"))
        .args(["score", "sample_programs/hrrp_mock/fy2023.ron", "--out"])
        .arg(&csv_path)
        .current_dir(root())
        .status()
        .unwrap();
    assert!(status.success());
    let text = std::fs::read_to_string(&csv_path).unwrap();
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let headers = rdr.headers().unwrap().clone();
    let m = headers
        .iter()
        .position(|h| h == "payment_multiplier")
        .unwrap();
    let row = rdr.records().next().unwrap().unwrap();
    assert_eq!(&row[0], "MOCK-FY2023");
    assert_eq!(row[m].parse::<f64>().unwrap(), published_factor(2023));
}
