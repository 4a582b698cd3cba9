//! Honest totals: why part of the pool was not paid out, and why a provider has no total score
//! or may not earn. One definition, read by the live panel, the providers table, the design
//! linter, the command line and the reports; nothing here changes what a program pays.

use super::inputs::Inputs;
use super::results::Results;
use crate::engine::payment::{
    at_least_floor, logistic_weight, mean_eligible_weight, measure_points, points_amount,
    tier_amount,
};
use crate::engine::rules::exchange::stated_incentive_cents;
use crate::program::{Distribution, Eligibility, Limit, MAX_CENTS, Program, WeightBy};

/// Why part of the pool was not paid.
#[derive(Debug, Clone, PartialEq)]
pub enum UnpaidCause {
    /// No provider has a total score.
    NoneScored,
    /// Providers are scored, but none meets the eligibility rule.
    NoneEligible { scored: usize },
    /// Eligible providers, but none has anything to share by (a total of 0, or no attributed
    /// lives or base payments to weigh it by).
    NothingToShare { eligible: usize },
    /// Providers held at their cap.
    Caps {
        providers: usize,
        cap: Option<Limit>,
    },
    /// The exchange function pays back this percentage of the pool; the payer keeps the rest.
    PayersShare { payback_percent: f64 },
    /// A stated exchange slope k pays back less than the pool.
    StatedSlope { k: f64 },
    /// The model pays what providers earn (tiers, rungs, points, shared savings), and that adds
    /// up to less than the pool.
    EarnedBelowPool,
    /// Left by the payment rule for no reason named above (whole-cent rounding).
    Rounding,
}

/// One cause and the cents it left unpaid.
#[derive(Debug, Clone, PartialEq)]
pub struct UnpaidPart {
    pub cause: UnpaidCause,
    pub cents: i64,
}

/// The pool not paid out, by cause: Σ parts = `cents`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Unpaid {
    pub cents: i64,
    pub parts: Vec<UnpaidPart>,
}

/// Whole dollars, half a dollar rounding away from zero: "$75,000".
pub(crate) fn dollars(cents: i64) -> String {
    let d = (cents.unsigned_abs() + 50) / 100;
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

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn number(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x}")
    }
}

impl UnpaidCause {
    /// The cause in words, e.g. "43 providers held at the $75,000 cap".
    pub fn describe(&self, program: &Program) -> String {
        match self {
            UnpaidCause::NoneScored => "no provider has a total score".to_owned(),
            UnpaidCause::NoneEligible { scored } => format!(
                "none of the {} meets the eligibility rule ({})",
                plural(*scored, "scored provider", "scored providers"),
                eligibility_words(&program.payment.eligibility)
            ),
            UnpaidCause::NothingToShare { eligible } => format!(
                "the {} {} nothing to share by (a total of 0{})",
                plural(*eligible, "eligible provider", "eligible providers"),
                if *eligible == 1 { "has" } else { "have" },
                match program.payment.weight_by {
                    WeightBy::AttributedLives => ", or no attributed lives",
                    WeightBy::BasePayments => ", or no base payments",
                    WeightBy::Equal => "",
                }
            ),
            UnpaidCause::Caps { providers, cap } => {
                let who = plural(*providers, "provider", "providers");
                match cap {
                    Some(Limit::Cents(c)) => format!("{who} held at the {} cap", dollars(*c)),
                    Some(Limit::PercentOfBase(p)) => {
                        format!("{who} held at the cap of {}% of base payments", number(*p))
                    }
                    None => format!("{who} held at their cap"),
                }
            }
            UnpaidCause::PayersShare { payback_percent } => format!(
                "the payer's share: the exchange function pays back {}% of the pool",
                number(*payback_percent)
            ),
            UnpaidCause::StatedSlope { k } => {
                format!("the stated exchange slope k = {k} pays back less than the pool")
            }
            UnpaidCause::EarnedBelowPool => format!(
                "{} pays what providers earn, which adds up to less than the pool",
                match &program.payment.distribution {
                    Distribution::Tiered { .. } => "the tier amounts",
                    Distribution::Ladder { .. } => "the ladder's rungs",
                    Distribution::PointsValue { .. } => "the value per point",
                    Distribution::SharedSavings(_) => "shared savings",
                    _ => "the model",
                }
            ),
            UnpaidCause::Rounding => "whole-cent rounding".to_owned(),
        }
    }
}

