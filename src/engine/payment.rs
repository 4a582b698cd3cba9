//! Pools, distributions and exact payment in integer cents.

use super::inputs::Inputs;
use super::results::{PaymentResult, Results};
use crate::program::{Distribution, Eligibility, Limit, Payment, Pool, Program, WeightBy};

/// Currency units to cents, rounding half away from zero.
pub(super) fn cents(amount: f64) -> i64 {
    if amount.is_finite() {
        (amount * 100.0).round() as i64
    } else {
        0
    }
}

pub(super) fn finite_or_zero(x: f64) -> f64 {
    if x.is_finite() { x } else { 0.0 }
}

/// The most each provider may be paid, in cents (i64::MAX when uncapped).
pub(super) fn limit_cents(limit: Option<&Limit>, base: f64) -> i64 {
    match limit {
        None => i64::MAX,
        Some(Limit::Cents(c)) => (*c).max(0),
        Some(Limit::PercentOfBase(p)) => cents(base * p / 100.0).max(0),
    }
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
    if pool <= 0 {
        return pool.max(0);
    }
    let mut active: Vec<usize> = order
        .iter()
        .map(|&i| i as usize)
        .filter(|&i| weights[i] > 0.0 && weights[i].is_finite() && caps[i] > 0)
        .collect();
    let mut remaining = pool;
    // Water-filling: fix providers whose share exceeds their cap, until no share does.
    loop {
        let total: f64 = active.iter().map(|&i| weights[i]).sum();
        if active.is_empty() || total <= 0.0 {
            return remaining;
        }
        let before = active.len();
        let rem = remaining as f64;
        active.retain(|&i| {
            let share = rem * weights[i] / total;
            if share >= caps[i] as f64 {
                out[i] += caps[i];
                remaining -= caps[i];
                false
            } else {
                true
            }
        });
        if active.len() == before {
            break;
        }
        if remaining <= 0 {
            return 0;
        }
    }
    let total: f64 = active.iter().map(|&i| weights[i]).sum();
    let rem = remaining as f64;
    let mut given: i64 = 0;
    // (fraction, position in `active`): ties go to the earlier position in the order.
    let mut fractions: Vec<(f64, usize)> = Vec::with_capacity(active.len());
    for (pos, &i) in active.iter().enumerate() {
        let exact = rem * weights[i] / total;
        let whole = (exact.floor() as i64).min(caps[i]);
        out[i] += whole;
        given += whole;
        fractions.push((exact - whole as f64, pos));
    }
    let mut left = remaining - given;
    // Floating error can leave the sum a few cents off either way; settle it exactly.
    let order = |a: &(f64, usize), b: &(f64, usize)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
    if left > 0 {
        let k = (left as usize).min(fractions.len());
        if k < fractions.len() && k > 0 {
            fractions.select_nth_unstable_by(k - 1, order);
            // The common case: each of the k largest remainders has room under its cap, so each
            // gets one cent whatever their order, and sorting them is wasted work.
            if fractions[..k]
                .iter()
                .all(|&(_, pos)| out[active[pos]] < caps[active[pos]])
            {
                for &(_, pos) in &fractions[..k] {
                    out[active[pos]] += 1;
                }
                left = 0;
            }
        }
        if left > 0 {
            fractions[..k].sort_unstable_by(order);
        }
        // First the largest remainders; then, should cents still be left, round-robin.
        let mut progress = true;
        while left > 0 && progress {
            progress = false;
            let take = if left as usize >= fractions.len() {
                fractions.len()
            } else {
                k.min(left as usize)
            };
            for &(_, pos) in fractions.iter().take(take) {
                let i = active[pos];
                if left > 0 && out[i] < caps[i] {
                    out[i] += 1;
                    left -= 1;
                    progress = true;
                }
            }
        }
    } else if left < 0 {
        fractions.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)));
        for &(_, pos) in &fractions {
            let i = active[pos];
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

/// Payment weight of each provider.
fn weights(by: WeightBy, inputs: &Inputs) -> Vec<f64> {
    let n = inputs.provider_count();
    match by {
        WeightBy::Equal => vec![1.0; n],
        WeightBy::AttributedLives => inputs
            .lives
            .iter()
            .map(|v| finite_or_zero(*v).max(0.0))
            .collect(),
        WeightBy::BasePayments => inputs
            .base_payments
            .iter()
            .map(|v| finite_or_zero(*v).max(0.0))
            .collect(),
    }
}

fn is_eligible(rule: &Eligibility, total: f64, improved: bool, hit: bool) -> bool {
    if total.is_nan() {
        return false;
    }
    match rule {
        Eligibility::Any => true,
        Eligibility::MinScore(min) => total >= *min,
        Eligibility::ImproveOrBenchmark => improved || hit,
    }
}

/// Fills `results.payment` (and `results.eligible`) from the scores already in `results`.
pub fn pay(program: &Program, inputs: &Inputs, results: &mut Results) {
    let pay = &program.payment;
    let n = inputs.provider_count();
    let participates: Vec<bool> = results.total.iter().map(|t| !t.is_nan()).collect();
    results.eligible = (0..n)
        .map(|i| {
            is_eligible(
                &pay.eligibility,
                results.total[i],
                results.improved_any[i],
                results.benchmark_any[i],
            )
        })
        .collect();
    let w = weights(pay.weight_by, inputs);
    let base = &inputs.base_payments;
    let mut r = PaymentResult {
        withheld: vec![0; n],
        earned: vec![0; n],
        net: vec![0; n],
        weight: w.clone(),
        capped: vec![false; n],
        multiplier: vec![f64::NAN; n],
        exchange_factor: f64::NAN,
        ..Default::default()
    };
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
            for i in 0..n {
                if participates[i] {
                    r.withheld[i] = cents(base[i] * percent / 100.0).max(0);
                }
            }
            r.withheld.iter().sum()
        }
    };
    let caps: Vec<i64> = (0..n)
        .map(|i| limit_cents(pay.cap.as_ref(), base[i]))
        .collect();
    let order = &inputs.canonical_order;
    let total = &results.total;
    match &pay.distribution {
        Distribution::ShareOfPool => share_of_pool(
            pay,
            ShareInputs {
                eligible: &results.eligible,
                total,
                weight: &w,
                caps: &caps,
                base,
                order,
            },
            &mut r,
        ),
        Distribution::LinearExchange => {
            let raw: Vec<f64> = (0..n)
                .map(|i| {
                    if participates[i] {
                        base[i] * total[i] / 100.0
                    } else {
                        0.0
                    }
                })
                .collect();
            let sum_base: f64 = (0..n).filter(|&i| participates[i]).map(|i| base[i]).sum();
            let sum_raw: f64 = raw.iter().sum();
            r.exchange_factor = if sum_raw > 0.0 {
                sum_base / sum_raw
            } else {
                f64::NAN
            };
            let uncapped = vec![i64::MAX; n];
            r.unallocated_cents =
                distribute_in(r.pool_cents, &raw, &uncapped, order, &mut r.earned);
            set_multipliers(&mut r, base, &participates);
        }
        Distribution::LogisticExchange {
            payback_share,
            slope,
            midpoint,
        } => {
            let logistic: Vec<f64> = (0..n)
                .map(|i| {
                    if participates[i] {
                        1.0 / (1.0 + (-slope * (total[i] - midpoint)).exp())
                    } else {
                        0.0
                    }
                })
                .collect();
            let raw: Vec<f64> = (0..n).map(|i| base[i] * logistic[i]).collect();
            let incentive_pool = (r.pool_cents as f64 * payback_share / 100.0).round() as i64;
            let sum_raw: f64 = raw.iter().sum();
            r.exchange_factor = if sum_raw > 0.0 {
                incentive_pool as f64 / 100.0 / sum_raw
            } else {
                f64::NAN
            };
            let uncapped = vec![i64::MAX; n];
            let left = distribute_in(incentive_pool, &raw, &uncapped, order, &mut r.earned);
            r.unallocated_cents = r.pool_cents - incentive_pool + left;
            set_multipliers(&mut r, base, &participates);
        }
        Distribution::Tiered { tiers } => {
            let amounts: Vec<i64> = (0..n)
                .map(|i| {
                    if !results.eligible[i] {
                        return 0;
                    }
                    tiers
                        .iter()
                        .filter(|t| total[i] >= t.min_score)
                        .max_by(|a, b| a.min_score.total_cmp(&b.min_score))
                        .map_or(0, |t| t.cents.max(0))
                        .min(caps[i])
                })
                .collect();
            let want: i64 = amounts.iter().sum();
            if want > r.pool_cents {
                // Not enough in the pool: every tier amount is scaled down alike.
                let weights: Vec<f64> = amounts.iter().map(|a| *a as f64).collect();
                distribute_in(r.pool_cents, &weights, &amounts, order, &mut r.earned);
            } else {
                r.earned.copy_from_slice(&amounts);
            }
            for i in 0..n {
                r.capped[i] = pay.cap.is_some() && amounts[i] == caps[i] && caps[i] > 0;
            }
            r.unallocated_cents = r.pool_cents - r.earned.iter().sum::<i64>();
        }
        Distribution::PointsValue { cents_per_point } => {
            let elig_w: Vec<f64> = inputs
                .canonical_order
                .iter()
                .map(|&i| i as usize)
                .filter(|&i| results.eligible[i])
                .map(|i| w[i])
                .collect();
            let mean_w = if elig_w.is_empty() {
                1.0
            } else {
                elig_w.iter().sum::<f64>() / elig_w.len() as f64
            };
            for i in 0..n {
                if !results.eligible[i] || mean_w <= 0.0 {
                    continue;
                }
                let points: f64 = results
                    .measures
                    .iter()
                    .zip(&inputs.measures)
                    .map(|(m, mi)| finite_or_zero(m.score[i]) * mi.weight)
                    .sum();
                let amount = (points * *cents_per_point as f64 * w[i] / mean_w).round() as i64;
                r.earned[i] = amount.min(caps[i]);
                r.capped[i] = amount > caps[i];
            }
            r.unallocated_cents = r.pool_cents - r.earned.iter().sum::<i64>();
        }
        Distribution::SharedSavings(ss) => {
            for i in 0..n {
                let bench = inputs.benchmark_spend[i];
                let spend = inputs.spend[i];
                if !participates[i] || bench.is_nan() || bench <= 0.0 || !spend.is_finite() {
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
    }
    if !pay.two_sided {
        for e in &mut r.earned {
            *e = (*e).max(0);
        }
    }
    for i in 0..n {
        r.net[i] = r.earned[i] - r.withheld[i];
    }
    r.paid_cents = r.earned.iter().sum();
    results.payment = r;
}

fn set_multipliers(r: &mut PaymentResult, base: &[f64], participates: &[bool]) {
    for i in 0..r.earned.len() {
        if participates[i] && base[i] > 0.0 {
            r.multiplier[i] = 1.0 + (r.earned[i] - r.withheld[i]) as f64 / (base[i] * 100.0);
        }
    }
}

/// What a share-of-pool payment reads, per provider.
struct ShareInputs<'a> {
    eligible: &'a [bool],
    total: &'a [f64],
    weight: &'a [f64],
    caps: &'a [i64],
    base: &'a [f64],
    order: &'a [u32],
}

fn share_of_pool(pay: &Payment, s: ShareInputs, r: &mut PaymentResult) {
    let ShareInputs {
        eligible,
        total,
        weight: w,
        caps,
        base,
        order,
    } = s;
    let n = eligible.len();
    let raw: Vec<f64> = (0..n)
        .map(|i| {
            if eligible[i] {
                total[i].max(0.0) * w[i]
            } else {
                0.0
            }
        })
        .collect();
    let mut pool = r.pool_cents;
    // Floors are paid first to every earning provider, if the pool can afford them all.
    let mut caps_left = caps.to_vec();
    if pay.floor.is_some() {
        let floors: Vec<i64> = (0..n)
            .map(|i| {
                if raw[i] > 0.0 {
                    limit_cents(pay.floor.as_ref(), base[i]).min(caps[i])
                } else {
                    0
                }
            })
            .collect();
        let need: i64 = floors.iter().sum();
        if need <= pool {
            for i in 0..n {
                r.earned[i] += floors[i];
                caps_left[i] = caps[i].saturating_sub(floors[i]);
            }
            pool -= need;
        }
    }
    r.unallocated_cents = distribute_in(pool, &raw, &caps_left, order, &mut r.earned);
    if pay.cap.is_some() {
        for i in 0..n {
            r.capped[i] = raw[i] > 0.0 && r.earned[i] >= caps[i];
        }
    }
}
