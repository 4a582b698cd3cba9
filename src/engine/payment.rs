//! Pools, distributions and exact payment in integer cents.

use super::inputs::Inputs;
use super::results::{PaymentResult, Results};
use crate::program::{
    Distribution, Eligibility, Limit, MAX_CENTS, Payment, Pool, Program, WeightBy,
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
pub(super) fn cents(amount: f64) -> i64 {
    if amount.is_finite() {
        (amount * 100.0).round() as i64
    } else {
        0
    }
}

#[inline(always)]
pub(super) fn finite_or_zero(x: f64) -> f64 {
    if x.is_finite() { x } else { 0.0 }
}

/// The most each provider may be paid, in cents (i64::MAX when uncapped).
pub(super) fn limit_cents(limit: Option<&Limit>, base: f64) -> i64 {
    match limit {
        None => i64::MAX,
        Some(Limit::Cents(c)) => amount(*c),
        Some(Limit::PercentOfBase(p)) => amount(cents(base * p / 100.0)),
    }
}

/// Buffers a distribution reuses between calls.
#[derive(Debug, Default)]
pub struct DistributeScratch {
    /// Providers still sharing, in the order given, with their weights and caps alongside so
    /// that the loops over them read contiguous memory.
    active: Vec<u32>,
    weight: Vec<f64>,
    cap: Vec<i64>,
    /// What each active provider is owed beyond its whole cents, 0 ≤ f < 1.
    fraction: Vec<f64>,
    /// Positions in `active` given a leftover cent.
    chosen: Vec<u32>,
    /// (fraction, position) pairs being ranked.
    ranked: Vec<(f64, u32)>,
    /// Providers per band of fraction.
    bands: Vec<u32>,
}

/// Buffers [`pay`] reuses between runs, so that a run allocates nothing once warm.
#[derive(Debug, Default)]
pub struct PayScratch {
    caps: Vec<i64>,
    caps_left: Vec<i64>,
    raw: Vec<f64>,
    distribute: DistributeScratch,
}

/// Splits `pool` cents in proportion to `weights`, exactly: Σ out = pool unless every provider
/// with weight reaches its cap, in which case the rest is returned as unallocated.
/// Caps are enforced by water-filling (what a capped provider cannot take goes to the others in
/// proportion), then whole cents by largest remainder, ties to the lower index.
/// `out` must be zeroed by the caller; amounts are added to it.
pub fn distribute(pool: i64, weights: &[f64], caps: &[i64], out: &mut [i64]) -> i64 {
    let order: Vec<u32> = (0..weights.len() as u32).collect();
    distribute_in(pool, weights, caps, &order, out)
}

/// As [`distribute`], visiting providers (for sums and ties) in `order` rather than by index.
pub fn distribute_in(
    pool: i64,
    weights: &[f64],
    caps: &[i64],
    order: &[u32],
    out: &mut [i64],
) -> i64 {
    distribute_with(
        pool,
        Shares {
            weights,
            caps,
            order,
        },
        out,
        &mut DistributeScratch::default(),
    )
}

/// What a distribution splits the pool by.
#[derive(Clone, Copy)]
struct Shares<'a> {
    weights: &'a [f64],
    /// i64::MAX where uncapped.
    caps: &'a [i64],
    order: &'a [u32],
}

/// Ranking of leftover cents: the larger fraction first, ties to the earlier position.
fn by_fraction(a: &(f64, u32), b: &(f64, u32)) -> std::cmp::Ordering {
    b.0.total_cmp(&a.0).then(a.1.cmp(&b.1))
}

/// Bands the fractions fall into when choosing who gets the leftover cents.
const BANDS: usize = 1024;

/// Band of a fraction: monotone, so every fraction in a higher band ranks before any in a
/// lower one.
#[inline(always)]
fn band(f: f64) -> usize {
    ((f * BANDS as f64) as i64).clamp(0, BANDS as i64 - 1) as usize
}

