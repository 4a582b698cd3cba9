//! Rules as the program documents them, each case one that once went wrong.

use super::{run, tiny_obs, tiny_program};
use p4p_designer::engine::{self, Observations, SortedValues as Dist, check_data};
use p4p_designer::program::*;

/// Providers `ids`, each with one performance rate on measure "M" and no baseline.
fn one_measure(rates: &[(&str, f64)]) -> Observations {
    let rows: Vec<(&str, &str, f64, f64)> = rates
        .iter()
        .map(|(id, r)| (*id, "M", f64::NAN, *r))
        .collect();
    tiny_obs(&rows)
}

fn messages(problems: &[Problem]) -> Vec<String> {
    problems.iter().map(|p| p.to_string()).collect()
}

#[test]
fn floor_and_cap_pay_the_pool_to_the_cent() {
    let mut p = tiny_program(&[("M", Direction::HigherIsBetter, 0.0, 1.0)]);
    p.payment.pool = Pool::Fixed { cents: 1_000 };
    p.payment.floor = Some(Limit::Cents(100));
    p.payment.cap = Some(Limit::Cents(400));
    let o = one_measure(&[("a", 1.0), ("b", 1.0), ("c", 1.0)]);
    let r = run(&p, &o);
    assert_eq!(r.payment.earned, vec![334, 333, 333]);
    assert_eq!(r.payment.paid_cents, 1_000);
    assert_eq!(r.payment.unallocated_cents, 0);

    // Four unequal providers: 100 floor each, then 763 split 10 : 6 : 3 : 1 under the 300 of
    // room each cap leaves after the floor. a's 381.5 is capped at 300; 463 goes 6 : 3 : 1 =
    // 277.8, 138.9, 46.3, and the two leftover cents go to the largest fractions, c's and b's.
    p.payment.pool = Pool::Fixed { cents: 1_163 };
    let o = one_measure(&[("a", 1.0), ("b", 0.6), ("c", 0.3), ("d", 0.05)]);
    let r = run(&p, &o);
    assert_eq!(r.total, vec![100.0, 60.0, 30.0, 10.0]);
    assert_eq!(r.payment.earned, vec![400, 378, 239, 146]);
    assert_eq!(r.payment.paid_cents, 1_163);
    assert_eq!(r.payment.capped, vec![true, false, false, false]);
}

#[test]
fn top_decile_mean_of_tied_values_is_that_value() {
    let d = Dist::new([0.1, 0.1, 0.1].into_iter());
    assert_eq!(d.top_decile_mean(), 0.1);
    let d = Dist::new((0..25).map(|_| 0.7));
    assert_eq!(d.top_decile_mean(), 0.7);
    assert_eq!(d.percentile(37.0), 0.7);
    // Mixed values: never beyond the values averaged.
    let d = Dist::new([0.3, 0.1, 0.1, 0.2].into_iter());
    assert_eq!(d.top_decile_mean(), 0.3);

    // Three providers at 0.1 with a top-decile benchmark: all at the benchmark, full points.
    let mut p = tiny_program(&[("M", Direction::HigherIsBetter, 0.0, 0.0)]);
    p.standards.overrides.clear();
    p.standards.benchmark = StandardRule::TopDecileMean {
        of: PeriodRef::Performance,
    };
    p.standards.threshold = StandardRule::Percentile {
        p: 50.0,
        of: PeriodRef::Performance,
    };
    let o = one_measure(&[("a", 0.1), ("b", 0.1), ("c", 0.1)]);
    let r = run(&p, &o);
    assert_eq!(r.measures[0].achievement, vec![10.0; 3]);
    p.scoring.achievement = AchievementCurve::ScaledPoints;
    let r = run(&p, &o);
    assert_eq!(r.measures[0].achievement, vec![100.0; 3]);
}

