//! Pools, distributions and exact payment in integer cents.

use super::inputs::{Inputs, MeasureInputs};
use super::kernels::{DistributeScratch, Shares, distribute_with};
pub use super::kernels::{distribute, distribute_in};
use super::results::{MeasureResult, PaymentResult, Results};
use crate::program::{
    BonusTier, Distribution, Eligibility, Limit, Payment, Pool, Program, WeightBy,
};

/// Currency units to cents, rounding half away from zero.
pub(crate) fn cents(amount: f64) -> i64 {
    if amount.is_finite() {
        (amount * 100.0).round() as i64
    } else {
        0
    }
}

#[inline(always)]
pub(crate) fn finite_or_zero(x: f64) -> f64 {
    if x.is_finite() { x } else { 0.0 }
}

/// The most each provider may be paid, in cents (i64::MAX when uncapped).
pub(crate) fn limit_cents(limit: Option<&Limit>, base: f64) -> i64 {
    match limit {
        None => i64::MAX,
        Some(Limit::Cents(c)) => (*c).max(0),
        Some(Limit::PercentOfBase(p)) => cents(base * p / 100.0).max(0),
    }
}

/// The logistic exchange function of a total score: 1 / (1 + e^(−slope × (total − midpoint))).
#[inline(always)]
pub(crate) fn logistic(total: f64, slope: f64, midpoint: f64) -> f64 {
    1.0 / (1.0 + (-slope * (total - midpoint)).exp())
}

/// Share of pool: an eligible provider shares by total score (at least 0) × payment weight.
#[inline(always)]
pub(crate) fn share_weight(total: f64, eligible: bool, weight: f64) -> f64 {
    if eligible {
        total.max(0.0) * weight
    } else {
        0.0
    }
}

/// Linear exchange: a provider with a total score shares by base payments × score / 100.
#[inline(always)]
pub(crate) fn linear_weight(total: f64, base: f64) -> f64 {
    if total.is_nan() {
        0.0
    } else {
        base * total / 100.0
    }
}

/// Logistic exchange: a provider with a total score shares by base payments × [`logistic`].
#[inline(always)]
pub(crate) fn logistic_weight(total: f64, base: f64, slope: f64, midpoint: f64) -> f64 {
    if total.is_nan() {
        0.0
    } else {
        base * logistic(total, slope, midpoint)
    }
}

/// The weight by which a provider shares the pool under `distribution` (0 for the
/// distributions that pay fixed amounts rather than shares).
pub(crate) fn raw_weight(
    distribution: &Distribution,
    total: f64,
    eligible: bool,
    weight: f64,
    base: f64,
) -> f64 {
    match distribution {
        Distribution::ShareOfPool => share_weight(total, eligible, weight),
        Distribution::LinearExchange => linear_weight(total, base),
        Distribution::LogisticExchange {
            slope, midpoint, ..
        } => logistic_weight(total, base, *slope, *midpoint),
        _ => 0.0,
    }
}

/// Tiered bonuses: the tier an eligible provider reaches (the highest minimum score at or
/// below its total) and its amount in cents, capped, before any scaling down to the pool.
pub(crate) fn tier_amount(
    tiers: &[BonusTier],
    total: f64,
    eligible: bool,
    cap: i64,
) -> (Option<usize>, i64) {
    if !eligible {
        return (None, 0);
    }
    tiers
        .iter()
        .enumerate()
        .filter(|(_, t)| total >= t.min_score)
        .max_by(|a, b| a.1.min_score.total_cmp(&b.1.min_score))
        .map_or((None, 0), |(k, t)| (Some(k), t.cents.max(0).min(cap)))
}

/// Share of pool: the floor paid first to a provider that earns (raw weight above 0), within
/// its cap; 0 to the others.
pub(crate) fn floor_cents(floor: Option<&Limit>, raw: f64, base: f64, cap: i64) -> i64 {
    if raw > 0.0 {
        limit_cents(floor, base).min(cap)
    } else {
        0
    }
}

/// Points value: the mean payment weight of the eligible providers, summed in `order` (so the
/// row order cannot move a bit of it); 1 when none is eligible.
pub(crate) fn mean_eligible_weight(order: &[u32], eligible: &[bool], weight: &[f64]) -> f64 {
    let (mut count, mut sum) = (0usize, 0.0);
    for &i in order {
        if eligible[i as usize] {
            count += 1;
            sum += weight[i as usize];
        }
    }
    if count == 0 { 1.0 } else { sum / count as f64 }
}

