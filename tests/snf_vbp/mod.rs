//! Reproduces CMS's published SNF VBP FY2025 results for all 10,533 nursing facilities from the
//! published baseline and performance readmission rates, read as published through the sample
//! program's column mapping: achievement, improvement and performance scores, and the incentive
//! payment multiplier from the logistic exchange function with CMS's stated k (0.038322115).
//! CMS solves k from every facility's Medicare payments, which the file does not carry; with k
//! stated, each multiplier depends only on the facility's own score.

use p4p_designer::data::{load_data, read_program};
use p4p_designer::engine::{self, Inputs, Results};
use p4p_designer::program::{Distribution, Program};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::OnceLock;

const FILE: &str = "sample_programs/data/snf_vbp_fy2025/FY_2025_SNF_VBP_Facility_Performance.csv";
const PROGRAM: &str = "sample_programs/snf_vbp_fy2025.ron";
const ID: &str = "CMS Certification Number (CCN)";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The published file as facility id → column → number.
fn published() -> &'static HashMap<String, HashMap<String, f64>> {
    static P: OnceLock<HashMap<String, HashMap<String, f64>>> = OnceLock::new();
    P.get_or_init(|| {
        let mut rdr = csv::Reader::from_path(root().join(FILE)).expect("published file");
        let headers: Vec<String> = rdr
            .headers()
            .unwrap()
            .iter()
            .map(|h| h.trim_start_matches('\u{feff}').to_owned())
            .collect();
        let mut rows = HashMap::new();
        for rec in rdr.records() {
            let rec = rec.unwrap();
            let id = rec[headers.iter().position(|h| h == ID).unwrap()].to_owned();
            let nums = headers
                .iter()
                .zip(rec.iter())
                .filter_map(|(h, v)| v.parse::<f64>().ok().map(|v| (h.clone(), v)))
                .collect();
            rows.insert(id, nums);
        }
        rows
    })
}

struct Scored {
    program: Program,
    inputs: Inputs,
    results: Results,
}