/// The eligibility rule in words, for sentences.
pub fn eligibility_words(e: &Eligibility) -> String {
    match e {
        Eligibility::Any => "any provider with a score".to_owned(),
        Eligibility::MinScore(m) => format!("a total score of at least {}", number(*m)),
        Eligibility::ImproveOrBenchmark => {
            "improve on the baseline or reach the benchmark on a measure".to_owned()
        }
    }
}

impl Unpaid {
    /// "$775,000 not paid: 43 providers held at the $75,000 cap"; with several causes each
    /// names its amount. Empty when the whole pool is paid.
    pub fn sentence(&self, program: &Program) -> String {
        if self.cents <= 0 {
            return String::new();
        }
        let parts: Vec<String> = match self.parts.as_slice() {
            [one] => vec![one.cause.describe(program)],
            many => many
                .iter()
                .map(|p| format!("{} {}", dollars(p.cents), p.cause.describe(program)))
                .collect(),
        };
        format!("{} not paid: {}", dollars(self.cents), parts.join("; "))
    }
}

/// Counts of what matters to the unpaid causes.
struct Counts {
    scored: usize,
    eligible: usize,
    capped: usize,
}

/// Why the pool in `results` was not all paid out, by cause and amount.
pub fn unpaid(program: &Program, inputs: &Inputs, results: &Results) -> Unpaid {
    let p = &results.payment;
    let left = p.unallocated_cents;
    if left <= 0 {
        return Unpaid::default();
    }
    let counts = Counts {
        scored: results.total.iter().filter(|t| !t.is_nan()).count(),
        eligible: results.eligible.iter().filter(|e| **e).count(),
        capped: p.capped.iter().filter(|c| **c).count(),
    };
    let cap = program.payment.cap;
    let n = results.provider_count();
    let base = |i: usize| inputs.base_payments.get(i).copied().unwrap_or(0.0);
    let mut parts = Vec::new();
    let mut push = |cause: UnpaidCause, cents: i64| {
        if cents > 0 {
            parts.push(UnpaidPart { cause, cents });
        }
    };
    match &program.payment.distribution {
        Distribution::ShareOfPool => {
            let shares =
                (0..n).any(|i| results.eligible[i] && results.total[i] > 0.0 && p.weight[i] > 0.0);
            split_rest(left, &counts, true, shares, cap, &mut push);
        }
        Distribution::LinearExchange => {
            let shares = (0..n).any(|i| results.total[i] > 0.0 && base(i) > 0.0);
            split_rest(left, &counts, false, shares, cap, &mut push);
        }
        Distribution::LogisticExchange {
            payback_share,
            stated_k: None,
            ..
        } => {
            let share = if payback_share.is_finite() {
                payback_share.clamp(0.0, 100.0)
            } else {
                0.0
            };
            let incentive =
                ((p.pool_cents as f64 * share / 100.0).round() as i64).clamp(0, p.pool_cents);
            let kept = (p.pool_cents - incentive).min(left);
            push(
                UnpaidCause::PayersShare {
                    payback_percent: share,
                },
                kept,
            );
            let shares = (0..n).any(|i| !results.total[i].is_nan() && base(i) > 0.0);
            split_rest(left - kept, &counts, false, shares, cap, &mut push);
        }
        Distribution::LogisticExchange {
            stated_k: Some(k),
            slope,
            midpoint,
            ..
        } => {
            // What the caps cut from k × weight; the rest of what is left is k's shortfall.
            let cut: i64 = (0..n)
                .filter(|&i| p.capped[i])
                .map(|i| {
                    let raw = logistic_weight(results.total[i], base(i), *slope, *midpoint);
                    (stated_incentive_cents(*k, raw) - p.earned[i]).max(0)
                })
                .fold(0i64, i64::saturating_add);
            let caps = cut.min(left);
            push(
                UnpaidCause::Caps {
                    providers: counts.capped,
                    cap,
                },
                caps,
            );
            push(UnpaidCause::StatedSlope { k: *k }, left - caps);
        }
        Distribution::Tiered { .. }
        | Distribution::Ladder { .. }
        | Distribution::PointsValue { .. }
        | Distribution::SharedSavings(_) => {
            let shared_savings =
                matches!(program.payment.distribution, Distribution::SharedSavings(_));
            if counts.scored == 0 {
                push(UnpaidCause::NoneScored, left);
            } else if counts.eligible == 0 && !shared_savings {
                push(
                    UnpaidCause::NoneEligible {
                        scored: counts.scored,
                    },
                    left,
                );
            } else {
                let cut = cap_cut(program, inputs, results).min(left);
                push(
                    UnpaidCause::Caps {
                        providers: counts.capped,
                        cap,
                    },
                    cut,
                );
                push(UnpaidCause::EarnedBelowPool, left - cut);
            }
        }
        Distribution::Reduction { .. } | Distribution::WorstShareReduction { .. } => {
            push(UnpaidCause::Rounding, left);
        }
    }
    Unpaid { cents: left, parts }
}

