//! The design linter: checks a design against the known pitfalls of pay for performance, each
//! finding with the evidence from the loaded data and a suggested fix. Findings are advice;
//! nothing here changes what a program pays.

use super::equity::{associate, default_risk_stratifier, risk_gradient};
use super::exceptions::{ExceptionOptions, exception_report};
use super::inputs::Inputs;
use super::observations::Observations;
use super::reliability::{RELIABLE, reliability, signal_to_noise};
use super::results::Results;
use super::standards::SortedValues;
use crate::program::{Distribution, Eligibility, Program, TotalRule};

/// Most vital-few measures one service area should be paid on.
pub const MAX_MEASURES_PER_AREA: usize = 7;
/// Least incentive per measure per provider worth chasing, in cents a payment period.
pub const MIN_CENTS_PER_MEASURE: i64 = 100_000;
/// Incentives below this share of base payments rarely move behaviour; below half of it, a
/// warning.
pub const MIN_SHARE_OF_BASE: f64 = 0.02;
/// Topped out: truncated coefficient of variation at most this (CMS).
pub const TOPPED_OUT_CV: f64 = 0.10;
/// Payout per life of the highest-risk quintile below this share of the lowest-risk one.
pub const ROBIN_HOOD_RATIO: f64 = 0.8;
/// Share of providers already at the benchmark above which it asks nothing of most.
pub const EVERYONE_MEETS: f64 = 0.9;
/// A point more changing a payment by more than this share of it is a cliff.
pub const CLIFF_SHARE: f64 = 0.25;
/// Correlation across providers above which two measures pay twice for one thing.
pub const CORRELATED: f64 = 0.8;
/// Pairs of providers needed before a correlation is read.
const MIN_PAIRS: usize = 10;

/// Which pitfall a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    TooManyMeasures,
    LowReliability,
    ToppedOut,
    SmallIncentive,
    ReverseRobinHood,
    ExclusionGaming,
    Benchmark,
    Cliff,
    UnpaidPool,
    CorrelatedMeasures,
}

impl Check {
    pub fn label(self) -> &'static str {
        match self {
            Check::TooManyMeasures => "Too many measures for the incentive",
            Check::LowReliability => "Low reliability",
            Check::ToppedOut => "Topped-out measure",
            Check::SmallIncentive => "Incentive too small",
            Check::ReverseRobinHood => "Reverse Robin Hood",
            Check::ExclusionGaming => "Exclusions that invite gaming",
            Check::Benchmark => "Benchmark out of reach or already met",
            Check::Cliff => "Payment cliff",
            Check::UnpaidPool => "Pool left unpaid",
            Check::CorrelatedMeasures => "Measures paying twice",
        }
    }
}

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Worth a look.
    Advice,
    /// Likely to undermine the program.
    Warning,
}

impl Severity {
    pub fn label(self) -> &'static str {
        match self {
            Severity::Advice => "advice",
            Severity::Warning => "warning",
        }
    }
}

/// One pitfall found in a design.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub check: Check,
    pub severity: Severity,
    pub message: String,
    /// What in the loaded data shows it, one line each.
    pub evidence: Vec<String>,
    pub fix: String,
}

