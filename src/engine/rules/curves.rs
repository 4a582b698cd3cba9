//! Per-measure points: achievement against threshold and benchmark, improvement against the
//! provider's own baseline. All values are oriented (greater is better); NaN means missing.
//!
//! Two rules hold on every curve. When the benchmark is not better than the threshold (equal,
//! or crossed), the benchmark is the only cut: at or beyond it earns the most achievement
//! points, anything else none. When a threshold or benchmark cannot be set (NaN, e.g. no
//! baseline data), achievement is not scored (NaN); without a benchmark neither is improvement.
//!
//! Rounding is written without `f64::floor`, which is a library call on baseline x86-64 and
//! stops the scoring loops from vectorising.

use crate::program::{AchievementCurve, ImprovementCurve};

/// Tolerance for round-half-up: published inputs are rounded, and an exact .5 must round up.
const ROUND_EPS: f64 = 1e-9;

/// floor(x) for 0 ≤ x < 2^52, branch-free: adding and subtracting 2^52 rounds to an integer,
/// and a result above x is one too many.
#[inline(always)]
fn floor_small(x: f64) -> f64 {
    const MAGIC: f64 = 4_503_599_627_370_496.0; // 2^52
    let r = (x + MAGIC) - MAGIC;
    if r > x { r - 1.0 } else { r }
}

/// Round half up of a non-negative value, with the tolerance above.
#[inline(always)]
fn round_half_up(x: f64) -> f64 {
    floor_small(x.max(0.0) + 0.5 + ROUND_EPS)
}

/// Whole points, 0–9, of a value already offset for rounding half up: truncation, which is
/// floor for the non-negative values left after the clamp. Callers select NaN themselves.
#[inline(always)]
fn whole_points(x: f64) -> f64 {
    // Not `clamp`: it keeps NaN, and the conversion below needs a number.
    #[allow(clippy::manual_clamp)]
    let x = x.max(0.0).min(9.0);
    // SAFETY: 0 ≤ x ≤ 9 here (`max` maps NaN to 0), well inside i32. The unchecked conversion
    // is one vector instruction where the saturating `as` is several.
    unsafe { x.to_int_unchecked::<i32>() as f64 }
}

/// Hospital VBP achievement points, 0–10: round half up of 9 × (P − AT) / (BM − AT) + 0.5.
#[inline(always)]
pub fn hvbp_achievement(p: f64, at: f64, bm: f64) -> f64 {
    // The scale depends on the standards alone, so a loop over providers divides once; the
    // two halves of "+ 0.5, then round half up" are added as one constant.
    let pts = whole_points((p - at) * (9.0 / (bm - at)) + (1.0 + ROUND_EPS));
    let pts = if p < at { 0.0 } else { pts };
    let pts = if p >= bm { 10.0 } else { pts };
    if p.is_nan() | at.is_nan() | bm.is_nan() {
        f64::NAN
    } else {
        pts
    }
}

/// Hospital VBP improvement points, 0–9: round half up of 10 × (P − B) / (BM − B) − 0.5;
/// 0 without improvement, NaN without a baseline.
#[inline(always)]
pub fn hvbp_improvement(p: f64, b: f64, bm: f64) -> f64 {
    // "− 0.5, then round half up" is floor(x + tolerance) for the x ≥ 0 that reach it.
    let pts = whole_points(10.0 * (p - b) / (bm - b) + ROUND_EPS);
    let pts = if p >= bm { 9.0 } else { pts };
    let pts = if p > b { pts } else { 0.0 };
    if p.is_nan() | b.is_nan() | bm.is_nan() {
        f64::NAN
    } else {
        pts
    }
}

/// SNF VBP achievement, 0–100 unrounded.
#[inline(always)]
pub fn scaled_achievement(p: f64, at: f64, bm: f64) -> f64 {
    let pts = 10.0 * (9.0 * (p - at) / (bm - at) + 0.5);
    let pts = if p < at { 0.0 } else { pts };
    let pts = if p >= bm { 100.0 } else { pts };
    if p.is_nan() | at.is_nan() | bm.is_nan() {
        f64::NAN
    } else {
        pts
    }
}

