//! The HAC Reduction Program FY2024 from CMS's published hospital file: winsorised z-scores of
//! the raw PSI 90 composite value and the five HAI SIRs, the mean of the available scores as
//! the total, and a 1% cut for the worst quartile, all computed from the data.
//!
//! What reproduces and what cannot, from this file alone:
//! - Given CMS's published z-scores, the total rule (mean of the available scores) gives every
//!   one of the 2,972 published Total HAC Scores to within 1e-4 (the z-scores are published
//!   rounded to four decimals, and CMS averaged the unrounded ones).
//! - From the raw values, the winsorising bounds match CMS's (e.g. PSI 90 at 0.8074 and 1.2663),
//!   but the mean and standard deviation do not quite: CMS standardises over its national
//!   population, and the file leaves out hospitals' values that CMS used (e.g. PSI 90's
//!   published z-scores imply mean 0.99471 and sd 0.11776, the file's values give 0.99480 and
//!   0.11793, population or sample sd alike). 17–66 hospitals per HAI measure have a published
//!   z-score (the worst, for not submitting data) but no SIR. So z-scores from the raw values
//!   agree with CMS's to within 0.018, not to four decimals, and the worst-quartile cut, which
//!   CMS also takes over its own population, flags about 96% of hospitals alike. These bounds are
//!   asserted below so that any change in the rules shows.

use p4p_designer::data::{load_data, read_program};
use p4p_designer::engine::{self, Inputs, Results};
use p4p_designer::program::{Layout, Program, WideColumn, WideField};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::OnceLock;

const PROGRAM: &str = "sample_programs/hacrp_fy2024.ron";
const FILE: &str = "sample_programs/data/hacrp_fy2024/FY_2024_HAC_Reduction_Program_Hospital.csv";
/// Measure id → CMS's published z-score column.
const Z: [(&str, &str); 6] = [
    ("PSI-90", "PSI 90 W Z Score"),
    ("CLABSI", "CLABSI W Z Score"),
    ("CAUTI", "CAUTI W Z Score"),
    ("SSI", "SSI W Z Score"),
    ("CDI", "CDI W Z Score"),
    ("MRSA", "MRSA W Z Score"),
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The published file as facility id → column → cell text.
fn published() -> &'static HashMap<String, HashMap<String, String>> {
    static P: OnceLock<HashMap<String, HashMap<String, String>>> = OnceLock::new();
    P.get_or_init(|| {
        let mut rdr = csv::Reader::from_path(root().join(FILE)).unwrap();
        let headers: Vec<String> = rdr
            .headers()
            .unwrap()
            .iter()
            .map(|h| h.trim_start_matches('\u{feff}').to_owned())
            .collect();
        rdr.records()
            .map(|r| {
                let row: HashMap<String, String> = headers
                    .iter()
                    .cloned()
                    .zip(r.unwrap().iter().map(str::to_owned))
                    .collect();
                (row["Facility ID"].clone(), row)
            })
            .collect()
    })
}

fn number(id: &str, column: &str) -> Option<f64> {
    published()[id][column].parse().ok()
}

fn program() -> Program {
    read_program(&root().join(PROGRAM)).unwrap_or_else(|e| panic!("{}", e.0))
}

fn evaluate(program: &Program) -> (Inputs, Results) {
    let obs = load_data(program, &root().join(PROGRAM), None).unwrap_or_else(|e| panic!("{}", e.0));
    engine::run(program, &obs)
}

fn from_raw() -> &'static (Inputs, Results) {
    static S: OnceLock<(Inputs, Results)> = OnceLock::new();
    S.get_or_init(|| evaluate(&program()))
}

#[test]
fn given_cms_z_scores_every_total_hac_score_matches() {
    // The same program with CMS's z-scores supplied as the measure scores.
    let mut p = program();
    for m in &mut p.measures {
        m.supplied_score = true;
    }
    let Layout::Wide(w) = &mut p.data.files[0].layout else {
        panic!("a wide file")
    };
    w.columns = Z
        .iter()
        .map(|(m, c)| WideColumn {
            column: (*c).to_owned(),
            measure_id: (*m).to_owned(),
            field: WideField::SuppliedScore,
        })
        .collect();
    let (inputs, results) = evaluate(&p);
    let mut matched = 0;
    for (i, id) in inputs.provider_ids.iter().enumerate() {
        let ours = results.total[i];
        match number(id, "Total HAC Score") {
            Some(t) => {
                // Both the z-scores and the total are published to four decimals, and CMS
                // averages unrounded z-scores: up to half a unit from each rounding.
                assert!(
                    (ours - t).abs() <= 1e-4 + 1e-12,
                    "{id}: ours {ours}, CMS {t}"
                );
                matched += 1;
            }
            None => assert!(ours.is_nan(), "{id}: ours {ours}, CMS none"),
        }
    }
    assert_eq!(matched, 2972);
}

#[test]
fn z_scores_from_raw_values_are_cms_within_the_population_gap() {
    let (inputs, results) = from_raw();
    assert_eq!(inputs.provider_count(), 3129);
    for (m, column) in Z {
        let r = results.measure(m).unwrap();
        let mut worst = 0.0f64;
        let mut compared = 0;
        for (i, id) in inputs.provider_ids.iter().enumerate() {
            let ours = r.score[i];
            match number(id, column) {
                // Ours are oriented higher-is-better: CMS's are the negatives.
                Some(z) if !ours.is_nan() => {
                    worst = worst.max((-ours - z).abs());
                    compared += 1;
                }
                Some(_) => {}
                None => assert!(ours.is_nan(), "{m} {id}: a score without CMS's"),
            }
        }
        assert!(compared > 1700, "{m}: {compared}");
        assert!(worst < 0.018, "{m}: differs from CMS by up to {worst}");
        assert!(
            worst > 1e-3,
            "{m}: now matches CMS to {worst}: tighten this test"
        );
    }
}

#[test]
fn totals_and_the_worst_quartile_from_raw_values() {
    let (inputs, results) = from_raw();
    let p = &results.payment;
    let (mut close, mut agree, mut flagged_cms, mut compared) = (0, 0, 0, 0);
    for (i, id) in inputs.provider_ids.iter().enumerate() {
        let Some(t) = number(id, "Total HAC Score") else {
            continue;
        };
        if !results.total[i].is_nan() && (-results.total[i] - t).abs() < 0.007 {
            close += 1;
        }
        let flag = &published()[id]["Payment Reduction"];
        if flag == "Yes" || flag == "No" {
            compared += 1;
            flagged_cms += usize::from(flag == "Yes");
            let ours = p.multiplier[i] < 1.0;
            agree += usize::from(ours == (flag == "Yes"));
            // A flagged hospital loses exactly 1% of its base payments.
            if ours {
                assert_eq!(p.multiplier[i], 0.99);
                assert_eq!(p.net[i], -1_000_000);
            }
        }
    }
    assert_eq!(flagged_cms, 728);
    assert!(close >= 2890, "{close} totals within 0.007 of CMS's");
    assert!(
        agree * 100 >= compared * 95,
        "{agree} of {compared} flags agree"
    );
    // The cut is the 25th percentile (higher is better) of the totals in the data: a quarter
    // of the hospitals with a total fall below it.
    let scored = results.total.iter().filter(|t| !t.is_nan()).count();
    let flagged = p.multiplier.iter().filter(|m| **m < 1.0).count();
    assert_eq!(scored, 2937);
    assert!(
        (flagged as f64 - scored as f64 / 4.0).abs() <= 1.0,
        "{flagged}"
    );
}
