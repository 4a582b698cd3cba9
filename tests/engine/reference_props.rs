//! Random programs scored and paid by the engine and by a plain reference written from the
//! rules as the program documents them (src/program/ and DESIGN.md §4): standards, curves,
//! domain and total scores, measures met, eligibility and every payment model (shares, exchange
//! functions, tiers, ladders, points, shared savings and both penalties) with floors and caps.
//!
//! Payments are compared on the engine's own total scores (after checking they match the
//! reference's), so that a last-bit difference in a score cannot move a cent between two
//! providers whose shares are equal to the last bit.

use p4p_designer::engine::{self, Observations, Results};
use p4p_designer::program::*;
use proptest::prelude::*;

const EPS: f64 = 1e-9;

// ---------------------------------------------------------------------------------------------
// Random cases.

#[derive(Debug, Clone)]
struct MeasureCase {
    lower_is_better: bool,
    weight: f64,
    min_denominator: Option<f64>,
    /// Per-measure fixed (threshold, benchmark), in the measure's units; None: program rules.
    fixed: Option<(f64, f64)>,
    /// (baseline, performance, denominator) per provider.
    rows: Vec<(f64, f64, f64)>,
}

#[derive(Debug, Clone)]
struct Case {
    measures: Vec<MeasureCase>,
    lives: Vec<f64>,
    base: Vec<f64>,
    spend: Vec<f64>,
    benchmark_spend: Vec<f64>,
    threshold: StandardRule,
    benchmark: StandardRule,
    achievement: AchievementCurve,
    improvement: ImprovementCurve,
    combine: Combine,
    payment: Payment,
}

/// A rate: missing, from a coarse grid (ties, and values equal to the standards), or any.
fn rate() -> impl Strategy<Value = f64> {
    prop_oneof![
        1 => Just(f64::NAN),
        3 => (0u32..=8).prop_map(|k| f64::from(k) / 8.0),
        2 => 0.0..1.0f64,
    ]
}

fn period_ref() -> impl Strategy<Value = PeriodRef> {
    prop_oneof![Just(PeriodRef::Baseline), Just(PeriodRef::Performance)]
}

fn rule() -> impl Strategy<Value = StandardRule> {
    prop_oneof![
        (0.0..=100.0f64, period_ref()).prop_map(|(p, of)| StandardRule::Percentile { p, of }),
        ((0u32..=4).prop_map(|k| f64::from(k) * 25.0), period_ref())
            .prop_map(|(p, of)| StandardRule::Percentile { p, of }),
        period_ref().prop_map(|of| StandardRule::TopDecileMean { of }),
    ]
}

fn achievement() -> impl Strategy<Value = AchievementCurve> {
    prop_oneof![
        Just(AchievementCurve::HvbpPoints),
        Just(AchievementCurve::ScaledPoints),
        (1.0..20.0f64).prop_map(|max| AchievementCurve::Linear { max }),
        Just(AchievementCurve::Tiers {
            tiers: vec![
                Tier {
                    at: 0.0,
                    points: 2.0
                },
                Tier {
                    at: 0.5,
                    points: 6.0
                },
                Tier {
                    at: 1.0,
                    points: 10.0
                },
            ]
        }),
        (1.0..10.0f64).prop_map(|points| AchievementCurve::PassFail { points }),
    ]
}

fn improvement() -> impl Strategy<Value = ImprovementCurve> {
    prop_oneof![
        Just(ImprovementCurve::None),
        Just(ImprovementCurve::HvbpPoints),
        Just(ImprovementCurve::ScaledPoints),
        (1.0..10.0f64).prop_map(|max| ImprovementCurve::Linear { max }),
    ]
}

fn combine() -> impl Strategy<Value = Combine> {
    prop_oneof![
        Just(Combine::Max),
        Just(Combine::AchievementOnly),
        Just(Combine::ImprovementOnly)
    ]
}

fn limit() -> impl Strategy<Value = Option<Limit>> {
    prop_oneof![
        2 => Just(None),
        2 => (0i64..5_000).prop_map(|c| Some(Limit::Cents(c))),
        1 => (0i64..50_000_00).prop_map(|c| Some(Limit::Cents(c))),
        1 => Just(Some(Limit::Cents(MAX_CENTS))),
        1 => (0.0..5.0f64).prop_map(|p| Some(Limit::PercentOfBase(p))),
    ]
}

