//! Equity lens, reliability and uncertainty, exception reporting: hand-computed small cases and
//! figures on the Medicaid sample.

use p4p_designer::engine::equity::{
    self, Counter, StrataKind, associate, quintiles, risk_adjusted, set_peer_groups_from, stratify,
};
use p4p_designer::engine::exceptions::{ExceptionOptions, exception_report, without_exclusions};
use p4p_designer::engine::reliability::{
    self, Cancelled, FunnelZone, ResampleOptions, Z95, Z998, between_variance, control_limits,
    resample, signal_to_noise,
};
use p4p_designer::engine::{self, AttributeValues, Observations, PaymentResult, Results};
use p4p_designer::program::*;
use std::sync::atomic::{AtomicBool, Ordering};

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

macro_rules! assert_close {
    ($a:expr, $b:expr, $tol:expr) => {
        let (a, b) = ($a, $b);
        assert!(
            close(a, b, $tol),
            "{} = {a}, expected {b} ± {}",
            stringify!($a),
            $tol
        );
    };
}

/// Five providers p1..p5 with 100 lives each and a dual share of 0.1..0.5.
fn five_providers() -> Observations {
    let mut obs = Observations::new();
    for k in 1..=5 {
        obs.provider_index(&format!("p{k}"));
    }
    obs.providers.lives = vec![100.0; 5];
    let s = obs.add_stratifier("dual_share", true);
    obs.providers.stratifiers[s].values = AttributeValues::Numeric(vec![0.1, 0.2, 0.3, 0.4, 0.5]);
    let s = obs.add_stratifier("safety_net", false);
    obs.providers.stratifiers[s].values =
        AttributeValues::Text(["no", "no", "yes", "yes", ""].map(String::from).to_vec());
    obs
}

fn results(total: Vec<f64>, net_cents: Vec<i64>) -> Results {
    Results {
        total,
        payment: PaymentResult {
            earned: net_cents.iter().map(|c| (*c).max(0)).collect(),
            net: net_cents,
            ..Default::default()
        },
        ..Default::default()
    }
}

#[test]
fn quintiles_by_rank_with_ties_by_id() {
    let ids: Vec<String> = (0..10).map(|k| format!("p{k}")).collect();
    let v = [5.0, 1.0, 9.0, 3.0, f64::NAN, 7.0, 3.0, 0.0, 8.0, 2.0];
    // Known values sorted: 0(p7) 1(p1) 2(p9) 3(p3) 3(p6) 5(p0) 7(p5) 8(p8) 9(p2): 9 providers,
    // quintile = position·5/9 → 0,0,1,1,2,2,3,3,4.
    let q = quintiles(&v, &ids);
    assert_eq!(
        q,
        vec![
            Some(2),
            Some(0),
            Some(4),
            Some(1),
            None,
            Some(3),
            Some(2),
            Some(0),
            Some(3),
            Some(1)
        ]
    );
}

#[test]
fn payout_per_life_by_stratum() {
    let mut obs = five_providers();
    obs.providers.lives = vec![100.0, 300.0, 200.0, f64::NAN, 100.0];
    // p4 is penalised, p5 unscored; p4's lives are unknown.
    let r = results(
        vec![80.0, 60.0, 50.0, 20.0, f64::NAN],
        vec![50_000, 60_000, 10_000, -5_000, 0],
    );
    let s = stratify(&obs.providers, &r, "safety_net").unwrap();
    assert_eq!(s.kind, StrataKind::Categories);
    let labels: Vec<&str> = s.strata.iter().map(|x| x.label.as_str()).collect();
    assert_eq!(labels, ["no", "yes", "Unknown"]);
    let no = &s.strata[0];
    assert_eq!((no.providers, no.scored, no.net_cents), (2, 2, 110_000));
    // $1,100 over 400 lives.
    assert_close!(no.payout_per_life, 2.75, 1e-12);
    assert_close!(no.mean_total, 70.0, 1e-12);
    assert_eq!(no.share_earning, 1.0);
    let yes = &s.strata[1];
    // p4's lives are unknown: per life counts p3 only ($100 / 200); its −$50 counts in the net.
    assert_eq!(yes.net_cents, 5_000);
    assert_close!(yes.payout_per_life, 0.5, 1e-12);
    assert_close!(yes.share_earning, 0.5, 1e-12);
    assert_close!(yes.share_penalised, 0.5, 1e-12);
    assert_close!(yes.mean_total, 35.0, 1e-12);
    let unknown = &s.strata[2];
    assert_eq!((unknown.providers, unknown.scored), (1, 0));
    assert!(unknown.mean_total.is_nan());
    assert_eq!(s.stratum_of, vec![0, 0, 1, 1, 2]);
}