/// Points value: provider `i`'s points, Σ measure weight × measure score (a missing score
/// counts 0).
pub(crate) fn measure_points(
    measures: &[MeasureResult],
    inputs: &[MeasureInputs],
    i: usize,
) -> f64 {
    measures
        .iter()
        .zip(inputs)
        .map(|(m, mi)| finite_or_zero(m.score[i]) * mi.weight)
        .sum()
}

/// Points value: points × value per point × the provider's weight relative to the mean, in
/// cents, before the cap.
pub(crate) fn points_amount(points: f64, cents_per_point: i64, weight: f64, mean: f64) -> i64 {
    (points * cents_per_point as f64 * weight / mean).round() as i64
}

/// Buffers [`pay`] reuses between runs, so that a run allocates nothing once warm.
#[derive(Debug, Default)]
pub struct PayScratch {
    caps: Vec<i64>,
    caps_left: Vec<i64>,
    raw: Vec<f64>,
    distribute: DistributeScratch,
}

/// Payment weight of each provider, into `out`.
fn weights(by: WeightBy, inputs: &Inputs, out: &mut Vec<f64>) {
    let n = inputs.provider_count();
    out.clear();
    match by {
        WeightBy::Equal => out.resize(n, 1.0),
        WeightBy::AttributedLives => {
            out.extend(inputs.lives.iter().map(|v| finite_or_zero(*v).max(0.0)))
        }
        WeightBy::BasePayments => out.extend(
            inputs
                .base_payments
                .iter()
                .map(|v| finite_or_zero(*v).max(0.0)),
        ),
    }
}

/// Sets `v` to `n` copies of `x`, reusing its buffer.
fn fill<T: Clone>(v: &mut Vec<T>, n: usize, x: T) {
    v.clear();
    v.resize(n, x);
}

