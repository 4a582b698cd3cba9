//! Scoring and payment rules on small hand-computed cases.

// Cents are written dollars_cents (10_000_00 is $10,000.00) so amounts read as money.
#![allow(clippy::inconsistent_digit_grouping)]

mod payment_props;
mod program_doc;
mod purity;
mod reference_props;
mod rule_defects;
mod totals;

use p4p_designer::engine::{
    self, Observations, Results, SortedValues as Dist, consistency_points, distribute,
    hvbp_achievement, hvbp_improvement, scaled_achievement, scaled_improvement,
};
use p4p_designer::program::*;

/// A program scoring the given measures (id, direction) in one domain, standards fixed per measure.
pub fn tiny_program(measures: &[(&str, Direction, f64, f64)]) -> Program {
    let mut p = Program::default();
    p.scoring.domains = vec![Domain {
        id: "d".into(),
        name: "D".into(),
        weight: 1.0,
        ..Domain::default()
    }];
    for (id, dir, at, bm) in measures {
        p.measures.push(Measure {
            id: (*id).into(),
            direction: *dir,
            domain: "d".into(),
            vital_few: true,
            ..Measure::default()
        });
        p.standards.overrides.push(MeasureStandards {
            measure_id: (*id).into(),
            threshold: Some(StandardRule::Fixed(*at)),
            benchmark: Some(StandardRule::Fixed(*bm)),
            floor: None,
        });
    }
    p
}

/// Observations from (provider, measure, baseline rate, performance rate) rows.
pub fn tiny_obs(rows: &[(&str, &str, f64, f64)]) -> Observations {
    let mut obs = Observations::new();
    for (prov, m, b, p) in rows {
        let i = obs.provider_index(prov);
        obs.series_mut(m, "baseline").rate[i] = *b;
        obs.series_mut(m, "performance").rate[i] = *p;
    }
    obs
}

fn run(p: &Program, o: &Observations) -> Results {
    engine::run(p, o).1
}

#[test]
fn hvbp_achievement_edges() {
    // P == AT gives 1 point; just below gives 0; at or beyond the benchmark gives 10.
    assert_eq!(hvbp_achievement(0.5, 0.5, 0.9), 1.0);
    assert_eq!(hvbp_achievement(0.4999, 0.5, 0.9), 0.0);
    assert_eq!(hvbp_achievement(0.9, 0.5, 0.9), 10.0);
    assert_eq!(hvbp_achievement(0.95, 0.5, 0.9), 10.0);
    // 9·(0.7−0.5)/0.4 + 0.5 = 5.0 → 5; exact .5 rounds up: 9·(P−AT)/(BM−AT) = 4 → 4.5 → 5.
    assert_eq!(hvbp_achievement(0.7, 0.5, 0.9), 5.0);
    assert_eq!(hvbp_achievement(0.5 + 0.4 * 4.0 / 9.0, 0.5, 0.9), 5.0);
    // Just below the benchmark is capped at 9.
    assert_eq!(hvbp_achievement(0.8999999, 0.5, 0.9), 9.0);
    assert!(hvbp_achievement(f64::NAN, 0.5, 0.9).is_nan());
    // CMS FY2024, hospital 010001, MORT-30-AMI: AT 0.869247, BM 0.887868, P 0.880237 → 6.
    assert_eq!(hvbp_achievement(0.880237, 0.869247, 0.887868), 6.0);
}

#[test]
fn hvbp_improvement_edges() {
    // No improvement, or equal: 0.
    assert_eq!(hvbp_improvement(0.6, 0.6, 0.9), 0.0);
    assert_eq!(hvbp_improvement(0.5, 0.6, 0.9), 0.0);
    // Improved and at or beyond the benchmark: 9, even when the baseline was beyond it.
    assert_eq!(hvbp_improvement(0.9, 0.6, 0.9), 9.0);
    assert_eq!(hvbp_improvement(0.97, 0.95, 0.9), 9.0);
    // 10·(0.75−0.6)/(0.9−0.6) − 0.5 = 4.5 → rounds up to 5.
    assert_eq!(hvbp_improvement(0.75, 0.6, 0.9), 5.0);
    // CMS FY2024, 010001 MORT-30-AMI: B 0.856752, P 0.880237 → 7 of 9.
    assert_eq!(hvbp_improvement(0.880237, 0.856752, 0.887868), 7.0);
}

