//! Measure scores, domain scores and the total score.

use super::curves;
use super::inputs::{Inputs, MeasureInputs};
use super::results::{GroupStandards, Results};
use super::standards::resolve;
use crate::program::{AchievementCurve, Combine, ImprovementCurve, Program};

fn reset(v: &mut Vec<f64>, n: usize, fill: f64) {
    v.clear();
    v.resize(n, fill);
}

/// Oriented standards of one measure per peer group: (threshold, benchmark, floor).
fn oriented_standards(program: &Program, m: &MeasureInputs) -> Vec<(f64, f64, f64)> {
    let s = &program.standards;
    (0..m.baseline_dist.len())
        .map(|g| {
            let (b, p) = (&m.baseline_dist[g], &m.performance_dist[g]);
            (
                resolve(
                    s.threshold_for(&m.id),
                    m.sign,
                    b,
                    p,
                    m.supplied_threshold[g],
                ),
                resolve(
                    s.benchmark_for(&m.id),
                    m.sign,
                    b,
                    p,
                    m.supplied_benchmark[g],
                ),
                resolve(s.floor_for(&m.id), m.sign, b, p, m.supplied_floor[g]),
            )
        })
        .collect()
}

/// Scores every measure into `out.measures`, reusing its buffers.
pub fn score_measures(program: &Program, inputs: &Inputs, out: &mut Results) {
    let n = inputs.provider_count();
    let sc = &program.scoring;
    out.measures
        .resize_with(inputs.measures.len(), Default::default);
    out.improved_any.clear();
    out.improved_any.resize(n, false);
    out.benchmark_any.clear();
    out.benchmark_any.resize(n, false);
    for (m, r) in inputs.measures.iter().zip(out.measures.iter_mut()) {
        let stds = oriented_standards(program, m);
        r.id.clone_from(&m.id);
        r.standards.clear();
        r.standards
            .extend(stds.iter().map(|(at, bm, fl)| GroupStandards {
                threshold: at * m.sign,
                benchmark: bm * m.sign,
                floor: fl * m.sign,
            }));
        r.max_points = sc.achievement.max_points();
        reset(&mut r.achievement, n, f64::NAN);
        reset(&mut r.improvement, n, f64::NAN);
        reset(&mut r.score, n, f64::NAN);
        if m.supplied_score {
            r.score.copy_from_slice(&m.supplied_points);
            continue;
        }
        let min_den = program
            .measure(&m.id)
            .and_then(|pm| pm.min_denominator)
            .unwrap_or(f64::NEG_INFINITY);
        let single = stds.len() == 1;
        let (at0, bm0, _) = stds[0];
        if single
            && sc.achievement == AchievementCurve::HvbpPoints
            && sc.improvement == ImprovementCurve::HvbpPoints
            && sc.combine == Combine::Max
        {
            hvbp_fused(
                m,
                at0,
                bm0,
                min_den,
                r,
                &mut out.improved_any,
                &mut out.benchmark_any,
            );
            continue;
        }
        // The common case, one group and a built-in curve, gets a tight loop the compiler can
        // vectorise; everything else takes the general path.
        match (&sc.achievement, single) {
            (AchievementCurve::HvbpPoints, true) => {
                for i in 0..n {
                    r.achievement[i] = curves::hvbp_achievement(m.performance[i], at0, bm0);
                }
            }
            (AchievementCurve::ScaledPoints, true) => {
                for i in 0..n {
                    r.achievement[i] = curves::scaled_achievement(m.performance[i], at0, bm0);
                }
            }
            (curve, _) => {
                for i in 0..n {
                    let (at, bm, _) = stds[inputs.group[i] as usize];
                    r.achievement[i] = curves::achievement(curve, m.performance[i], at, bm);
                }
            }
        }
        for i in 0..n {
            let bm = stds[inputs.group[i] as usize].1;
            let (p, b) = (m.performance[i], m.baseline[i]);
            r.improvement[i] = curves::improvement(&sc.improvement, p, b, bm);
            out.improved_any[i] |= p > b;
            out.benchmark_any[i] |= p >= bm;
        }
        for i in 0..n {
            let (a, im) = (r.achievement[i], r.improvement[i]);
            let s = match sc.combine {
                Combine::Max => {
                    if im > a {
                        im
                    } else {
                        a
                    }
                }
                Combine::AchievementOnly => a,
                Combine::ImprovementOnly => im,
            };
            let below_min = m.denominator[i] < min_den;
            r.score[i] = if below_min { f64::NAN } else { s };
        }
    }
}

