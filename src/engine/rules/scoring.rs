//! Measure scores, domain scores and the total score.

use super::curves;
use super::inputs::{Inputs, MeasureInputs};
use super::results::{GroupStandards, Results};
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

/// A measure scored by the hospital VBP rules in one pass (see [`hvbp_fused`]), and what that
/// pass needs.
#[derive(Debug, Clone, Copy)]
struct Fused {
    index: usize,
    at: f64,
    bm: f64,
    min_den: f64,
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
        let (at0, bm0, _) = stds[0];
        if single
            && sc.achievement == AchievementCurve::HvbpPoints
            && sc.improvement == ImprovementCurve::HvbpPoints
            && sc.combine == Combine::Max
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
                super::standardise::z_scores(m, &inputs.group, *winsorise_percent, r);
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
            out.improved_or_benchmark[i] |= (p > b) | (p >= bm);
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
    fused
}

/// Providers per block in the domain and total loops: the block's running sums live on the
/// stack, in L1, so each score column is read once and nothing is allocated per run.
const BLOCK: usize = 256;

/// Running sums of one block of providers over some measures.
struct Block {
    sum: [f64; BLOCK],
    max: [f64; BLOCK],
    /// Counted in f64 so that the sums stay in one kind of vector lane.
    scored: [f64; BLOCK],
    /// Lowest position between floor and threshold (for consistency points).
    lo: [f64; BLOCK],
}

impl Block {
    #[inline(always)]
    fn new() -> Self {
        Block {
            sum: [0.0; BLOCK],
            max: [0.0; BLOCK],
            scored: [0.0; BLOCK],
            lo: [f64::INFINITY; BLOCK],
        }
    }

    #[inline(always)]
    fn reset(&mut self) {
        *self = Block::new();
    }

    /// Adds one measure's scores for one block of providers.
    #[inline(always)]
    fn add_scores(&mut self, weight: f64, max_points: f64, scores: &[f64]) {
        let full = weight * max_points;
        let sums = self.sum.iter_mut().zip(&mut self.max).zip(&mut self.scored);
        for (((sum, max), scored), &s) in sums.zip(scores) {
            let ok = !s.is_nan();
            // Adding 0.0 leaves a sum unchanged, so the select keeps the exact sums of a branch.
            *sum += if ok { weight * s } else { 0.0 };
            *max += if ok { full } else { 0.0 };
            *scored += if ok { 1.0 } else { 0.0 };
        }
    }

    /// As [`Block::add_scores`] without summing `max`, for [`Block::set_max`] to fill in.
    #[inline(always)]
    fn add_scored(&mut self, weight: f64, scores: &[f64]) {
        let sums = self.sum.iter_mut().zip(&mut self.scored);
        for ((sum, scored), &s) in sums.zip(scores) {
            let ok = !s.is_nan();
            *sum += if ok { weight * s } else { 0.0 };
            *scored += if ok { 1.0 } else { 0.0 };
        }
    }

    /// `max` as scored × `full`: exactly the sum [`Block::add_scores`] makes when every measure
    /// has the same whole-number `full`.
    #[inline(always)]
    fn set_max(&mut self, full: f64) {
        for (max, &scored) in self.max.iter_mut().zip(&self.scored) {
            *max = scored * full;
        }
    }