/// Fills `results.payment` (and `results.eligible`) from the scores already in `results`.
/// Compiled also for AVX2 and chosen at run time: it runs on every slider move.
#[multiversion::multiversion(targets("x86_64+avx2", "x86_64+sse4.1"))]
pub fn pay(program: &Program, inputs: &Inputs, results: &mut Results) {
    let pay = &program.payment;
    let n = inputs.provider_count();
    let Results {
        total,
        improved_or_benchmark,
        eligible,
        payment: r,
        measures,
        scratch,
        ..
    } = results;
    let scratch = &mut scratch.pay;
    let total: &[f64] = total;
    let participates = |i: usize| !total[i].is_nan();
    eligible.clear();
    // One loop per rule, so that each is a plain loop over columns.
    match pay.eligibility {
        Eligibility::Any => eligible.extend(total.iter().map(|t| !t.is_nan())),
        Eligibility::MinScore(min) => eligible.extend(total.iter().map(|t| *t >= min)),
        Eligibility::ImproveOrBenchmark => eligible.extend(
            total
                .iter()
                .zip(improved_or_benchmark.iter())
                .map(|(t, flag)| !t.is_nan() & *flag),
        ),
    }
    let eligible: &[bool] = eligible;
    weights(pay.weight_by, inputs, &mut r.weight);
    let base = &inputs.base_payments;
    fill(&mut r.withheld, n, 0);
    fill(&mut r.earned, n, 0);
    // Every element of `net` is written at the end.
    r.net.resize(n, 0);
    fill(&mut r.capped, n, false);
    fill(&mut r.multiplier, n, f64::NAN);
    r.exchange_factor = f64::NAN;
    r.unallocated_cents = 0;
    // The pool.
    r.pool_cents = match &pay.pool {
        Pool::Fixed { cents: c } => (*c).max(0),
        Pool::PercentOfSpend { percent } => {
            // Summed in whole cents so the row order cannot move the pool by a cent.
            let spend: i64 = inputs.spend.iter().map(|s| cents(*s)).sum();
            (spend as f64 * percent / 100.0).round().max(0.0) as i64
        }
        Pool::Pmpm {
            cents_per_member_month,
            months,
        } => {
            let lives: i64 = inputs
                .lives
                .iter()
                .map(|l| finite_or_zero(*l).round() as i64)
                .sum();
            lives
                .saturating_mul(*cents_per_member_month)
                .saturating_mul(*months as i64)
                .max(0)
        }
        Pool::Withhold { percent } => {
            for ((w, t), b) in r.withheld.iter_mut().zip(total).zip(base) {
                if !t.is_nan() {
                    *w = cents(b * percent / 100.0).max(0);
                }
            }
            r.withheld.iter().sum()
        }
    };
    let caps = &mut scratch.caps;
    caps.clear();
    match pay.cap.as_ref() {
        None => caps.resize(n, i64::MAX),
        Some(cap) => caps.extend(base.iter().map(|b| limit_cents(Some(cap), *b))),
    }
    let caps: &[i64] = caps;
    let order = &inputs.canonical_order;
    let raw = &mut scratch.raw;
    match &pay.distribution {
        Distribution::ShareOfPool => {
            raw.clear();
            raw.extend(
                total
                    .iter()
                    .zip(eligible)
                    .zip(&r.weight)
                    .map(|((t, e), w)| share_weight(*t, *e, *w)),
            );
            share_of_pool(
                pay,
                ShareInputs {
                    raw,
                    caps,
                    base,
                    order,
                },
                r,
                &mut scratch.caps_left,
                &mut scratch.distribute,
            )
        }
        Distribution::LinearExchange => {
            raw.clear();
            raw.extend((0..n).map(|i| linear_weight(total[i], base[i])));
            let sum_base: f64 = (0..n).filter(|&i| participates(i)).map(|i| base[i]).sum();
            let sum_raw: f64 = raw.iter().sum();
            r.exchange_factor = if sum_raw > 0.0 {
                sum_base / sum_raw
            } else {
                f64::NAN
            };
            r.unallocated_cents = distribute_uncapped(
                r.pool_cents,
                (raw, order),
                &mut r.earned,
                &mut scratch.caps_left,
                &mut scratch.distribute,
            );
            set_multipliers(r, base, total);
        }
        Distribution::LogisticExchange {
            payback_share,
            slope,
            midpoint,
            stated_k,
        } => {
            raw.clear();
            raw.extend((0..n).map(|i| logistic_weight(total[i], base[i], *slope, *midpoint)));
            if let Some(k) = stated_k {
                r.exchange_factor = *k;
                r.unallocated_cents = super::exchange::pay_stated_k(
                    r.pool_cents,
                    *k,
                    (raw, order),
                    &mut r.earned,
                    &mut scratch.caps_left,
                    &mut scratch.distribute,
                );
                set_multipliers(r, base, total);
                return finish(pay.two_sided, r);
            }
            let incentive_pool = (r.pool_cents as f64 * payback_share / 100.0).round() as i64;
            let sum_raw: f64 = raw.iter().sum();
            r.exchange_factor = if sum_raw > 0.0 {
                incentive_pool as f64 / 100.0 / sum_raw
            } else {
                f64::NAN
            };
            let left = distribute_uncapped(
                incentive_pool,
                (raw, order),
                &mut r.earned,
                &mut scratch.caps_left,
                &mut scratch.distribute,
            );
            r.unallocated_cents = r.pool_cents - incentive_pool + left;
            set_multipliers(r, base, total);
        }
        Distribution::Tiered { tiers } => {
            let amounts = &mut scratch.caps_left;
            amounts.clear();
            amounts.extend((0..n).map(|i| tier_amount(tiers, total[i], eligible[i], caps[i]).1));
            let want: i64 = amounts.iter().sum();
            if want > r.pool_cents {
                // Not enough in the pool: every tier amount is scaled down alike.
                raw.clear();
                raw.extend(amounts.iter().map(|a| *a as f64));
                let scaled = Shares {
                    weights: raw,
                    caps: amounts,
                    order,
                };
                distribute_with(r.pool_cents, scaled, &mut r.earned, &mut scratch.distribute);
            } else {
                r.earned.copy_from_slice(amounts);
            }
            for i in 0..n {
                r.capped[i] = pay.cap.is_some() && amounts[i] == caps[i] && caps[i] > 0;
            }
            r.unallocated_cents = r.pool_cents - r.earned.iter().sum::<i64>();
        }
        Distribution::PointsValue { cents_per_point } => {
            let mean_w = mean_eligible_weight(order, eligible, &r.weight);
            for i in 0..n {
                if !eligible[i] || mean_w <= 0.0 {
                    continue;
                }
                let points = measure_points(measures, &inputs.measures, i);
                let amount = points_amount(points, *cents_per_point, r.weight[i], mean_w);
                r.earned[i] = amount.min(caps[i]);
                r.capped[i] = amount > caps[i];
            }
            r.unallocated_cents = r.pool_cents - r.earned.iter().sum::<i64>();
        }
        Distribution::SharedSavings(ss) => {
            for i in 0..n {
                let bench = inputs.benchmark_spend[i];
                let spend = inputs.spend[i];
                if !participates(i) || bench.is_nan() || bench <= 0.0 || !spend.is_finite() {
                    continue;
                }
                let savings = bench - spend;
                let quality = if ss.quality_adjusted {
                    total[i] / 100.0
                } else {
                    1.0
                };
                let limit = bench * ss.cap_rate;
                let amount = if savings >= bench * ss.min_savings_rate && savings > 0.0 {
                    (savings * ss.sharing_rate * quality).min(limit)
                } else if pay.two_sided && -savings >= bench * ss.min_loss_rate {
                    -(-savings * ss.loss_sharing_rate).min(limit)
                } else {
                    0.0
                };
                let c = cents(amount);
                r.earned[i] = c.min(caps[i]);
                r.capped[i] = c > caps[i];
            }
            r.unallocated_cents = r.pool_cents - r.earned.iter().sum::<i64>();
        }
        Distribution::WorstShareReduction {
            worst_percent,
            percent,
        } => super::penalty::pay_worst_share(r, total, base, (*worst_percent, *percent)),
        Distribution::Reduction {
            scale,
            round_decimals,
            max_percent,
        } => super::penalty::pay_reduction(r, total, base, (*scale, *round_decimals, *max_percent)),
    }
    finish(pay.two_sided, r);
}

