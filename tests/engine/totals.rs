//! Honest totals on the Medicaid sample: why money is not paid, and why practices are not scored.

use p4p_designer::engine::{self, totals};
use p4p_designer::program::*;
use p4p_designer::synth::{medicaid_primary_care_data, medicaid_primary_care_program};

#[test]
fn the_sample_pays_its_whole_pool_and_names_its_unscored_practices() {
    let p = medicaid_primary_care_program();
    let obs = medicaid_primary_care_data();
    let (inputs, r) = engine::run(&p, &obs);
    let u = totals::unpaid(&p, &inputs, &r);
    assert_eq!(u.cents, 0);
    assert_eq!(u.sentence(&p), "");
    // The two-domain rule: practices scored in one domain only (mostly paediatric practices,
    // which report no adult measure) get no total.
    let counts = totals::not_scored_counts(&p, &inputs, &r);
    assert_eq!(
        counts,
        vec![(
            totals::NotScored::TooFewDomains {
                scored: 0,
                needed: 2
            },
            40
        )]
    );
    assert_eq!(
        totals::not_scored_sentence(&counts),
        "40 not scored: fewer than 2 domains scored"
    );
    let paediatric_unscored = (0..r.provider_count())
        .filter(|&i| obs.providers.peer_group[i] == "Pediatric")
        .filter(|&i| totals::not_scored(&p, &inputs, &r, i).is_some())
        .count();
    let paediatric = obs
        .providers
        .peer_group
        .iter()
        .filter(|g| *g == "Pediatric")
        .count();
    assert_eq!((paediatric_unscored, paediatric), (20, 26));
}

#[test]
fn a_low_cap_on_the_sample_is_named_with_its_count_and_amount() {
    let mut p = medicaid_primary_care_program();
    let obs = medicaid_primary_care_data();
    // 251 practices earn; at $15,000 each the cap holds every one of them.
    p.payment.cap = Some(Limit::Cents(1_500_000));
    let (inputs, r) = engine::run(&p, &obs);
    assert_eq!(r.earning_count(), 251);
    let u = totals::unpaid(&p, &inputs, &r);
    assert_eq!(u.cents, 400_000_000 - 251 * 1_500_000);
    assert_eq!(u.cents, r.payment.unallocated_cents);
    assert_eq!(
        u.sentence(&p),
        "$235,000 not paid: 251 providers held at the $15,000 cap"
    );
}

#[test]
fn a_share_of_pool_nobody_may_earn_is_named() {
    let mut p = medicaid_primary_care_program();
    let obs = medicaid_primary_care_data();
    p.payment.eligibility = Eligibility::MinScore(101.0);
    let (inputs, r) = engine::run(&p, &obs);
    let u = totals::unpaid(&p, &inputs, &r);
    assert_eq!(
        u.sentence(&p),
        "$4,000,000 not paid: none of the 260 scored providers meets the eligibility rule (a total score of at least 101)"
    );
}

#[test]
fn score_says_why_on_standard_error_beside_the_csv() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_p4p-designer"))
        .args(["score", "sample_programs/medicaid_primary_care.ron"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            "medicaid_primary_care.ron: 300 providers, 260 scored, 251 earning; pool $4,000,000, paid $4,000,000"
        ),
        "{err}"
    );
    assert!(
        err.contains("medicaid_primary_care.ron: 40 not scored: fewer than 2 domains scored"),
        "{err}"
    );
    assert!(!err.contains("not paid:"), "{err}");
    // Standard output is still the CSV alone.
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("provider_id,"));
}

#[test]
fn the_summary_names_the_cap_when_it_leaves_money_unpaid() {
    let mut p = medicaid_primary_care_program();
    let obs = medicaid_primary_care_data();
    p.payment.cap = Some(Limit::Cents(1_500_000));
    let (inputs, r) = engine::run(&p, &obs);
    let lines = p4p_designer::cli::score_summary(&p, &inputs, &r);
    assert_eq!(
        lines,
        vec![
            "300 providers, 260 scored, 251 earning; pool $4,000,000, paid $3,765,000".to_owned(),
            "$235,000 not paid: 251 providers held at the $15,000 cap".to_owned(),
            "40 not scored: fewer than 2 domains scored".to_owned(),
        ]
    );
}