fn dollars(cents: i64) -> String {
    let d = cents.unsigned_abs() / 100;
    let s = d.to_string();
    let mut out = String::new();
    for (k, c) in s.chars().enumerate() {
        if k > 0 && (s.len() - k).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    format!("{}${out}", if cents < 0 { "−" } else { "" })
}

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

fn scored(results: &Results) -> usize {
    results.total.iter().filter(|t| !t.is_nan()).count()
}

/// Every check, in order.
pub fn lint(
    program: &Program,
    obs: &Observations,
    inputs: &Inputs,
    results: &Results,
) -> Vec<Finding> {
    let mut out = Vec::new();
    out.extend(too_many_measures(program, results));
    out.extend(low_reliability(program, obs));
    out.extend(topped_out(inputs));
    out.extend(small_incentive(obs, results));
    out.extend(reverse_robin_hood(obs, results));
    out.extend(exclusion_gaming(program, obs));
    out.extend(benchmarks(inputs, results));
    out.extend(cliffs(program, inputs, results));
    out.extend(unpaid_pool(program, inputs, results));
    out.extend(correlated_measures(inputs));
    out
}

/// More than [`MAX_MEASURES_PER_AREA`] vital-few measures in a service area, or an incentive per
/// measure per scored provider below [`MIN_CENTS_PER_MEASURE`].
pub fn too_many_measures(program: &Program, results: &Results) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut areas: Vec<&String> = program
        .scored_measures()
        .flat_map(|m| m.service_areas.iter())
        .collect();
    areas.sort_unstable();
    areas.dedup();
    for a in areas {
        let ids: Vec<&str> = program
            .scored_measures()
            .filter(|m| m.service_areas.contains(a))
            .map(|m| m.id.as_str())
            .collect();
        if ids.len() > MAX_MEASURES_PER_AREA {
            out.push(Finding {
                check: Check::TooManyMeasures,
                severity: Severity::Warning,
                message: format!(
                    "service area {a} is paid on {} measures; attention spread over more than {MAX_MEASURES_PER_AREA} dilutes each",
                    ids.len()
                ),
                evidence: vec![format!("measures: {}", ids.join(", "))],
                fix: format!(
                    "keep the {MAX_MEASURES_PER_AREA} that matter most as vital few and report the rest"
                ),
            });
        }
    }
    let measures = program.scored_measures().count() as i64;
    let providers = scored(results) as i64;
    let pool = results.payment.pool_cents;
    if measures > 0 && providers > 0 && pool > 0 {
        let per = pool / providers / measures;
        if per < MIN_CENTS_PER_MEASURE {
            out.push(Finding {
                check: Check::TooManyMeasures,
                severity: Severity::Warning,
                message: format!(
                    "each measure is worth about {} to a provider, below {}",
                    dollars(per),
                    dollars(MIN_CENTS_PER_MEASURE)
                ),
                evidence: vec![format!(
                    "pool {} ÷ {providers} scored providers ÷ {measures} measures = {}",
                    dollars(pool),
                    dollars(per)
                )],
                fix: "pay on fewer measures, or raise the pool".into(),
            });
        }
    }
    out
}

/// Measures whose provider-level reliability at the minimum denominator (the smallest
/// denominator seen when there is none) is below [`RELIABLE`].
pub fn low_reliability(program: &Program, obs: &Observations) -> Vec<Finding> {
    let mut out = Vec::new();
    for r in reliability(program, obs) {
        let smallest = r
            .denominator
            .iter()
            .copied()
            .filter(|d| d.is_finite())
            .fold(f64::INFINITY, f64::min);
        let at = r.min_denominator.unwrap_or(smallest);
        let rel = signal_to_noise(r.between_variance, r.mean_rate, at);
        if !rel.is_finite() || rel >= RELIABLE {
            continue;
        }
        let basis = if r.min_denominator.is_some() {
            "minimum denominator"
        } else {
            "smallest denominator (no minimum set)"
        };
        let needed = if r.denominator_for_reliable.is_finite() {
            format!("{:.0}", r.denominator_for_reliable.ceil())
        } else {
            "none (no spread between providers)".to_owned()
        };
        out.push(Finding {
            check: Check::LowReliability,
            severity: Severity::Warning,
            message: format!(
                "{}: reliability {rel:.2} at the {basis} of {at:.0}, below {RELIABLE}; much of the spread is chance",
                r.measure_id
            ),
            evidence: vec![
                format!(
                    "median reliability {:.2}; {} of providers reach {RELIABLE}",
                    r.median_reliability,
                    pct(r.share_reliable)
                ),
                format!("denominator needed for {RELIABLE}: {needed}"),
            ],
            fix: if r.denominator_for_reliable.is_finite() {
                format!(
                    "raise the minimum denominator to {needed}, or pool more months or years of data"
                )
            } else {
                "drop the measure or report it without paying on it".into()
            },
        });
    }
    out
}

/// Mean and standard deviation (n − 1) of finite values.
fn mean_sd(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    if v.len() < 2 {
        return (f64::NAN, f64::NAN);
    }
    let mean = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, var.sqrt())
}