/// Net payments and the total paid, from what each provider earned and had withheld.
fn finish(two_sided: bool, r: &mut PaymentResult) {
    if !two_sided {
        for e in &mut r.earned {
            *e = (*e).max(0);
        }
    }
    for ((net, e), w) in r.net.iter_mut().zip(&r.earned).zip(&r.withheld) {
        *net = e - w;
    }
    r.paid_cents = r.earned.iter().sum();
}

/// An exchange function's split: `pool` in proportion to `raw`, with no caps.
fn distribute_uncapped(
    pool: i64,
    (raw, order): (&[f64], &[u32]),
    earned: &mut [i64],
    unlimited: &mut Vec<i64>,
    scratch: &mut DistributeScratch,
) -> i64 {
    fill(unlimited, raw.len(), i64::MAX);
    let uncapped = Shares {
        weights: raw,
        caps: unlimited,
        order,
    };
    distribute_with(pool, uncapped, earned, scratch)
}

fn set_multipliers(r: &mut PaymentResult, base: &[f64], total: &[f64]) {
    for i in 0..r.earned.len() {
        if !total[i].is_nan() && base[i] > 0.0 {
            r.multiplier[i] = 1.0 + (r.earned[i] - r.withheld[i]) as f64 / (base[i] * 100.0);
        }
    }
}

/// What a share-of-pool payment reads, per provider.
struct ShareInputs<'a> {
    /// Score × weight of eligible providers, 0 for the others.
    raw: &'a [f64],
    caps: &'a [i64],
    base: &'a [f64],
    order: &'a [u32],
}

fn share_of_pool(
    pay: &Payment,
    s: ShareInputs,
    r: &mut PaymentResult,
    caps_left: &mut Vec<i64>,
    scratch: &mut DistributeScratch,
) {
    let ShareInputs {
        raw,
        caps,
        base,
        order,
    } = s;
    let n = raw.len();
    let mut pool = r.pool_cents;
    let mut limits = caps;
    // Floors are paid first to every earning provider, if the pool can afford them all.
    if pay.floor.is_some() {
        let floor = |i: usize| floor_cents(pay.floor.as_ref(), raw[i], base[i], caps[i]);
        let need: i64 = (0..n).map(floor).sum();
        if need <= pool {
            caps_left.clear();
            caps_left.extend((0..n).map(|i| {
                let f = floor(i);
                r.earned[i] += f;
                caps[i].saturating_sub(f)
            }));
            limits = caps_left;
            pool -= need;
        }
    }
    let shares = Shares {
        weights: raw,
        caps: limits,
        order,
    };
    r.unallocated_cents = distribute_with(pool, shares, &mut r.earned, scratch);
    if pay.cap.is_some() {
        let cols = r.capped.iter_mut().zip(raw.iter().zip(&r.earned).zip(caps));
        for (capped, ((raw, earned), cap)) in cols {
            *capped = (*raw > 0.0) & (earned >= cap);
        }
    }
}