#[test]
fn pass_fail_scores_not_reporting_as_zero() {
    let mut p = tiny_program(&[
        ("A", Direction::HigherIsBetter, 0.0, 1.0),
        ("B", Direction::HigherIsBetter, 0.0, 1.0),
    ]);
    p.scoring.achievement = AchievementCurve::PassFail { points: 10.0 };
    p.scoring.improvement = ImprovementCurve::None;
    p.measures[1].min_denominator = Some(20.0);
    let mut o = tiny_obs(&[
        ("both", "A", f64::NAN, 0.5),
        ("both", "B", f64::NAN, 0.5),
        ("one", "A", f64::NAN, 0.5),
        ("small", "A", f64::NAN, 0.5),
        ("small", "B", f64::NAN, 0.5),
    ]);
    let s = o.series_mut("B", "performance");
    s.denominator = vec![50.0, f64::NAN, 5.0].into();
    let r = run(&p, &o);
    let b = &r.measures[1];
    assert_eq!(b.score, vec![10.0, 0.0, 0.0]);
    assert_eq!(r.total, vec![100.0, 50.0, 50.0]);
}

#[test]
fn every_curve_follows_one_rule_for_equal_and_crossed_standards() {
    let curves = [
        AchievementCurve::HvbpPoints,
        AchievementCurve::ScaledPoints,
        AchievementCurve::Linear { max: 10.0 },
        AchievementCurve::Tiers {
            tiers: vec![
                Tier {
                    at: 0.0,
                    points: 2.0,
                },
                Tier {
                    at: 0.5,
                    points: 5.0,
                },
                Tier {
                    at: 1.0,
                    points: 10.0,
                },
            ],
        },
    ];
    for curve in &curves {
        let max = curve.max_points();
        // Equal: at the benchmark earns everything, below it nothing.
        assert_eq!(engine::achievement(curve, 0.5, 0.5, 0.5), max, "{curve:?}");
        assert_eq!(engine::achievement(curve, 0.4, 0.5, 0.5), 0.0, "{curve:?}");
        // Crossed (benchmark 0.5 worse than threshold 0.8): the benchmark is the only cut.
        assert_eq!(engine::achievement(curve, 0.6, 0.8, 0.5), max, "{curve:?}");
        assert_eq!(engine::achievement(curve, 0.9, 0.8, 0.5), max, "{curve:?}");
        assert_eq!(engine::achievement(curve, 0.2, 0.8, 0.5), 0.0, "{curve:?}");
    }
    // And validation says so, with the values in the measure's units.
    let p = tiny_program(&[("M", Direction::LowerIsBetter, 0.2, 0.4)]);
    let o = one_measure(&[("a", 0.3)]);
    let problems = messages(&check_data(&p, &o));
    assert!(
        problems
            .iter()
            .any(|m| m.starts_with("warning") && m.contains("crossed") && m.contains("0.4")),
        "{problems:?}"
    );
    let p = tiny_program(&[("M", Direction::LowerIsBetter, 0.4, 0.2)]);
    assert!(
        !messages(&check_data(&p, &o))
            .iter()
            .any(|m| m.contains("crossed"))
    );
}

#[test]
fn improve_or_benchmark_counts_scored_measures_only() {
    let mut p = tiny_program(&[("M", Direction::HigherIsBetter, 0.5, 0.9)]);
    p.measures[0].min_denominator = Some(30.0);
    p.payment.eligibility = Eligibility::ImproveOrBenchmark;
    let mut o = tiny_obs(&[("small", "M", 0.1, 0.4), ("big", "M", 0.1, 0.4)]);
    o.series_mut("M", "performance").denominator = vec![10.0, 100.0].into();
    let r = run(&p, &o);
    assert_eq!(r.improved_or_benchmark, vec![false, true]);
    // The general path, another curve, the same rule.
    p.scoring.achievement = AchievementCurve::Linear { max: 10.0 };
    let r = run(&p, &o);
    assert_eq!(r.improved_or_benchmark, vec![false, true]);
}

