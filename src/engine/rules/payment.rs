//! Pools, distributions and exact payment in integer cents.

use super::inputs::{Inputs, MeasureInputs};
use super::kernels::{DistributeScratch, Shares, distribute_with};
pub use super::kernels::{distribute, distribute_in};
use super::results::{MeasureResult, PaymentResult, Results};
use crate::program::{
    BonusTier, Distribution, Eligibility, Limit, MAX_CENTS, Payment, Pool, Program, WeightBy,
};

/// Σ of cents, exact: i64 amounts cannot overflow an i128 sum.
fn total_cents(v: impl IntoIterator<Item = i64>) -> i128 {
    v.into_iter().map(i128::from).sum()
}

/// Σ of cents, saturating at the ends of i64 rather than wrapping (for sums that are stored).
fn sum_cents<'a>(v: impl IntoIterator<Item = &'a i64>) -> i64 {
    total_cents(v.into_iter().copied()).clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
}

/// A program's amount of cents, kept within 0..=[`MAX_CENTS`] (validation refuses the rest).
fn amount(c: i64) -> i64 {
    c.clamp(0, MAX_CENTS)
}

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
        Some(Limit::Cents(c)) => amount(*c),
        Some(Limit::PercentOfBase(p)) => amount(cents(base * p / 100.0)),
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
        .map_or((None, 0), |(k, t)| (Some(k), amount(t.cents).min(cap)))
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
pub(super) fn weights(by: WeightBy, inputs: &Inputs, out: &mut Vec<f64>) {
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
        measures_met,
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
    if let Some(gate) = pay.gate.as_ref() {
        for (i, e) in eligible.iter_mut().enumerate() {
            if *e && (!gate.reported.is_empty() || gate.min_measures_met > 0) {
                *e = super::ladder::gate_failure(program, inputs, measures_met, i).is_none();
            }
        }
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
        Pool::Fixed { cents: c } => amount(*c),
        Pool::PercentOfSpend { percent } => {
            // Summed in whole cents so the row order cannot move the pool by a cent.
            let spend = total_cents(inputs.spend.iter().map(|s| cents(*s)))
                .clamp(-i128::from(MAX_CENTS), i128::from(MAX_CENTS))
                as i64;
            amount((spend as f64 * percent / 100.0).round() as i64)
        }
        Pool::Pmpm {
            cents_per_member_month,
            months,
        } => {
            let lives = inputs
                .lives
                .iter()
                .map(|l| finite_or_zero(*l).round() as i64)
                .fold(0i64, i64::saturating_add);
            amount(
                lives
                    .saturating_mul(*cents_per_member_month)
                    .saturating_mul(*months as i64),
            )
        }
        Pool::Withhold { percent } => {
            for ((w, t), b) in r.withheld.iter_mut().zip(total).zip(base) {
                if !t.is_nan() {
                    *w = amount(cents(b * percent / 100.0));
                }
            }
            amount(sum_cents(r.withheld.iter()))
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
            // Caps hold here too: what they cut goes to the others, as in every split.
            let shares = Shares {
                weights: raw,
                caps,
                order,
            };
            r.unallocated_cents =
                distribute_with(r.pool_cents, shares, &mut r.earned, &mut scratch.distribute);
            mark_capped(pay, raw, caps, r);
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
                    (raw, caps, order),
                    &mut r.earned,
                    &mut scratch.caps_left,
                    &mut scratch.distribute,
                );
                mark_capped(pay, raw, caps, r);
                set_multipliers(r, base, total);
                return finish(pay.two_sided, r);
            }
            // Never more than the pool, whatever the file says (validation refuses it).
            let share = if payback_share.is_finite() {
                payback_share.clamp(0.0, 100.0)
            } else {
                0.0
            };
            let incentive_pool =
                ((r.pool_cents as f64 * share / 100.0).round() as i64).clamp(0, r.pool_cents);
            let sum_raw: f64 = raw.iter().sum();
            r.exchange_factor = if sum_raw > 0.0 {
                incentive_pool as f64 / 100.0 / sum_raw
            } else {
                f64::NAN
            };
            let shares = Shares {
                weights: raw,
                caps,
                order,
            };
            let left = distribute_with(
                incentive_pool,
                shares,
                &mut r.earned,
                &mut scratch.distribute,
            );
            mark_capped(pay, raw, caps, r);
            r.unallocated_cents = r.pool_cents - incentive_pool + left;
            set_multipliers(r, base, total);
        }
        Distribution::Tiered { .. } | Distribution::Ladder { .. } => {
            let amounts = &mut scratch.caps_left;
            amounts.clear();
            amounts.extend((0..n).map(|i| {
                let (_, amount) = match &pay.distribution {
                    Distribution::Tiered { tiers } => {
                        tier_amount(tiers, total[i], eligible[i], i64::MAX)
                    }
                    Distribution::Ladder { rungs } => {
                        let met = measures_met.get(i).copied().unwrap_or(0);
                        super::ladder::rung_reached(rungs, met, eligible[i])
                    }
                    _ => (None, 0),
                };
                at_least_floor(pay, amount, base[i]).min(caps[i])
            }));
            if total_cents(amounts.iter().copied()) > i128::from(r.pool_cents) {
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
            r.unallocated_cents = r.pool_cents - sum_cents(r.earned.iter());
        }
        Distribution::PointsValue { cents_per_point } => {
            let mean_w = mean_eligible_weight(order, eligible, &r.weight);
            for i in 0..n {
                if !eligible[i] || mean_w <= 0.0 {
                    continue;
                }
                let points = measure_points(measures, &inputs.measures, i);
                let value = points_amount(points, amount(*cents_per_point), r.weight[i], mean_w);
                let value = at_least_floor(pay, amount(value), base[i]);
                r.earned[i] = value.min(caps[i]);
                r.capped[i] = value > caps[i];
            }
            r.unallocated_cents = r.pool_cents.saturating_sub(sum_cents(r.earned.iter()));
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
                let c = cents(amount).clamp(-MAX_CENTS, MAX_CENTS);
                let c = if c < 0 {
                    // Two-sided: the floor is the most a provider can owe.
                    match pay.floor.as_ref() {
                        Some(f) => c.max(-limit_cents(Some(f), base[i])),
                        None => c,
                    }
                } else if pay.two_sided {
                    c
                } else {
                    at_least_floor(pay, c, base[i])
                };
                r.earned[i] = c.min(caps[i]);
                r.capped[i] = c > caps[i];
            }
            r.unallocated_cents = r.pool_cents.saturating_sub(sum_cents(r.earned.iter()));
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
    // A penalty model takes money back by its nature, whatever `two_sided` says.
    let penalty = matches!(
        pay.distribution,
        Distribution::Reduction { .. } | Distribution::WorstShareReduction { .. }
    );
    finish(pay.two_sided || penalty, r);
}