#[test]
fn refilled_strata_equal_strata_made_afresh() {
    let mut obs = five_providers();
    obs.providers.lives = vec![100.0, 300.0, 200.0, f64::NAN, 100.0];
    let before = results(
        vec![80.0, 60.0, 50.0, 20.0, f64::NAN],
        vec![50_000, 60_000, 10_000, -5_000, 0],
    );
    // Another pool: the same scores, other money.
    let after = results(
        vec![80.0, 60.0, 50.0, 20.0, f64::NAN],
        vec![70_000, 20_000, 0, -9_000, 0],
    );
    for name in ["safety_net", "dual_share"] {
        let first = stratify(&obs.providers, &before, name).unwrap();
        let refilled = first.refill(&obs.providers, &after);
        let fresh = stratify(&obs.providers, &after, name).unwrap();
        assert_eq!(format!("{refilled:?}"), format!("{fresh:?}"), "{name}");
        assert_ne!(refilled.strata[0].net_cents, first.strata[0].net_cents);
    }
    let labels: Vec<String> = ["b", "a", "", "b", "c"].map(String::from).to_vec();
    let first = equity::stratify_text("area", &labels, &obs.providers, &before);
    let refilled = first.refill(&obs.providers, &after);
    let fresh = equity::stratify_text("area", &labels, &obs.providers, &after);
    assert_eq!(format!("{refilled:?}"), format!("{fresh:?}"));
    assert_eq!(refilled.strata[1].net_cents, 70_000 - 9_000);
}

#[test]
fn reverse_robin_hood_indicator_by_hand() {
    let obs = five_providers();
    // Payout per life $5, $4, $4.50, $2, $1 as dual share rises 0.1 … 0.5.
    let r = results(
        vec![90.0, 70.0, 80.0, 40.0, 30.0],
        vec![50_000, 40_000, 45_000, 20_000, 10_000],
    );
    let g = equity::risk_gradient(&obs.providers, &r, "dual_share").unwrap();
    assert_eq!(g.payout.n, 5);
    assert_eq!(g.payout_per_life, vec![5.0, 4.0, 4.5, 2.0, 1.0]);
    // Sxy = −1.0, Sxx = 0.1, Syy = 11.8.
    assert_close!(g.payout.slope, -10.0, 1e-9);
    assert_close!(g.payout.intercept, 6.3, 1e-9);
    assert_close!(g.payout.pearson, -1.0 / 1.18f64.sqrt(), 1e-12);
    // Rank differences −4, −1, −1, 2, 4: ρ = 1 − 6·38/(5·24) = −0.9.
    assert_close!(g.payout.spearman, -0.9, 1e-12);
    // Scores 90, 70, 80, 40, 30: slope −150 per unit of dual share.
    assert_close!(g.score.slope, -150.0, 1e-9);
    // One provider per quintile: $1 / $5.
    assert_close!(g.top_bottom_ratio, 0.2, 1e-12);
    assert_close!(g.bottom_payout_per_life, 5.0, 1e-12);
    // Ties share their average rank.
    assert_eq!(
        equity::average_ranks(&[3.0, 1.0, 3.0, 2.0]),
        vec![3.5, 1.0, 3.5, 2.0]
    );
    let a = associate(&[1.0, 2.0, f64::NAN], &[2.0, 4.0, 7.0]);
    assert_eq!(a.n, 2);
    assert_close!(a.slope, 2.0, 1e-12);
}