#[test]
fn lower_is_better_and_missing_baseline() {
    // MSPB-1 at hospital 010005: AT 0.988920, BM 0.848160, B 1.011867, P 0.949566 → 3 and 3.
    let p = tiny_program(&[("MSPB-1", Direction::LowerIsBetter, 0.988920, 0.848160)]);
    let o = tiny_obs(&[
        ("010005", "MSPB-1", 1.011867, 0.949566),
        ("X", "MSPB-1", f64::NAN, 0.9),
        ("Y", "MSPB-1", 0.8, 0.7),
    ]);
    let r = run(&p, &o);
    let m = &r.measures[0];
    assert_eq!(
        (m.achievement[0], m.improvement[0], m.score[0]),
        (3.0, 3.0, 3.0)
    );
    // Missing baseline: no improvement points, the score is the achievement.
    assert!(m.improvement[1].is_nan());
    assert_eq!(m.score[1], m.achievement[1]);
    assert_eq!(
        m.achievement[1],
        hvbp_achievement(-0.9, -0.988920, -0.848160)
    );
    // Beyond the benchmark (lower) in both periods: 10 achievement, 9 improvement.
    assert_eq!(
        (m.achievement[2], m.improvement[2], m.score[2]),
        (10.0, 9.0, 10.0)
    );
    // Standards are reported in the measure's own units.
    assert_eq!(m.standards[0].threshold, 0.988920);
    assert_eq!(m.standards[0].benchmark, 0.848160);
}

#[test]
fn snf_vbp_scaled_points_reproduce_published() {
    // FY2025 SNF VBP, facility 010044: RSRR baseline 0.17141, performance 0.17204.
    let (at, bm) = (0.79139, 0.82912);
    let x = 1.0 - 0.17204;
    let xb = 1.0 - 0.17141;
    assert!((scaled_achievement(x, at, bm) - 92.23297).abs() < 1e-4);
    assert_eq!(scaled_improvement(x, xb, bm), 0.0);
    assert_eq!(scaled_achievement(bm, at, bm), 100.0);
    assert_eq!(scaled_achievement(at - 1e-6, at, bm), 0.0);
    assert_eq!(scaled_achievement(at, at, bm), 5.0);
    assert_eq!(scaled_improvement(0.84, 0.80, bm), 90.0);
}

#[test]
fn consistency_points_rule() {
    assert_eq!(consistency_points(1.0, 20.0), 20.0);
    assert_eq!(consistency_points(1.3, 20.0), 20.0);
    assert_eq!(consistency_points(0.0, 20.0), 0.0);
    assert_eq!(consistency_points(-0.2, 20.0), 0.0);
    // round(20·0.4 − 0.5) = round(7.5) = 8.
    assert_eq!(consistency_points(0.4, 20.0), 8.0);
    assert_eq!(consistency_points(0.41, 20.0), 8.0);
}

#[test]
fn percentile_and_top_decile_standards() {
    let d = Dist::new((1..=20).map(f64::from));
    assert_eq!(d.percentile(0.0), 1.0);
    assert_eq!(d.percentile(100.0), 20.0);
    assert_eq!(d.percentile(50.0), 10.5);
    assert_eq!(d.top_decile_mean(), 19.5);
    // Lower is better: the 60th percentile is better than 60% of providers, so a low rate.
    let mut p = tiny_program(&[("ED", Direction::LowerIsBetter, 0.0, 0.0)]);
    p.standards.overrides.clear();
    p.standards.threshold = StandardRule::Percentile {
        p: 60.0,
        of: PeriodRef::Baseline,
    };
    let rows: Vec<(String, f64)> = (0..11).map(|k| (format!("p{k}"), k as f64)).collect();
    let o = tiny_obs(
        &rows
            .iter()
            .map(|(id, v)| (id.as_str(), "ED", *v, *v))
            .collect::<Vec<_>>(),
    );
    let r = run(&p, &o);
    assert_eq!(r.measures[0].standards[0].threshold, 4.0);
    // Top decile of 11 lower-is-better values is the mean of the two lowest.
    assert_eq!(r.measures[0].standards[0].benchmark, 0.5);
}