    /// Lowers `lo` to each provider's position between floor and threshold on one measure.
    #[inline(always)]
    fn add_positions(
        &mut self,
        m: &MeasureInputs,
        standards: &[GroupStandards],
        group: &[u32],
        range: Range<usize>,
    ) {
        let perf = &m.performance[range.clone()];
        if let [g] = standards {
            let (floor, span) = (g.floor, g.threshold - g.floor);
            for (lo, &p) in self.lo.iter_mut().zip(perf) {
                let pos = (p * m.sign - floor) / span;
                *lo = if pos < *lo { pos } else { *lo };
            }
        } else {
            for ((lo, &p), &gi) in self.lo.iter_mut().zip(perf).zip(&group[range]) {
                let g = &standards[gi as usize];
                let pos = (p * m.sign - g.floor) / (g.threshold - g.floor);
                *lo = if pos < *lo { pos } else { *lo };
            }
        }
    }
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

/// Sizes the domain and total columns; [`domains_block`] writes every element.
fn prepare_domains(program: &Program, inputs: &Inputs, out: &mut Results) {
    let n = inputs.provider_count();
    let domains = &program.scoring.domains;
    out.domains.resize_with(domains.len(), Default::default);
    for (d, r) in domains.iter().zip(out.domains.iter_mut()) {
        r.id.clone_from(&d.id);
        r.score.resize(n, f64::NAN);
        r.consistency.resize(n, f64::NAN);
        r.measures_scored.resize(n, 0);
    }
    out.total.resize(n, f64::NAN);
}

/// Domain scores and totals of providers `range` (at most [`BLOCK`]), from their measure scores.
#[inline(always)]
fn domains_block(
    program: &Program,
    inputs: &Inputs,
    out: &mut Results,
    range: Range<usize>,
    block: &mut Block,
) {
    let sc = &program.scoring;
    for (d_idx, (d, r)) in sc.domains.iter().zip(out.domains.iter_mut()).enumerate() {
        let min_measures = d.min_measures.max(1) as f64;
        // Consistency points take their share of the 100 first.
        let scale = 100.0 - d.consistency.as_ref().map_or(0.0, |c| c.max_points);
        block.reset();
        let members = || {
            inputs
                .measures
                .iter()
                .zip(&out.measures)
                .filter(move |(m, _)| m.domain == Some(d_idx))
        };
        // The usual domain, equal weights and one curve, need not sum its most points.
        let full = members().next().map(|(m, mr)| m.weight * mr.max_points);
        let uniform = full.filter(|f| {
            f.fract() == 0.0
                && f.abs() < 1e12
                && members().all(|(m, mr)| m.weight * mr.max_points == *f)
        });
        for (m, mr) in members() {
            if uniform.is_some() {
                block.add_scored(m.weight, &mr.score[range.clone()]);
            } else {
                block.add_scores(m.weight, mr.max_points, &mr.score[range.clone()]);
            }
            if d.consistency.is_some() {
                block.add_positions(m, &mr.standards, &inputs.group, range.clone());
            }
        }
        if let Some(full) = uniform {
            block.set_max(full);
        }
        let cols = r.score[range.clone()]
            .iter_mut()
            .zip(&mut r.consistency[range.clone()])
            .zip(&mut r.measures_scored[range.clone()]);
        let sums = block.sum.iter().zip(&block.max).zip(&block.scored);
        // Branch-free, so that it vectorises; the consistency test is hoisted out of it.
        for (((score, cons), scored), ((&sum, &max), &count)) in cols.zip(sums) {
            // `&`, not `&&`, and the division taken unconditionally: a condition that can
            // skip work becomes masked loads and stores, which are slow.
            let ok = (count >= min_measures) & (max > 0.0);
            let value = scale * sum / max;
            // SAFETY: `count` is a count of measures, a small whole number.
            *scored = unsafe { count.to_int_unchecked::<u32>() };
            *score = if ok { value } else { f64::NAN };
            *cons = f64::NAN;
        }
        if let Some(c) = &d.consistency {
            let cols = r.score[range.clone()]
                .iter_mut()
                .zip(&mut r.consistency[range.clone()]);
            for ((score, cons), &lo) in cols.zip(&block.lo) {
                if score.is_nan() {
                    continue;
                }
                let points = if lo.is_finite() {
                    curves::consistency_points(lo, c.max_points)
                } else {
                    0.0
                };
                *cons = points;
                *score += points;
            }
        }
    }
    // Totals: weighted mean over the domains present.
    block.reset();
    let total = &mut out.total[range.clone()];
    if sc.domains.is_empty() {
        // Without domains every scored measure counts equally.
        for (m, mr) in inputs.measures.iter().zip(&out.measures) {
            block.add_scores(m.weight, mr.max_points, &mr.score[range.clone()]);
        }
        for ((t, &sum), &max) in total.iter_mut().zip(&block.sum).zip(&block.max) {
            let value = 100.0 * sum / max;
            *t = if max > 0.0 { value } else { f64::NAN };
        }
        return;
    }
    // Here `sum` is Σ weight × score, `max` Σ weight and `scored` the domains present.
    for (d, r) in sc.domains.iter().zip(&out.domains) {
        block.add_scores(d.weight, 1.0, &r.score[range.clone()]);
    }
    let total_weight: f64 = sc.domains.iter().map(|d| d.weight).sum();
    let min_domains = sc.min_domains.max(1) as f64;
    let sums = block.sum.iter().zip(&block.max).zip(&block.scored);
    for (t, ((&sum, &weight), &present)) in total.iter_mut().zip(sums) {
        let denom = if sc.reweight_missing_domains {
            weight
        } else {
            total_weight
        };
        let value = sum / denom;
        *t = if (present >= min_domains) & (denom > 0.0) {
            value
        } else {
            f64::NAN
        };
    }
}

/// The hospital VBP rules in one pass over contiguous columns with no bounds checks, for
/// providers `range`: the common case, which must run on every slider move. Inlined into
/// callers compiled also for AVX2 and SSE4.1 and chosen at run time, so a portable binary still
/// uses the wider vectors where the CPU has them.
#[inline(always)]
fn hvbp_fused(
    m: &MeasureInputs,
    f: &Fused,
    r: &mut super::results::MeasureResult,
    improved_or_benchmark: &mut [bool],
    range: Range<usize>,
) {
    let (at, bm, min_den) = (f.at, f.bm, f.min_den);
    let cols = r.achievement[range.clone()]
        .iter_mut()
        .zip(r.improvement[range.clone()].iter_mut())
        .zip(r.score[range.clone()].iter_mut())
        .zip(
            m.performance[range.clone()]
                .iter()
                .zip(&m.baseline[range.clone()]),
        )
        .zip(
            m.denominator[range.clone()]
                .iter()
                .zip(improved_or_benchmark[range].iter_mut()),
        );
    for ((((a, im), s), (&p, &b)), (&den, flag)) in cols {
        let ach = curves::hvbp_achievement(p, at, bm);
        let imp = curves::hvbp_improvement(p, b, bm);
        *a = ach;
        *im = imp;
        let best = if imp > ach { imp } else { ach };
        *s = if den < min_den { f64::NAN } else { best };
        // One flag, not two: packing each comparison into bytes is a fair part of the loop.
        *flag |= (p > b) | (p >= bm);
    }
}