/// As [`distribute_in`], with reused buffers. Compiled also for AVX2 and chosen at run time.
#[multiversion::multiversion(targets("x86_64+avx2", "x86_64+sse4.1"))]
fn distribute_with(pool: i64, s: Shares, out: &mut [i64], scratch: &mut DistributeScratch) -> i64 {
    let Shares {
        weights,
        caps,
        order,
    } = s;
    if pool <= 0 {
        return pool.max(0);
    }
    let DistributeScratch {
        active,
        weight,
        cap,
        fraction,
        chosen,
        ranked,
        bands,
    } = scratch;
    // Compacted without branches: whether a provider shares is as good as random, and a
    // mispredicted branch per provider costs more than the writes.
    let n = order.len();
    active.resize(n, 0);
    weight.resize(n, 0.0);
    cap.resize(n, 0);
    let mut kept = 0;
    // Summed in the same pass, in the same order as the kept weights (adding 0.0 for the others
    // changes no bit).
    let mut total = 0.0;
    let (to_active, to_weight, to_cap) = (&mut active[..], &mut weight[..], &mut cap[..]);
    for &i in order {
        let (w, c) = (weights[i as usize], caps[i as usize]);
        to_active[kept] = i;
        to_weight[kept] = w;
        to_cap[kept] = c;
        let keep = (w > 0.0) & w.is_finite() & (c > 0);
        total += if keep { w } else { 0.0 };
        kept += usize::from(keep);
    }
    active.truncate(kept);
    weight.truncate(kept);
    cap.truncate(kept);
    let mut remaining = pool;
    // Water-filling: fix providers whose share exceeds their cap, until no share does. The
    // exact shares are kept in `fraction` for the split that follows.
    loop {
        if active.is_empty() || total <= 0.0 {
            return remaining;
        }
        let rem = remaining as f64;
        fraction.clear();
        fraction.extend(weight.iter().map(|w| rem * w / total));
        let over = fraction
            .iter()
            .zip(cap.iter())
            .fold(false, |any, (share, c)| any | (*share >= *c as f64));
        if !over {
            break;
        }
        let mut kept = 0;
        for k in 0..active.len() {
            if fraction[k] >= cap[k] as f64 {
                out[active[k] as usize] += cap[k];
                remaining -= cap[k];
            } else {
                active[kept] = active[k];
                weight[kept] = weight[k];
                cap[kept] = cap[k];
                kept += 1;
            }
        }
        active.truncate(kept);
        weight.truncate(kept);
        cap.truncate(kept);
        if remaining <= 0 {
            return 0;
        }
        total = weight.iter().sum();
    }
    let mut given: i64 = 0;
    // Fractions are counted into bands as they are made, for `choose_largest`.
    bands.clear();
    bands.resize(BANDS, 0);
    for ((f, &i), &c) in fraction.iter_mut().zip(active.iter()).zip(cap.iter()) {
        let exact = *f;
        // Truncation is floor here (exact ≥ 0), without the call `floor` costs.
        let whole = (exact as i64).min(c);
        out[i as usize] += whole;
        given += whole;
        *f = exact - whole as f64;
        bands[band(*f)] += 1;
    }
    let at = |pos: u32| active[pos as usize] as usize;
    let mut left = remaining - given;
    // Floating error can leave the sum a few cents off either way; settle it exactly.
    if left > 0 {
        let k = (left as usize).min(fraction.len());
        if k < fraction.len() {
            choose_largest(fraction, k, chosen, ranked, bands);
            // The common case: each of the k largest fractions has room under its cap, so each
            // gets one cent whatever their order.
            if chosen.iter().all(|&pos| out[at(pos)] < caps[at(pos)]) {
                for &pos in chosen.iter() {
                    out[at(pos)] += 1;
                }
                return 0;
            }
        }
        // First the largest fractions; then, should cents still be left, round-robin.
        ranked.clear();
        ranked.extend(fraction.iter().enumerate().map(|(p, f)| (*f, p as u32)));
        ranked.sort_unstable_by(by_fraction);
        let mut progress = true;
        while left > 0 && progress {
            progress = false;
            let take = if left as usize >= ranked.len() {
                ranked.len()
            } else {
                k.min(left as usize)
            };
            for &(_, pos) in ranked.iter().take(take) {
                let i = at(pos);
                if left > 0 && out[i] < caps[i] {
                    out[i] += 1;
                    left -= 1;
                    progress = true;
                }
            }
        }
    } else if left < 0 {
        ranked.clear();
        ranked.extend(fraction.iter().enumerate().map(|(p, f)| (*f, p as u32)));
        ranked.sort_unstable_by(|a, b| by_fraction(b, a));
        for &(_, pos) in ranked.iter() {
            let i = at(pos);
            if left == 0 {
                break;
            }
            if out[i] > 0 {
                out[i] -= 1;
                left += 1;
            }
        }
    }
    left.max(0)
}