#[test]
fn a_standard_that_cannot_be_set_leaves_the_measure_unscored_on_every_curve() {
    let mut p = tiny_program(&[("M", Direction::HigherIsBetter, 0.0, 0.0)]);
    p.standards.overrides.clear();
    // Threshold from a baseline no one reported; benchmark from the performance period.
    p.standards.benchmark = StandardRule::Percentile {
        p: 90.0,
        of: PeriodRef::Performance,
    };
    let o = one_measure(&[("a", 0.2), ("b", 0.9)]);
    for curve in [
        AchievementCurve::HvbpPoints,
        AchievementCurve::ScaledPoints,
        AchievementCurve::Linear { max: 10.0 },
        AchievementCurve::Tiers {
            tiers: vec![Tier {
                at: 0.0,
                points: 4.0,
            }],
        },
    ] {
        p.scoring.achievement = curve.clone();
        let r = run(&p, &o);
        assert!(
            r.measures[0].score.iter().all(|s| s.is_nan()),
            "{curve:?}: {:?}",
            r.measures[0].score
        );
        assert!(r.total.iter().all(|t| t.is_nan()));
        assert_eq!(r.payment.paid_cents, 0);
    }
    let problems = messages(&check_data(&p, &o));
    assert!(
        problems
            .iter()
            .any(|m| m.contains("cannot be set") && m.contains("not scored")),
        "{problems:?}"
    );
}

#[test]
fn measure_and_domain_ids_must_differ() {
    let mut p = tiny_program(&[("d", Direction::HigherIsBetter, 0.0, 1.0)]);
    let problems = validate(&p);
    assert!(
        problems.iter().any(|x| x.severity == Severity::Error
            && x.message.contains("domain id d")
            && x.message.contains("measure d")),
        "{problems:?}"
    );
    p.measures[0].id = "m".into();
    assert!(
        !messages(&validate(&p))
            .iter()
            .any(|m| m.contains("domain id"))
    );
}

#[test]
fn floor_limits_losses_in_two_sided_shared_savings_and_is_a_minimum_elsewhere() {
    let mut p = tiny_program(&[("M", Direction::HigherIsBetter, 0.0, 1.0)]);
    let mut o = one_measure(&[("saver", 1.0), ("loser", 1.0), ("small", 1.0)]);
    o.providers.benchmark_spend = vec![1_000_000.0; 3];
    o.providers.spend = vec![900_000.0, 1_100_000.0, 970_000.0];
    p.payment.distribution = Distribution::SharedSavings(SharedSavings {
        cap_rate: 1.0,
        ..SharedSavings::default()
    });
    p.payment.two_sided = true;
    p.payment.floor = Some(Limit::Cents(10_000_00));
    let r = run(&p, &o);
    // The loser owes 30% of 100,000 = 30,000, limited to the 10,000 floor.
    assert_eq!(r.payment.earned, vec![50_000_00, -10_000_00, 15_000_00]);
    // Upside only: the floor is the least an earning provider is paid.
    p.payment.two_sided = false;
    p.payment.floor = Some(Limit::Cents(20_000_00));
    let r = run(&p, &o);
    assert_eq!(r.payment.earned, vec![50_000_00, 0, 20_000_00]);
    // Tiers and points × value raise earners to the floor too.
    p.payment.distribution = Distribution::PointsValue {
        cents_per_point: 100,
    };
    p.payment.floor = Some(Limit::Cents(5_000));
    assert_eq!(run(&p, &o).payment.earned, vec![5_000; 3]);
    p.payment.distribution = Distribution::Tiered {
        tiers: vec![BonusTier {
            min_score: 50.0,
            cents: 1_000,
        }],
    };
    assert_eq!(run(&p, &o).payment.earned, vec![5_000; 3]);
    // Where it cannot apply, validation names it.
    p.payment.distribution = Distribution::LinearExchange;
    p.payment.pool = Pool::Withhold { percent: 2.0 };
    assert!(
        messages(&validate(&p))
            .iter()
            .any(|m| m.starts_with("warning") && m.contains("payment.floor")),
        "{:?}",
        validate(&p)
    );
}

