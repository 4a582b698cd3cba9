//! What-if sweeps and scenario comparisons: hand-computed small grids, adopting a cell, cancel,
//! winners and losers, determinism across thread counts, and figures on the Medicaid sample.

use p4p_designer::engine::{
    self, AttributeValues, Axis, CellMetrics, CompareOptions, Metric, Observations, Results,
    SweepData, SweepResult, SweepSpec, adopt, compare, sweep,
};
use p4p_designer::program::*;
use p4p_designer::synth::{
    self, SynthSpec, medicaid_primary_care_data, medicaid_primary_care_program,
};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

fn no_progress(_: f32) {}

fn run_sweep(p: &Program, obs: &Observations, spec: &SweepSpec) -> SweepResult {
    sweep(p, obs, spec, &no_progress, &AtomicBool::new(false)).expect("not cancelled")
}

/// One measure, higher is better, scored on achievement (performance equals baseline, so
/// improvement earns nothing); threshold a percentile of baseline, benchmark its best value;
/// pool shared equally by score among every scored provider.
fn one_measure_program() -> Program {
    let mut p = Program::default();
    p.scoring.domains = vec![Domain {
        id: "d".into(),
        name: "D".into(),
        weight: 1.0,
        ..Domain::default()
    }];
    p.measures.push(Measure {
        id: "m".into(),
        direction: Direction::HigherIsBetter,
        domain: "d".into(),
        vital_few: true,
        ..Measure::default()
    });
    p.standards.threshold = StandardRule::Percentile {
        p: 50.0,
        of: PeriodRef::Baseline,
    };
    p.standards.benchmark = StandardRule::Percentile {
        p: 100.0,
        of: PeriodRef::Baseline,
    };
    p.payment.pool = Pool::Fixed { cents: 110_000 };
    p.payment.distribution = Distribution::ShareOfPool;
    p.payment.eligibility = Eligibility::Any;
    p.payment.weight_by = WeightBy::Equal;
    p
}

/// Providers with the same baseline and performance rate, attributed lives and dual share.
fn flat_obs(rows: &[(&str, f64, f64, f64)]) -> Observations {
    let mut obs = Observations::new();
    let s = obs.add_stratifier("dual_share", true);
    for (id, rate, lives, dual) in rows {
        let i = obs.provider_index(id);
        obs.series_mut("m", "baseline").rate[i] = *rate;
        obs.series_mut("m", "performance").rate[i] = *rate;
        obs.providers.lives[i] = *lives;
        if let AttributeValues::Numeric(v) = &mut obs.providers.stratifiers[s].values {
            v[i] = *dual;
        }
    }
    obs
}

fn three() -> Observations {
    flat_obs(&[
        ("A", 0.2, 100.0, 0.9),
        ("B", 0.5, 100.0, 0.5),
        ("C", 0.8, 100.0, 0.1),
    ])
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-12
}