/// Puts into `chosen` the positions of the `k` largest fractions (ties to the earlier
/// position), 0 < k < fraction.len(), in no particular order. `bands` counts the fractions per
/// [`band`]: it finds the band the k-th falls in, and only that band is ranked, so the work is
/// linear and small.
fn choose_largest(
    fraction: &[f64],
    k: usize,
    chosen: &mut Vec<u32>,
    ranked: &mut Vec<(f64, u32)>,
    bands: &[u32],
) {
    // The band holding the k-th largest, and how many rank above it.
    let (mut edge, mut above) = (BANDS, 0usize);
    while edge > 0 {
        edge -= 1;
        let here = bands[edge] as usize;
        if above + here >= k {
            break;
        }
        above += here;
    }
    // Everyone above the edge band is chosen (written without a branch, see `distribute_with`);
    // the edge band, a small share, is ranked.
    chosen.resize(fraction.len(), 0);
    ranked.clear();
    let mut taken = 0;
    let to = &mut chosen[..];
    for (pos, &f) in fraction.iter().enumerate() {
        let b = band(f);
        to[taken] = pos as u32;
        taken += usize::from(b > edge);
        if b == edge {
            ranked.push((f, pos as u32));
        }
    }
    chosen.truncate(taken);
    let need = k - above;
    if need < ranked.len() {
        ranked.select_nth_unstable_by(need - 1, by_fraction);
    }
    chosen.extend(ranked[..need].iter().map(|&(_, pos)| pos));
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
                    .map(|((t, e), w)| if *e { t.max(0.0) * w } else { 0.0 }),
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
            raw.extend((0..n).map(|i| {
                if participates(i) {
                    base[i] * total[i] / 100.0
                } else {
                    0.0
                }
            }));
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
        } => {
            raw.clear();
            raw.extend((0..n).map(|i| {
                if participates(i) {
                    base[i] * (1.0 / (1.0 + (-slope * (total[i] - midpoint)).exp()))
                } else {
                    0.0
                }
            }));
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
        Distribution::Tiered { tiers } => {
            let amounts = &mut scratch.caps_left;
            amounts.clear();
            amounts.extend((0..n).map(|i| {
                if !eligible[i] {
                    return 0;
                }
                let tier = tiers
                    .iter()
                    .filter(|t| total[i] >= t.min_score)
                    .max_by(|a, b| a.min_score.total_cmp(&b.min_score))
                    .map_or(0, |t| amount(t.cents));
                at_least_floor(pay, tier, base[i]).min(caps[i])
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
            let (mut count, mut sum) = (0usize, 0.0);
            for &i in order {
                if eligible[i as usize] {
                    count += 1;
                    sum += r.weight[i as usize];
                }
            }
            let mean_w = if count == 0 { 1.0 } else { sum / count as f64 };
            for i in 0..n {
                if !eligible[i] || mean_w <= 0.0 {
                    continue;
                }
                let points: f64 = measures
                    .iter()
                    .zip(&inputs.measures)
                    .map(|(m, mi)| finite_or_zero(m.score[i]) * mi.weight)
                    .sum();
                let value = (points * amount(*cents_per_point) as f64 * r.weight[i] / mean_w)
                    .round() as i64;
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
    }
    if !pay.two_sided {
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
fn at_least_floor(pay: &Payment, amount: i64, base: f64) -> i64 {
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
    let mut floors_paid = false;
    // Floors are paid first to every earning provider, if the pool can afford them all. The
    // rest is split against what each cap leaves; the floors are added after the split, so
    // that the split's leftover cents are weighed against that room alone.
    if pay.floor.is_some() {
        let floor = |i: usize| {
            if raw[i] > 0.0 {
                limit_cents(pay.floor.as_ref(), base[i]).min(caps[i])
            } else {
                0
            }
        };
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
