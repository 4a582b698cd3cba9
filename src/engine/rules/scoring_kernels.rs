//! The vectorised loops of scoring, kept apart from the rules in [`super::scoring`]: the
//! hospital VBP measure pass and the blocked domain and total sums. They compute exactly what
//! the rules say (the reference property tests and the CMS reproductions hold them to it), in
//! the shape the compiler vectorises.

use super::curves;
use super::inputs::{Inputs, MeasureInputs};
use super::results::{GroupStandards, Results};
use crate::program::Program;
use std::ops::Range;

/// A measure scored by the hospital VBP rules in one pass (see [`hvbp_fused`]), and what that
/// pass needs.
#[derive(Debug, Clone, Copy)]
pub(super) struct Fused {
    pub(super) index: usize,
    pub(super) at: f64,
    pub(super) bm: f64,
    pub(super) min_den: f64,
}

/// Providers per block in the domain and total loops: the block's running sums live on the
/// stack, in L1, so each score column is read once and nothing is allocated per run.
pub(super) const BLOCK: usize = 256;

/// Running sums of one block of providers over some measures.
pub(super) struct Block {
    sum: [f64; BLOCK],
    max: [f64; BLOCK],
    /// Counted in f64 so that the sums stay in one kind of vector lane.
    scored: [f64; BLOCK],
    /// Lowest position between floor and threshold (for consistency points).
    lo: [f64; BLOCK],
}

impl Block {
    #[inline(always)]
    pub(super) fn new() -> Self {
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

/// Sizes the domain and total columns; [`domains_block`] writes every element.
pub(super) fn prepare_domains(program: &Program, inputs: &Inputs, out: &mut Results) {
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
pub(super) fn domains_block(
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
pub(super) fn hvbp_fused(
    m: &MeasureInputs,
    f: &Fused,
    r: &mut super::results::MeasureResult,
    improved_or_benchmark: &mut [bool],
    measures_met: &mut [u32],
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
            m.denominator[range.clone()].iter().zip(
                improved_or_benchmark[range.clone()]
                    .iter_mut()
                    .zip(measures_met[range].iter_mut()),
            ),
        );
    // Never taken with an improvement target: a measure is met at or beyond the benchmark.
    for ((((a, im), s), (&p, &b)), (&den, (flag, met))) in cols {
        let ach = curves::hvbp_achievement(p, at, bm);
        let imp = curves::hvbp_improvement(p, b, bm);
        *a = ach;
        *im = imp;
        let best = if imp > ach { imp } else { ach };
        let score = if den < min_den { f64::NAN } else { best };
        *s = score;
        // One flag, not two: packing each comparison into bytes is a fair part of the loop.
        // Only a scored measure counts.
        let scored = !score.is_nan();
        *flag |= scored & ((p > b) | (p >= bm));
        *met += u32::from(scored & (p >= bm));
    }
}