/// What is left of a split pool: nobody to pay, or everyone with a share held at the cap.
fn split_rest(
    left: i64,
    counts: &Counts,
    uses_eligibility: bool,
    shares: bool,
    cap: Option<Limit>,
    push: &mut impl FnMut(UnpaidCause, i64),
) {
    let cause = if counts.scored == 0 {
        UnpaidCause::NoneScored
    } else if uses_eligibility && counts.eligible == 0 {
        UnpaidCause::NoneEligible {
            scored: counts.scored,
        }
    } else if !shares {
        UnpaidCause::NothingToShare {
            eligible: counts.eligible,
        }
    } else if counts.capped > 0 {
        UnpaidCause::Caps {
            providers: counts.capped,
            cap,
        }
    } else {
        UnpaidCause::Rounding
    };
    push(cause, left);
}

/// Models that pay as earned: Σ over capped providers of what they would have earned without
/// the cap, less what they were paid (0 where it cannot be told).
fn cap_cut(program: &Program, inputs: &Inputs, r: &Results) -> i64 {
    let pay = &program.payment;
    let p = &r.payment;
    let n = r.provider_count();
    let base = |i: usize| inputs.base_payments.get(i).copied().unwrap_or(0.0);
    let uncapped = |i: usize| -> i64 {
        match &pay.distribution {
            Distribution::Tiered { tiers } => {
                let (_, a) = tier_amount(tiers, r.total[i], r.eligible[i], i64::MAX);
                at_least_floor(pay, a, base(i))
            }
            Distribution::Ladder { rungs } => {
                let met = r.measures_met.get(i).copied().unwrap_or(0);
                let (_, a) = crate::engine::rung_reached(rungs, met, r.eligible[i]);
                at_least_floor(pay, a, base(i))
            }
            Distribution::PointsValue { cents_per_point } => {
                let mean = mean_eligible_weight(&inputs.canonical_order, &r.eligible, &p.weight);
                if mean <= 0.0 {
                    return 0;
                }
                let points = measure_points(&r.measures, &inputs.measures, i);
                let value = points_amount(
                    points,
                    (*cents_per_point).clamp(0, MAX_CENTS),
                    p.weight[i],
                    mean,
                );
                at_least_floor(pay, value.clamp(0, MAX_CENTS), base(i))
            }
            _ => 0,
        }
    };
    (0..n)
        .filter(|&i| p.capped.get(i).copied().unwrap_or(false))
        .map(|i| (uncapped(i) - p.earned[i]).max(0))
        .fold(0i64, i64::saturating_add)
}

/// Why a provider has no total score.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotScored {
    /// No result for any scored measure in the performance period.
    NoData,
    /// Results, but every one below its measure's minimum denominator.
    BelowMinDenominator,
    /// Results, but no measure could be scored (no threshold or benchmark for its rule).
    NoStandards,
    /// Fewer scored domains than the program asks for a total.
    TooFewDomains { scored: usize, needed: usize },
    /// No total for another reason of the total rule.
    NoTotal,
}