#[test]
fn peer_group_standards() {
    let mut p = tiny_program(&[("M", Direction::HigherIsBetter, 0.0, 0.0)]);
    p.standards.overrides.clear();
    p.standards.by_peer_group = true;
    p.standards.threshold = StandardRule::Percentile {
        p: 50.0,
        of: PeriodRef::Baseline,
    };
    let mut o = tiny_obs(&[
        ("a1", "M", 0.1, 0.1),
        ("a2", "M", 0.3, 0.3),
        ("b1", "M", 0.7, 0.7),
        ("b2", "M", 0.9, 0.9),
    ]);
    o.providers.peer_group = vec!["A".into(), "A".into(), "B".into(), "B".into()];
    let r = run(&p, &o);
    let s = &r.measures[0].standards;
    assert_eq!(s.len(), 2);
    assert!((s[0].threshold - 0.2).abs() < 1e-12);
    assert!((s[1].threshold - 0.8).abs() < 1e-12);
}

#[test]
fn domains_need_their_minimum_and_totals_reweight() {
    let mut p = tiny_program(&[
        ("A", Direction::HigherIsBetter, 0.0, 1.0),
        ("B", Direction::HigherIsBetter, 0.0, 1.0),
        ("C", Direction::HigherIsBetter, 0.0, 1.0),
    ]);
    p.scoring.domains = vec![
        Domain {
            id: "x".into(),
            weight: 0.75,
            min_measures: 2,
            ..Domain::default()
        },
        Domain {
            id: "y".into(),
            weight: 0.25,
            ..Domain::default()
        },
    ];
    p.measures[0].domain = "x".into();
    p.measures[1].domain = "x".into();
    p.measures[2].domain = "y".into();
    let o = tiny_obs(&[
        ("full", "A", f64::NAN, 1.0),
        ("full", "B", f64::NAN, -0.5),
        ("full", "C", f64::NAN, 1.0),
        ("short", "A", f64::NAN, 1.0),
        ("short", "C", f64::NAN, 0.5),
    ]);
    let r = run(&p, &o);
    // full: B is below the threshold (0 points), so x = 100·(10 + 0)/20 = 50, y = 100; total = 0.75·50 + 0.25·100 = 62.5.
    assert_eq!(r.domain("x").unwrap().score[0], 50.0);
    assert_eq!(r.total[0], 62.5);
    // short: x has one measure (needs two), so the total is y alone, re-weighted to 100%.
    assert!(r.domain("x").unwrap().score[1].is_nan());
    let y = hvbp_achievement(0.5, 0.0, 1.0) * 10.0;
    assert_eq!(r.total[1], y);
    p.scoring.min_domains = 2;
    let r = run(&p, &o);
    assert!(r.total[1].is_nan());
}

#[test]
fn unequal_measure_weights_share_a_domain_by_weight() {
    let mut p = tiny_program(&[
        ("A", Direction::HigherIsBetter, 0.0, 1.0),
        ("B", Direction::HigherIsBetter, 0.0, 1.0),
    ]);
    p.scoring.domains = vec![Domain {
        id: "x".into(),
        weight: 1.0,
        ..Domain::default()
    }];
    for m in &mut p.measures {
        m.domain = "x".into();
    }
    p.measures[0].weight = 2.0;
    let o = tiny_obs(&[
        ("p", "A", f64::NAN, 1.0),
        ("p", "B", f64::NAN, -0.5),
        ("q", "B", f64::NAN, 1.0),
    ]);
    let r = run(&p, &o);
    // p: A earns 10 points at weight 2, B none: 100 · (2·10 + 0) / (2·10 + 1·10).
    assert_eq!(r.domain("x").unwrap().score[0], 100.0 * 20.0 / 30.0);
    // q: only B is scored, so only B's most points count.
    assert_eq!(r.domain("x").unwrap().score[1], 100.0);
    assert_eq!(r.domain("x").unwrap().measures_scored, vec![2, 1]);
}

#[test]
fn minimum_denominator_drops_small_providers() {
    let mut p = tiny_program(&[("M", Direction::HigherIsBetter, 0.2, 0.8)]);
    p.measures[0].min_denominator = Some(30.0);
    let mut o = Observations::new();
    for (id, num, den) in [("big", 40.0, 50.0), ("small", 9.0, 10.0)] {
        let i = o.provider_index(id);
        let s = o.series_mut("M", "performance");
        s.numerator[i] = num;
        s.denominator[i] = den;
    }
    let r = run(&p, &o);
    assert_eq!(r.measures[0].score[0], 10.0);
    assert!(r.measures[0].score[1].is_nan());
    assert!(r.total[1].is_nan());
}