#[test]
fn three_providers_pool_by_threshold_by_hand() {
    // Baseline (= performance) rates 0.2, 0.5, 0.8; benchmark 0.8 (100th percentile).
    // Threshold 0th pct = 0.2: points A 1 (P == AT), B round(9·0.5 + 0.5) = 5, C 10
    //   → totals 10, 50, 100; a $1,100 pool splits 6,875 / 34,375 / 68,750 dollars·100.
    // Threshold 50th pct = 0.5: A 0, B 1, C 10 → totals 0, 10, 100 → B 10,000, C 100,000.
    // Threshold 100th pct = 0.8: only C (at the benchmark) scores → C takes the pool.
    let p = one_measure_program();
    let obs = three();
    let spec = SweepSpec {
        x: Axis::new(Parameter::PoolDollars, 1_100.0, 1_600.0, 2),
        y: Axis::new(Parameter::ThresholdPercentile, 0.0, 100.0, 3),
        stratifier: None,
    };
    let r = run_sweep(&p, &obs, &spec);
    assert_eq!(r.x_values, vec![1_100.0, 1_600.0]);
    assert_eq!(r.y_values, vec![0.0, 50.0, 100.0]);
    assert_eq!(r.cells.len(), 6);
    let c = |ix, iy| *r.cell(ix, iy);

    // Gini of (x1 ≤ x2 ≤ x3) = 2·Σ i·x_i / (n·Σx) − (n+1)/n.
    let g = c(0, 0);
    assert_eq!((g.providers_scored, g.providers_earning), (3, 3));
    assert_eq!(g.pool_cents, 110_000);
    assert_eq!(g.paid_cents, 110_000);
    assert!(close(g.pool_used, 1.0));
    assert!(close(g.gini, 0.375)); // (10, 50, 100): 2·410/(3·160) − 4/3
    assert_eq!(g.median_payout_cents, 34_375);
    assert_eq!(g.max_payout_cents, 68_750);
    assert!(close(g.share_earning, 1.0));
    // Scaling the pool leaves shares, and so the Gini, alone.
    let g = c(1, 0);
    assert_eq!(g.paid_cents, 160_000);
    assert!(close(g.gini, 0.375));
    assert_eq!(g.median_payout_cents, 50_000);
    assert_eq!(g.max_payout_cents, 100_000);

    let g = c(0, 1);
    assert_eq!(g.providers_earning, 2);
    assert!(close(g.share_earning, 2.0 / 3.0));
    assert!(close(g.gini, 20.0 / 33.0)); // (0, 10000, 100000)
    assert_eq!(g.median_payout_cents, (10_000 + 100_000) / 2);
    // $1,600 over totals 10 and 100: 14,545.45 and 145,454.54 → the cent left goes to C.
    let g = c(1, 1);
    assert_eq!(g.paid_cents, 160_000);
    assert_eq!(g.median_payout_cents, (14_545 + 145_455) / 2);
    assert_eq!(g.max_payout_cents, 145_455);

    for ix in 0..2 {
        let g = c(ix, 2);
        assert_eq!(g.providers_earning, 1);
        assert!(close(g.gini, 2.0 / 3.0));
        assert_eq!(g.max_payout_cents, g.pool_cents);
        assert_eq!(g.median_payout_cents, g.pool_cents);
    }
    // Rows are y, columns x.
    assert_eq!(
        r.grid(Metric::ProvidersEarning),
        vec![3.0, 3.0, 2.0, 2.0, 1.0, 1.0]
    );
    assert_eq!(r.current, (Some(1_100.0), Some(50.0)));
    assert_eq!(r.nearest_cell(1_200.0, 60.0), (0, 1));
    assert_eq!(r.range(Metric::ProvidersEarning), (1.0, 3.0));
}

#[test]
fn equity_gap_by_risk_quintile_by_hand() {
    // Five practices, dual share 0.1 … 0.5; the riskiest performs worst.
    // Threshold 0.5 (0th pct), benchmark 0.9: points 10, 7, 5, 3, 1 → totals 100, 70, 50, 30, 10.
    // A $2,600 pool pays $1,000, $700, $500, $300, $100.
    let p = one_measure_program();
    let obs = flat_obs(&[
        ("P1", 0.9, 1_000.0, 0.1),
        ("P2", 0.8, 100.0, 0.2),
        ("P3", 0.7, 100.0, 0.3),
        ("P4", 0.6, 100.0, 0.4),
        ("P5", 0.5, 500.0, 0.5),
    ]);
    let spec = SweepSpec {
        x: Axis::new(Parameter::PoolDollars, 2_600.0, 2_600.0, 1),
        y: Axis::new(Parameter::ThresholdPercentile, 0.0, 0.0, 1),
        stratifier: None,
    };
    let r = run_sweep(&p, &obs, &spec);
    assert_eq!(r.equity_stratifier.as_deref(), Some("dual_share"));
    let c = r.cell(0, 0);
    assert_eq!(c.max_payout_cents, 100_000);
    // Lowest-risk quintile: $1,000 / 1,000 lives; highest: $100 / 500 lives.
    assert!(close(c.per_life_low, 1.0));
    assert!(close(c.per_life_high, 0.2));
    assert!(close(c.equity_gap, -0.8));
    assert!(close(c.equity_ratio, 0.2));
    // Gini of (100, 300, 500, 700, 1000) dollars.
    let xs = [100.0, 300.0, 500.0, 700.0, 1000.0];
    let ranked: f64 = xs
        .iter()
        .enumerate()
        .map(|(i, x)| (i as f64 + 1.0) * x)
        .sum();
    assert!(close(c.gini, 2.0 * ranked / (5.0 * 2600.0) - 6.0 / 5.0));

    // A stratifier that is not there leaves equity blank rather than guessing.
    let spec = SweepSpec {
        stratifier: Some("rurality".into()),
        ..spec
    };
    let r = run_sweep(&p, &obs, &spec);
    assert_eq!(r.equity_stratifier, None);
    assert!(r.cell(0, 0).equity_gap.is_nan());
}