impl NotScored {
    /// Short, the same for every provider it applies to: what the counts group by.
    pub fn label(&self) -> String {
        match self {
            NotScored::NoData => "no data for the performance period".to_owned(),
            NotScored::BelowMinDenominator => {
                "every measure below its minimum denominator".to_owned()
            }
            NotScored::NoStandards => {
                "no measure could be scored (no threshold or benchmark)".to_owned()
            }
            NotScored::TooFewDomains { needed, .. } => {
                format!("fewer than {needed} domains scored")
            }
            NotScored::NoTotal => "no total score under the total rule".to_owned(),
        }
    }

    /// For one provider, with its own numbers.
    pub fn detail(&self) -> String {
        match self {
            NotScored::TooFewDomains { scored, needed } => format!(
                "{scored} domain{} scored, {needed} needed (minimum domains)",
                if *scored == 1 { "" } else { "s" }
            ),
            other => other.label(),
        }
    }

    /// Groups every `TooFewDomains` together, whatever the provider's own count.
    fn key(&self) -> NotScored {
        match self {
            NotScored::TooFewDomains { needed, .. } => NotScored::TooFewDomains {
                scored: 0,
                needed: *needed,
            },
            other => other.clone(),
        }
    }
}

/// Why provider `i` has no total score (`None` when it has one).
pub fn not_scored(program: &Program, inputs: &Inputs, r: &Results, i: usize) -> Option<NotScored> {
    if !r.total.get(i).is_some_and(|t| t.is_nan()) {
        return None;
    }
    let value = |v: &[f64]| v.get(i).copied().unwrap_or(f64::NAN);
    let reported = inputs.measures.iter().any(|m| {
        if m.supplied_score {
            !value(&m.supplied_points).is_nan()
        } else {
            !value(&m.performance).is_nan()
        }
    });
    if !reported {
        return Some(NotScored::NoData);
    }
    let any_scored = r.measures.iter().any(|m| !value(&m.score).is_nan());
    if !any_scored {
        let below = inputs.measures.iter().any(|m| {
            let min = program
                .measure(&m.id)
                .and_then(|pm| pm.min_denominator)
                .unwrap_or(f64::NEG_INFINITY);
            !value(&m.performance).is_nan() && value(&m.denominator) < min
        });
        return Some(if below {
            NotScored::BelowMinDenominator
        } else {
            NotScored::NoStandards
        });
    }
    let sc = &program.scoring;
    if !sc.domains.is_empty() {
        let scored = r
            .domains
            .iter()
            .filter(|d| !value(&d.score).is_nan())
            .count();
        let needed = sc.min_domains.max(1);
        if scored < needed {
            return Some(NotScored::TooFewDomains { scored, needed });
        }
    }
    Some(NotScored::NoTotal)
}

/// Providers without a total score, counted by reason, most common first (ties in the order
/// the reasons are listed above).
pub fn not_scored_counts(
    program: &Program,
    inputs: &Inputs,
    r: &Results,
) -> Vec<(NotScored, usize)> {
    let mut out: Vec<(NotScored, usize)> = Vec::new();
    for i in 0..r.provider_count() {
        if let Some(why) = not_scored(program, inputs, r, i) {
            let key = why.key();
            match out.iter_mut().find(|(k, _)| *k == key) {
                Some((_, c)) => *c += 1,
                None => out.push((key, 1)),
            }
        }
    }
    out.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    out
}

/// "20 not scored: fewer than 2 domains scored; 3 no data for the performance period".
/// Empty when every provider is scored.
pub fn not_scored_sentence(counts: &[(NotScored, usize)]) -> String {
    let total: usize = counts.iter().map(|(_, c)| c).sum();
    if total == 0 {
        return String::new();
    }
    match counts {
        [(why, n)] => format!("{n} not scored: {}", why.label()),
        many => format!(
            "{total} not scored: {}",
            many.iter()
                .map(|(why, n)| format!("{n} {}", why.label()))
                .collect::<Vec<_>>()
                .join("; ")
        ),
    }
}

