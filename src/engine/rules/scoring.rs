//! Measure scores, domain scores and the total score.
//!
//! The rules, in words (the loops that run them fast are in `scoring_kernels`):
//! - **Measure.** Standards (threshold, benchmark, floor) are resolved per peer group and
//!   oriented so that higher is better. Achievement and improvement points come from the
//!   program's curves (`curves`); the measure score combines them (the larger, or one alone).
//!   A provider below the measure's minimum denominator is not scored on it, except that a
//!   pass/fail measure not reported, or too small to count, scores 0 (a fail). A provider the
//!   data flag as not submitting a measure (or failing its validation) scores the worst: 0
//!   points, or the z-score of the winsorised lowest value; its value, if any, sets no standard.
//! - **Improves or hits the benchmark.** Set when, on any scored measure, the performance is
//!   better than the provider's baseline (or, with an improvement target, at or beyond the
//!   target) or at or beyond the benchmark.
//! - **Measures met.** The number of scored measures at or beyond the benchmark or, with an
//!   improvement target, the target.
//! - **Domain.** (100 − the most consistency points) × Σ weight × score ÷ Σ weight × most points, over
//!   the domain's scored measures, when at least its minimum number are scored; consistency
//!   points (HCAHPS-style) from the lowest position between floor and threshold are added.
//! - **Total.** The weighted mean of the domains present (weights re-spread over them, or
//!   over all domains when the program says so), when at least the minimum number are
//!   present; with no domains, 100 × Σ weight × score ÷ Σ weight × most points over measures.

use super::curves;
use super::inputs::{Inputs, MeasureInputs};
use super::results::{GroupStandards, Results};
use super::scoring_kernels::{BLOCK, Block, Fused, domains_block, hvbp_fused, prepare_domains};
use super::standards::resolve;
use crate::program::{AchievementCurve, Combine, ImprovementCurve, Program};
use std::ops::Range;

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
#[multiversion::multiversion(targets("x86_64+avx2", "x86_64+sse4.1"))]
pub fn score_measures(program: &Program, inputs: &Inputs, out: &mut Results) {
    let fused = prepare_measures(program, inputs, out);
    run_fused(&fused, inputs, out, 0..inputs.provider_count());
}

/// Runs the fused pass of each measure in `fused` over providers `range`.
#[inline(always)]
fn run_fused(fused: &[Fused], inputs: &Inputs, out: &mut Results, range: Range<usize>) {
    for f in fused {
        hvbp_fused(
            &inputs.measures[f.index],
            f,
            &mut out.measures[f.index],
            &mut out.improved_or_benchmark,
            &mut out.measures_met,
            range.clone(),
        );
    }
}

/// Sizes every measure's results and scores the measures that take the general path; returns
/// those left for the fused pass.
fn prepare_measures(program: &Program, inputs: &Inputs, out: &mut Results) -> Vec<Fused> {
    let mut fused = Vec::new();
    let n = inputs.provider_count();
    let sc = &program.scoring;
    out.measures
        .resize_with(inputs.measures.len(), Default::default);
    out.improved_or_benchmark.clear();
    out.improved_or_benchmark.resize(n, false);
    out.measures_met.clear();
    out.measures_met.resize(n, 0);
    let target = sc.improvement_target;
    for (index, (m, r)) in inputs
        .measures
        .iter()
        .zip(out.measures.iter_mut())
        .enumerate()
    {
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
        if m.supplied_score {
            reset(&mut r.achievement, n, f64::NAN);
            reset(&mut r.improvement, n, f64::NAN);
            r.score.clear();
            r.score.extend_from_slice(&m.supplied_points);
            continue;
        }
        let min_den = program
            .measure(&m.id)
            .and_then(|pm| pm.min_denominator)
            .unwrap_or(f64::NEG_INFINITY);
        let single = stds.len() == 1;
        // No peer group at all (no providers): nothing to score, and no standards to read.
        let (at0, bm0, _) = stds
            .first()
            .copied()
            .unwrap_or((f64::NAN, f64::NAN, f64::NAN));
        if single
            && sc.achievement == AchievementCurve::HvbpPoints
            && sc.improvement == ImprovementCurve::HvbpPoints
            && sc.combine == Combine::Max
            && target.is_none()
            && m.not_submitted.is_empty()
        {
            // Every element is written by the fused pass, so the columns are only sized.
            r.achievement.resize(n, f64::NAN);
            r.improvement.resize(n, f64::NAN);
            r.score.resize(n, f64::NAN);
            fused.push(Fused {
                index,
                at: at0,
                bm: bm0,
                min_den,
            });
            continue;
        }
        reset(&mut r.achievement, n, f64::NAN);
        reset(&mut r.improvement, n, f64::NAN);
        reset(&mut r.score, n, f64::NAN);
        // The common case, one group and a built-in curve, gets a tight loop the compiler can
        // vectorise; everything else takes the general path.
        // The worst score of each group, for providers flagged as not submitting.
        let mut worst = vec![0.0; stds.len()];
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
            (AchievementCurve::StandardisedZ { winsorise_percent }, _) => {
                let params = super::standardise::z_scores(m, &inputs.group, *winsorise_percent, r);
                for (w, z) in worst.iter_mut().zip(&params) {
                    *w = super::standardise::worst_z(z);
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
        }
        let pass_fail = matches!(sc.achievement, AchievementCurve::PassFail { .. });
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
            let s = if below_min { f64::NAN } else { s };
            // "Improves or hits the benchmark" counts scored measures only.
            let (p, b) = (m.performance[i], m.baseline[i]);
            let bm = stds[inputs.group[i] as usize].1;
            let scored = !s.is_nan();
            let (improved, met) = match target {
                // With a target, the target is the step that counts (NaN without a baseline).
                Some(t) => {
                    let reached = p >= t.target(b, bm);
                    (reached | (p >= bm), reached | (p >= bm))
                }
                None => ((p > b) | (p >= bm), p >= bm),
            };
            out.improved_or_benchmark[i] |= scored & improved;
            out.measures_met[i] += u32::from(scored & met);
            if m.not_submitted.get(i).copied().unwrap_or(false) {
                let w = worst[inputs.group[i] as usize];
                r.achievement[i] = w;
                r.improvement[i] = f64::NAN;
                r.score[i] = w;
            } else if pass_fail && s.is_nan() {
                // Pass/fail scores reporting itself: not reported, or too small to count, is a fail.
                r.achievement[i] = 0.0;
                r.score[i] = 0.0;
            } else {
                r.score[i] = s;
            }
        }
    }
    fused
}

/// Domain scores (0–100) and the total score.
#[multiversion::multiversion(targets("x86_64+avx2", "x86_64+sse4.1"))]
pub fn score_domains(program: &Program, inputs: &Inputs, out: &mut Results) {
    prepare_domains(program, inputs, out);
    let mut block = Block::new();
    let n = inputs.provider_count();
    for start in (0..n).step_by(BLOCK) {
        domains_block(
            program,
            inputs,
            out,
            start..(start + BLOCK).min(n),
            &mut block,
        );
    }
}