#[test]
fn rates_from_counts_exclusions_and_expected() {
    let mut o = Observations::new();
    let i = o.provider_index("p");
    let s = o.series_mut("M", "performance");
    s.numerator[i] = 30.0;
    s.denominator[i] = 110.0;
    s.exclusions[i] = 10.0;
    assert_eq!(s.effective_rate(i), 0.3);
    s.expected[i] = 20.0;
    assert_eq!(
        s.effective_rate(i),
        1.5,
        "observed / expected when expected is known"
    );
}

#[test]
fn improve_or_benchmark_eligibility() {
    let mut p = tiny_program(&[("M", Direction::HigherIsBetter, 0.5, 0.9)]);
    p.payment.eligibility = Eligibility::ImproveOrBenchmark;
    p.payment.pool = Pool::Fixed { cents: 1_000_00 };
    let o = tiny_obs(&[
        ("improved", "M", 0.6, 0.7),
        ("benchmark", "M", 0.95, 0.92),
        ("neither", "M", 0.8, 0.75),
    ]);
    let r = run(&p, &o);
    assert_eq!(r.eligible, vec![true, true, false]);
    assert_eq!(r.payment.earned[2], 0);
    assert_eq!(r.payment.earned[0] + r.payment.earned[1], 1_000_00);
}

#[test]
fn distribute_is_exact_and_deterministic() {
    let mut out = vec![0; 3];
    let left = distribute(100, &[1.0, 1.0, 1.0], &[i64::MAX; 3], &mut out);
    assert_eq!(left, 0);
    assert_eq!(out, vec![34, 33, 33], "ties go to the lower index");
    // Caps redistribute what they cut.
    let mut out = vec![0; 3];
    distribute(1000, &[8.0, 1.0, 1.0], &[300, i64::MAX, i64::MAX], &mut out);
    assert_eq!(out, vec![300, 350, 350]);
    // Everyone capped: the rest is unallocated.
    let mut out = vec![0; 2];
    let left = distribute(1000, &[1.0, 1.0], &[100, 200], &mut out);
    assert_eq!((out, left), (vec![100, 200], 700));
}

#[test]
fn pool_sizes() {
    let mut p = tiny_program(&[("M", Direction::HigherIsBetter, 0.0, 1.0)]);
    let mut o = tiny_obs(&[("a", "M", 0.5, 0.5), ("b", "M", 0.5, 1.0)]);
    o.providers.lives = vec![1000.0, 3000.0];
    o.providers.spend = vec![2_000_000.0, 6_000_000.0];
    o.providers.base_payments = vec![1_000_000.0, 500_000.0];
    p.payment.pool = Pool::PercentOfSpend { percent: 1.5 };
    assert_eq!(run(&p, &o).payment.pool_cents, 12_000_000);
    p.payment.pool = Pool::Pmpm {
        cents_per_member_month: 250,
        months: 12,
    };
    assert_eq!(run(&p, &o).payment.pool_cents, 4000 * 250 * 12);
    p.payment.pool = Pool::Withhold { percent: 2.0 };
    let r = run(&p, &o);
    assert_eq!(r.payment.withheld, vec![2_000_000, 1_000_000]);
    assert_eq!(r.payment.pool_cents, 3_000_000);
    assert_eq!(r.payment.earned.iter().sum::<i64>(), 3_000_000);
}

#[test]
fn share_of_pool_by_lives_with_cap() {
    let mut p = tiny_program(&[("M", Direction::HigherIsBetter, 0.0, 1.0)]);
    p.payment.pool = Pool::Fixed { cents: 10_000_00 };
    p.payment.weight_by = WeightBy::AttributedLives;
    p.payment.cap = Some(Limit::Cents(6_000_00));
    let mut o = tiny_obs(&[
        ("a", "M", 0.0, 1.0),
        ("b", "M", 0.0, 1.0),
        ("c", "M", 0.0, 0.0),
    ]);
    o.providers.lives = vec![9000.0, 1000.0, 5000.0];
    let r = run(&p, &o);
    // c is exactly at the threshold, which earns 1 of 10 points.
    assert_eq!(r.total[2], 10.0);
    let pay = &r.payment;
    assert_eq!(pay.earned[0], 6_000_00, "capped");
    assert!(pay.capped[0]);
    assert_eq!(pay.earned.iter().sum::<i64>(), 10_000_00);
    // The rest splits 100·1000 : 10·5000 = 2 : 1.
    assert_eq!(pay.earned[1], 2_666_67);
    assert_eq!(pay.earned[2], 1_333_33);
}