#[test]
fn exchange_functions_respect_the_cap() {
    let mut p = tiny_program(&[("M", Direction::HigherIsBetter, 0.0, 1.0)]);
    p.payment.pool = Pool::Withhold { percent: 2.0 };
    p.payment.cap = Some(Limit::Cents(25_000_00));
    let mut o = one_measure(&[("a", 1.0), ("b", 0.5), ("c", 0.2)]);
    o.providers.base_payments = vec![1_000_000.0; 3];
    for dist in [
        Distribution::LinearExchange,
        Distribution::LogisticExchange {
            payback_share: 100.0,
            slope: 0.1,
            midpoint: 50.0,
            stated_k: None,
        },
    ] {
        p.payment.distribution = dist.clone();
        let r = run(&p, &o);
        assert_eq!(r.payment.pool_cents, 60_000_00);
        assert!(
            r.payment.earned.iter().all(|e| *e <= 25_000_00),
            "{dist:?}: {:?}",
            r.payment.earned
        );
        assert_eq!(r.payment.earned[0], 25_000_00, "{dist:?}");
        assert!(r.payment.capped[0]);
        // What the cap cut goes to the others: the withhold is still paid back in full.
        assert_eq!(r.payment.paid_cents, 60_000_00, "{dist:?}");
    }
}

#[test]
fn logistic_payback_beyond_the_pool_is_refused_and_never_paid() {
    let mut p = tiny_program(&[("M", Direction::HigherIsBetter, 0.0, 1.0)]);
    p.payment.pool = Pool::Fixed {
        cents: 4_000_000_00,
    };
    p.payment.distribution = Distribution::LogisticExchange {
        payback_share: 500.0,
        slope: 0.1,
        midpoint: 50.0,
        stated_k: None,
    };
    let o = one_measure(&[("a", 1.0), ("b", 0.5)]);
    let r = run(&p, &o);
    assert!(
        r.payment.paid_cents <= 4_000_000_00,
        "{}",
        r.payment.paid_cents
    );
    let problems = messages(&validate(&p));
    // Both: the pool is not a withhold (warning) and the share is out of range (error).
    assert!(
        problems.iter().any(|m| m.contains("not a withhold")),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|m| m.starts_with("error") && m.contains("payback share 500")),
        "{problems:?}"
    );
}

#[test]
fn huge_amounts_neither_overflow_nor_pass_validation() {
    let big = 1i64 << 62;
    let o = one_measure(&[("a", 1.0), ("b", 0.5), ("c", 0.2)]);
    let mut p = tiny_program(&[("M", Direction::HigherIsBetter, 0.0, 1.0)]);
    p.payment.pool = Pool::Fixed {
        cents: 1_000_000_00,
    };
    p.payment.floor = Some(Limit::Cents(big));
    let r = run(&p, &o);
    assert!(r.payment.paid_cents <= 1_000_000_00);
    assert_eq!(r.payment.paid_cents, 1_000_000_00);
    assert!(
        messages(&validate(&p))
            .iter()
            .any(|m| m.contains("payment.floor"))
    );

    p.payment.floor = None;
    p.payment.distribution = Distribution::Tiered {
        tiers: vec![BonusTier {
            min_score: 0.0,
            cents: big,
        }],
    };
    let r = run(&p, &o);
    assert_eq!(r.payment.paid_cents, 1_000_000_00);
    assert!(
        messages(&validate(&p))
            .iter()
            .any(|m| m.starts_with("error") && m.contains("tiers"))
    );

    p.payment.distribution = Distribution::ShareOfPool;
    p.payment.pool = Pool::Withhold { percent: 100.0 };
    p.payment.default_base_payments = 1e17;
    let r = run(&p, &o);
    assert!(r.payment.pool_cents <= MAX_CENTS);
    assert!(r.payment.paid_cents <= r.payment.pool_cents);
    assert!(
        messages(&validate(&p))
            .iter()
            .any(|m| m.starts_with("error") && m.contains("payment.default_base_payments"))
    );

    let mut p = tiny_program(&[("M", Direction::HigherIsBetter, 0.0, 1.0)]);
    p.scoring.domains[0].weight = 1e308;
    p.measures[0].weight = 1e308;
    let errors = messages(&validate(&p));
    assert!(
        errors.iter().any(|m| m.contains("domain d: weight")),
        "{errors:?}"
    );
    assert!(
        errors.iter().any(|m| m.contains("measure M: weight")),
        "{errors:?}"
    );

    let mut p = tiny_program(&[("M", Direction::HigherIsBetter, 0.0, 1.0)]);
    for (cap, elig, field) in [
        (Some(Limit::Cents(-5)), Eligibility::Any, "payment.cap"),
        (
            Some(Limit::PercentOfBase(f64::NAN)),
            Eligibility::Any,
            "payment.cap",
        ),
        (None, Eligibility::MinScore(f64::NAN), "payment.eligibility"),
    ] {
        p.payment.cap = cap;
        p.payment.eligibility = elig;
        let problems = messages(&validate(&p));
        assert!(
            problems
                .iter()
                .any(|m| m.starts_with("error") && m.contains(field)),
            "{field}: {problems:?}"
        );
    }
}