#[test]
fn axes_parse_and_space_their_values() {
    let p = one_measure_program();
    let a = Axis::parse("pool:1000000:8000000:50", &p).unwrap();
    assert_eq!(a.param, Parameter::PoolDollars);
    assert_eq!(a.len(), 50);
    assert_eq!(a.value(0), 1_000_000.0);
    assert_eq!(a.value(49), 8_000_000.0);
    assert_eq!(a.value(7), 2_000_000.0);
    let t = Axis::parse("threshold:10:90:5", &p).unwrap();
    assert_eq!(t.values(), vec![10.0, 30.0, 50.0, 70.0, 90.0]);
    assert_eq!(
        Axis::parse("improvement", &p).unwrap().values(),
        vec![0.0, 1.0]
    );
    assert_eq!(Axis::parse("threshold", &p).unwrap().len(), 50);
    assert!(
        Axis::parse("poolsize:1:2:3", &p)
            .unwrap_err()
            .contains("unknown parameter")
    );
    assert!(
        Axis::parse("pool:1:x:3", &p)
            .unwrap_err()
            .contains("not a number")
    );
    assert!(Axis::parse("pool:1:2:0", &p).is_err());
    assert!(Axis::parse("pool:1:2", &p).is_err());
    assert_eq!(Axis::parse(&a.to_string(), &p).unwrap(), a);
}

/// Earned-cents Gini over scored providers, straight from the definition (mean absolute
/// difference over twice the mean).
fn gini_by_definition(r: &Results) -> f64 {
    let xs: Vec<f64> = (0..r.provider_count())
        .filter(|&i| r.total[i].is_finite())
        .map(|i| r.payment.earned[i].max(0) as f64)
        .collect();
    let n = xs.len() as f64;
    let sum: f64 = xs.iter().sum();
    let mut diff = 0.0;
    for a in &xs {
        for b in &xs {
            diff += (a - b).abs();
        }
    }
    diff / (2.0 * n * sum)
}

/// Checks a sweep cell against a full, independent run of the adopted program.
fn assert_cell_matches(p: &Program, obs: &Observations, spec: &SweepSpec, r: &SweepResult) {
    for iy in 0..r.ny() {
        for ix in 0..r.nx() {
            let adopted = adopt(p, spec, (ix, iy));
            assert_eq!(
                spec.x.param.get(&adopted),
                Some(r.x_values[ix]).map(|v| round_like(spec.x.param, v))
            );
            let (_, full) = engine::run(&adopted, obs);
            let c = r.cell(ix, iy);
            let at = format!("cell ({ix}, {iy})");
            assert_eq!(c.providers_earning as usize, full.earning_count(), "{at}");
            assert_eq!(
                c.providers_penalised as usize,
                full.penalised_count(),
                "{at}"
            );
            assert_eq!(c.paid_cents, full.payment.paid_cents, "{at}");
            assert_eq!(c.pool_cents, full.payment.pool_cents, "{at}");
            let scored = full.total.iter().filter(|t| t.is_finite()).count();
            assert_eq!(c.providers_scored as usize, scored, "{at}");
            let g = gini_by_definition(&full);
            assert!(
                (c.gini - g).abs() < 1e-9 || (c.gini.is_nan() && g.is_nan()),
                "{at}: {} vs {g}",
                c.gini
            );
            // Median payout (net of withholds) among providers earning anything.
            let pay = &full.payment;
            let mut earners: Vec<i64> = (0..pay.earned.len())
                .filter(|&i| pay.earned[i] > 0)
                .map(|i| pay.net[i])
                .collect();
            earners.sort();
            let median = match earners.len() {
                0 => 0,
                k if k % 2 == 1 => earners[k / 2],
                k => (earners[k / 2 - 1] + earners[k / 2]) / 2,
            };
            assert_eq!(c.median_payout_cents, median, "{at}");
            assert_eq!(
                c.max_payout_cents,
                full.payment.net.iter().copied().max().unwrap_or(0),
                "{at}"
            );
        }
    }
}

/// Parameter::set stores dollars as whole cents; `get` reads them back.
fn round_like(p: Parameter, v: f64) -> f64 {
    match p {
        Parameter::PoolDollars
        | Parameter::CapDollars
        | Parameter::PmpmDollars
        | Parameter::LadderTopDollars => (v * 100.0).round() / 100.0,
        _ => v,
    }
}

fn synthetic(providers: usize, measures: usize) -> (Program, Observations) {
    let obs = synth::generate(&SynthSpec::new(providers, measures, 7));
    let program = p4p_designer::cli::bench::program_for(&obs);
    (program, obs)
}

