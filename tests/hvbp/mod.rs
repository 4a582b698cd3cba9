//! Reproduces CMS's published Hospital VBP FY2024 results from the published input columns,
//! read through the sample program's column mapping.

use p4p_designer::data::{load_data, read_program};
use p4p_designer::engine::{self, Inputs, Results};
use p4p_designer::program::Program;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

const DIR: &str = "sample_programs/data/hvbp_fy2024";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A published file as provider id → column → cell text.
struct Published {
    rows: HashMap<String, HashMap<String, String>>,
}

impl Published {
    fn read(name: &str) -> Published {
        let path = root().join(DIR).join(name);
        let mut rdr = csv::Reader::from_path(&path).expect("published file is readable");
        let headers: Vec<String> = rdr
            .headers()
            .unwrap()
            .iter()
            .map(|h| h.trim_start_matches('\u{feff}').to_owned())
            .collect();
        let mut rows = HashMap::new();
        for rec in rdr.records() {
            let rec = rec.unwrap();
            let row: HashMap<String, String> = headers
                .iter()
                .cloned()
                .zip(rec.iter().map(str::to_owned))
                .collect();
            rows.insert(row["Facility ID"].clone(), row);
        }
        Published { rows }
    }

    /// The published number: "6 out of 10" → 6, "Not Available" → None.
    fn value(&self, id: &str, column: &str) -> Option<f64> {
        let cell = self.rows[id]
            .get(column)
            .unwrap_or_else(|| panic!("no published column {column}"));
        if cell == "Not Available" || cell.is_empty() {
            return None;
        }
        let head = cell.split(" out of ").next().unwrap().trim_end_matches('%');
        Some(head.parse().unwrap_or_else(|_| panic!("{column}: {cell}")))
    }
}

struct Scored {
    program: Program,
    inputs: Inputs,
    results: Results,
}

fn scored() -> &'static Scored {
    static S: OnceLock<Scored> = OnceLock::new();
    S.get_or_init(|| {
        let path = root().join("sample_programs/hvbp_fy2024.ron");
        let program = read_program(&path).unwrap_or_else(|e| panic!("{}", e.0));
        let obs = load_data(&program, &path, None).unwrap_or_else(|e| panic!("{}", e.0));
        let (inputs, results) = engine::run(&program, &obs);
        Scored {
            program,
            inputs,
            results,
        }
    })
}

fn same(ours: f64, published: Option<f64>, tol: f64) -> bool {
    match published {
        None => ours.is_nan(),
        Some(p) => (ours - p).abs() <= tol,
    }
}

/// Compares one of our per-provider columns with a published column; returns how many matched.
fn check_column(pubd: &Published, ours: &[f64], column: &str, tol: f64) -> usize {
    let s = scored();
    let mut bad = Vec::new();
    for (i, id) in s.inputs.provider_ids.iter().enumerate() {
        let p = pubd.value(id, column);
        if !same(ours[i], p, tol) {
            bad.push(format!("{id}: ours {} published {:?}", ours[i], p));
        }
    }
    assert!(
        bad.is_empty(),
        "{column}: {} of {} differ, e.g. {:?}",
        bad.len(),
        ours.len(),
        &bad[..bad.len().min(5)]
    );
    ours.len()
}

fn measure_points(file: &str, prefix: &str, id: &str, score_name: &str) {
    let pubd = Published::read(file);
    let m = scored().results.measure(id).expect("measure scored");
    assert_eq!(
        check_column(
            &pubd,
            &m.achievement,
            &format!("{prefix} Achievement Points"),
            0.0
        ),
        2474
    );
    check_column(
        &pubd,
        &m.improvement,
        &format!("{prefix} Improvement Points"),
        0.0,
    );
    check_column(&pubd, &m.score, &format!("{prefix} {score_name}"), 0.0);
}

#[test]
fn every_hospital_is_read() {
    let s = scored();
    assert_eq!(s.inputs.provider_count(), 2474);
    assert_eq!(s.inputs.provider_ids[0], "010001", "leading zeros kept");
    assert_eq!(s.results.measures.len(), 20);
}

#[test]
fn clinical_outcome_points_match_cms() {
    for id in [
        "MORT-30-AMI",
        "MORT-30-HF",
        "MORT-30-PN",
        "MORT-30-COPD",
        "MORT-30-CABG",
        "COMP-HIP-KNEE",
    ] {
        measure_points("hvbp_clinical_outcomes.csv", id, id, "Measure Score");
    }
}

#[test]
fn safety_points_match_cms() {
    for id in ["HAI-1", "HAI-2", "HAI-5", "HAI-6"] {
        measure_points("hvbp_safety.csv", id, id, "Measure Score");
    }
    let pubd = Published::read("hvbp_safety.csv");
    let ssi = scored().results.measure("SSI-COMBINED").unwrap();
    check_column(&pubd, &ssi.score, "Combined SSI Measure Score", 0.0);
}

#[test]
fn efficiency_points_match_cms() {
    measure_points(
        "hvbp_efficiency_and_cost_reduction.csv",
        "MSPB-1",
        "MSPB-1",
        "Measure Score",
    );
}