/// Domain scores (0–100) and the total score.
pub fn score_domains(program: &Program, inputs: &Inputs, out: &mut Results) {
    let n = inputs.provider_count();
    let sc = &program.scoring;
    out.domains.resize_with(sc.domains.len(), Default::default);
    for (d_idx, (d, r)) in sc.domains.iter().zip(out.domains.iter_mut()).enumerate() {
        r.id.clone_from(&d.id);
        let mut sum = vec![0.0; n];
        let mut max = vec![0.0; n];
        r.measures_scored.clear();
        r.measures_scored.resize(n, 0);
        // Lowest position between floor and threshold over the domain's measures.
        let mut lo = vec![f64::INFINITY; n];
        for (m, mr) in inputs.measures.iter().zip(&out.measures) {
            if m.domain != Some(d_idx) {
                continue;
            }
            let stds = &mr.standards;
            for i in 0..n {
                let s = mr.score[i];
                if !s.is_nan() {
                    sum[i] += m.weight * s;
                    max[i] += m.weight * mr.max_points;
                    r.measures_scored[i] += 1;
                }
                if d.consistency.is_some() {
                    let g = &stds[inputs.group[i] as usize];
                    let p = m.performance[i] * m.sign;
                    let pos = (p - g.floor) / (g.threshold - g.floor);
                    if !pos.is_nan() && pos < lo[i] {
                        lo[i] = pos;
                    }
                }
            }
        }
        reset(&mut r.score, n, f64::NAN);
        reset(&mut r.consistency, n, f64::NAN);
        for i in 0..n {
            if (r.measures_scored[i] as usize) < d.min_measures.max(1) || max[i] <= 0.0 {
                continue;
            }
            match &d.consistency {
                Some(c) => {
                    let cons = if lo[i].is_finite() {
                        curves::consistency_points(lo[i], c.max_points)
                    } else {
                        0.0
                    };
                    r.consistency[i] = cons;
                    r.score[i] = (100.0 - c.max_points) * sum[i] / max[i] + cons;
                }
                None => r.score[i] = 100.0 * sum[i] / max[i],
            }
        }
    }
    // Totals: weighted mean over the domains present.
    reset(&mut out.total, n, f64::NAN);
    let total_weight: f64 = sc.domains.iter().map(|d| d.weight).sum();
    if sc.domains.is_empty() {
        // Without domains every scored measure counts equally.
        let mut sum = vec![0.0; n];
        let mut max = vec![0.0; n];
        for (m, mr) in inputs.measures.iter().zip(&out.measures) {
            for i in 0..n {
                if !mr.score[i].is_nan() {
                    sum[i] += m.weight * mr.score[i];
                    max[i] += m.weight * mr.max_points;
                }
            }
        }
        for i in 0..n {
            if max[i] > 0.0 {
                out.total[i] = 100.0 * sum[i] / max[i];
            }
        }
        return;
    }
    for i in 0..n {
        let mut present = 0usize;
        let mut w = 0.0;
        let mut acc = 0.0;
        for (d, r) in sc.domains.iter().zip(&out.domains) {
            let s = r.score[i];
            if !s.is_nan() {
                present += 1;
                w += d.weight;
                acc += d.weight * s;
            }
        }
        if present < sc.min_domains.max(1) {
            continue;
        }
        let denom = if sc.reweight_missing_domains {
            w
        } else {
            total_weight
        };
        if denom > 0.0 {
            out.total[i] = acc / denom;
        }
    }
}

/// The hospital VBP rules in one pass over contiguous columns with no bounds checks: the
/// common case, which must run on every slider move.
fn hvbp_fused(
    m: &MeasureInputs,
    at: f64,
    bm: f64,
    min_den: f64,
    r: &mut super::results::MeasureResult,
    improved: &mut [bool],
    hit: &mut [bool],
) {
    let cols = r
        .achievement
        .iter_mut()
        .zip(r.improvement.iter_mut())
        .zip(r.score.iter_mut())
        .zip(m.performance.iter().zip(&m.baseline))
        .zip(
            m.denominator
                .iter()
                .zip(improved.iter_mut().zip(hit.iter_mut())),
        );
    for ((((a, im), s), (&p, &b)), (&den, (up, at_bm))) in cols {
        let ach = curves::hvbp_achievement(p, at, bm);
        let imp = if b.is_nan() {
            f64::NAN
        } else {
            curves::hvbp_improvement(p, b, bm)
        };
        *a = ach;
        *im = imp;
        let best = if imp > ach { imp } else { ach };
        *s = if den < min_den { f64::NAN } else { best };
        *up |= p > b;
        *at_bm |= p >= bm;
    }
}