/// CMS's topped-out test on performance-period rates: the 75th and 90th percentiles within two
/// standard errors of each other (the standard error of the mean rate) and a truncated
/// coefficient of variation (5th–95th percentiles kept) at most [`TOPPED_OUT_CV`].
pub fn topped_out(inputs: &Inputs) -> Vec<Finding> {
    let mut out = Vec::new();
    for m in &inputs.measures {
        if m.supplied_score {
            continue;
        }
        // In the measure's own units, so that the coefficient of variation has its sign.
        let d = SortedValues::new(m.performance.iter().map(|v| v * m.sign));
        if d.len() < MIN_PAIRS {
            continue;
        }
        let (_, sd) = mean_sd(d.sorted());
        let se = sd / (d.len() as f64).sqrt();
        let (lo, hi) = (d.percentile(5.0), d.percentile(95.0));
        let kept: Vec<f64> = d
            .sorted()
            .iter()
            .copied()
            .filter(|v| *v >= lo && *v <= hi)
            .collect();
        let (tmean, tsd) = mean_sd(&kept);
        let cv = if tmean != 0.0 {
            tsd / tmean.abs()
        } else {
            f64::NAN
        };
        // Oriented percentiles: the 75th and 90th best.
        let o = SortedValues::new(m.performance.iter().copied());
        let (p75, p90) = (o.percentile(75.0) * m.sign, o.percentile(90.0) * m.sign);
        let gap = (p90 - p75).abs();
        if !(gap <= 2.0 * se && cv <= TOPPED_OUT_CV) {
            continue;
        }
        out.push(Finding {
            check: Check::ToppedOut,
            severity: Severity::Warning,
            message: format!(
                "{} is topped out: most providers already perform near the top",
                m.id
            ),
            evidence: vec![
                format!(
                    "75th percentile {p75:.4}, 90th {p90:.4}: {gap:.4} apart, within two standard errors ({:.4})",
                    2.0 * se
                ),
                format!("truncated coefficient of variation {cv:.3} ≤ {TOPPED_OUT_CV}"),
            ],
            fix: "retire it from payment (keep monitoring it) or replace it with an outcome measure"
                .into(),
        });
    }
    out
}

/// The pool below [`MIN_SHARE_OF_BASE`] of the scored providers' known base payments.
pub fn small_incentive(obs: &Observations, results: &Results) -> Vec<Finding> {
    let base = &obs.providers.base_payments;
    let (mut sum, mut known) = (0.0, 0usize);
    for (i, t) in results.total.iter().enumerate() {
        let b = base.get(i).copied().unwrap_or(f64::NAN);
        if !t.is_nan() && b.is_finite() && b > 0.0 {
            sum += b;
            known += 1;
        }
    }
    let pool = results.payment.pool_cents;
    if known == 0 || sum <= 0.0 || pool <= 0 {
        return Vec::new();
    }
    let share = pool as f64 / 100.0 / sum;
    if share >= MIN_SHARE_OF_BASE {
        return Vec::new();
    }
    vec![Finding {
        check: Check::SmallIncentive,
        severity: if share < MIN_SHARE_OF_BASE / 2.0 {
            Severity::Warning
        } else {
            Severity::Advice
        },
        message: format!(
            "the pool is {} of providers' base payments; incentives under 1–2% rarely change practice",
            pct(share)
        ),
        evidence: vec![format!(
            "pool {} against base payments of {} over {known} scored providers with base payments known",
            dollars(pool),
            dollars((sum * 100.0).round() as i64)
        )],
        fix: format!(
            "raise the pool toward {} ({}), or concentrate it on fewer measures or providers",
            pct(MIN_SHARE_OF_BASE),
            dollars((sum * MIN_SHARE_OF_BASE * 100.0).round() as i64)
        ),
    }]
}

/// Payout per life in the highest-risk quintile of the default risk stratifier below
/// [`ROBIN_HOOD_RATIO`] of the lowest-risk quintile's.
pub fn reverse_robin_hood(obs: &Observations, results: &Results) -> Vec<Finding> {
    let Some(name) = default_risk_stratifier(&obs.providers) else {
        return Vec::new();
    };
    let Ok(g) = risk_gradient(&obs.providers, results, &name) else {
        return Vec::new();
    };
    let ratio = g.top_bottom_ratio;
    if !ratio.is_finite() || ratio >= ROBIN_HOOD_RATIO {
        return Vec::new();
    }
    vec![Finding {
        check: Check::ReverseRobinHood,
        severity: Severity::Warning,
        message: format!(
            "payout per life falls with {name}: the highest-risk fifth gets {ratio:.2}× what the lowest-risk fifth gets"
        ),
        evidence: vec![
            format!(
                "payout per life: lowest {name} quintile ${:.2}, highest ${:.2}",
                g.bottom_payout_per_life, g.top_payout_per_life
            ),
            format!(
                "Spearman correlation of payout per life with {name}: {:.2} over {} providers",
                g.payout.spearman, g.payout.n
            ),
        ],
        fix: format!(
            "compare the counters in the equity view: peer groups or risk adjustment by {name}, improvement credit, or an equity bonus"
        ),
    }]
}