fn pool() -> impl Strategy<Value = Pool> {
    prop_oneof![
        Just(Pool::Fixed { cents: 0 }),
        (1i64..10_000).prop_map(|cents| Pool::Fixed { cents }),
        (0i64..10_000_000_00).prop_map(|cents| Pool::Fixed { cents }),
        Just(Pool::Fixed { cents: MAX_CENTS }),
        (0.0..10.0f64).prop_map(|percent| Pool::Withhold { percent }),
    ]
}

fn distribution() -> impl Strategy<Value = Distribution> {
    prop_oneof![
        3 => Just(Distribution::ShareOfPool),
        1 => Just(Distribution::LinearExchange),
        1 => (0.0..=100.0f64, 0.01..1.0f64, 0.0..100.0f64).prop_map(|(s, slope, midpoint)| {
            Distribution::LogisticExchange { payback_share: s, slope, midpoint, stated_k: None }
        }),
        1 => (0i64..5_000, prop_oneof![0i64..50_000_00, Just(MAX_CENTS)]).prop_map(|(lo, hi)| {
            Distribution::Tiered {
                tiers: vec![
                    BonusTier { min_score: 20.0, cents: lo },
                    BonusTier { min_score: 60.0, cents: hi },
                ],
            }
        }),
        1 => (0i64..1_000).prop_map(|c| Distribution::PointsValue { cents_per_point: c }),
        1 => (0i64..5_000, 0i64..20_000, prop_oneof![0i64..50_000_00, Just(MAX_CENTS)])
            .prop_map(|(a, b, c)| Distribution::Ladder {
                rungs: vec![
                    Rung { measures_met: 1, cents: a },
                    Rung { measures_met: 2, cents: b },
                    Rung { measures_met: 4, cents: c },
                ],
            }),
        1 => (0.0..0.002f64, prop_oneof![Just(None), (0u32..6).prop_map(Some)], 0.0..5.0f64)
            .prop_map(|(scale, round_decimals, max_percent)| Distribution::Reduction {
                scale,
                round_decimals,
                max_percent,
            }),
        1 => (0.0..=100.0f64, 0.0..=5.0f64).prop_map(|(worst_percent, percent)| {
            Distribution::WorstShareReduction { worst_percent, percent }
        }),
        1 => (0.0..0.1f64, 0.0..1.0f64, any::<bool>(), 0.0..0.2f64, 0.0..0.1f64, 0.0..1.0f64)
            .prop_map(|(a, b, q, c, d, e)| Distribution::SharedSavings(SharedSavings {
                min_savings_rate: a,
                sharing_rate: b,
                quality_adjusted: q,
                cap_rate: c,
                min_loss_rate: d,
                loss_sharing_rate: e,
            })),
    ]
}

fn payment() -> impl Strategy<Value = Payment> {
    (
        pool(),
        distribution(),
        prop_oneof![
            Just(Eligibility::Any),
            Just(Eligibility::ImproveOrBenchmark),
            (0.0..100.0f64).prop_map(Eligibility::MinScore),
        ],
        prop_oneof![
            Just(WeightBy::Equal),
            Just(WeightBy::AttributedLives),
            Just(WeightBy::BasePayments)
        ],
        limit(),
        limit(),
        any::<bool>(),
    )
        .prop_map(
            |(pool, distribution, eligibility, weight_by, cap, floor, two_sided)| Payment {
                pool,
                distribution,
                eligibility,
                weight_by,
                cap,
                floor,
                two_sided,
                ..Payment::default()
            },
        )
}

fn measure_case(n: usize) -> impl Strategy<Value = MeasureCase> {
    (
        any::<bool>(),
        prop_oneof![Just(1.0), Just(2.0), Just(0.5), Just(0.0)],
        prop_oneof![Just(None), (0.0..60.0f64).prop_map(Some)],
        prop_oneof![
            Just(None),
            ((0u32..=8), (0u32..=8))
                .prop_map(|(a, b)| Some((f64::from(a) / 8.0, f64::from(b) / 8.0))),
        ],
        prop::collection::vec(
            (
                rate(),
                rate(),
                prop_oneof![Just(f64::NAN), (0u32..100).prop_map(f64::from)],
            ),
            n,
        ),
    )
        .prop_map(
            |(lower_is_better, weight, min_denominator, fixed, rows)| MeasureCase {
                lower_is_better,
                weight,
                min_denominator,
                fixed,
                rows,
            },
        )
}