#[test]
fn numeric_stratifier_with_few_values_is_categories() {
    let mut obs = five_providers();
    let s = obs.add_stratifier("deprivation_quintile", true);
    obs.providers.stratifiers[s].values =
        AttributeValues::Numeric(vec![1.0, 1.0, 3.0, 5.0, f64::NAN]);
    let r = results(vec![50.0; 5], vec![100; 5]);
    let st = stratify(&obs.providers, &r, "deprivation_quintile").unwrap();
    assert_eq!(st.kind, StrataKind::Categories);
    let labels: Vec<&str> = st.strata.iter().map(|x| x.label.as_str()).collect();
    assert_eq!(labels, ["1", "3", "5", "Unknown"]);
    assert_eq!(st.strata[0].providers, 2);
    // Five distinct shares are five categories; a sixth makes quintiles (0,0,1,2,3,4 by rank).
    assert_eq!(
        stratify(&obs.providers, &r, "dual_share").unwrap().kind,
        StrataKind::Categories
    );
    obs.provider_index("p6");
    obs.providers.lives[5] = 100.0;
    if let AttributeValues::Numeric(v) = &mut obs.providers.stratifiers[0].values {
        v[5] = 0.6;
    }
    let r = results(vec![50.0; 6], vec![100; 6]);
    let st = stratify(&obs.providers, &r, "dual_share").unwrap();
    assert_eq!(st.kind, StrataKind::Quintiles);
    let labels: Vec<&str> = st.strata.iter().map(|x| x.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "Q1 (0.1–0.2)",
            "Q2 (0.3–0.3)",
            "Q3 (0.4–0.4)",
            "Q4 (0.5–0.5)",
            "Q5 (0.6–0.6)"
        ]
    );
    assert_eq!(st.strata[0].providers, 2);
    assert!(matches!(
        stratify(&obs.providers, &r, "nope"),
        Err(equity::StratifierError::Unknown(_))
    ));
}

#[test]
fn default_risk_stratifier_by_name() {
    let mut obs = five_providers();
    for name in ["list_size", "radiology_share", "complexity_index"] {
        obs.add_stratifier(name, true);
    }
    assert_eq!(
        equity::default_risk_stratifier(&obs.providers).as_deref(),
        Some("dual_share")
    );
    obs.providers.stratifiers.retain(|s| s.name != "dual_share");
    // Not "list_size" (lis) or "radiology_share" (adi): words, not substrings.
    assert_eq!(
        equity::default_risk_stratifier(&obs.providers).as_deref(),
        Some("complexity_index")
    );
    obs.add_stratifier("ADI national rank", true);
    assert_eq!(
        equity::default_risk_stratifier(&obs.providers).as_deref(),
        Some("ADI national rank")
    );
}

#[test]
fn peer_groups_from_quintiles() {
    let mut obs = five_providers();
    set_peer_groups_from(&mut obs, "dual_share").unwrap();
    assert_eq!(obs.providers.peer_group, ["Q1", "Q2", "Q3", "Q4", "Q5"]);
    set_peer_groups_from(&mut obs, "safety_net").unwrap();
    assert_eq!(
        obs.providers.peer_group,
        ["no", "no", "yes", "yes", "Unknown"]
    );
}

/// Three providers a, b, c scored on one measure with fixed standards 0.5 → 0.9.
fn three_provider_program() -> (Program, Observations) {
    let mut p = crate::engine::tiny_program(&[("M", Direction::HigherIsBetter, 0.5, 0.9)]);
    p.payment.pool = Pool::Fixed { cents: 100_000 };
    let mut obs = crate::engine::tiny_obs(&[
        ("a", "M", 0.9, 0.9),
        ("b", "M", 0.7, 0.7),
        ("c", "M", 0.5, 0.5),
    ]);
    let s = obs.add_stratifier("dual_share", true);
    obs.providers.stratifiers[s].values = AttributeValues::Numeric(vec![0.5, 0.4, 0.1]);
    (p, obs)
}

