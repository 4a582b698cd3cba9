//! Penalty designs: points for how far a result is worse than its threshold, a total that sums
//! each provider's weighted measure scores, and a payment reduction by that total (the
//! Hospital Readmissions Reduction Program's design, usable by any program).

use super::inputs::Inputs;
use super::payment::cents;
use super::results::{PaymentResult, Results};
use crate::program::TotalRule;

/// How far oriented result `p` is worse than oriented threshold `at` (0 at or better);
/// NaN without a result or a threshold.
#[inline]
pub fn excess_over(p: f64, at: f64) -> f64 {
    if p.is_nan() || at.is_nan() {
        f64::NAN
    } else if p < at {
        at - p
    } else {
        0.0
    }
}

/// Applies a total rule other than the weighted mean: overwrites `out.total`.
pub(crate) fn apply_total_rule(rule: TotalRule, inputs: &Inputs, out: &mut Results) {
    if rule == TotalRule::WeightedMean {
        return;
    }
    let n = inputs.provider_count();
    for i in 0..n {
        let (mut sum, mut weights) = (0.0, 0.0);
        let mut scored = false;
        for (m, r) in inputs.measures.iter().zip(&out.measures) {
            let s = r.score[i];
            let w = m.provider_weight[i];
            if s.is_nan() || !w.is_finite() {
                continue;
            }
            scored = true;
            sum += w * s;
            weights += w;
        }
        out.total[i] = match rule {
            _ if !scored => f64::NAN,
            TotalRule::MeanOfScores if weights > 0.0 => sum / weights,
            TotalRule::MeanOfScores => f64::NAN,
            _ => sum,
        };
    }
}

/// Pays a percentile cut: providers whose total is strictly worse than the `worst_percent`-th
/// percentile of all totals (computed from the data) lose `percent`% of base payments; the
/// others keep a factor of 1. Providers without a total are not reduced.
pub(crate) fn pay_worst_share(
    r: &mut PaymentResult,
    total: &[f64],
    base: &[f64],
    (worst_percent, percent): (f64, f64),
) {
    r.pool_cents = 0;
    r.unallocated_cents = 0;
    let cut = super::standards::SortedValues::new(total.iter().copied()).percentile(worst_percent);
    let share = if percent.is_finite() {
        percent.clamp(0.0, 100.0) / 100.0
    } else {
        0.0
    };
    r.exchange_factor = cut;
    for i in 0..total.len() {
        let flagged = total[i] < cut;
        r.multiplier[i] = if flagged { 1.0 - share } else { 1.0 };
        if flagged {
            r.earned[i] = -cents(base[i] * share);
        }
    }
}

/// The share of base payments a provider loses: min(cap, round(scale × total, decimals)),
/// at least 0; NaN without a total.
pub fn reduction(total: f64, scale: f64, round_decimals: Option<u32>, max_percent: f64) -> f64 {
    if total.is_nan() {
        return f64::NAN;
    }
    let raw = scale * total;
    let rounded = match round_decimals {
        // Half away from zero, with a hair of tolerance for binary fractions (0.00015 is
        // stored a little below itself).
        Some(d) => {
            let f = 10f64.powi(d.min(15) as i32);
            (raw * f + raw.signum() * 1e-9).round() / f
        }
        None => raw,
    };
    let cap = if max_percent.is_finite() {
        max_percent.max(0.0) / 100.0
    } else {
        0.0
    };
    let r = rounded.min(cap).max(0.0);
    if r.is_finite() { r } else { 0.0 }
}

/// Pays the reduction model: each provider with a total owes its reduction × base payments.
/// A provider without a total (HRRP: no cohort with enough discharges) is not reduced: its
/// payment factor is 1.
pub(crate) fn pay_reduction(
    r: &mut PaymentResult,
    total: &[f64],
    base: &[f64],
    (scale, round_decimals, max_percent): (f64, Option<u32>, f64),
) {
    r.pool_cents = 0;
    for i in 0..total.len() {
        let red = reduction(total[i], scale, round_decimals, max_percent);
        if red.is_nan() {
            r.multiplier[i] = 1.0;
            continue;
        }
        r.earned[i] = -cents(base[i] * red);
        r.multiplier[i] = 1.0 - red;
    }
    r.unallocated_cents = 0;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excess_is_how_far_worse_than_the_threshold() {
        // Lower is better, oriented by −1: ratio 1.05 against a median 0.98 is 0.07 worse.
        assert!((excess_over(-1.05, -0.98) - 0.07).abs() < 1e-12);
        assert_eq!(excess_over(-0.95, -0.98), 0.0);
        assert_eq!(excess_over(-0.98, -0.98), 0.0);
        assert!(excess_over(f64::NAN, -0.98).is_nan());
    }

    #[test]
    fn reduction_rounds_then_caps() {
        assert_eq!(reduction(0.0166, 0.9576, Some(4), 3.0), 0.0159);
        // 0.00015 rounds up to 0.0002, though stored a hair below.
        assert_eq!(reduction(0.00015, 1.0, Some(4), 3.0), 0.0002);
        assert_eq!(reduction(0.2, 1.0, Some(4), 3.0), 0.03);
        assert_eq!(reduction(-0.2, 1.0, Some(4), 3.0), 0.0);
        assert!(reduction(f64::NAN, 1.0, Some(4), 3.0).is_nan());
        assert_eq!(reduction(0.5, 1.0, None, f64::NAN), 0.0);
    }
}
