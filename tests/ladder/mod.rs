//! Improvement targets, gates and ladders on small hand-computed cases.

mod window;

use crate::engine::{tiny_obs, tiny_program};
use p4p_designer::engine::{self, Observations, Results};
use p4p_designer::program::*;
use p4p_designer::report::explain::{AuditValue, explain};

fn run(p: &Program, o: &Observations) -> Results {
    engine::run(p, o).1
}

fn target(gap_share: f64, min_step: f64) -> Option<ImprovementTarget> {
    Some(ImprovementTarget {
        gap_share,
        min_step,
    })
}

/// One measure M, threshold 0.5, benchmark 0.9; five providers (baseline → performance).
fn five() -> (Program, Observations) {
    let mut p = tiny_program(&[("M", Direction::HigherIsBetter, 0.5, 0.9)]);
    p.payment.eligibility = Eligibility::ImproveOrBenchmark;
    let o = tiny_obs(&[
        // Gap 0.8: 10% of it (0.08) beats the 0.02 step, target 0.18.
        ("a", "M", 0.1, 0.175),
        ("b", "M", 0.1, 0.185),
        // Gap 0.05: 10% is 0.005, the 0.02 step wins, target 0.87.
        ("c", "M", 0.85, 0.865),
        ("d", "M", 0.85, 0.875),
        // At the benchmark: met whatever the target.
        ("e", "M", 0.5, 0.95),
    ]);
    (p, o)
}

#[test]
fn any_improvement_counts_without_a_target() {
    let (mut p, o) = five();
    for curve in [
        AchievementCurve::HvbpPoints,
        AchievementCurve::Linear { max: 10.0 },
    ] {
        // The fused hospital VBP pass and the general path agree.
        p.scoring.achievement = curve;
        let r = run(&p, &o);
        assert_eq!(r.improved_or_benchmark, vec![true; 5]);
        assert_eq!(r.measures_met, vec![0, 0, 0, 0, 1]);
        assert_eq!(r.eligible, vec![true; 5]);
    }
}

#[test]
fn improvement_counts_only_at_the_target() {
    let (mut p, o) = five();
    p.scoring.improvement_target = target(0.1, 0.02);
    for curve in [
        AchievementCurve::HvbpPoints,
        AchievementCurve::Linear { max: 10.0 },
    ] {
        p.scoring.achievement = curve;
        let r = run(&p, &o);
        assert_eq!(
            r.improved_or_benchmark,
            vec![false, true, false, true, true]
        );
        assert_eq!(r.measures_met, vec![0, 1, 0, 1, 1]);
        assert_eq!(r.eligible, vec![false, true, false, true, true]);
        // Those not eligible earn nothing; the pool goes to the others.
        assert_eq!(r.payment.earned[0], 0);
        assert_eq!(r.payment.earned[2], 0);
        assert_eq!(r.payment.paid_cents, r.payment.pool_cents);
    }
    // A larger step dominates even the wide gap: b's 0.085 step falls short of 0.1.
    p.scoring.improvement_target = target(0.1, 0.1);
    let r = run(&p, &o);
    assert_eq!(r.measures_met, vec![0, 0, 0, 0, 1]);
    // A zero step and share: reaching the baseline itself counts.
    p.scoring.improvement_target = target(0.0, 0.0);
    let r = run(&p, &o);
    assert_eq!(r.measures_met, vec![1, 1, 1, 1, 1]);
}

#[test]
fn improvement_target_for_lower_is_better() {
    let mut p = tiny_program(&[("L", Direction::LowerIsBetter, 0.4, 0.2)]);
    p.payment.eligibility = Eligibility::ImproveOrBenchmark;
    p.scoring.improvement_target = target(0.1, 0.02);
    let o = tiny_obs(&[
        // Gap 0.4 down to 0.2: 10% is 0.04, target 0.56.
        ("a", "L", 0.6, 0.57),
        ("b", "L", 0.6, 0.55),
        // Gap 0.05: the 0.02 step wins, target 0.23.
        ("c", "L", 0.25, 0.235),
        ("d", "L", 0.25, 0.225),
        // Worse than the baseline.
        ("e", "L", 0.3, 0.35),
    ]);
    let r = run(&p, &o);
    assert_eq!(r.measures_met, vec![0, 1, 0, 1, 0]);
    assert_eq!(
        r.improved_or_benchmark,
        vec![false, true, false, true, false]
    );
}