/// Net payments and the total paid, from what each provider earned and had withheld.
pub(super) fn finish(two_sided: bool, r: &mut PaymentResult) {
    if !two_sided {
        for e in &mut r.earned {
            *e = (*e).max(0);
        }
    }
    for ((net, e), w) in r.net.iter_mut().zip(&r.earned).zip(&r.withheld) {
        *net = e.saturating_sub(*w);
    }
    r.paid_cents = sum_cents(r.earned.iter());
}

/// An earning provider's `amount` raised to the program's floor: the least an earning provider
/// is paid. (In two-sided shared savings the floor is instead the most a provider can owe.)
pub(crate) fn at_least_floor(pay: &Payment, amount: i64, base: f64) -> i64 {
    match pay.floor.as_ref() {
        Some(f) if amount > 0 => amount.max(limit_cents(Some(f), base)),
        _ => amount,
    }
}

/// Marks the providers a cap held to it, among those with something to share.
fn mark_capped(pay: &Payment, raw: &[f64], caps: &[i64], r: &mut PaymentResult) {
    if pay.cap.is_some() {
        let cols = r.capped.iter_mut().zip(raw.iter().zip(&r.earned).zip(caps));
        for (capped, ((raw, earned), cap)) in cols {
            *capped = (*raw > 0.0) & (earned >= cap);
        }
    }
}

fn set_multipliers(r: &mut PaymentResult, base: &[f64], total: &[f64]) {
    for i in 0..r.earned.len() {
        if !total[i].is_nan() && base[i] > 0.0 {
            r.multiplier[i] = 1.0 + (r.earned[i] - r.withheld[i]) as f64 / (base[i] * 100.0);
        }
    }
}

/// What a share-of-pool payment reads, per provider.
pub(super) struct ShareInputs<'a> {
    /// Score × weight of eligible providers, 0 for the others.
    pub raw: &'a [f64],
    pub caps: &'a [i64],
    pub base: &'a [f64],
    pub order: &'a [u32],
}

pub(super) fn share_of_pool(
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
    let mut floors_paid = false;
    // Floors are paid first to every earning provider, if the pool can afford them all. The
    // rest is split against what each cap leaves; the floors are added after the split, so
    // that the split's leftover cents are weighed against that room alone.
    if pay.floor.is_some() {
        let floor = |i: usize| floor_cents(pay.floor.as_ref(), raw[i], base[i], caps[i]);
        let need = total_cents((0..n).map(floor));
        if need <= i128::from(pool) {
            caps_left.clear();
            caps_left.extend((0..n).map(|i| caps[i].saturating_sub(floor(i))));
            limits = caps_left;
            pool -= need as i64;
            floors_paid = true;
        }
    }
    let shares = Shares {
        weights: raw,
        caps: limits,
        order,
    };
    r.unallocated_cents = distribute_with(pool, shares, &mut r.earned, scratch);
    if floors_paid {
        for (e, (&c, &left)) in r.earned.iter_mut().zip(caps.iter().zip(limits.iter())) {
            *e += c - left;
        }
    }
    mark_capped(pay, raw, caps, r);
}