#[test]
fn equity_bonus_is_scaler_times_multiplier() {
    let (mut p, obs) = three_provider_program();
    let (_, r) = engine::run(&p, &obs);
    // Achievement 10, 5, 1 → domain and total 100, 50, 10; no bonus configured.
    assert_eq!(r.total, vec![100.0, 50.0, 10.0]);
    assert!(r.equity_bonus.is_empty());
    p.scoring.equity_bonus = Some(EquityBonus {
        stratifier: "dual_share".into(),
        multiplier: UnderservedMultiplier::Linear {
            zero_at: 0.0,
            one_at: 0.5,
        },
        ..EquityBonus::default()
    });
    let (_, r) = engine::run(&p, &obs);
    // Scaler: a top third 4, b middle 2, c bottom 0; multiplier 1.0, 0.8, 0.2.
    assert_close!(r.equity_bonus[0], 4.0, 1e-12);
    assert_close!(r.equity_bonus[1], 1.6, 1e-12);
    assert_close!(r.equity_bonus[2], 0.0, 1e-12);
    // a's total is capped at 100.
    assert_close!(r.total[0], 100.0, 1e-12);
    assert_close!(r.total[1], 51.6, 1e-12);
    assert_close!(r.total[2], 10.0, 1e-12);
    // The bonus moves money: b's share of the $1,000 pool rises from 50/160.
    assert_eq!(r.payment.earned.iter().sum::<i64>(), 100_000);
    assert_eq!(
        r.payment.earned[1],
        (100_000.0 * 51.6 / 161.6f64).round() as i64
    );
    // Rank multiplier: ranks 1, 0.5, 0; capped at max_points.
    p.scoring.equity_bonus = Some(EquityBonus {
        stratifier: "dual_share".into(),
        top_third_points: 20.0,
        multiplier: UnderservedMultiplier::Rank { zero_below: 0.2 },
        ..EquityBonus::default()
    });
    let (_, r) = engine::run(&p, &obs);
    assert_eq!(r.equity_bonus, vec![10.0, 1.0, 0.0]);
    assert!(engine::check_data(&p, &obs).is_empty());
    p.scoring.equity_bonus.as_mut().unwrap().stratifier = "dual".into();
    let problems = engine::check_data(&p, &obs);
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].severity, Severity::Warning);
    assert!(
        problems[0].message.contains("\"dual\""),
        "{}",
        problems[0].message
    );
    p.scoring.equity_bonus.as_mut().unwrap().stratifier = "dual_share".into();
    // The program round-trips through RON with the bonus, and without it writes nothing new.
    let back = Program::from_ron(&p.to_ron()).unwrap();
    assert_eq!(back.scoring.equity_bonus, p.scoring.equity_bonus);
    assert!(!Program::default().to_ron().contains("equity_bonus"));
}

#[test]
fn stratified_rates_and_risk_adjustment() {
    let mut p = crate::engine::tiny_program(&[("M", Direction::HigherIsBetter, 0.5, 0.9)]);
    p.standards.threshold = StandardRule::Percentile {
        p: 50.0,
        of: PeriodRef::Performance,
    };
    p.standards.overrides.clear();
    let mut obs = Observations::new();
    for (id, x, num) in [("a", 0.0, 80.0), ("b", 0.5, 70.0), ("c", 1.0, 60.0)] {
        let i = obs.provider_index(id);
        for period in ["baseline", "performance"] {
            let s = obs.series_mut("M", period);
            s.numerator[i] = num;
            s.denominator[i] = 110.0;
            s.exclusions[i] = 10.0;
        }
        let s = obs.add_stratifier("dual_share", true);
        if let AttributeValues::Numeric(v) = &mut obs.providers.stratifiers[s].values {
            v[i] = x;
        }
    }
    let (strat, rates) = equity::stratified_rates(&p, &obs, "dual_share").unwrap();
    assert_eq!(strat.kind, StrataKind::Categories);
    assert_eq!(rates.len(), 1);
    let m = &rates[0];
    assert_eq!(m.strata.len(), 3);
    assert_close!(m.strata[0].pooled_rate, 0.8, 1e-12);
    assert_close!(m.strata[2].pooled_rate, 0.6, 1e-12);
    assert_close!(m.top_minus_bottom, -0.2, 1e-12);
    // Rates are exactly linear in the stratifier, so observed / expected × the overall rate
    // (0.7) is the same for everyone: the gap is all explained by social risk.
    let adj = risk_adjusted(&obs, &["dual_share"]).unwrap();
    let s = adj.series("M", "performance").unwrap();
    for i in 0..3 {
        assert_close!(s.effective_rate(i), 0.7, 1e-12);
    }
    assert_close!(s.expected[0], 100.0 * 0.8 / 0.7, 1e-9);
    let back = equity::without_risk_adjustment(&adj);
    assert!(
        back.series("M", "performance")
            .unwrap()
            .expected
            .iter()
            .all(|e| e.is_nan())
    );
}

// ---------------------------------------------------------------------------------------------
// Reliability
// ---------------------------------------------------------------------------------------------