fn case() -> impl Strategy<Value = Case> {
    (1usize..=60, 1usize..=6).prop_flat_map(|(n, k)| {
        let money = || prop::collection::vec(prop_oneof![Just(f64::NAN), 0.0..2_000_000.0f64], n);
        (
            prop::collection::vec(measure_case(n), k),
            money(),
            money(),
            money(),
            money(),
            (rule(), rule()),
            (achievement(), improvement(), combine()),
            payment(),
        )
            .prop_map(
                |(measures, lives, base, spend, benchmark_spend, (t, b), (a, i, c), payment)| {
                    Case {
                        measures,
                        lives,
                        base,
                        spend,
                        benchmark_spend,
                        threshold: t,
                        benchmark: b,
                        achievement: a,
                        improvement: i,
                        combine: c,
                        payment,
                    }
                },
            )
    })
}

fn id(i: usize) -> String {
    format!("p{i:03}")
}

fn program(c: &Case) -> Program {
    let mut p = Program::default();
    p.scoring.domains = vec![Domain {
        id: "d".into(),
        ..Domain::default()
    }];
    p.scoring.achievement = c.achievement.clone();
    p.scoring.improvement = c.improvement.clone();
    p.scoring.combine = c.combine;
    p.standards.threshold = c.threshold.clone();
    p.standards.benchmark = c.benchmark.clone();
    for (k, m) in c.measures.iter().enumerate() {
        let mid = format!("m{k}");
        p.measures.push(Measure {
            id: mid.clone(),
            domain: "d".into(),
            vital_few: true,
            direction: if m.lower_is_better {
                Direction::LowerIsBetter
            } else {
                Direction::HigherIsBetter
            },
            weight: m.weight,
            min_denominator: m.min_denominator,
            ..Measure::default()
        });
        if let Some((at, bm)) = m.fixed {
            p.standards.overrides.push(MeasureStandards {
                measure_id: mid,
                threshold: Some(StandardRule::Fixed(at)),
                benchmark: Some(StandardRule::Fixed(bm)),
                floor: None,
            });
        }
    }
    p.payment = c.payment.clone();
    p
}

fn observations(c: &Case) -> Observations {
    let mut o = Observations::new();
    let n = c.lives.len();
    for i in 0..n {
        o.provider_index(&id(i));
    }
    for (k, m) in c.measures.iter().enumerate() {
        let mid = format!("m{k}");
        for (i, (b, p, den)) in m.rows.iter().enumerate() {
            o.series_mut(&mid, "baseline").rate[i] = *b;
            let s = o.series_mut(&mid, "performance");
            s.rate[i] = *p;
            s.denominator[i] = *den;
        }
    }
    o.providers.lives = c.lives.clone();
    o.providers.base_payments = c.base.clone();
    o.providers.spend = c.spend.clone();
    o.providers.benchmark_spend = c.benchmark_spend.clone();
    o
}

// ---------------------------------------------------------------------------------------------
// The reference: the documented rules, written plainly.

/// A standard from one period's rates, oriented so that greater is better.
fn standard(rule: &StandardRule, sign: f64, baseline: &[f64], performance: &[f64]) -> f64 {
    let values = |of: &PeriodRef| {
        let col = match of {
            PeriodRef::Baseline => baseline,
            PeriodRef::Performance => performance,
        };
        let mut v: Vec<f64> = col
            .iter()
            .map(|x| x * sign)
            .filter(|x| x.is_finite())
            .collect();
        v.sort_by(f64::total_cmp);
        v
    };
    match rule {
        StandardRule::Percentile { p, of } => {
            let v = values(of);
            if v.is_empty() {
                return f64::NAN;
            }
            // Linear between closest ranks.
            // Linear between closest ranks, exactly the value where they tie, never beyond them.
            let h = (v.len() - 1) as f64 * p / 100.0;
            let lo = h.floor() as usize;
            let hi = (lo + 1).min(v.len() - 1);
            let (a, b) = (v[lo], v[hi]);
            if a == b {
                a
            } else {
                (a + (h - lo as f64) * (b - a)).clamp(a, b)
            }
        }
        StandardRule::TopDecileMean { of } => {
            let v = values(of);
            if v.is_empty() {
                return f64::NAN;
            }
            let k = v.len().div_ceil(10);
            let top = &v[v.len() - k..];
            if top[0] == top[k - 1] {
                top[0]
            } else {
                top.iter().sum::<f64>() / k as f64
            }
        }
        StandardRule::Fixed(x) => x * sign,
        StandardRule::Supplied => f64::NAN,
    }
}