#[test]
fn adopting_a_cell_reproduces_its_figures() {
    let (mut p, obs) = synthetic(400, 6);
    p.payment.cap = Some(Limit::Cents(2_000_000));
    // Payment-only × score-affecting: one scoring pass per threshold.
    let spec = SweepSpec {
        x: Axis::new(Parameter::PoolDollars, 500_000.0, 3_000_000.0, 4),
        y: Axis::new(Parameter::ThresholdPercentile, 20.0, 80.0, 3),
        stratifier: None,
    };
    let r = run_sweep(&p, &obs, &spec);
    assert_cell_matches(&p, &obs, &spec, &r);
    // Score-affecting on both axes, including one that rebuilds the inputs (peer groups).
    let spec = SweepSpec {
        x: Axis::new(Parameter::PeerGroupStandards, 0.0, 1.0, 2),
        y: Axis::new(Parameter::ImprovementCredit, 0.0, 1.0, 2),
        stratifier: None,
    };
    let r = run_sweep(&p, &obs, &spec);
    assert_cell_matches(&p, &obs, &spec, &r);
    // Payment-only on both axes: one scoring pass for the whole grid.
    let spec = SweepSpec {
        x: Axis::new(Parameter::MinScore, 0.0, 60.0, 3),
        y: Axis::new(Parameter::CapDollars, 0.0, 10_000.0, 3),
        stratifier: None,
    };
    let r = run_sweep(&p, &obs, &spec);
    assert_cell_matches(&p, &obs, &spec, &r);
    // A withhold pool: payouts are net, penalties appear.
    let mut w = p.clone();
    w.payment.pool = Pool::Withhold { percent: 2.0 };
    w.payment.distribution = Distribution::LinearExchange;
    let spec = SweepSpec {
        x: Axis::new(Parameter::WithholdPercent, 1.0, 3.0, 3),
        y: Axis::new(Parameter::BenchmarkPercentile, 80.0, 95.0, 2),
        stratifier: None,
    };
    let r = run_sweep(&w, &obs, &spec);
    assert_cell_matches(&w, &obs, &spec, &r);
    assert!(r.cells.iter().all(|c| c.providers_penalised > 0));
}

#[test]
fn sweeps_over_improvement_targets_gates_and_ladder_rungs() {
    let (mut p, obs) = synthetic(400, 6);
    p.payment.distribution = Distribution::Ladder {
        rungs: vec![
            Rung {
                measures_met: 1,
                cents: 100_000,
            },
            Rung {
                measures_met: 3,
                cents: 400_000,
            },
        ],
    };
    p.payment.eligibility = Eligibility::ImproveOrBenchmark;
    // A target rescores (what counts as improved and met); a gate only pays again.
    let spec = SweepSpec {
        x: Axis::new(Parameter::ImprovementTargetPercent, 10.0, 30.0, 3),
        y: Axis::new(Parameter::GateMeasuresMet, 1.0, 3.0, 3),
        stratifier: None,
    };
    let r = run_sweep(&p, &obs, &spec);
    assert_cell_matches(&p, &obs, &spec, &r);
    let earning: Vec<u32> = r.cells.iter().map(|c| c.providers_earning).collect();
    assert!(
        earning.windows(2).any(|w| w[0] != w[1]),
        "targets and gates change who earns: {earning:?}"
    );
    let spec = SweepSpec {
        x: Axis::new(Parameter::LadderTopDollars, 1_000.0, 8_000.0, 3),
        y: Axis::new(Parameter::PoolDollars, 100_000.0, 1_000_000.0, 2),
        stratifier: None,
    };
    let r = run_sweep(&p, &obs, &spec);
    assert_cell_matches(&p, &obs, &spec, &r);
    // Rungs keep their shares of the top one.
    let adopted = adopt(&p, &spec, (2, 1));
    let Distribution::Ladder { rungs } = &adopted.payment.distribution else {
        panic!("still a ladder")
    };
    assert_eq!(rungs[1].cents, 800_000);
    assert_eq!(rungs[0].cents, 200_000);
    // In words, and off again.
    assert_eq!(
        p4p_designer::report::wording::setting(Parameter::ImprovementTargetPercent, 10.0),
        "Improvement target: 10% of the gap to the benchmark"
    );
    assert_eq!(
        p4p_designer::report::wording::setting(Parameter::GateMeasuresMet, 2.0),
        "Gate: at least 2 measures met"
    );
    let mut off = p.clone();
    Parameter::ImprovementTargetPercent.set(&mut off, 0.0);
    Parameter::GateMeasuresMet.set(&mut off, 0.0);
    assert_eq!(off.scoring.improvement_target, None);
    assert_eq!(off.payment.gate, None);
}