#[test]
fn beta_binomial_reliability_by_hand() {
    // Four providers, 50, 60, 70, 80 of 100: p̄ = 0.65, S = 100·0.05 = 5,
    // σ² = (5 − 3·0.2275) / (400 − 100 − 3) = 4.3175 / 297.
    let (mean, var) = between_variance(&[50.0, 60.0, 70.0, 80.0], &[100.0; 4]);
    assert_close!(mean, 0.65, 1e-12);
    assert_close!(var, 4.3175 / 297.0, 1e-12);
    // Reliability at n = 100: σ² / (σ² + 0.2275/100) = 0.864680…
    let r = signal_to_noise(var, mean, 100.0);
    assert_close!(r, (4.3175 / 297.0) / (4.3175 / 297.0 + 0.002275), 1e-12);
    assert_close!(r, 0.864_680, 1e-6);
    // No spread beyond chance: variance floors at zero, reliability 0.
    let (_, v0) = between_variance(&[50.0, 50.0, 50.0], &[100.0; 3]);
    assert_eq!(v0, 0.0);
    // Control limits at n = 100 around 0.65: se = √(0.2275/100).
    let se = (0.2275f64 / 100.0).sqrt();
    let (lo, hi) = control_limits(0.65, 100.0, Z95);
    assert_close!(lo, 0.65 - Z95 * se, 1e-12);
    assert_close!(hi, 0.743_484, 1e-6);
    let (lo, hi) = control_limits(0.65, 100.0, Z998);
    assert_close!(lo, 0.502_605, 1e-6);
    assert_close!(hi, 0.797_395, 1e-6);
    assert_eq!(
        reliability::funnel_zone(0.8, 100.0, 0.65),
        FunnelZone::Above998
    );
    assert_eq!(
        reliability::funnel_zone(0.5, 100.0, 0.65),
        FunnelZone::Below998
    );
    assert_eq!(
        reliability::funnel_zone(0.75, 100.0, 0.65),
        FunnelZone::Above95
    );
    assert_eq!(
        reliability::funnel_zone(0.7, 100.0, 0.65),
        FunnelZone::Inside
    );
}

fn four_provider_counts() -> (Program, Observations) {
    let mut p = crate::engine::tiny_program(&[("M", Direction::HigherIsBetter, 0.5, 0.9)]);
    p.measures[0].min_denominator = Some(50.0);
    let mut obs = Observations::new();
    for (id, num, den) in [
        ("a", 50.0, 100.0),
        ("b", 60.0, 100.0),
        ("c", 70.0, 100.0),
        ("d", 80.0, 100.0),
        ("e", 20.0, 30.0),
    ] {
        let i = obs.provider_index(id);
        for period in ["baseline", "performance"] {
            let s = obs.series_mut("M", period);
            s.numerator[i] = num;
            s.denominator[i] = den;
        }
    }
    (p, obs)
}

#[test]
fn measure_reliability_and_funnel() {
    let (p, obs) = four_provider_counts();
    let rel = reliability::reliability(&p, &obs);
    assert_eq!(rel.len(), 1);
    let m = &rel[0];
    // Five providers now: 280 of 430.
    let (mean, var) = between_variance(
        &[50.0, 60.0, 70.0, 80.0, 20.0],
        &[100.0, 100.0, 100.0, 100.0, 30.0],
    );
    assert_close!(m.mean_rate, 280.0 / 430.0, 1e-12);
    assert_close!(m.mean_rate, mean, 1e-15);
    assert_close!(m.between_variance, var, 1e-15);
    assert_eq!(m.providers, 5);
    assert_eq!(m.below_min_denominator, 1);
    assert!(m.reliability[4] < m.reliability[0]);
    assert_close!(m.reliability[0], signal_to_noise(var, mean, 100.0), 1e-15);
    assert_close!(
        m.denominator_for_reliable,
        0.7 / 0.3 * mean * (1.0 - mean) / var,
        1e-9
    );
    assert_eq!(m.funnel.n.len(), 100);
    assert_close!(m.funnel.n[0], 30.0, 1e-9);
    assert_close!(m.funnel.n[99], 100.0, 1e-9);
    assert_close!(
        m.funnel.upper998[99],
        control_limits(mean, 100.0, Z998).1,
        1e-12
    );
}