fn round_half_up(x: f64) -> f64 {
    (x + 0.5 + 1e-9).floor()
}

/// Achievement points; NaN when not scored.
fn achievement_points(curve: &AchievementCurve, p: f64, at: f64, bm: f64) -> f64 {
    if let AchievementCurve::PassFail { points } = curve {
        return if p.is_nan() { f64::NAN } else { *points };
    }
    if p.is_nan() || at.is_nan() || bm.is_nan() {
        return f64::NAN;
    }
    let max = curve.max_points();
    // At or beyond the benchmark: everything. When the benchmark is not better than the
    // threshold it is the only cut, so below it: nothing.
    if p >= bm {
        return max;
    }
    if bm <= at || p < at {
        return 0.0;
    }
    let share = (p - at) / (bm - at);
    match curve {
        AchievementCurve::HvbpPoints => round_half_up(9.0 * share + 0.5).clamp(0.0, 9.0),
        AchievementCurve::ScaledPoints => 10.0 * (9.0 * share + 0.5),
        AchievementCurve::Linear { max } => max * share,
        AchievementCurve::Tiers { tiers } => tiers
            .iter()
            .filter(|t| share >= t.at - EPS)
            .map(|t| t.points)
            .fold(0.0, f64::max),
        AchievementCurve::PassFail { .. } => unreachable!(),
        // Not generated: their own tests reproduce CMS's HRRP and HACRP.
        AchievementCurve::ExcessOverThreshold | AchievementCurve::StandardisedZ { .. } => {
            unreachable!()
        }
    }
}

fn improvement_points(curve: &ImprovementCurve, p: f64, b: f64, bm: f64) -> f64 {
    if matches!(curve, ImprovementCurve::None) || p.is_nan() || b.is_nan() || bm.is_nan() {
        return f64::NAN;
    }
    if p <= b {
        return 0.0;
    }
    let share = (p - b) / (bm - b);
    match curve {
        ImprovementCurve::HvbpPoints if p >= bm => 9.0,
        ImprovementCurve::HvbpPoints => round_half_up(10.0 * share - 0.5).clamp(0.0, 9.0),
        ImprovementCurve::ScaledPoints if p >= bm => 90.0,
        ImprovementCurve::ScaledPoints => (10.0 * (10.0 * share - 0.5)).clamp(0.0, 90.0),
        ImprovementCurve::Linear { max } if p >= bm => *max,
        ImprovementCurve::Linear { max } => max * share,
        ImprovementCurve::None => unreachable!(),
    }
}

struct Scores {
    /// [measure][provider]
    measure: Vec<Vec<f64>>,
    total: Vec<f64>,
    improved_or_benchmark: Vec<bool>,
    /// Scored measures at or beyond the benchmark.
    measures_met: Vec<u32>,
}

fn reference_scores(c: &Case) -> Scores {
    let n = c.lives.len();
    let mut measure = Vec::new();
    let mut improved = vec![false; n];
    let mut met = vec![0u32; n];
    let pass_fail = matches!(c.achievement, AchievementCurve::PassFail { .. });
    for m in &c.measures {
        let sign = if m.lower_is_better { -1.0 } else { 1.0 };
        let base: Vec<f64> = m.rows.iter().map(|r| r.0).collect();
        let perf: Vec<f64> = m.rows.iter().map(|r| r.1).collect();
        let (t_rule, b_rule) = match m.fixed {
            Some((at, bm)) => (StandardRule::Fixed(at), StandardRule::Fixed(bm)),
            None => (c.threshold.clone(), c.benchmark.clone()),
        };
        let at = standard(&t_rule, sign, &base, &perf);
        let bm = standard(&b_rule, sign, &base, &perf);
        let mut scores = Vec::new();
        for (i, &(b, p, den)) in m.rows.iter().enumerate() {
            let (b, p) = (b * sign, p * sign);
            let a = achievement_points(&c.achievement, p, at, bm);
            let im = improvement_points(&c.improvement, p, b, bm);
            let s = match c.combine {
                Combine::Max if a.is_nan() => f64::NAN,
                Combine::Max if im.is_nan() => a,
                Combine::Max => a.max(im),
                Combine::AchievementOnly => a,
                Combine::ImprovementOnly => im,
            };
            let small = m.min_denominator.is_some_and(|min| den < min);
            let s = if small { f64::NAN } else { s };
            if !s.is_nan() && (p > b || p >= bm) {
                improved[i] = true;
            }
            if !s.is_nan() && p >= bm {
                met[i] += 1;
            }
            // Pass/fail: points when reported (and large enough), else 0.
            scores.push(if pass_fail && s.is_nan() { 0.0 } else { s });
        }
        measure.push(scores);
    }
    let max = c.achievement.max_points();
    let total = (0..n)
        .map(|i| {
            let (mut got, mut most) = (0.0, 0.0);
            for (m, s) in c.measures.iter().zip(&measure) {
                if !s[i].is_nan() {
                    got += m.weight * s[i];
                    most += m.weight * max;
                }
            }
            if most > 0.0 {
                100.0 * got / most
            } else {
                f64::NAN
            }
        })
        .collect();
    Scores {
        measure,
        total,
        improved_or_benchmark: improved,
        measures_met: met,
    }
}