/// Providers excluding far more patients than their peers (the exceptions report's flags).
pub fn exclusion_gaming(program: &Program, obs: &Observations) -> Vec<Finding> {
    let report = exception_report(program, obs, &ExceptionOptions::default());
    let mut out = Vec::new();
    for me in &report.measures {
        let flags: Vec<_> = report
            .flagged
            .iter()
            .filter(|f| f.measure_id == me.measure_id)
            .collect();
        let Some(worst) = flags.first() else {
            continue;
        };
        out.push(Finding {
            check: Check::ExclusionGaming,
            severity: Severity::Warning,
            message: format!(
                "{}: {} provider(s) exclude far more patients than their peers",
                me.measure_id,
                flags.len()
            ),
            evidence: vec![
                format!("overall exclusion rate {}", pct(me.overall_rate)),
                format!(
                    "most excessive: {} excludes {} against peers' {}; its own exclusions are worth {} to it",
                    worst.provider_id,
                    pct(worst.exclusion_rate),
                    pct(worst.peer_rate),
                    dollars(worst.own_payment_effect_cents)
                ),
            ],
            fix: "audit the flagged providers' exclusions, cap exclusions per measure, or score the measure without them".into(),
        });
    }
    out
}

/// Per measure and peer group: a benchmark no provider reaches, or one at least
/// [`EVERYONE_MEETS`] of providers already reach.
pub fn benchmarks(inputs: &Inputs, results: &Results) -> Vec<Finding> {
    let mut out = Vec::new();
    for m in &inputs.measures {
        if m.supplied_score {
            continue;
        }
        let Some(r) = results.measure(&m.id) else {
            continue;
        };
        for (g, s) in r.standards.iter().enumerate() {
            let bm = s.benchmark * m.sign;
            if !bm.is_finite() {
                continue;
            }
            let (mut reported, mut reach) = (0usize, 0usize);
            for (i, p) in m.performance.iter().enumerate() {
                if p.is_finite() && inputs.group.get(i).copied().unwrap_or(0) as usize == g {
                    reported += 1;
                    reach += usize::from(*p >= bm);
                }
            }
            if reported < MIN_PAIRS {
                continue;
            }
            let share = reach as f64 / reported as f64;
            let group = match inputs.group_names.get(g) {
                Some(n) if inputs.group_names.len() > 1 => format!(" ({n})"),
                _ => String::new(),
            };
            let (message, fix) = if reach == 0 {
                (
                    format!("{}{group}: no provider reaches the benchmark", m.id),
                    "set the benchmark from a percentile providers reach (e.g. the 90th)",
                )
            } else if share >= EVERYONE_MEETS {
                (
                    format!(
                        "{}{group}: {} of providers already meet the benchmark",
                        m.id,
                        pct(share)
                    ),
                    "raise the benchmark, or pay on improvement instead",
                )
            } else {
                continue;
            };
            out.push(Finding {
                check: Check::Benchmark,
                severity: Severity::Warning,
                message,
                evidence: vec![format!(
                    "benchmark {:.4}; {reach} of {reported} reporting providers at or beyond it",
                    s.benchmark
                )],
                fix: fix.into(),
            });
        }
    }
    out
}