#[test]
fn sweeping_sets_only_what_the_engine_reads() {
    // The sweep resets standards, scoring and payment between cells instead of cloning the
    // whole program; that is exact only while parameters touch nothing else.
    let base = medicaid_primary_care_program();
    for param in Parameter::ALL {
        let (lo, hi) = param.default_range(&base);
        for v in [lo, hi] {
            let mut p = base.clone();
            param.set(&mut p, v);
            p.standards = base.standards.clone();
            p.scoring = base.scoring.clone();
            p.payment = base.payment.clone();
            assert_eq!(
                p, base,
                "{param:?} = {v} changed more than standards, scoring, payment"
            );
        }
    }
}

#[test]
fn inputs_supplied_by_the_caller_give_the_same_grid() {
    let (p, obs) = synthetic(200, 4);
    let inputs = engine::Inputs::build(&p, &obs);
    let spec = SweepSpec {
        x: Axis::new(Parameter::PeerGroupStandards, 0.0, 1.0, 2),
        y: Axis::new(Parameter::ThresholdPercentile, 30.0, 70.0, 3),
        stratifier: None,
    };
    let a = run_sweep(&p, &obs, &spec);
    let b = sweep(
        &p,
        SweepData::with_inputs(&obs, &inputs),
        &spec,
        &no_progress,
        &AtomicBool::new(false),
    )
    .unwrap();
    assert_eq!(fingerprint(&a), fingerprint(&b));
}

#[test]
fn cancel_stops_a_sweep_early() {
    let (p, obs) = synthetic(300, 4);
    let spec = SweepSpec {
        x: Axis::new(Parameter::ThresholdPercentile, 10.0, 90.0, 30),
        y: Axis::new(Parameter::BenchmarkPercentile, 91.0, 99.0, 30),
        stratifier: None,
    };
    let cancel = AtomicBool::new(false);
    let calls = AtomicUsize::new(0);
    let progress = |_: f32| {
        if calls.fetch_add(1, Ordering::SeqCst) + 1 == 5 {
            cancel.store(true, Ordering::SeqCst);
        }
    };
    let r = sweep(&p, &obs, &spec, &progress, &cancel);
    assert_eq!(r, Err(engine::Cancelled));
    // Each worker finishes at most the cell it is on.
    let done = calls.load(Ordering::SeqCst);
    assert!(
        done < 5 + rayon::current_num_threads() + 1,
        "{done} cells ran after cancel"
    );
    // Cancelled before it starts: no cell runs.
    calls.store(0, Ordering::SeqCst);
    let r = sweep(&p, &obs, &spec, &progress, &cancel);
    assert!(r.is_err());
    assert_eq!(calls.load(Ordering::SeqCst), 0);
}

#[test]
fn progress_reaches_one() {
    let (p, obs) = synthetic(100, 3);
    let spec = SweepSpec {
        x: Axis::new(Parameter::PoolDollars, 1e5, 1e6, 7),
        y: Axis::new(Parameter::ThresholdPercentile, 10.0, 90.0, 5),
        stratifier: None,
    };
    let calls = AtomicUsize::new(0);
    let last = std::sync::Mutex::new(0.0f32);
    let progress = |f: f32| {
        calls.fetch_add(1, Ordering::SeqCst);
        let mut l = last.lock().unwrap();
        *l = l.max(f);
    };
    sweep(&p, &obs, &spec, &progress, &AtomicBool::new(false)).unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 35);
    assert_eq!(*last.lock().unwrap(), 1.0);
}

/// Every figure of every cell, bit for bit (NaN included).
fn fingerprint(r: &SweepResult) -> Vec<u64> {
    r.cells
        .iter()
        .flat_map(|c: &CellMetrics| {
            let mut v: Vec<u64> = Metric::ALL.iter().map(|m| m.value(c).to_bits()).collect();
            v.extend([c.x.to_bits(), c.y.to_bits(), c.providers_scored as u64]);
            v
        })
        .collect()
}

#[test]
fn parallel_and_serial_sweeps_agree() {
    let (p, obs) = synthetic(500, 5);
    let specs = [
        SweepSpec::default_for(&p),
        SweepSpec {
            x: Axis::new(Parameter::ThresholdPercentile, 10.0, 90.0, 6),
            y: Axis::new(Parameter::BenchmarkPercentile, 91.0, 99.0, 5),
            stratifier: None,
        },
        SweepSpec {
            x: Axis::new(Parameter::CapDollars, 0.0, 5_000.0, 6),
            y: Axis::new(Parameter::PoolDollars, 1e5, 1e6, 5),
            stratifier: Some("complex_share".into()),
        },
    ];
    let pool = |threads| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
    };
    for spec in &specs {
        let serial = pool(1).install(|| run_sweep(&p, &obs, spec));
        let parallel = pool(3).install(|| run_sweep(&p, &obs, spec));
        let default = run_sweep(&p, &obs, spec);
        assert_eq!(fingerprint(&serial), fingerprint(&parallel));
        assert_eq!(fingerprint(&serial), fingerprint(&default));
        // And the same again: nothing carries over between runs.
        assert_eq!(
            fingerprint(&default),
            fingerprint(&run_sweep(&p, &obs, spec))
        );
    }
}