/// SNF VBP improvement, 0–90 unrounded.
#[inline(always)]
pub fn scaled_improvement(p: f64, b: f64, bm: f64) -> f64 {
    let pts = (10.0 * (10.0 * (p - b) / (bm - b) - 0.5)).clamp(0.0, 90.0);
    let pts = if p >= bm { 90.0 } else { pts };
    let pts = if p > b { pts } else { 0.0 };
    if p.is_nan() | b.is_nan() | bm.is_nan() {
        f64::NAN
    } else {
        pts
    }
}

/// `max` × position between `lo` and `hi`, clamped to 0..=max. At or beyond `hi` is `max`
/// even when `hi` is not above `lo` (the benchmark decides, as on every curve).
#[inline(always)]
pub fn linear(p: f64, lo: f64, hi: f64, max: f64) -> f64 {
    // `max.max(0.0)`: a negative or NaN maximum from an unchecked program must not panic.
    let pts = (max * (p - lo) / (hi - lo)).clamp(0.0, max.max(0.0));
    let pts = if p <= lo { 0.0 } else { pts };
    let pts = if p >= hi { max } else { pts };
    if p.is_nan() | lo.is_nan() | hi.is_nan() {
        f64::NAN
    } else {
        pts
    }
}

/// Achievement points on any curve. `reported` is used by pass/fail.
#[inline]
pub fn achievement(curve: &AchievementCurve, p: f64, at: f64, bm: f64) -> f64 {
    match curve {
        AchievementCurve::HvbpPoints => hvbp_achievement(p, at, bm),
        AchievementCurve::ScaledPoints => scaled_achievement(p, at, bm),
        AchievementCurve::Linear { max } => linear(p, at, bm, *max),
        AchievementCurve::Tiers { tiers } => {
            if p.is_nan() | at.is_nan() | bm.is_nan() {
                return f64::NAN;
            }
            let f = if p >= bm {
                1.0
            } else if bm <= at {
                // Below a benchmark that is the only cut: no tier.
                f64::NEG_INFINITY
            } else {
                (p - at) / (bm - at)
            };
            tiers
                .iter()
                .filter(|t| f >= t.at - ROUND_EPS)
                .map(|t| t.points)
                .fold(0.0, f64::max)
        }
        AchievementCurve::ExcessOverThreshold => super::penalty::excess_over(p, at),
        // Needs the whole distribution: scored by `standardise::z_scores` in the scoring rule.
        AchievementCurve::StandardisedZ { .. } => f64::NAN,
        AchievementCurve::PassFail { points } => {
            if p.is_nan() {
                f64::NAN
            } else {
                *points
            }
        }
    }
}

/// Improvement points on any curve; NaN when there is no improvement credit or no baseline.
#[inline]
pub fn improvement(curve: &ImprovementCurve, p: f64, b: f64, bm: f64) -> f64 {
    if b.is_nan() {
        return f64::NAN;
    }
    match curve {
        ImprovementCurve::None => f64::NAN,
        ImprovementCurve::HvbpPoints => hvbp_improvement(p, b, bm),
        ImprovementCurve::ScaledPoints => scaled_improvement(p, b, bm),
        ImprovementCurve::Linear { max } => {
            if p.is_nan() {
                f64::NAN
            } else if p <= b {
                0.0
            } else if p >= bm {
                *max
            } else {
                linear(p, b, bm, *max)
            }
        }
    }
}

/// HCAHPS-style consistency points from the lowest dimension's position `lo` between floor (0)
/// and threshold (1).
#[inline]
pub fn consistency_points(lo: f64, max: f64) -> f64 {
    if lo.is_nan() {
        f64::NAN
    } else if lo >= 1.0 {
        max
    } else if lo <= 0.0 {
        0.0
    } else {
        round_half_up(max * lo - 0.5).clamp(0.0, max.max(0.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floor_small_matches_floor() {
        for x in [
            0.0,
            0.4,
            0.5,
            0.9999,
            1.0,
            2.5,
            3.5,
            8.999_999_999,
            9.0,
            19.5,
        ] {
            assert_eq!(floor_small(x), f64::floor(x), "{x}");
        }
    }
}