fn scored() -> &'static Scored {
    static S: OnceLock<Scored> = OnceLock::new();
    S.get_or_init(|| {
        let path = root().join(PROGRAM);
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

/// Half a unit in the fifth decimal, the published rounding (CMS rounds 43.703125 to 43.70312),
/// and a hair for binary fractions.
const FIVE_DECIMALS: f64 = 5e-6 + 1e-12;

/// Compares one of our per-facility columns with a published one, within `tol`. A value
/// published as "---" (no baseline: fewer than 25 eligible stays, no improvement score) must be
/// missing in ours too.
fn check(ours: &[f64], column: &str, tol: f64) {
    let s = scored();
    let pubd = published();
    let mut bad = Vec::new();
    for (i, id) in s.inputs.provider_ids.iter().enumerate() {
        let Some(&p) = pubd[id].get(column) else {
            if !ours[i].is_nan() {
                bad.push(format!("{id}: ours {} published ---", ours[i]));
            }
            continue;
        };
        if (ours[i] - p).abs().is_nan() || (ours[i] - p).abs() > tol {
            bad.push(format!("{id}: ours {} published {p}", ours[i]));
        }
    }
    assert!(
        bad.is_empty(),
        "{column}: {} of {} differ, e.g. {:?}",
        bad.len(),
        ours.len(),
        &bad[..bad.len().min(5)]
    );
}

#[test]
fn every_facility_is_read() {
    let s = scored();
    assert_eq!(s.inputs.provider_count(), 10_533);
    assert_eq!(published().len(), 10_533);
    assert!(
        s.inputs.provider_ids.iter().all(|id| id.len() == 6),
        "CCNs keep leading zeros"
    );
    assert!(s.inputs.provider_ids.iter().any(|id| id == "010007"));
}

#[test]
fn achievement_improvement_and_performance_scores_match_cms() {
    let m = scored().results.measure("SNFRM").expect("measure scored");
    // Published to five decimals.
    check(&m.achievement, "Achievement Score", FIVE_DECIMALS);
    check(&m.improvement, "Improvement Score", FIVE_DECIMALS);
    check(&m.score, "Performance Score", FIVE_DECIMALS);
    check(&scored().results.total, "Performance Score", FIVE_DECIMALS);
    let no_baseline = m.improvement.iter().filter(|v| v.is_nan()).count();
    assert_eq!(no_baseline, 510);
}

#[test]
fn all_10533_incentive_payment_multipliers_match_cms() {
    let s = scored();
    assert!(matches!(
        s.program.payment.distribution,
        Distribution::LogisticExchange {
            stated_k: Some(_),
            ..
        }
    ));
    assert_eq!(s.results.payment.exchange_factor, 0.038322115);
    check(
        &s.results.payment.multiplier,
        "Incentive Payment Multiplier",
        1e-6,
    );
}

#[test]
fn stated_k_pays_sixty_percent_of_the_withhold_or_so_and_never_more() {
    let p = &scored().results.payment;
    let withheld: i64 = p.withheld.iter().sum();
    assert_eq!(withheld, p.pool_cents);
    // Equal default bases of $1,000,000: 2% withheld from each facility.
    assert_eq!(withheld, 10_533 * 2_000_000);
    let paid: i64 = p.earned.iter().sum();
    assert_eq!(paid + p.unallocated_cents, p.pool_cents);
    // CMS's k was solved for 60% of the withhold on CMS's payments; on equal bases it pays
    // back a little less (the tool solves k = 0.0413 for 60% there).
    let share = paid as f64 / withheld as f64;
    assert!((0.5..0.6).contains(&share), "paid back {share}");
}

#[test]
fn solving_k_from_equal_bases_gives_a_different_k() {
    // Without the stated k the function is solved for 60% of the withhold on the default
    // equal bases: not CMS's k, because CMS's bases are the facilities' Medicare payments.
    let s = scored();
    let mut program = s.program.clone();
    if let Distribution::LogisticExchange { stated_k, .. } = &mut program.payment.distribution {
        *stated_k = None;
    }
    let results = engine::evaluate(&program, &s.inputs);
    let k = results.payment.exchange_factor;
    assert!((k - 0.0413).abs() < 5e-4, "solved k {k}");
    let paid: i64 = results.payment.earned.iter().sum();
    let target = (results.payment.pool_cents as f64 * 0.6).round() as i64;
    assert_eq!(paid, target);
}

#[test]
fn score_command_writes_every_facility() {
    let out = tempfile::tempdir().unwrap();
    let csv_path = out.path().join("scores.csv");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_p4p-designer"))
        .args(["score", PROGRAM, "--out"])
        .arg(&csv_path)
        .current_dir(root())
        .status()
        .unwrap();
    assert!(status.success());
    let mut rdr = csv::Reader::from_path(&csv_path).unwrap();
    let headers = rdr.headers().unwrap().clone();
    let total = headers.iter().position(|h| h == "total_score").unwrap();
    let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 10_533);
    for r in &rows {
        let ours: f64 = r[total].parse().unwrap();
        let p = published()[&r[0]]["Performance Score"];
        assert!(
            (ours - p).abs() <= FIVE_DECIMALS,
            "{}: {ours} vs {p}",
            &r[0]
        );
    }
}

#[test]
fn the_audit_names_the_stated_k() {
    let s = scored();
    let i = s
        .inputs
        .provider_ids
        .iter()
        .position(|id| id == "010044")
        .unwrap();
    let audit = p4p_designer::report::explain::explain(&s.program, &s.inputs, &s.results, i);
    let k = audit.find("", "exchange k").expect("exchange k row");
    assert_eq!(k.value.as_f64(), Some(0.038322115));
    assert!(k.rule.contains("stated as published"), "{}", k.rule);
    // A stated k pays k × base × logistic value, not a share of the pool.
    assert!(audit.find("", "share of pool").is_none());
}