fn cents(x: f64) -> i64 {
    if x.is_finite() {
        (x * 100.0).round() as i64
    } else {
        0
    }
}

fn limit_cents(l: &Option<Limit>, base: f64) -> i64 {
    match l {
        None => i64::MAX,
        Some(Limit::Cents(c)) => (*c).clamp(0, MAX_CENTS),
        Some(Limit::PercentOfBase(p)) => cents(base * p / 100.0).clamp(0, MAX_CENTS),
    }
}

/// `pool` split in proportion to `w` (providers in id order, which is index order here), each
/// held to its cap with what a cap cuts going to the others; whole cents to the largest
/// remainders, ties to the earlier provider. Returns what is left unpaid.
fn split(pool: i64, w: &[f64], caps: &[i64], out: &mut [i64]) -> i64 {
    if pool <= 0 {
        return pool.max(0);
    }
    let mut active: Vec<usize> = (0..w.len())
        .filter(|&i| w[i] > 0.0 && w[i].is_finite() && caps[i] > 0)
        .collect();
    let mut remaining = pool;
    let mut exact: Vec<f64>;
    loop {
        let total: f64 = active.iter().map(|&i| w[i]).sum();
        if active.is_empty() || total <= 0.0 {
            return remaining;
        }
        exact = active
            .iter()
            .map(|&i| remaining as f64 * w[i] / total)
            .collect();
        let over: Vec<bool> = active
            .iter()
            .zip(&exact)
            .map(|(&i, e)| *e >= caps[i] as f64)
            .collect();
        if !over.iter().any(|o| *o) {
            break;
        }
        let mut next = Vec::new();
        for (k, &i) in active.iter().enumerate() {
            if over[k] {
                out[i] += caps[i];
                remaining -= caps[i];
            } else {
                next.push(i);
            }
        }
        active = next;
        if remaining <= 0 {
            return 0;
        }
    }
    let mut given = 0;
    let mut frac = Vec::new();
    for (k, &i) in active.iter().enumerate() {
        let whole = (exact[k].floor() as i64).min(caps[i]);
        out[i] += whole;
        given += whole;
        frac.push((exact[k] - whole as f64, k));
    }
    let mut left = remaining - given;
    frac.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut progress = true;
    while left > 0 && progress {
        progress = false;
        for &(_, k) in &frac {
            let i = active[k];
            if left > 0 && out[i] < caps[i] {
                out[i] += 1;
                left -= 1;
                progress = true;
            }
        }
    }
    left.max(0)
}

/// Fixed amounts (tiers, rungs) paid as they are, or all scaled down alike when the pool
/// cannot pay them; returns the pool when it is then paid in full.
fn amounts_or_scaled(pool: i64, amounts: Vec<i64>, earned: &mut Vec<i64>) -> Option<i64> {
    if amounts.iter().sum::<i64>() > pool {
        let w: Vec<f64> = amounts.iter().map(|a| *a as f64).collect();
        split(pool, &w, &amounts, earned);
        Some(pool)
    } else {
        *earned = amounts;
        None
    }
}

struct Pay {
    pool: i64,
    earned: Vec<i64>,
    caps: Vec<i64>,
    /// Whether the rules say the whole pool (or payback) is paid.
    paid_in_full: Option<i64>,
}