fn three_with_scenarios() -> Program {
    let mut p = one_measure_program();
    p.standards.threshold = StandardRule::Percentile {
        p: 0.0,
        of: PeriodRef::Baseline,
    };
    p.scenarios = vec![
        Scenario {
            name: "Higher bar".into(),
            description: "Threshold at the median".into(),
            overrides: vec![(Parameter::ThresholdPercentile, 50.0)],
        },
        Scenario {
            name: "Bigger pool".into(),
            description: String::new(),
            overrides: vec![(Parameter::PoolDollars, 1_600.0)],
        },
    ];
    p
}

#[test]
fn scenario_winners_and_losers_by_hand() {
    // Base (threshold 0th pct, $1,100): A 6,875  B 34,375  C 68,750 (cents).
    // Higher bar (50th pct): A 0  B 10,000  C 100,000.
    // Bigger pool ($1,600): A 10,000  B 50,000  C 100,000.
    let p = three_with_scenarios();
    let obs = three();
    let cmp = compare(&p, &obs, &CompareOptions::default()).unwrap();
    let names: Vec<&str> = cmp.outcomes.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(names, vec![engine::BASE_NAME, "Higher bar", "Bigger pool"]);
    let base = &cmp.outcomes[0];
    assert_eq!(base.payouts, vec![6_875, 34_375, 68_750]);
    assert_eq!(cmp.outcomes[1].payouts, vec![0, 10_000, 100_000]);
    assert_eq!(cmp.outcomes[2].payouts, vec![10_000, 50_000, 100_000]);
    assert_eq!(base.totals.earning, 3);
    assert_eq!(cmp.outcomes[1].totals.earning, 2);
    assert_eq!(cmp.outcomes[1].totals.median_payout_cents, 55_000);
    assert_eq!(cmp.outcomes[2].totals.paid_cents, 160_000);
    assert!(close(base.totals.gini, 0.375));

    let d = cmp.deltas(0, 1);
    let ids: Vec<&str> = d.iter().map(|x| x.provider_id.as_str()).collect();
    assert_eq!(ids, vec!["C", "A", "B"]);
    assert_eq!(
        d.iter().map(|x| x.delta_cents).collect::<Vec<_>>(),
        vec![31_250, -6_875, -24_375]
    );
    let w = cmp.winners(0, 1, 5);
    assert_eq!(w.len(), 1);
    assert_eq!((w[0].provider_id.as_str(), w[0].delta_cents), ("C", 31_250));
    assert_eq!((w[0].from_score, w[0].to_score), (100.0, 100.0));
    let l = cmp.losers(0, 1, 1);
    assert_eq!(
        (l[0].provider_id.as_str(), l[0].delta_cents),
        ("B", -24_375)
    );
    assert_eq!((l[0].from_score, l[0].to_score), (50.0, 10.0));
    let s = cmp.shift(0, 1);
    assert_eq!((s.gained, s.lost, s.unchanged), (1, 2, 0));
    assert_eq!((s.gained_cents, s.lost_cents), (31_250, -31_250));
    // Any two, either way round: from Higher bar to Bigger pool everyone but C gains.
    let s = cmp.shift(1, 2);
    assert_eq!((s.gained, s.lost, s.unchanged), (2, 0, 1));

    // Quantiles over the three payouts; histogram bins shared by every variant.
    assert_eq!(base.quantiles[3], 34_375.0); // median
    assert_eq!(base.quantiles[0], 6_875.0);
    assert_eq!(base.quantiles[6], 68_750.0);
    assert_eq!(cmp.bin_edges.len(), 17);
    assert_eq!(cmp.bin_edges[0], 0.0);
    assert_eq!(*cmp.bin_edges.last().unwrap(), 100_000.0);
    for o in &cmp.outcomes {
        assert_eq!(o.histogram.iter().sum::<u32>(), 3);
    }
    assert_eq!(cmp.outcomes[1].histogram[0], 1); // A's zero
    assert_eq!(cmp.outcomes[1].histogram[15], 1); // C's 100,000 in the top bin

    // Equity: A is the riskiest (dual 0.9) and lands in Q4 of three, C in Q1.
    assert_eq!(cmp.equity_stratifier.as_deref(), Some("dual_share"));
    assert_eq!(base.equity.len(), 5);
    assert!(base.equity[0].label.starts_with("Q1 lowest"));
    assert_eq!(base.equity[0].paid_cents, 68_750);
    assert!(close(base.equity[0].per_life, 6.875));
}