/// Why a scored provider may not earn (`None` when it is eligible or not scored).
pub fn not_eligible(program: &Program, inputs: &Inputs, r: &Results, i: usize) -> Option<String> {
    let total = r.total.get(i).copied().unwrap_or(f64::NAN);
    if total.is_nan() || r.eligible.get(i).copied().unwrap_or(true) {
        return None;
    }
    if let Some(f) = crate::engine::gate_failure(program, inputs, &r.measures_met, i) {
        let passes_rule = match program.payment.eligibility {
            Eligibility::Any => true,
            Eligibility::MinScore(m) => total >= m,
            Eligibility::ImproveOrBenchmark => {
                r.improved_or_benchmark.get(i).copied().unwrap_or(false)
            }
        };
        if passes_rule {
            return Some(f.describe());
        }
    }
    Some(match program.payment.eligibility {
        Eligibility::MinScore(m) => format!(
            "total {} below the minimum score of {}",
            number((total * 10.0).round() / 10.0),
            number(m)
        ),
        Eligibility::ImproveOrBenchmark => {
            "did not improve or reach the benchmark on any scored measure".to_owned()
        }
        Eligibility::Any => "not eligible".to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Observations, run};
    use crate::program::{BonusTier, Domain, Measure, Program};

    /// Providers p00…p{n-1}, one measure m1 in one domain, rates rising with the index.
    fn setup(n: usize) -> (Program, Observations) {
        let mut p = Program {
            measures: vec![Measure {
                id: "m1".into(),
                domain: "d1".into(),
                vital_few: true,
                ..Measure::default()
            }],
            ..Program::default()
        };
        p.scoring.domains = vec![Domain {
            id: "d1".into(),
            ..Domain::default()
        }];
        p.scoring.min_domains = 1;
        p.payment.pool = crate::program::Pool::Fixed { cents: 1_000_000 };
        p.payment.eligibility = Eligibility::Any;
        p.payment.weight_by = WeightBy::Equal;
        p.payment.cap = None;
        let mut obs = Observations::new();
        for i in 0..n {
            obs.provider_index(&format!("p{i:02}"));
        }
        series(&mut obs, "m1", n, |i, base| {
            (30.0 + 5.0 * i as f64 - if base { 2.0 } else { 0.0 }, 100.0)
        });
        (p, obs)
    }

    /// Sets measure `id` for the first `n` providers from `f(i, baseline)` = (numerator,
    /// denominator).
    fn series(obs: &mut Observations, id: &str, n: usize, f: impl Fn(usize, bool) -> (f64, f64)) {
        for (period, base) in [("baseline", true), ("performance", false)] {
            let v = obs.series_mut(id, period);
            for i in 0..n {
                let (x, d) = f(i, base);
                v.numerator[i] = x;
                v.denominator[i] = d;
            }
        }
    }

    #[test]
    fn a_fully_paid_pool_has_no_unpaid_parts() {
        let (p, obs) = setup(10);
        let (inputs, r) = run(&p, &obs);
        assert_eq!(r.payment.unallocated_cents, 0);
        let u = unpaid(&p, &inputs, &r);
        assert_eq!(u, Unpaid::default());
        assert_eq!(u.sentence(&p), "");
    }

    #[test]
    fn caps_are_named_with_the_count_and_the_amount() {
        let (mut p, obs) = setup(10);
        p.payment.cap = Some(Limit::Cents(50_000));
        let (inputs, r) = run(&p, &obs);
        let earning = r.earning_count();
        let u = unpaid(&p, &inputs, &r);
        assert_eq!(u.cents, 1_000_000 - 50_000 * earning as i64);
        assert_eq!(u.parts.len(), 1);
        assert_eq!(
            u.sentence(&p),
            format!(
                "{} not paid: {earning} providers held at the $500 cap",
                dollars(u.cents)
            )
        );
    }

    #[test]
    fn nobody_eligible_is_named() {
        let (mut p, obs) = setup(10);
        p.payment.eligibility = Eligibility::MinScore(101.0);
        let (inputs, r) = run(&p, &obs);
        let u = unpaid(&p, &inputs, &r);
        assert_eq!(u.cents, 1_000_000);
        assert_eq!(
            u.sentence(&p),
            "$10,000 not paid: none of the 10 scored providers meets the eligibility rule (a total score of at least 101)"
        );
    }

    #[test]
    fn logistic_exchange_splits_the_payers_share_from_the_caps() {
        let (mut p, obs) = setup(10);
        p.payment.distribution = Distribution::LogisticExchange {
            payback_share: 60.0,
            slope: 0.1,
            midpoint: 50.0,
            stated_k: None,
        };
        p.payment.cap = Some(Limit::Cents(50_000));
        let (inputs, r) = run(&p, &obs);
        let u = unpaid(&p, &inputs, &r);
        // $10,000 pool: $4,000 kept by the payer; the $6,000 paid back is split among ten
        // providers capped at $500, so $1,000 more is left by the caps.
        assert_eq!(u.cents, 500_000);
        assert_eq!(
            u.parts,
            vec![
                UnpaidPart {
                    cause: UnpaidCause::PayersShare {
                        payback_percent: 60.0
                    },
                    cents: 400_000
                },
                UnpaidPart {
                    cause: UnpaidCause::Caps {
                        providers: 10,
                        cap: Some(Limit::Cents(50_000))
                    },
                    cents: 100_000
                },
            ]
        );
        assert_eq!(
            u.sentence(&p),
            "$5,000 not paid: $4,000 the payer's share: the exchange function pays back 60% of the pool; $1,000 10 providers held at the $500 cap"
        );
    }

    #[test]
    fn tiers_split_the_caps_cut_from_what_was_not_earned() {
        let (mut p, obs) = setup(4);
        p.payment.distribution = Distribution::Tiered {
            tiers: vec![BonusTier {
                min_score: 0.0,
                cents: 100_000,
            }],
        };
        p.payment.cap = Some(Limit::Cents(80_000));
        let (inputs, r) = run(&p, &obs);
        let u = unpaid(&p, &inputs, &r);
        // Four providers earn $1,000 each, held at $800: $10,000 − 4 × $800 = $6,800 unpaid,
        // $800 of it cut by the cap.
        assert_eq!(u.cents, 680_000);
        assert_eq!(u.parts[0].cents, 80_000);
        assert_eq!(u.parts[1].cause, UnpaidCause::EarnedBelowPool);
        assert_eq!(u.parts[1].cents, 600_000);
        assert_eq!(u.parts.iter().map(|p| p.cents).sum::<i64>(), u.cents);
    }

    #[test]
    fn not_scored_reasons_name_the_rule() {
        let (mut p, mut obs) = setup(3);
        // A second domain, and a provider with no performance result at all.
        p.measures.push(Measure {
            id: "m2".into(),
            domain: "d2".into(),
            vital_few: true,
            min_denominator: Some(50.0),
            ..Measure::default()
        });
        p.scoring.domains.push(Domain {
            id: "d2".into(),
            ..Domain::default()
        });
        p.scoring.min_domains = 2;
        obs.provider_index("p09");
        // p00 and p02 report m2 with 100 patients, p01 with 20 (below the minimum of 50);
        // p09 reports nothing.
        series(&mut obs, "m2", 3, |i, base| {
            let den = if i == 1 { 20.0 } else { 100.0 };
            (if base { 0.4 } else { 0.5 + 0.01 * i as f64 } * den, den)
        });
        let (inputs, r) = run(&p, &obs);
        let i = |id: &str| inputs.provider_ids.iter().position(|x| x == id).unwrap();
        assert_eq!(not_scored(&p, &inputs, &r, i("p00")), None);
        assert_eq!(
            not_scored(&p, &inputs, &r, i("p01")),
            Some(NotScored::TooFewDomains {
                scored: 1,
                needed: 2
            })
        );
        assert_eq!(
            not_scored(&p, &inputs, &r, i("p09")),
            Some(NotScored::NoData)
        );
        let counts = not_scored_counts(&p, &inputs, &r);
        assert_eq!(
            not_scored_sentence(&counts),
            "2 not scored: 1 fewer than 2 domains scored; 1 no data for the performance period"
        );
    }
}