#[test]
fn hcahps_points_and_consistency_match_cms() {
    let dims = [
        ("Communication With Nurses", "HCAHPS-CWN"),
        ("Communication With Doctors", "HCAHPS-CWD"),
        ("Responsiveness Of Hospital Staff", "HCAHPS-ROHS"),
        ("Care Transition", "HCAHPS-CT"),
        ("Communication About Medicines", "HCAHPS-CAM"),
        (
            "Cleanliness And Quietness Of Hospital Environment",
            "HCAHPS-CAQOHE",
        ),
        ("Discharge Information", "HCAHPS-DI"),
        ("Overall Rating Of Hospital", "HCAHPS-OROH"),
    ];
    for (name, id) in dims {
        measure_points(
            "hvbp_person_and_community_engagement.csv",
            name,
            id,
            "Dimension Score",
        );
    }
    let pubd = Published::read("hvbp_person_and_community_engagement.csv");
    let d = scored()
        .results
        .domain("person_and_community_engagement")
        .unwrap();
    check_column(&pubd, &d.consistency, "Hcahps Consistency Score", 0.0);
    let base: Vec<f64> = d
        .score
        .iter()
        .zip(&d.consistency)
        .map(|(s, c)| s - c)
        .collect();
    check_column(&pubd, &base, "Hcahps Base Score", 1e-9);
}

#[test]
fn domain_scores_match_cms() {
    let pubd = Published::read("hvbp_tps.csv");
    let r = &scored().results;
    for (id, column) in [
        (
            "clinical_outcomes",
            "Unweighted Normalized Clinical Outcomes Domain Score",
        ),
        (
            "person_and_community_engagement",
            "Unweighted Person And Community Engagement Domain Score",
        ),
        ("safety", "Unweighted Normalized Safety Domain Score"),
        (
            "efficiency",
            "Unweighted Normalized Efficiency And Cost Reduction Domain Score",
        ),
    ] {
        check_column(&pubd, &r.domain(id).unwrap().score, column, 1e-9);
    }
}

#[test]
fn all_2474_total_performance_scores_match_cms() {
    let pubd = Published::read("hvbp_tps.csv");
    let n = check_column(
        &pubd,
        &scored().results.total,
        "Total Performance Score",
        1e-9,
    );
    assert_eq!(n, 2474);
    let with_tps = scored()
        .results
        .total
        .iter()
        .filter(|t| !t.is_nan())
        .count();
    let published = pubd
        .rows
        .keys()
        .filter(|id| pubd.value(id, "Total Performance Score").is_some())
        .count();
    assert_eq!(with_tps, published);
}

#[test]
fn withhold_is_paid_back_to_the_cent() {
    let s = scored();
    let p = &s.results.payment;
    let withheld: i64 = p.withheld.iter().sum();
    let earned: i64 = p.earned.iter().sum();
    assert_eq!(withheld, p.pool_cents);
    assert_eq!(earned, withheld, "budget neutral to the cent");
    assert_eq!(p.net.iter().sum::<i64>(), 0);
    // Equal base payments of $1,000,000 unless given: a 2% withhold is $20,000.
    let scoredn = s.results.total.iter().filter(|t| !t.is_nan()).count() as i64;
    assert_eq!(withheld, scoredn * 2_000_000);
    // The exchange function pays in proportion to the score: the best hospital gets the most.
    let best = (0..s.inputs.provider_count())
        .filter(|&i| !s.results.total[i].is_nan())
        .max_by(|&a, &b| s.results.total[a].total_cmp(&s.results.total[b]))
        .unwrap();
    assert_eq!(p.earned[best], *p.earned.iter().max().unwrap());
    // Incentive % = 2% × TPS/100 × s with s = ΣD / Σ(D·TPS/100), within a cent.
    let sum_tps: f64 = s.results.total.iter().filter(|t| !t.is_nan()).sum();
    let slope = scoredn as f64 / (sum_tps / 100.0);
    assert!((p.exchange_factor - slope).abs() < 1e-9);
    let i = best;
    let expected = 1_000_000.0 * 0.02 * s.results.total[i] / 100.0 * slope * 100.0;
    assert!((p.earned[i] as f64 - expected).abs() <= 1.0);
    let _ = &s.program;
}

#[test]
fn score_command_writes_every_hospital() {
    let out = tempfile::tempdir().unwrap();
    let csv_path = out.path().join("scores.csv");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_p4p-designer"))
        .args(["score", "sample_programs/hvbp_fy2024.ron", "--out"])
        .arg(&csv_path)
        .current_dir(root())
        .status()
        .unwrap();
    assert!(status.success());
    let mut rdr = csv::Reader::from_path(&csv_path).unwrap();
    let headers = rdr.headers().unwrap().clone();
    assert_eq!(&headers[0], "provider_id");
    assert!(headers.iter().any(|h| h == "total_score"));
    assert!(headers.iter().any(|h| h == "payment_cents"));
    let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2474);
    let tps = headers.iter().position(|h| h == "total_score").unwrap();
    let pubd = Published::read("hvbp_tps.csv");
    for r in &rows {
        let ours: f64 = r[tps].parse().unwrap_or(f64::NAN);
        assert!(
            same(ours, pubd.value(&r[0], "Total Performance Score"), 1e-9),
            "{}",
            &r[0]
        );
    }
}

#[test]
fn data_dir_reads_files_by_name_elsewhere() {
    let dir = tempfile::tempdir().unwrap();
    for f in std::fs::read_dir(root().join(DIR)).unwrap() {
        let f = f.unwrap();
        std::fs::copy(f.path(), dir.path().join(f.file_name())).unwrap();
    }
    let path = root().join("sample_programs/hvbp_fy2024.ron");
    let program = read_program(&path).unwrap_or_else(|e| panic!("{}", e.0));
    let obs = load_data(&program, &path, Some(dir.path())).unwrap_or_else(|e| panic!("{}", e.0));
    assert_eq!(obs.provider_count(), 2474);
    let missing = load_data(&program, &path, Some(Path::new("/nonexistent")));
    assert!(missing.is_err());
}