#[test]
fn choosing_scenarios_by_name() {
    let p = three_with_scenarios();
    let obs = three();
    let opts = CompareOptions {
        scenarios: vec!["Bigger pool".into()],
        ..CompareOptions::default()
    };
    let cmp = compare(&p, &obs, &opts).unwrap();
    assert_eq!(cmp.outcomes.len(), 2);
    assert_eq!(cmp.outcomes[1].name, "Bigger pool");
    let opts = CompareOptions {
        scenarios: vec!["Smaller pool".into()],
        ..CompareOptions::default()
    };
    let e = compare(&p, &obs, &opts).unwrap_err();
    assert_eq!(e.name, "Smaller pool");
    assert!(e.to_string().contains("Higher bar, Bigger pool"));
}

#[test]
fn medicaid_sample_sweep_figures() {
    let p = medicaid_primary_care_program();
    let obs = medicaid_primary_care_data();
    let spec = SweepSpec::default_for(&p);
    assert_eq!(spec.x.param, Parameter::PoolDollars);
    assert_eq!((spec.x.from, spec.x.to), (1_000_000.0, 8_000_000.0));
    assert_eq!((spec.y.from, spec.y.to), (10.0, 90.0));
    let r = run_sweep(&p, &obs, &spec);
    assert_eq!(r.cells.len(), 2_500);
    assert_eq!(r.providers, 300);
    assert_eq!(r.equity_stratifier.as_deref(), Some("dual_share"));
    // Raising the threshold never lets more practices earn (improvement credit is untouched),
    // and a bigger pool never changes who earns — only how much.
    for ix in 0..r.nx() {
        for iy in 1..r.ny() {
            assert!(r.cell(ix, iy).providers_earning <= r.cell(ix, iy - 1).providers_earning);
        }
    }
    for iy in 0..r.ny() {
        let first = r.cell(0, iy).providers_earning;
        assert!((0..r.nx()).all(|ix| r.cell(ix, iy).providers_earning == first));
    }
    // The $75,000 cap binds only for small groups of earners with a big pool: pool used is 1
    // wherever the pool is small enough for every earner to stay under the cap.
    assert!(close(r.cell(0, 0).pool_used, 1.0));
    // The sample has the reverse Robin Hood effect built in: at the program's own design
    // ($4M, 50th percentile) the riskiest quintile gets less per life than the lowest.
    let (ix, iy) = r.nearest_cell(4_000_000.0, 50.0);
    let here = r.cell(ix, iy);
    assert!(here.equity_ratio < 1.0, "ratio {}", here.equity_ratio);
    assert!(here.equity_gap < 0.0);
    // The adopted cell is the program with those values.
    let adopted = adopt(&p, &spec, (ix, iy));
    assert_eq!(
        Parameter::ThresholdPercentile.get(&adopted),
        Some(r.y_values[iy])
    );
}

#[test]
fn medicaid_sample_scenarios_side_by_side() {
    let p = medicaid_primary_care_program();
    let obs = medicaid_primary_care_data();
    let cmp = compare(&p, &obs, &CompareOptions::default()).unwrap();
    assert_eq!(cmp.outcomes.len(), 1 + p.scenarios.len());
    let base = &cmp.outcomes[0];
    // The base program pays its whole $4M pool (no one reaches the cap at the base design).
    assert_eq!(base.totals.pool_cents, 400_000_000);
    assert!(base.totals.paid_cents <= base.totals.pool_cents);
    // Each scenario's payouts agree with running the scenario's program directly.
    for (k, s) in p.scenarios.iter().enumerate() {
        let (_, full) = engine::run(&s.apply(&p), &obs);
        assert_eq!(cmp.outcomes[k + 1].payouts, full.payment.net, "{}", s.name);
        let shift = cmp.shift(0, k + 1);
        assert_eq!(
            (shift.gained + shift.lost + shift.unchanged) as usize,
            obs.provider_count()
        );
        assert_eq!(
            shift.gained_cents + shift.lost_cents,
            cmp.outcomes[k + 1].totals.paid_cents - base.totals.paid_cents
        );
    }
    let six = cmp.index_of("$6M pool, 60th percentile").unwrap();
    assert_eq!(cmp.outcomes[six].totals.pool_cents, 600_000_000);
    assert!(cmp.outcomes[six].totals.earning <= base.totals.earning);
    // Equity rows cover every practice with lives, scored or not, as the equity lens does;
    // and they agree with it: payout per life of each dual-share quintile.
    let covered: u32 = base.equity.iter().map(|q| q.providers).sum();
    assert_eq!(covered as usize, obs.provider_count());
    let (_, results) = engine::run(&p, &obs);
    let lens = engine::equity::stratify(&obs.providers, &results, "dual_share").unwrap();
    for (mine, theirs) in base.equity.iter().zip(&lens.strata) {
        assert!(
            close(mine.per_life, theirs.payout_per_life),
            "{}",
            mine.label
        );
        assert_eq!(mine.paid_cents, theirs.net_cents);
    }
}