#[test]
fn a_target_reached_on_an_unscored_measure_does_not_count() {
    let mut p = tiny_program(&[("M", Direction::HigherIsBetter, 0.5, 0.9)]);
    p.measures[0].min_denominator = Some(30.0);
    p.scoring.improvement_target = target(0.1, 0.02);
    let mut o = tiny_obs(&[("small", "M", 0.1, 0.5), ("big", "M", 0.1, 0.5)]);
    o.series_mut("M", "performance").denominator = vec![10.0, 100.0].into();
    let r = run(&p, &o);
    assert_eq!(r.measures_met, vec![0, 1]);
    assert_eq!(r.improved_or_benchmark, vec![false, true]);
}

/// Three measures at benchmark 0.9; provider k meets k of them.
fn ladder_program(pool: i64) -> (Program, Observations) {
    let mut p = tiny_program(&[
        ("A", Direction::HigherIsBetter, 0.5, 0.9),
        ("B", Direction::HigherIsBetter, 0.5, 0.9),
        ("C", Direction::HigherIsBetter, 0.5, 0.9),
    ]);
    p.payment.pool = Pool::Fixed { cents: pool };
    p.payment.distribution = Distribution::Ladder {
        rungs: vec![
            Rung {
                measures_met: 1,
                cents: 10_000,
            },
            Rung {
                measures_met: 2,
                cents: 25_000,
            },
            Rung {
                measures_met: 3,
                cents: 50_000,
            },
        ],
    };
    let mut rows = Vec::new();
    for (k, prov) in ["p0", "p1", "p2", "p3"].into_iter().enumerate() {
        for (j, m) in ["A", "B", "C"].into_iter().enumerate() {
            rows.push((prov, m, 0.6, if j < k { 0.95 } else { 0.7 }));
        }
    }
    (p, tiny_obs(&rows))
}

#[test]
fn ladder_pays_the_highest_rung_reached_to_the_cent() {
    let (p, o) = ladder_program(1_000_000);
    assert!(validate(&p).is_empty(), "{:?}", validate(&p));
    let (inputs, r) = engine::run(&p, &o);
    assert_eq!(r.measures_met, vec![0, 1, 2, 3]);
    assert_eq!(r.payment.earned, vec![0, 10_000, 25_000, 50_000]);
    assert_eq!(r.payment.paid_cents, 85_000);
    assert_eq!(r.payment.unallocated_cents, 1_000_000 - 85_000);
    // The why view names the rung.
    let a = explain(&p, &inputs, &r, 2);
    let row = a.find("", "rung amount").expect("a rung row");
    assert_eq!(row.value, AuditValue::Cents(25_000));
    assert!(row.rule.contains("2 measure(s) met"), "{}", row.rule);
}

#[test]
fn ladder_scales_down_when_the_pool_is_short() {
    let (p, o) = ladder_program(60_000);
    let r = run(&p, &o);
    // 60,000 × 10/85, 25/85, 50/85 = 7,058.8, 17,647.1, 35,294.1; the leftover cent goes to
    // the largest fraction.
    assert_eq!(r.payment.earned, vec![0, 7_059, 17_647, 35_294]);
    assert_eq!(r.payment.paid_cents, 60_000);
    assert_eq!(r.payment.unallocated_cents, 0);
}

#[test]
fn ladder_respects_cap_and_floor() {
    let (mut p, o) = ladder_program(1_000_000);
    p.payment.cap = Some(Limit::Cents(30_000));
    let r = run(&p, &o);
    assert_eq!(r.payment.earned, vec![0, 10_000, 25_000, 30_000]);
    assert_eq!(r.payment.capped, vec![false, false, false, true]);
    p.payment.floor = Some(Limit::Cents(15_000));
    let r = run(&p, &o);
    assert_eq!(r.payment.earned, vec![0, 15_000, 25_000, 30_000]);
    // Short pool with a cap: Σ stays within the pool and no one passes the cap.
    p.payment.pool = Pool::Fixed { cents: 50_001 };
    let r = run(&p, &o);
    assert_eq!(r.payment.paid_cents, 50_001);
    assert!(r.payment.earned.iter().all(|e| *e <= 30_000));
}