#[test]
fn resampling_is_deterministic_and_cancellable() {
    let program = p4p_designer::synth::medicaid_primary_care_program();
    let obs = p4p_designer::synth::medicaid_primary_care_data();
    let opts = ResampleOptions {
        draws: 40,
        seed: 7,
        ..ResampleOptions::default()
    };
    let never = AtomicBool::new(false);
    let last = std::sync::Mutex::new(Vec::new());
    let a = resample(
        &program,
        &obs,
        &opts,
        &|f| last.lock().unwrap().push(f),
        &never,
    )
    .unwrap();
    let progress = last.into_inner().unwrap();
    assert_eq!(progress.first(), Some(&0.0));
    assert_eq!(progress.last(), Some(&1.0));
    assert!(progress.windows(2).all(|w| w[0] <= w[1]));
    // The same on one thread as on many.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let b = pool.install(|| resample(&program, &obs, &opts, &|_| {}, &never).unwrap());
    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<u64>>();
    assert_eq!(bits(&a.p_earn), bits(&b.p_earn));
    assert_eq!(bits(&a.p_flip), bits(&b.p_flip));
    assert_eq!(bits(&a.net_p05), bits(&b.net_p05));
    assert_eq!(bits(&a.total_p95), bits(&b.total_p95));
    assert_eq!(a.misclassification_rate, b.misclassification_rate);
    let c = resample(
        &program,
        &obs,
        &ResampleOptions { seed: 8, ..opts },
        &|_| {},
        &never,
    )
    .unwrap();
    assert_ne!(a.p_earn, c.p_earn);
    assert_eq!(a.draws, 40);
    assert_eq!(a.measures_resampled.len(), 7);
    // Probabilities are shares of 40 draws.
    assert!(
        a.p_earn
            .iter()
            .all(|p| (p * 40.0 - (p * 40.0).round()).abs() < 1e-9)
    );
    assert!(a.misclassification_rate > 0.0 && a.misclassification_rate < 0.5);
    // Cancelled before it starts, and from the progress callback after the first chunk.
    let stop = AtomicBool::new(true);
    assert_eq!(
        resample(&program, &obs, &opts, &|_| {}, &stop),
        Err(Cancelled)
    );
    let stop = AtomicBool::new(false);
    let calls = std::sync::atomic::AtomicUsize::new(0);
    let r = resample(
        &program,
        &obs,
        &ResampleOptions { draws: 400, ..opts },
        &|f| {
            calls.fetch_add(1, Ordering::Relaxed);
            if f > 0.0 {
                stop.store(true, Ordering::Relaxed);
            }
        },
        &stop,
    );
    assert_eq!(r, Err(Cancelled));
    assert_eq!(calls.load(Ordering::Relaxed), 2);
}

// ---------------------------------------------------------------------------------------------
// Exceptions
// ---------------------------------------------------------------------------------------------

/// Ten practices, 100 patients each: nine exclude 5 and meet the measure for 72 of 95; "p9"
/// excludes 30 and meets it for 63 of 70.
fn gaming_case() -> (Program, Observations) {
    let mut p = crate::engine::tiny_program(&[("M", Direction::HigherIsBetter, 0.6, 0.9)]);
    p.payment.pool = Pool::Fixed { cents: 100_000 };
    let mut obs = Observations::new();
    for k in 0..10 {
        let i = obs.provider_index(&format!("p{k}"));
        let (num, excl) = if k == 9 { (63.0, 30.0) } else { (72.0, 5.0) };
        for period in ["baseline", "performance"] {
            let s = obs.series_mut("M", period);
            s.numerator[i] = num;
            s.denominator[i] = 100.0;
            s.exclusions[i] = excl;
        }
    }
    (p, obs)
}