/// Payments from total and measure scores (the engine's, checked against the reference's).
fn reference_pay(
    c: &Case,
    total: &[f64],
    (improved, met): (&[bool], &[u32]),
    measure: &[Vec<f64>],
) -> Pay {
    let n = total.len();
    let pay = &c.payment;
    let default_base = pay.default_base_payments;
    let base: Vec<f64> = c
        .base
        .iter()
        .map(|b| {
            if b.is_finite() && *b >= 0.0 {
                *b
            } else {
                default_base
            }
        })
        .collect();
    let scored = |i: usize| !total[i].is_nan();
    let eligible: Vec<bool> = (0..n)
        .map(|i| match pay.eligibility {
            Eligibility::Any => scored(i),
            Eligibility::MinScore(m) => total[i] >= m,
            Eligibility::ImproveOrBenchmark => scored(i) && improved[i],
        })
        .collect();
    let known = |v: f64| if v.is_finite() { v.max(0.0) } else { 0.0 };
    let weight: Vec<f64> = (0..n)
        .map(|i| match pay.weight_by {
            WeightBy::Equal => 1.0,
            WeightBy::AttributedLives => known(c.lives[i]),
            WeightBy::BasePayments => base[i],
        })
        .collect();
    let pool = match pay.pool {
        Pool::Fixed { cents } => cents.clamp(0, MAX_CENTS),
        Pool::Withhold { percent } => (0..n)
            .filter(|&i| scored(i))
            .map(|i| cents(base[i] * percent / 100.0).clamp(0, MAX_CENTS))
            .sum(),
        _ => unreachable!(),
    };
    let caps: Vec<i64> = base.iter().map(|b| limit_cents(&pay.cap, *b)).collect();
    let floor = |i: usize| match &pay.floor {
        None => 0,
        Some(_) => limit_cents(&pay.floor, base[i]),
    };
    let mut earned = vec![0i64; n];
    let mut paid_in_full = None;
    match &pay.distribution {
        Distribution::ShareOfPool => {
            let raw: Vec<f64> = (0..n)
                .map(|i| {
                    if eligible[i] {
                        total[i].max(0.0) * weight[i]
                    } else {
                        0.0
                    }
                })
                .collect();
            let floors: Vec<i64> = (0..n)
                .map(|i| {
                    if raw[i] > 0.0 {
                        floor(i).min(caps[i])
                    } else {
                        0
                    }
                })
                .collect();
            let need: i64 = floors.iter().sum();
            let (rest, room) = if need <= pool {
                let room: Vec<i64> = (0..n).map(|i| caps[i] - floors[i]).collect();
                (pool - need, room)
            } else {
                (pool, caps.clone())
            };
            let left = split(rest, &raw, &room, &mut earned);
            if need <= pool {
                for i in 0..n {
                    earned[i] += floors[i];
                }
            }
            let anyone = raw.iter().any(|r| *r > 0.0 && r.is_finite());
            let all_capped = (0..n)
                .filter(|&i| raw[i] > 0.0)
                .all(|i| earned[i] >= caps[i]);
            if anyone && !all_capped {
                paid_in_full = Some(pool);
            }
            assert!(left >= 0);
        }
        Distribution::LinearExchange | Distribution::LogisticExchange { .. } => {
            let (payback, raw): (i64, Vec<f64>) = match &pay.distribution {
                Distribution::LinearExchange => (
                    pool,
                    (0..n)
                        .map(|i| {
                            if scored(i) {
                                base[i] * total[i] / 100.0
                            } else {
                                0.0
                            }
                        })
                        .collect(),
                ),
                Distribution::LogisticExchange {
                    payback_share,
                    slope,
                    midpoint,
                    ..
                } => (
                    (pool as f64 * payback_share / 100.0).round() as i64,
                    (0..n)
                        .map(|i| {
                            if scored(i) {
                                base[i] * (1.0 / (1.0 + (-slope * (total[i] - midpoint)).exp()))
                            } else {
                                0.0
                            }
                        })
                        .collect(),
                ),
                _ => unreachable!(),
            };
            split(payback, &raw, &caps, &mut earned);
            let anyone = raw.iter().any(|r| *r > 0.0);
            let all_capped = (0..n)
                .filter(|&i| raw[i] > 0.0)
                .all(|i| earned[i] >= caps[i]);
            if anyone && !all_capped {
                paid_in_full = Some(payback);
            }
        }
        Distribution::Tiered { tiers } => {
            let amounts: Vec<i64> = (0..n)
                .map(|i| {
                    if !eligible[i] {
                        return 0;
                    }
                    let mut best: Option<&BonusTier> = None;
                    for t in tiers {
                        if total[i] >= t.min_score && best.is_none_or(|b| t.min_score > b.min_score)
                        {
                            best = Some(t);
                        }
                    }
                    let a = best.map_or(0, |t| t.cents.clamp(0, MAX_CENTS));
                    let a = if a > 0 { a.max(floor(i)) } else { a };
                    a.min(caps[i])
                })
                .collect();
            paid_in_full = amounts_or_scaled(pool, amounts, &mut earned);
        }
        Distribution::PointsValue { cents_per_point } => {
            let elig: Vec<usize> = (0..n).filter(|&i| eligible[i]).collect();
            let mean = if elig.is_empty() {
                1.0
            } else {
                elig.iter().map(|&i| weight[i]).sum::<f64>() / elig.len() as f64
            };
            for &i in &elig {
                if mean <= 0.0 {
                    continue;
                }
                let points: f64 = c
                    .measures
                    .iter()
                    .zip(measure)
                    .map(|(m, s)| {
                        if s[i].is_finite() {
                            s[i] * m.weight
                        } else {
                            0.0
                        }
                    })
                    .sum();
                let a = (points * *cents_per_point as f64 * weight[i] / mean).round() as i64;
                let a = if a > 0 { a.max(floor(i)) } else { a };
                earned[i] = a.min(caps[i]);
            }
        }
        Distribution::SharedSavings(ss) => {
            for i in 0..n {
                let (bench, spend) = (c.benchmark_spend[i], c.spend[i]);
                if !scored(i) || bench.is_nan() || bench <= 0.0 || !spend.is_finite() {
                    continue;
                }
                let savings = bench - spend;
                let quality = if ss.quality_adjusted {
                    total[i] / 100.0
                } else {
                    1.0
                };
                let most = bench * ss.cap_rate;
                let a = if savings > 0.0 && savings >= bench * ss.min_savings_rate {
                    cents((savings * ss.sharing_rate * quality).min(most))
                } else if pay.two_sided && -savings >= bench * ss.min_loss_rate {
                    // Two-sided: the floor is the most a provider can owe.
                    let owed = cents(-(-savings * ss.loss_sharing_rate).min(most));
                    if pay.floor.is_some() {
                        owed.max(-floor(i))
                    } else {
                        owed
                    }
                } else {
                    0
                };
                let a = if a > 0 && !pay.two_sided {
                    a.max(floor(i))
                } else {
                    a
                };
                earned[i] = a.min(caps[i]);
            }
        }
        Distribution::Ladder { rungs } => {
            // The highest rung reached pays, within the cap and at least the floor; scaled
            // down alike when the pool cannot pay every amount, as tiers are.
            let amounts: Vec<i64> = (0..n)
                .map(|i| {
                    if !eligible[i] {
                        return 0;
                    }
                    let best = rungs
                        .iter()
                        .filter(|r| met[i] >= r.measures_met)
                        .max_by_key(|r| r.measures_met);
                    let a = best.map_or(0, |r| r.cents.clamp(0, MAX_CENTS));
                    let a = if a > 0 { a.max(floor(i)) } else { a };
                    a.min(caps[i])
                })
                .collect();
            paid_in_full = amounts_or_scaled(pool, amounts, &mut earned);
        }
        Distribution::Reduction {
            scale,
            round_decimals,
            max_percent,
        } => {
            // Each provider with a total loses min(most, round(scale × total)) of its base
            // payments, never less than nothing; nothing is pooled.
            for i in (0..n).filter(|&i| scored(i)) {
                let raw = scale * total[i];
                let rounded = match round_decimals {
                    Some(d) => {
                        let f = 10f64.powi(*d as i32);
                        (raw * f + 1e-9).round() / f
                    }
                    None => raw,
                };
                let share = rounded.min(max_percent / 100.0).max(0.0);
                earned[i] = -cents(base[i] * share);
            }
            return Pay {
                pool: 0,
                earned,
                caps,
                paid_in_full: None,
            };
        }
        Distribution::WorstShareReduction {
            worst_percent,
            percent,
        } => {
            // Providers strictly below the percentile of all totals lose the share.
            let totals: Vec<f64> = total.iter().copied().filter(|t| !t.is_nan()).collect();
            let cut = standard(
                &StandardRule::Percentile {
                    p: *worst_percent,
                    of: PeriodRef::Performance,
                },
                1.0,
                &[],
                &totals,
            );
            for i in (0..n).filter(|&i| total[i] < cut) {
                earned[i] = -cents(base[i] * percent / 100.0);
            }
            return Pay {
                pool: 0,
                earned,
                caps,
                paid_in_full: None,
            };
        }
    }
    if !(pay.two_sided && matches!(pay.distribution, Distribution::SharedSavings(_))) {
        for e in &mut earned {
            *e = (*e).max(0);
        }
    }
    Pay {
        pool,
        earned,
        caps,
        paid_in_full,
    }
}