#[test]
fn gate_refuses_a_provider_that_does_not_report() {
    let mut p = tiny_program(&[
        ("A", Direction::HigherIsBetter, 0.5, 0.9),
        ("B", Direction::HigherIsBetter, 0.5, 0.9),
    ]);
    p.payment.pool = Pool::Fixed { cents: 1_000 };
    p.payment.gate = Some(Gate {
        reported: vec!["A".into(), "B".into()],
        min_measures_met: 0,
    });
    p.measures[1].min_denominator = Some(30.0);
    let mut o = tiny_obs(&[
        ("both", "A", 0.6, 0.9),
        ("both", "B", 0.6, 0.9),
        ("one", "A", 0.6, 0.9),
        ("small", "A", 0.6, 0.9),
        ("small", "B", 0.6, 0.9),
    ]);
    o.series_mut("B", "performance").denominator = vec![100.0, f64::NAN, 10.0].into();
    let (inputs, r) = engine::run(&p, &o);
    // "one" has a total from A alone, "small" from A (B is below its minimum): both fail.
    assert!(r.total.iter().all(|t| !t.is_nan()), "{:?}", r.total);
    assert_eq!(r.eligible, vec![true, false, false]);
    assert_eq!(r.payment.earned, vec![1_000, 0, 0]);
    let a = explain(&p, &inputs, &r, 1);
    let row = a.find("", "eligible").expect("an eligibility row");
    assert!(
        row.rule.contains("failed the gate") && row.rule.contains("measure B"),
        "{}",
        row.rule
    );
    let a = explain(&p, &inputs, &r, 0);
    assert!(
        a.find("", "eligible")
            .unwrap()
            .rule
            .contains("passed the gate")
    );
}

#[test]
fn gate_and_ladder() {
    let (mut p, o) = ladder_program(1_000_000);
    p.payment.gate = Some(Gate {
        reported: vec!["A".into()],
        min_measures_met: 2,
    });
    let (inputs, r) = engine::run(&p, &o);
    // p1 reaches the first rung but not the gate's two measures.
    assert_eq!(r.payment.earned, vec![0, 0, 25_000, 50_000]);
    let a = explain(&p, &inputs, &r, 1);
    let rule = &a.find("", "eligible").unwrap().rule;
    assert!(
        rule.contains("1 measure(s) met") && rule.contains("at least 2"),
        "{rule}"
    );
}

#[test]
fn the_summary_report_states_target_gate_and_ladder() {
    let (mut p, o) = gate_ladder_with_target();
    p.payment.gate = Some(Gate {
        reported: vec!["A".into()],
        min_measures_met: 2,
    });
    let (inputs, r) = engine::run(&p, &o);
    let html = p4p_designer::report::summary_html(&p, &o, &inputs, &r);
    assert!(
        html.contains(
            "Gate: nothing is paid unless the provider reports A and meets at least 2 measure(s)."
        ),
        "gate"
    );
    assert!(
        html.contains("the larger of 10% of the gap to the benchmark and 0.02"),
        "target"
    );
    assert!(html.contains("$500.00 from 3 measure(s) met"), "ladder");
}

fn gate_ladder_with_target() -> (Program, Observations) {
    let (mut p, o) = ladder_program(1_000_000);
    p.scoring.improvement_target = target(0.1, 0.02);
    (p, o)
}

#[test]
fn ron_states_targets_gates_and_ladders() {
    let (mut p, _) = ladder_program(1_000_000);
    p.scoring.improvement_target = target(0.1, 0.02);
    p.payment.gate = Some(Gate {
        reported: vec!["A".into()],
        min_measures_met: 1,
    });
    let back = Program::from_ron(&p.to_ron()).expect("round trip");
    assert_eq!(back, p);
    // Unknown fields are refused, naming them.
    let text = p.to_ron().replace("min_step:", "min_stpe:");
    let err = Program::from_ron(&text).unwrap_err().to_string();
    assert!(err.contains("min_stpe"), "{err}");
}

