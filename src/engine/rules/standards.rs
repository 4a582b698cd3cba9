//! Thresholds, benchmarks and floors from sorted distributions.
//!
//! Values here are *oriented*: multiplied by the measure's direction sign so that greater is
//! always better. Sorting happens once per data load; each rule is then an O(1) look-up.
//! Nothing here differences running sums: a standard set from tied values is exactly that value.

use crate::program::{PeriodRef, StandardRule};

/// One period's distribution of a measure within one peer group, sorted worst to best.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SortedValues {
    sorted: Vec<f64>,
    /// Mean of the best tenth, computed once (NaN when empty).
    top_decile: f64,
}

impl SortedValues {
    /// Builds from oriented values, skipping missing ones.
    pub fn new(values: impl Iterator<Item = f64>) -> Self {
        let mut sorted: Vec<f64> = values.filter(|v| v.is_finite()).collect();
        sorted.sort_by(f64::total_cmp);
        let top_decile = top_decile_mean(&sorted);
        SortedValues { sorted, top_decile }
    }

    pub fn len(&self) -> usize {
        self.sorted.len()
    }

    pub fn is_empty(&self) -> bool {
        self.sorted.is_empty()
    }

    /// Worst to best.
    pub fn sorted(&self) -> &[f64] {
        &self.sorted
    }

    /// The p-th percentile (0–100), linear between closest ranks; NaN when empty.
    pub fn percentile(&self, p: f64) -> f64 {
        let n = self.sorted.len();
        if n == 0 {
            return f64::NAN;
        }
        let h = (n - 1) as f64 * (p.clamp(0.0, 100.0) / 100.0);
        let lo = h.floor() as usize;
        let hi = (lo + 1).min(n - 1);
        let frac = h - lo as f64;
        let (a, b) = (self.sorted[lo], self.sorted[hi]);
        if frac == 0.0 || a == b {
            a
        } else {
            // Rounding must not carry the result past either neighbour.
            (a + frac * (b - a)).clamp(a, b)
        }
    }

    /// Mean of the best tenth (at least one provider); NaN when empty.
    pub fn top_decile_mean(&self) -> f64 {
        self.top_decile
    }

    /// Share of values strictly below `x` (0–1): where `x` stands in this distribution.
    pub fn rank_of(&self, x: f64) -> f64 {
        if self.sorted.is_empty() || x.is_nan() {
            return f64::NAN;
        }
        self.sorted.partition_point(|v| *v < x) as f64 / self.sorted.len() as f64
    }
}

/// Mean of the best tenth of `sorted` (worst to best), at least one value; NaN when empty.
/// Summed as offsets from the lowest of those values and kept between the lowest and highest,
/// so that tied values give exactly their value and no mean lies beyond the values it averages.
fn top_decile_mean(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    let top = &sorted[n - n.div_ceil(10).max(1)..];
    let (lo, hi) = (top[0], top[top.len() - 1]);
    if lo == hi {
        return lo;
    }
    let offsets: f64 = top.iter().map(|v| v - lo).sum();
    (lo + offsets / top.len() as f64).clamp(lo, hi)
}

/// Applies a rule to a peer group's distributions. `supplied` is the oriented value the data
/// gives for this group (NaN when none). Returns an oriented value (NaN when it cannot be set).
pub fn resolve(
    rule: &StandardRule,
    sign: f64,
    baseline: &SortedValues,
    performance: &SortedValues,
    supplied: f64,
) -> f64 {
    let dist = |of: &PeriodRef| match of {
        PeriodRef::Baseline => baseline,
        PeriodRef::Performance => performance,
    };
    match rule {
        StandardRule::Percentile { p, of } => dist(of).percentile(*p),
        StandardRule::TopDecileMean { of } => dist(of).top_decile_mean(),
        StandardRule::Fixed(v) => v * sign,
        StandardRule::Supplied => supplied,
    }
}