#[test]
fn exclusions_effect_and_outlier_flags() {
    let (mut p, obs) = gaming_case();
    let r = exception_report(&p, &obs, &ExceptionOptions::default());
    assert_eq!(r.measures.len(), 1);
    let m = &r.measures[0];
    assert_close!(m.exclusion_rate[9], 0.30, 1e-12);
    assert_close!(m.exclusion_rate[0], 0.05, 1e-12);
    // Peer rate 75 / 1000; 99.8% limit at n = 100: 0.075 + 3.0902·√(0.075·0.925/100).
    assert_close!(m.peer_rate[9], 0.075, 1e-12);
    assert_close!(
        m.upper998[9],
        0.075 + Z998 * (0.075f64 * 0.925 / 100.0).sqrt(),
        1e-12
    );
    assert_close!(m.upper998[9], 0.156_394, 1e-6);
    assert!(m.flag_funnel[9]);
    assert!(!m.flag_funnel[0]);
    // Mean + 3 SD: the outlier inflates the SD it is judged by (0.075 + 3·0.0790569 = 0.3122).
    assert_close!(m.sd_limit[9], 0.075 + 3.0 * 0.00625f64.sqrt(), 1e-12);
    assert!(!m.flag_sd[9]);
    // Rates and points: with exclusions 0.9 → 10 points and 72/95 → 5; without them
    // 0.63 → 1 point and 0.72 → 4.
    assert_close!(m.rate_with[9], 0.9, 1e-12);
    assert_close!(m.rate_without[9], 0.63, 1e-12);
    assert_eq!((m.score_with[9], m.score_without[9]), (10.0, 1.0));
    assert_eq!((m.score_with[0], m.score_without[0]), (5.0, 4.0));
    // Pool $1,000 by score: p9 gets 100/550 with exclusions (18,181 cents) and 10/370
    // without (2,702 cents).
    assert_eq!(r.net_with[9], 18_181);
    assert_eq!(r.net_without[9], 2_702);
    assert_eq!(r.flagged.len(), 1);
    let f = &r.flagged[0];
    assert_eq!((f.provider_id.as_str(), f.measure_id.as_str()), ("p9", "M"));
    assert!(f.funnel && !f.sd);
    assert_eq!(f.payment_effect_cents, 15_479);
    // Only p9's own exclusions added back (standards are fixed): 1 point, and 10/460 of the
    // pool = 2,173.9 → 2,174 cents (its remainder is the largest), so they are worth 16,007.
    assert_eq!(f.own_score_without, 1.0);
    assert_eq!(f.own_payment_effect_cents, 18_181 - 2_174);
    assert_eq!(r.flagged_providers(), vec![9]);
    // With a tighter SD rule the outlier is caught by it too.
    let r2 = exception_report(
        &p,
        &obs,
        &ExceptionOptions {
            sd_multiple: 2.0,
            ..ExceptionOptions::default()
        },
    );
    assert!(r2.flagged[0].sd);
    // The SD rule judges only providers at the minimum denominator (p9's 70 eligible are
    // below 80); the funnel still flags it.
    p.measures[0].min_denominator = Some(80.0);
    let r3 = exception_report(
        &p,
        &obs,
        &ExceptionOptions {
            sd_multiple: 2.0,
            ..ExceptionOptions::default()
        },
    );
    assert_eq!(r3.flagged.len(), 1);
    assert!(r3.flagged[0].funnel && !r3.flagged[0].sd);
}

#[test]
fn exclusions_added_back_count_as_failures() {
    let (mut p, obs) = gaming_case();
    let stripped = without_exclusions(&p, &obs);
    let s = stripped.series("M", "performance").unwrap();
    assert_eq!((s.numerator[9], s.exclusions[9]), (63.0, 0.0));
    // For a lower-is-better measure the excluded patients count as events.
    p.measures[0].direction = Direction::LowerIsBetter;
    let stripped = without_exclusions(&p, &obs);
    let s = stripped.series("M", "baseline").unwrap();
    assert_eq!((s.numerator[9], s.exclusions[9]), (93.0, 0.0));
}

// ---------------------------------------------------------------------------------------------
// The Medicaid sample
// ---------------------------------------------------------------------------------------------

/// The bundled sample program and its data files, loaded as the window and the CLI load them.
pub(crate) fn sample() -> (Program, Observations) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("sample_programs/medicaid_primary_care.ron");
    let program = p4p_designer::data::read_program(&path)
        .map_err(|f| f.0)
        .unwrap();
    let obs = p4p_designer::data::load_data(&program, &path, None)
        .map_err(|f| f.0)
        .unwrap();
    (program, obs)
}