#[test]
fn validate_names_bad_targets_rungs_and_gates() {
    let (mut p, _) = ladder_program(1_000_000);
    p.scoring.improvement_target = target(-0.1, f64::NAN);
    p.payment.gate = Some(Gate {
        reported: vec!["Z".into()],
        min_measures_met: 4,
    });
    p.payment.distribution = Distribution::Ladder {
        rungs: vec![
            Rung {
                measures_met: 2,
                cents: 100,
            },
            Rung {
                measures_met: 1,
                cents: -5,
            },
        ],
    };
    let errors: Vec<String> = validate(&p)
        .into_iter()
        .filter(|e| e.severity == Severity::Error)
        .map(|e| e.message)
        .collect();
    for field in [
        "scoring.improvement_target.gap_share",
        "scoring.improvement_target.min_step",
        "payment.gate.reported: Z",
        "payment.gate.min_measures_met",
        "payment.distribution.rungs: rungs must be in increasing order",
        "payment.distribution.rungs: the rung at 1 measures met pays -5 cents",
    ] {
        assert!(
            errors.iter().any(|e| e.starts_with(field)),
            "{field} missing from {errors:?}"
        );
    }
}

mod props {
    use super::*;
    use proptest::prelude::*;

    /// Providers with three measures: (baseline, performance), NaN when not reported.
    fn rows() -> impl Strategy<Value = Vec<[(f64, f64); 3]>> {
        let value = prop_oneof![Just(f64::NAN), 0.0..1.0f64];
        prop::collection::vec(prop::array::uniform3((value.clone(), value)), 1..40)
    }

    fn rungs() -> impl Strategy<Value = Vec<Rung>> {
        prop::collection::vec(0i64..100_000, 1..4).prop_map(|amounts| {
            amounts
                .into_iter()
                .enumerate()
                .map(|(k, cents)| Rung {
                    measures_met: k as u32 + 1,
                    cents,
                })
                .collect()
        })
    }

    proptest! {
        #[test]
        fn ladder_stays_within_pool_and_caps(
            rows in rows(), rungs in rungs(), pool in 0i64..2_000_000,
            cap in prop::option::of(0i64..80_000), floor in prop::option::of(0i64..20_000),
            gate in prop::option::of(0u32..3), share in 0.0..0.5f64, step in 0.0..0.1f64,
        ) {
            let mut p = tiny_program(&[
                ("A", Direction::HigherIsBetter, 0.3, 0.8),
                ("B", Direction::LowerIsBetter, 0.7, 0.2),
                ("C", Direction::HigherIsBetter, 0.5, 0.5),
            ]);
            p.payment.pool = Pool::Fixed { cents: pool };
            p.payment.cap = cap.map(Limit::Cents);
            p.payment.floor = floor.map(Limit::Cents);
            p.payment.gate = gate.map(|min| Gate { reported: vec!["A".into()], min_measures_met: min });
            p.payment.distribution = Distribution::Ladder { rungs: rungs.clone() };
            p.scoring.improvement_target = target(share, step);
            let mut flat = Vec::new();
            let ids: Vec<String> = (0..rows.len()).map(|i| format!("p{i:02}")).collect();
            for (id, r) in ids.iter().zip(&rows) {
                for (m, (b, perf)) in ["A", "B", "C"].into_iter().zip(r) {
                    flat.push((id.as_str(), m, *b, *perf));
                }
            }
            let (_, r) = engine::run(&p, &tiny_obs(&flat));
            let pay = &r.payment;
            let sum: i64 = pay.earned.iter().sum();
            prop_assert!(sum <= pay.pool_cents);
            prop_assert_eq!(sum, pay.paid_cents);
            prop_assert_eq!(pay.paid_cents + pay.unallocated_cents, pay.pool_cents);
            let limit = cap.unwrap_or(i64::MAX);
            // What each would be paid with a pool large enough.
            let want: Vec<i64> = (0..rows.len())
                .map(|i| {
                    let (_, a) = engine::rung_reached(&rungs, r.measures_met[i], r.eligible[i]);
                    let a = if a > 0 { a.max(floor.unwrap_or(0)) } else { a };
                    a.min(limit)
                })
                .collect();
            let total_want: i64 = want.iter().sum();
            for (i, &w) in want.iter().enumerate() {
                prop_assert!(pay.earned[i] >= 0 && pay.earned[i] <= limit);
                prop_assert!(r.measures_met[i] <= 3);
                if !r.eligible[i] {
                    prop_assert_eq!(pay.earned[i], 0);
                }
                if let (Some(min), true) = (gate, r.eligible[i]) {
                    prop_assert!(r.measures_met[i] >= min);
                }
                prop_assert!(pay.earned[i] <= w);
            }
            if total_want <= pool {
                prop_assert_eq!(&pay.earned, &want);
            } else {
                prop_assert_eq!(sum, pool);
            }
        }
    }
}