#[test]
fn peer_group_standards_with_no_providers_do_not_panic() {
    let p = Program::from_ron(
        r#"(measures: [(id: "m", vital_few: true)], standards: (by_peer_group: true))"#,
    )
    .unwrap();
    let r = run(&p, &Observations::new());
    assert_eq!(r.provider_count(), 0);
    assert!(
        check_data(&p, &Observations::new())
            .iter()
            .any(|x| x.severity == Severity::Error)
    );
}

/// Providers flagged as not submitting a measure score the worst, on point curves and on
/// z-scores alike, and their values set no standard.
#[test]
fn not_submitted_scores_the_worst_and_sets_no_standard() {
    let mut p = super::tiny_program(&[("M", Direction::HigherIsBetter, 0.5, 0.9)]);
    let mut o = super::tiny_obs(&[
        ("a", "M", 0.6, 0.7),
        ("b", "M", 0.6, 0.95),
        ("c", "M", f64::NAN, f64::NAN),
        // Reports a value, but the data flag it (failed validation): the value is not used.
        ("d", "M", 0.6, 0.99),
    ]);
    let flags = &mut o.supplied_mut("M").not_submitted;
    flags[2] = 1.0;
    flags[3] = 1.0;
    for curve in [
        AchievementCurve::HvbpPoints,
        AchievementCurve::Linear { max: 10.0 },
    ] {
        p.scoring.achievement = curve.clone();
        let r = engine::run(&p, &o).1;
        let m = r.measure("M").unwrap();
        assert_eq!(m.score[2], 0.0, "{curve:?}: not submitted scores 0");
        assert_eq!(m.score[3], 0.0, "{curve:?}: a flagged value scores 0");
        assert!(m.score[1] > 0.0);
    }
    p.scoring.achievement = AchievementCurve::StandardisedZ {
        winsorise_percent: 0.0,
    };
    p.scoring.improvement = ImprovementCurve::None;
    p.scoring.combine = Combine::AchievementOnly;
    let r = engine::run(&p, &o).1;
    let m = r.measure("M").unwrap();
    // Only a (0.7) and b (0.95) set the mean and sd: 0.825 ± 0.125.
    assert!((m.score[0] + 1.0).abs() < 1e-12, "{}", m.score[0]);
    assert!((m.score[1] - 1.0).abs() < 1e-12, "{}", m.score[1]);
    // The worst: the z-score of the lowest value.
    assert_eq!(m.score[2], m.score[0]);
    assert_eq!(m.score[3], m.score[0]);
}
