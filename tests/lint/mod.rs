//! `p4p-designer lint` on the bundled Medicaid sample: findings checked by hand against the data.

use std::process::Command;

fn lint_sample() -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_p4p-designer"))
        .args(["lint", "sample_programs/medicaid_primary_care.ron"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn lint_reports_the_samples_pitfalls_with_evidence_and_exits_0() {
    let (ok, text) = lint_sample();
    assert!(ok, "findings are advice: exit 0\n{text}");
    // CBP-AD: beta-binomial between-provider variance 0.01068 around a pooled rate of 0.5797
    // over 299 practices gives 0.568 at 30 patients; 0.7 needs 0.7/0.3 × p(1 − p)/σ² = 53.2.
    assert!(
        text.contains(
            "warning [Low reliability]: CBP-AD: reliability 0.57 at the minimum denominator of 30"
        ),
        "{text}"
    );
    assert!(text.contains("denominator needed for 0.7: 54"), "{text}");
    // Payout per life by dual_share quintile (the equity command): Q1 $6.80, Q5 $3.72.
    assert!(
        text.contains("the highest-risk fifth gets 0.55× what the lowest-risk fifth gets"),
        "{text}"
    );
    assert!(
        text.contains("lowest dual_share quintile $6.80, highest $3.72"),
        "{text}"
    );
    // 260 practices have a total score; their base payments sum to $239,277,394.
    assert!(
        text.contains("advice [Incentive too small]: the pool is 1.7%"),
        "{text}"
    );
    assert!(
        text.contains("pool $4,000,000 against base payments of $239,277,394 over 260 scored"),
        "{text}"
    );
    // Every block carries its evidence and a fix.
    let blocks = text.matches("]: ").count();
    assert!(blocks >= 3, "{text}");
    assert_eq!(text.matches("\n  fix: ").count(), blocks, "{text}");
    assert!(text.contains(&format!("{blocks} finding(s)")), "{text}");
    // The pool is paid in full (caps redistribute) and share of pool has no cliffs.
    assert!(!text.contains("[Pool left unpaid]"), "{text}");
    assert!(!text.contains("[Payment cliff]"), "{text}");
}

#[test]
fn lint_names_the_payers_share_left_by_the_snf_exchange_function() {
    let out = Command::new(env!("CARGO_BIN_EXE_p4p-designer"))
        .args(["lint", "sample_programs/snf_vbp_fy2025.ron"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    // `score` on the sample: withheld 21,066,000,000 cents, earned 11,739,458,996.
    assert!(
        text.contains("warning [Pool left unpaid]: $93,265,410 of the pool (44.3%) is not paid out: the stated exchange slope k = 0.038322115"),
        "{text}"
    );
    assert!(
        text.contains("10533 scored, 10533 eligible, 10533 earning, 0 capped"),
        "{text}"
    );
}