/// Providers whose payment changes by more than [`CLIFF_SHARE`] with one point more of total
/// score, when that is more than twice what a payment in proportion to the score would move.
/// Only for 0–100 totals; large programs are sampled (each test pays everyone again).
pub fn cliffs(program: &Program, inputs: &Inputs, results: &Results) -> Vec<Finding> {
    if program.scoring.total != TotalRule::WeightedMean {
        return Vec::new();
    }
    let candidates: Vec<usize> = inputs
        .canonical_order
        .iter()
        .map(|i| *i as usize)
        .filter(|&i| results.total.get(i).is_some_and(|t| t.is_finite()))
        .collect();
    if candidates.is_empty() {
        return Vec::new();
    }
    let n = results.provider_count().max(1);
    let budget = (5_000_000 / n).clamp(1, candidates.len());
    let stride = candidates.len().div_ceil(budget);
    let mut work = results.clone();
    let mut hits: Vec<(usize, f64, i64, i64)> = Vec::new();
    for &i in candidates.iter().step_by(stride.max(1)) {
        let t = results.total[i];
        let before = results.payment.earned[i];
        work.total[i] = t + 1.0;
        super::pay_into(program, inputs, &mut work);
        let after = work.payment.earned[i];
        work.total[i] = t;
        let big = before.abs().max(after.abs());
        if big == 0 {
            continue;
        }
        let share = (after - before).abs() as f64 / big as f64;
        let proportional = 1.0 / (t.max(0.0) + 1.0);
        if share > CLIFF_SHARE && share > 2.0 * proportional {
            hits.push((i, t, before, after));
        }
    }
    let Some(&(i, t, before, after)) = hits.iter().max_by_key(|h| (h.3 - h.2).abs()) else {
        return Vec::new();
    };
    let rule = match &program.payment.distribution {
        Distribution::Tiered { .. } => "the tier cuts",
        _ if matches!(program.payment.eligibility, Eligibility::MinScore(_)) => {
            "the minimum score to earn"
        }
        _ => "the payment rule",
    };
    vec![Finding {
        check: Check::Cliff,
        severity: Severity::Warning,
        message: format!(
            "{} provider(s) sit at a cliff: one point more changes their payment by more than {}",
            hits.len(),
            pct(CLIFF_SHARE)
        ),
        evidence: vec![format!(
            "{} at a total of {t:.1} is paid {}; at {:.1} it would be paid {}",
            inputs.provider_ids[i],
            dollars(before),
            t + 1.0,
            dollars(after)
        )],
        fix: format!("smooth {rule}: more, closer steps, or a payment that rises with the score"),
    }]
}

/// Pool not paid out, with its causes as [`totals::unpaid`](super::totals::unpaid) finds them.
pub fn unpaid_pool(program: &Program, inputs: &Inputs, results: &Results) -> Vec<Finding> {
    use super::totals::UnpaidCause;
    let p = &results.payment;
    let unpaid = super::totals::unpaid(program, inputs, results);
    if unpaid.cents <= 0 {
        return Vec::new();
    }
    let eligible = results.eligible.iter().filter(|e| **e).count();
    let capped = p.capped.iter().filter(|c| **c).count();
    let earning = results.earning_count();
    let evidence = vec![
        format!(
            "pool {}, paid {}, unpaid {}",
            dollars(p.pool_cents),
            dollars(p.paid_cents),
            dollars(p.unallocated_cents)
        ),
        format!(
            "{} scored, {eligible} eligible, {earning} earning, {capped} capped",
            scored(results),
        ),
        unpaid.sentence(program),
    ];
    let several = unpaid.parts.len() > 1;
    let mut causes = Vec::new();
    let mut fixes = Vec::new();
    for part in &unpaid.parts {
        let (cause, fix) = match &part.cause {
            UnpaidCause::NoneScored => (
                part.cause.describe(program),
                "check the data and the rules that give a total score".to_owned(),
            ),
            UnpaidCause::NoneEligible { .. } => (
                "no provider is eligible to earn".to_owned(),
                "loosen the eligibility rule".to_owned(),
            ),
            UnpaidCause::NothingToShare { .. } => (
                part.cause.describe(program),
                "check what the pool is shared by (payment weights)".to_owned(),
            ),
            UnpaidCause::Caps { providers, .. } => (
                if *providers >= earning {
                    format!("all {providers} earning providers are at the cap")
                } else {
                    format!("{providers} providers are at the cap")
                },
                "raise the cap, lower the pool, or let more providers earn".to_owned(),
            ),
            UnpaidCause::PayersShare { payback_percent } => (
                format!(
                    "the exchange function pays back {payback_percent}% of the pool; the payer keeps the rest"
                ),
                "raise the payback share if the payer is not meant to keep it".to_owned(),
            ),
            UnpaidCause::StatedSlope { k } => (
                format!(
                    "the stated exchange slope k = {k} pays back less than the pool; the payer keeps the rest"
                ),
                "state a larger k, or solve k from a payback share".to_owned(),
            ),
            UnpaidCause::EarnedBelowPool => match &program.payment.distribution {
                Distribution::Tiered { .. } => (
                    "the tier amounts earned add up to less than the pool".to_owned(),
                    "raise the tier amounts or lower the pool".to_owned(),
                ),
                Distribution::PointsValue { .. } | Distribution::SharedSavings(_) => (
                    "the model pays as earned, not the pool".to_owned(),
                    "size the pool to the expected earnings".to_owned(),
                ),
                _ => (
                    part.cause.describe(program),
                    "raise the amounts or lower the pool".to_owned(),
                ),
            },
            UnpaidCause::Rounding => (
                "the payment rule left it".to_owned(),
                "check the payment rule".to_owned(),
            ),
        };
        causes.push(if several {
            format!("{} {cause}", dollars(part.cents))
        } else {
            cause
        });
        fixes.push(fix);
    }
    fixes.dedup();
    vec![Finding {
        check: Check::UnpaidPool,
        severity: Severity::Warning,
        message: format!(
            "{} of the pool ({}) is not paid out: {}",
            dollars(p.unallocated_cents),
            pct(p.unallocated_cents as f64 / p.pool_cents.max(1) as f64),
            causes.join("; ")
        ),
        evidence,
        fix: fixes.join("; "),
    }]
}

