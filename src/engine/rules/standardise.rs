//! Standardised scores: winsorised z-scores, so that measures on different scales (a ratio, a
//! rate, a count per 1,000) can be averaged (the HAC Reduction Program's design).

use super::inputs::MeasureInputs;
use super::results::MeasureResult;
use super::standards::SortedValues;

/// What a z-score needs from a distribution: the winsorising bounds, mean and (population)
/// standard deviation of the winsorised values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ZParams {
    pub lo: f64,
    pub hi: f64,
    pub mean: f64,
    pub sd: f64,
}

/// The parameters of a sorted (oriented) distribution winsorised at the `pct`-th and
/// (100 − `pct`)-th percentiles; NaN when empty.
pub fn z_params(dist: &SortedValues, pct: f64) -> ZParams {
    let pct = if pct.is_finite() {
        pct.clamp(0.0, 50.0)
    } else {
        0.0
    };
    let (lo, hi) = (dist.percentile(pct), dist.percentile(100.0 - pct));
    let n = dist.len() as f64;
    let w = |x: f64| x.clamp(lo, hi);
    let mean = dist.sorted().iter().map(|x| w(*x)).sum::<f64>() / n;
    let var = dist
        .sorted()
        .iter()
        .map(|x| (w(*x) - mean).powi(2))
        .sum::<f64>()
        / n;
    ZParams {
        lo,
        hi,
        mean,
        sd: var.sqrt(),
    }
}

/// z of an oriented result; NaN without a result or when every result is the same (sd 0).
#[inline]
pub fn z_score(p: f64, z: &ZParams) -> f64 {
    if p.is_nan() || z.sd.is_nan() || z.sd <= 0.0 {
        f64::NAN
    } else {
        (p.clamp(z.lo, z.hi) - z.mean) / z.sd
    }
}

/// The worst z-score of a distribution: that of its winsorised lowest value (NaN when sd is 0).
pub fn worst_z(z: &ZParams) -> f64 {
    z_score(z.lo, z)
}

/// Writes each provider's z-score on measure `m` into `r.achievement`, against its peer
/// group's performance-period distribution; returns each group's parameters.
pub(crate) fn z_scores(
    m: &MeasureInputs,
    group: &[u32],
    pct: f64,
    r: &mut MeasureResult,
) -> Vec<ZParams> {
    let params: Vec<ZParams> = m
        .performance_dist
        .iter()
        .map(|d| z_params(d, pct))
        .collect();
    for (i, a) in r.achievement.iter_mut().enumerate() {
        *a = z_score(m.performance[i], &params[group[i] as usize]);
    }
    params
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn z_scores_winsorise_then_standardise() {
        // 0..=20: the 5th and 95th percentiles are 1 and 19; winsorised mean 10, population
        // variance Σ(w − 10)² / 21 = (2·(81 + 81) + 2·(64 + … + 1)) / 21.
        let d = SortedValues::new((0..=20).map(f64::from));
        let z = z_params(&d, 5.0);
        assert_eq!((z.lo, z.hi, z.mean), (1.0, 19.0, 10.0));
        let squares: f64 = (1..=8).map(|k| f64::from(k * k)).sum();
        let var = (4.0 * 81.0 + 2.0 * squares) / 21.0;
        assert!((z.sd - var.sqrt()).abs() < 1e-12);
        assert!(
            (z_score(0.0, &z) - (-9.0 / var.sqrt())).abs() < 1e-12,
            "winsorised to 1"
        );
        assert_eq!(z_score(10.0, &z), 0.0);
        assert!(z_score(f64::NAN, &z).is_nan());
        let flat = z_params(&SortedValues::new([3.0, 3.0].into_iter()), 5.0);
        assert!(z_score(3.0, &flat).is_nan());
    }
}