fn same(a: f64, b: f64) -> bool {
    (a.is_nan() && b.is_nan()) || (a - b).abs() <= 1e-9 * (1.0 + a.abs().max(b.abs()))
}

fn check(c: &Case) -> Result<(), TestCaseError> {
    let p = program(c);
    let o = observations(c);
    let r: Results = engine::run(&p, &o).1;
    let want = reference_scores(c);
    for (k, (got, exp)) in r.measures.iter().zip(&want.measure).enumerate() {
        prop_assert_eq!(got.score.len(), exp.len());
        for (i, (g, e)) in got.score.iter().zip(exp).enumerate() {
            prop_assert!(
                same(*g, *e),
                "measure m{} provider {}: engine {} reference {}",
                k,
                i,
                g,
                e
            );
        }
    }
    for i in 0..want.total.len() {
        prop_assert!(
            same(r.total[i], want.total[i]),
            "total {}: engine {} reference {}",
            i,
            r.total[i],
            want.total[i]
        );
    }
    prop_assert_eq!(&r.improved_or_benchmark, &want.improved_or_benchmark);
    prop_assert_eq!(&r.measures_met, &want.measures_met);
    let scores: Vec<Vec<f64>> = r.measures.iter().map(|m| m.score.clone()).collect();
    let pay = reference_pay(
        c,
        &r.total,
        (&r.improved_or_benchmark, &r.measures_met),
        &scores,
    );
    let e = &r.payment;
    prop_assert_eq!(e.pool_cents, pay.pool);
    prop_assert_eq!(&e.earned, &pay.earned);
    let paid: i64 = e.earned.iter().sum();
    prop_assert_eq!(e.paid_cents, paid);
    for (i, (got, cap)) in e.earned.iter().zip(&pay.caps).enumerate() {
        prop_assert!(
            got <= cap,
            "provider {} paid {} above its cap {}",
            i,
            got,
            cap
        );
    }
    let penalty = matches!(
        c.payment.distribution,
        Distribution::Reduction { .. } | Distribution::WorstShareReduction { .. }
    );
    let can_owe = penalty
        || (c.payment.two_sided
            && matches!(c.payment.distribution, Distribution::SharedSavings(_)));
    if !can_owe {
        prop_assert!(e.earned.iter().all(|x| *x >= 0), "negative payment");
    }
    if penalty {
        prop_assert!(e.earned.iter().all(|x| *x <= 0), "a penalty that pays");
    }
    let pooled = !penalty
        && !matches!(
            c.payment.distribution,
            Distribution::PointsValue { .. } | Distribution::SharedSavings(_)
        );
    if pooled {
        prop_assert!(
            paid <= e.pool_cents,
            "paid {} from a pool of {}",
            paid,
            e.pool_cents
        );
        prop_assert_eq!(paid + e.unallocated_cents, e.pool_cents);
    }
    if let Some(full) = pay.paid_in_full {
        prop_assert_eq!(paid, full, "the rules pay this in full");
    }
    Ok(())
}

/// A case whose pool is shared by score with both a floor and a cap, of sizes that meet: the
/// leftover cents then have to respect what each cap leaves after the floor.
fn floor_and_cap_case() -> impl Strategy<Value = Case> {
    (
        case(),
        1i64..20_000,
        0i64..300,
        1i64..1_500,
        prop_oneof![Just(WeightBy::Equal), Just(WeightBy::AttributedLives)],
    )
        .prop_map(|(mut c, pool, floor, cap, weight_by)| {
            c.payment = Payment {
                pool: Pool::Fixed { cents: pool },
                distribution: Distribution::ShareOfPool,
                eligibility: Eligibility::Any,
                weight_by,
                cap: Some(Limit::Cents(cap)),
                floor: Some(Limit::Cents(floor)),
                ..Payment::default()
            };
            c
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(192))]

    #[test]
    fn engine_matches_the_documented_rules(c in case()) {
        check(&c)?;
    }

    #[test]
    fn floors_and_caps_share_the_pool_exactly(c in floor_and_cap_case()) {
        check(&c)?;
    }
}