/// Pairs of scored measures whose performance rates correlate at |r| ≥ [`CORRELATED`] across
/// providers.
pub fn correlated_measures(inputs: &Inputs) -> Vec<Finding> {
    let ms: Vec<_> = inputs
        .measures
        .iter()
        .filter(|m| !m.supplied_score)
        .collect();
    let mut out = Vec::new();
    for (a, ma) in ms.iter().enumerate() {
        for mb in &ms[a + 1..] {
            let r = associate(&ma.performance, &mb.performance);
            if r.n < MIN_PAIRS || !r.pearson.is_finite() || r.pearson.abs() < CORRELATED {
                continue;
            }
            out.push(Finding {
                check: Check::CorrelatedMeasures,
                severity: Severity::Advice,
                message: format!(
                    "{} and {} move together (r = {:.2}): paying on both pays twice for one thing",
                    ma.id, mb.id, r.pearson
                ),
                evidence: vec![format!(
                    "Pearson correlation of performance rates (better is higher) {:.2} over {} providers reporting both",
                    r.pearson, r.n
                )],
                fix: "keep one as a vital-few measure, or halve their weights".into(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::observations::AttributeValues;
    use crate::program::{BonusTier, Domain, Limit, Measure, Pool};

    /// A program paying on measures m0, m1… in one domain and one service area.
    fn program(measures: usize) -> Program {
        let mut p = Program::default();
        p.scoring.domains = vec![Domain {
            id: "d".into(),
            ..Domain::default()
        }];
        p.measures = (0..measures)
            .map(|k| Measure {
                id: format!("m{k}"),
                domain: "d".into(),
                vital_few: true,
                service_areas: vec!["pc".into()],
                ..Measure::default()
            })
            .collect();
        p
    }

    /// `n` providers P000…; counts (numerator, denominator) of measure k for provider i from
    /// `f(k, i, baseline)`.
    fn data(
        n: usize,
        measures: usize,
        f: impl Fn(usize, usize, bool) -> (f64, f64),
    ) -> Observations {
        let mut obs = Observations::new();
        for i in 0..n {
            obs.provider_index(&format!("P{i:03}"));
        }
        for k in 0..measures {
            for (period, base) in [("baseline", true), ("performance", false)] {
                let v = obs.series_mut(&format!("m{k}"), period);
                for i in 0..n {
                    let (x, d) = f(k, i, base);
                    v.numerator[i] = x;
                    v.denominator[i] = d;
                }
            }
        }
        obs
    }

    /// Rates spread from 10% to 90% over providers, varying by measure.
    fn spread(k: usize, i: usize, _: bool) -> (f64, f64) {
        (10.0 + ((i * 37 + k * 11) % 80) as f64, 100.0)
    }

    fn checks(found: &[Finding], check: Check) -> usize {
        found.iter().filter(|f| f.check == check).count()
    }

    #[test]
    fn too_many_measures_fires_past_seven_in_an_area_or_on_a_thin_pool() {
        let p = program(8);
        let (_, r) = crate::engine::run(&p, &data(20, 8, spread));
        let f = too_many_measures(&p, &r);
        assert_eq!(f.len(), 1);
        assert!(
            f[0].message
                .contains("service area pc is paid on 8 measures")
        );

        let mut p = program(3);
        let obs = data(20, 3, spread);
        let (_, r) = crate::engine::run(&p, &obs);
        assert!(too_many_measures(&p, &r).is_empty());
        // $1,000 over 20 providers and 3 measures: $16 each.
        p.payment.pool = Pool::Fixed { cents: 100_000 };
        let (_, r) = crate::engine::run(&p, &obs);
        let f = too_many_measures(&p, &r);
        assert_eq!(f.len(), 1);
        assert!(
            f[0].message.contains("about $16 to a provider"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn low_reliability_fires_when_providers_barely_differ() {
        let mut p = program(1);
        p.measures[0].min_denominator = Some(30.0);
        // True rates 49–51%: almost all of the spread at 30 patients is chance.
        let obs = data(40, 1, |_, i, _| (490.0 + (i % 3) as f64 * 10.0, 1000.0));
        let f = low_reliability(&p, &obs);
        assert_eq!(f.len(), 1);
        assert!(f[0].message.starts_with("m0: reliability"));
        assert!(f[0].message.contains("minimum denominator of 30"));
        assert!(low_reliability(&p, &data(40, 1, spread)).is_empty());
    }

    #[test]
    fn topped_out_fires_when_everyone_is_near_the_top() {
        let p = program(1);
        let obs = data(30, 1, |_, i, _| (95.0 + (i % 3) as f64, 100.0));
        let (inputs, _) = crate::engine::run(&p, &obs);
        let f = topped_out(&inputs);
        assert_eq!(f.len(), 1);
        assert!(f[0].message.starts_with("m0 is topped out"));
        let (inputs, _) = crate::engine::run(&p, &data(30, 1, spread));
        assert!(topped_out(&inputs).is_empty());
    }

    #[test]
    fn small_incentive_fires_below_two_percent_of_base_payments() {
        let mut p = program(1);
        let mut obs = data(20, 1, spread);
        obs.providers.base_payments = vec![1_000_000.0; 20];
        // $1M pool on $20M of base payments: 5%.
        let (_, r) = crate::engine::run(&p, &obs);
        assert!(small_incentive(&obs, &r).is_empty());
        p.payment.pool = Pool::Fixed { cents: 10_000_000 };
        let (_, r) = crate::engine::run(&p, &obs);
        let f = small_incentive(&obs, &r);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Warning);
        assert!(
            f[0].message.contains("the pool is 0.5%"),
            "{}",
            f[0].message
        );
        // Unknown base payments: nothing to compare with.
        obs.providers.base_payments = vec![f64::NAN; 20];
        assert!(small_incentive(&obs, &r).is_empty());
    }

    fn with_risk(obs: &mut Observations, rising: bool) {
        let n = obs.provider_count();
        let s = obs.add_stratifier("dual_share", true);
        obs.providers.stratifiers[s].values = AttributeValues::Numeric(
            (0..n)
                .map(|i| {
                    let x = i as f64 / n as f64;
                    if rising { x } else { 1.0 - x }
                })
                .collect(),
        );
        obs.providers.lives = vec![100.0; n];
    }

    #[test]
    fn reverse_robin_hood_fires_when_payout_per_life_falls_with_risk() {
        let p = program(1);
        // Rates fall as the provider index rises.
        let rates = |_: usize, i: usize, _: bool| (90.0 - 2.0 * i as f64, 100.0);
        let mut obs = data(40, 1, rates);
        with_risk(&mut obs, true);
        let (_, r) = crate::engine::run(&p, &obs);
        let f = reverse_robin_hood(&obs, &r);
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("falls with dual_share"));
        let mut obs = data(40, 1, rates);
        with_risk(&mut obs, false);
        let (_, r) = crate::engine::run(&p, &obs);
        assert!(reverse_robin_hood(&obs, &r).is_empty());
    }

    #[test]
    fn exclusion_gaming_fires_on_a_provider_excluding_far_more_than_peers() {
        let p = program(1);
        let mut obs = data(30, 1, spread);
        let v = obs.series_mut("m0", "performance");
        v.exclusions = vec![2.0; 30].into();
        assert!(exclusion_gaming(&p, &obs).is_empty());
        obs.series_mut("m0", "performance").exclusions[7] = 40.0;
        let f = exclusion_gaming(&p, &obs);
        assert_eq!(f.len(), 1);
        assert!(
            f[0].evidence[1].contains("P007 excludes 40.0%"),
            "{:?}",
            f[0].evidence
        );
    }

    #[test]
    fn benchmarks_fire_when_no_one_or_nearly_everyone_reaches_them() {
        let p = program(1);
        let base = |_: usize, i: usize| 20.0 + i as f64;
        let check = |shift: f64| {
            let obs = data(30, 1, |k, i, b| {
                (base(k, i) + if b { 0.0 } else { shift }, 100.0)
            });
            let (inputs, r) = crate::engine::run(&p, &obs);
            benchmarks(&inputs, &r)
        };
        assert!(check(0.0).is_empty());
        let none = check(-20.0);
        assert_eq!(none.len(), 1);
        assert!(none[0].message.contains("no provider reaches"));
        let all = check(40.0);
        assert_eq!(all.len(), 1);
        assert!(all[0].message.contains("100.0% of providers already meet"));
    }

    #[test]
    fn cliffs_fire_one_point_below_a_tier_but_not_on_a_share_of_pool() {
        let mut p = program(1);
        let obs = data(20, 1, spread);
        let (inputs, mut r) = crate::engine::run(&p, &obs);
        for (i, t) in r.total.iter_mut().enumerate() {
            *t = if i == 3 { 49.5 } else { 80.0 };
        }
        crate::engine::pay_into(&p, &inputs, &mut r);
        assert!(cliffs(&p, &inputs, &r).is_empty());
        p.payment.distribution = Distribution::Tiered {
            tiers: vec![BonusTier {
                min_score: 50.0,
                cents: 1_000_000,
            }],
        };
        crate::engine::pay_into(&p, &inputs, &mut r);
        let f = cliffs(&p, &inputs, &r);
        assert_eq!(f.len(), 1);
        assert!(f[0].message.starts_with("1 provider(s)"));
        assert!(
            f[0].evidence[0]
                .contains("P003 at a total of 49.5 is paid $0; at 50.5 it would be paid $10,000"),
            "{:?}",
            f[0].evidence
        );
    }

    #[test]
    fn unpaid_pool_names_the_cap() {
        let mut p = program(1);
        let obs = data(20, 1, spread);
        let (inputs, r) = crate::engine::run(&p, &obs);
        assert!(unpaid_pool(&p, &inputs, &r).is_empty());
        p.payment.cap = Some(Limit::Cents(10_000));
        let (inputs, r) = crate::engine::run(&p, &obs);
        let f = unpaid_pool(&p, &inputs, &r);
        assert_eq!(f.len(), 1);
        let earning = r.earning_count();
        assert!(
            f[0].message
                .contains(&format!("all {earning} earning providers are at the cap")),
            "{}",
            f[0].message
        );
        assert!(f[0].message.starts_with(&format!(
            "{} of the pool",
            dollars(100_000_000 - earning as i64 * 10_000)
        )));
    }

    #[test]
    fn unpaid_pool_names_the_payers_share_of_a_logistic_exchange() {
        let mut p = program(1);
        p.payment.distribution = Distribution::LogisticExchange {
            payback_share: 60.0,
            slope: 0.1,
            midpoint: 50.0,
            stated_k: None,
        };
        let (inputs, r) = crate::engine::run(&p, &data(20, 1, spread));
        let f = unpaid_pool(&p, &inputs, &r);
        assert_eq!(f.len(), 1);
        assert!(
            f[0].message
                .contains("pays back 60% of the pool; the payer keeps the rest"),
            "{}",
            f[0].message
        );
        assert!(
            f[0].message.starts_with("$400,000 of the pool (40.0%)"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn correlated_measures_fire_on_measures_that_move_together() {
        let p = program(2);
        let same = data(30, 2, |_, i, _| (10.0 + 2.0 * i as f64, 100.0));
        let (inputs, _) = crate::engine::run(&p, &same);
        let f = correlated_measures(&inputs);
        assert_eq!(f.len(), 1);
        assert!(
            f[0].message
                .starts_with("m0 and m1 move together (r = 1.00)")
        );
        let apart = data(30, 2, |k, i, _| {
            let x = if k == 0 { i } else { (i * 7) % 30 };
            (10.0 + 2.0 * x as f64, 100.0)
        });
        let (inputs, _) = crate::engine::run(&p, &apart);
        assert!(correlated_measures(&inputs).is_empty());
    }

    #[test]
    fn lint_runs_every_check() {
        let p = program(8);
        let obs = data(30, 8, |_, i, _| (10.0 + 2.0 * i as f64, 100.0));
        let (inputs, r) = crate::engine::run(&p, &obs);
        let found = lint(&p, &obs, &inputs, &r);
        assert_eq!(checks(&found, Check::TooManyMeasures), 1);
        // Eight identical measures: every pair of the 28.
        assert_eq!(checks(&found, Check::CorrelatedMeasures), 28);
        assert_eq!(checks(&found, Check::UnpaidPool), 0);
    }

    #[test]
    fn dollars_group_thousands() {
        assert_eq!(dollars(400_000_000), "$4,000,000");
        assert_eq!(dollars(-12_345), "−$123");
        assert_eq!(dollars(99), "$0");
    }
}