#[test]
fn any_two_designs_compare_with_winners_losers_and_counts() {
    let p = medicaid_primary_care_program();
    let obs = medicaid_primary_care_data();
    let cmp = compare(&p, &obs, &CompareOptions::default()).unwrap();
    let peer = cmp.index_of("Peer-group standards").unwrap();
    let six = cmp.index_of("$6M pool, 60th percentile").unwrap();
    let v = cmp.versus(peer, six, 5);
    assert_eq!((v.a, v.b), (peer, six));
    let n = obs.provider_count() as u32;
    assert_eq!(v.shift.gained + v.shift.lost + v.shift.unchanged, n);
    assert!(v.shift.gained > 0 && v.shift.lost > 0, "{:?}", v.shift);
    // Money moved between the two is the difference of what each pays.
    assert_eq!(
        v.shift.gained_cents + v.shift.lost_cents,
        cmp.outcomes[six].totals.paid_cents - cmp.outcomes[peer].totals.paid_cents
    );
    // Winners: biggest gain first, every one a real gain from A's payout to B's.
    assert_eq!(v.winners.len(), 5);
    for w in v.winners.windows(2) {
        assert!(w[0].delta_cents >= w[1].delta_cents);
    }
    for d in &v.winners {
        assert!(d.delta_cents > 0);
        assert_eq!(d.from_cents, cmp.outcomes[peer].payouts[d.index]);
        assert_eq!(d.to_cents, cmp.outcomes[six].payouts[d.index]);
    }
    for d in &v.losers {
        assert!(d.delta_cents < 0);
    }
    // The biggest winner of A → B is the biggest loser of B → A.
    let back = cmp.versus(six, peer, 5);
    assert_eq!(back.losers[0].provider_id, v.winners[0].provider_id);
    assert_eq!(back.losers[0].delta_cents, -v.winners[0].delta_cents);
    assert_eq!(back.shift.gained, v.shift.lost);
    // Names come with ids.
    let label = cmp.provider_label(v.winners[0].index);
    assert!(
        label.ends_with(&format!("({})", v.winners[0].provider_id)),
        "{label}"
    );
    // A design against itself: nobody moves.
    let same = cmp.versus(six, six, 5);
    assert_eq!(same.shift.unchanged, n);
    assert!(same.winners.is_empty() && same.losers.is_empty());
}

#[test]
fn headline_figures_use_the_equity_lens_quintiles_and_payout_per_life() {
    let p = medicaid_primary_care_program();
    let obs = medicaid_primary_care_data();
    let h = engine::headline(&p, &obs);
    let (_, results) = engine::run(&p, &obs);
    assert_eq!(h.pool_cents, 400_000_000);
    assert_eq!(h.paid_cents, results.payment.paid_cents);
    let scored = results.total.iter().filter(|t| t.is_finite()).count() as u32;
    assert_eq!(h.providers_scored, scored);
    assert!(scored > 200 && scored < 300, "{scored}");
    let paid = results.payment.net.iter().filter(|c| **c > 0).count() as u32;
    assert_eq!(h.providers_paid, paid);
    assert!(h.median_payout_cents > 0);
    // The ratio is the equity lens's highest ÷ lowest dual-share quintile, payout per life.
    let lens = engine::equity::stratify(&obs.providers, &results, "dual_share").unwrap();
    let q = &lens.strata;
    let ratio = q[4].payout_per_life / q[0].payout_per_life;
    let got = h.per_life_ratio.unwrap();
    assert!((got - ratio).abs() < 1e-9, "{got} vs {ratio}");
    assert!(got < 1.0, "the sample shows the reverse Robin Hood effect");
}