#[test]
fn sample_shows_reverse_robin_hood_and_peer_groups_shrink_it() {
    let (program, obs) = sample();
    let (_, results) = engine::run(&program, &obs);
    let report = equity::equity_report(&obs.providers, &results, None).unwrap();
    let g = report.risk.as_ref().unwrap();
    assert_eq!(g.stratifier, "dual_share");
    // Payout per life falls as dual share rises: −$12.28 per life per unit of dual share, and the
    // highest-dual quintile gets $3.72 per life against the lowest's $6.80. (Practices below a
    // measure's minimum denominator do not earn by "improving" on it.)
    // 260 of the 300 practices have a total score (two domains or more).
    assert_eq!(g.payout.n, 260);
    assert_close!(g.payout.slope, -12.2795, 1e-3);
    assert_close!(g.payout.spearman, -0.41615, 1e-4);
    assert_close!(g.score.slope, -52.425, 1e-2);
    assert_close!(g.top_payout_per_life, 3.7228, 1e-3);
    assert_close!(g.bottom_payout_per_life, 6.8025, 1e-3);
    assert_close!(g.top_bottom_ratio, 0.54728, 1e-4);
    let names: Vec<&str> = report
        .strata
        .iter()
        .map(|s| s.stratifier.as_str())
        .collect();
    assert!(names.contains(&"safety_net") && names.contains(&"rural"));

    let counters = equity::compare_counters(&program, &obs);
    assert_eq!(counters.len(), 4);
    let peer = counters
        .iter()
        .find(|c| matches!(c.counter, Counter::PeerGroupStandards { .. }))
        .unwrap();
    // Off is the program as designed (no peer groups). Standards within dual-share quintiles
    // flatten the slope from −12.28 to +0.11; the top/bottom ratio overshoots to 1.67 because
    // the large low-dual practices reach the $75,000 cap.
    assert_eq!(peer.off.gradient.payout, g.payout);
    assert_close!(peer.on.gradient.payout.slope, 0.1109, 1e-3);
    assert_close!(peer.on.gradient.top_bottom_ratio, 1.6749, 1e-3);
    assert!(peer.on.gradient.payout.slope.abs() < 0.05 * peer.off.gradient.payout.slope.abs());
    let find = |f: fn(&Counter) -> bool| counters.iter().find(|c| f(&c.counter)).unwrap();
    // Observed/expected on dual share flattens it too (−0.76); improvement credit, already on in
    // the design, is worth a third of the slope (−17.13 without it); the default equity bonus
    // narrows it a little (−10.67).
    let ra = find(|c| matches!(c, Counter::RiskAdjustment { .. }));
    assert_close!(ra.on.gradient.payout.slope, -0.7594, 1e-3);
    let ic = find(|c| matches!(c, Counter::ImprovementCredit));
    assert_close!(ic.off.gradient.payout.slope, -17.1305, 1e-3);
    assert_eq!(ic.on.gradient.payout, g.payout);
    let eb = find(|c| matches!(c, Counter::EquityBonus(_)));
    assert_close!(eb.on.gradient.payout.slope, -10.6720, 1e-3);
    assert_close!(eb.on.gradient.top_bottom_ratio, 0.61642, 1e-4);
    // Every counter keeps the pool fully paid.
    for c in &counters {
        assert_eq!(c.on.paid_cents, 400_000_000, "{}", c.label);
    }
}

/// Peer groups stated in the program (quintiles of a stratifier) give the same standards and
/// money as peer groups cut into the data by the equity view's counterfactual.
#[test]
fn program_peer_groups_from_a_stratifier() {
    let (mut program, obs) = sample();
    program.standards.by_peer_group = true;
    program.standards.peer_groups_from = Some("dual_share".into());
    let (inputs, stated) = engine::run(&program, &obs);
    assert_eq!(inputs.group_names, ["Q1", "Q2", "Q3", "Q4", "Q5"]);
    let n = inputs.provider_count();
    for g in 0..5u32 {
        let size = inputs.group.iter().filter(|x| **x == g).count();
        assert!(
            size == n / 5 || size == n.div_ceil(5),
            "Q{}: {size} of {n}",
            g + 1
        );
    }
    assert!(stated.measures.iter().all(|m| m.standards.len() == 5));
    let mut cut = obs.clone();
    set_peer_groups_from(&mut cut, "dual_share").unwrap();
    let mut by_data = program.clone();
    by_data.standards.peer_groups_from = None;
    let (_, from_data) = engine::run(&by_data, &cut);
    assert_eq!(stated.payment.earned, from_data.payment.earned);
    assert_ne!(
        stated.payment.earned,
        engine::run(
            &{
                let mut p = program.clone();
                p.standards.by_peer_group = false;
                p
            },
            &obs
        )
        .1
        .payment
        .earned,
        "peer groups change the money"
    );

    // A stratifier the data lack: one group, and a warning; off, a validate warning.
    program.standards.peer_groups_from = Some("no_such".into());
    let warned: Vec<String> = engine::check_data(&program, &obs)
        .iter()
        .map(|p| p.to_string())
        .collect();
    assert!(
        warned
            .iter()
            .any(|w| w.contains("peer_groups_from") && w.contains("no_such")),
        "{warned:?}"
    );
    program.standards.by_peer_group = false;
    assert!(
        validate(&program)
            .iter()
            .any(|p| p.to_string().contains("peer_groups_from has no effect"))
    );
}