#[test]
fn logistic_exchange_pays_the_payback_share() {
    let mut p = tiny_program(&[("M", Direction::HigherIsBetter, 0.0, 1.0)]);
    p.scoring.achievement = AchievementCurve::ScaledPoints;
    p.scoring.improvement = ImprovementCurve::None;
    p.payment.pool = Pool::Withhold { percent: 2.0 };
    p.payment.distribution = Distribution::LogisticExchange {
        payback_share: 60.0,
        slope: 0.1,
        midpoint: 50.0,
        stated_k: None,
    };
    p.payment.two_sided = true;
    let o = tiny_obs(&[
        ("lo", "M", f64::NAN, 0.1),
        ("mid", "M", f64::NAN, 0.5),
        ("hi", "M", f64::NAN, 1.0),
    ]);
    let r = run(&p, &o);
    let pay = &r.payment;
    assert_eq!(pay.pool_cents, 3 * 2_000_000);
    assert_eq!(pay.paid_cents, 3_600_000);
    assert_eq!(pay.unallocated_cents, 2_400_000);
    // Multipliers follow 0.98 + k·logistic(score): k solved from the payback.
    let logistic = |s: f64| 1.0 / (1.0 + (-0.1 * (s - 50.0f64)).exp());
    let k = pay.exchange_factor;
    for i in 0..3 {
        let expect = 0.98 + k * logistic(r.total[i]);
        assert!((pay.multiplier[i] - expect).abs() < 1e-7, "{i}");
    }
    assert!(pay.net[0] < 0 && pay.net[2] > 0);
}

#[test]
fn tiered_points_and_shared_savings() {
    let mut p = tiny_program(&[("M", Direction::HigherIsBetter, 0.0, 1.0)]);
    let mut o = tiny_obs(&[
        ("a", "M", 0.0, 1.0),
        ("b", "M", 0.0, 0.5),
        ("c", "M", 0.0, 0.1),
    ]);
    p.payment.distribution = Distribution::Tiered {
        tiers: vec![
            BonusTier {
                min_score: 40.0,
                cents: 5_000_00,
            },
            BonusTier {
                min_score: 80.0,
                cents: 20_000_00,
            },
        ],
    };
    p.payment.pool = Pool::Fixed { cents: 100_000_00 };
    let r = run(&p, &o);
    assert_eq!(r.payment.earned, vec![20_000_00, 5_000_00, 0]);
    // Not enough pool: scaled down alike, still to the cent.
    p.payment.pool = Pool::Fixed { cents: 10_000_00 };
    let r = run(&p, &o);
    assert_eq!(r.payment.earned, vec![8_000_00, 2_000_00, 0]);

    p.payment.distribution = Distribution::PointsValue {
        cents_per_point: 100,
    };
    let r = run(&p, &o);
    assert_eq!(r.payment.earned, vec![10 * 100, 5 * 100, 100]);

    o.providers.benchmark_spend = vec![1_000_000.0, 1_000_000.0, 1_000_000.0];
    o.providers.spend = vec![900_000.0, 990_000.0, 1_100_000.0];
    p.payment.distribution = Distribution::SharedSavings(SharedSavings {
        min_savings_rate: 0.02,
        sharing_rate: 0.5,
        quality_adjusted: true,
        cap_rate: 0.04,
        min_loss_rate: 0.02,
        loss_sharing_rate: 0.3,
    });
    let r = run(&p, &o);
    // a saves 10%: 100,000 × 50% × quality 1.0 = 50,000, capped at 4% = 40,000.
    // b saves 1%, below the 2% minimum: nothing. c loses 10% but the model is upside only.
    assert_eq!(r.payment.earned, vec![40_000_00, 0, 0]);
    p.payment.two_sided = true;
    let r = run(&p, &o);
    // c overspends by 100,000: owes 30% of it, within the 4% cap.
    assert_eq!(r.payment.earned[2], -30_000_00);
}
