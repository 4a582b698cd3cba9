//! Reliability and uncertainty: how much of the spread between providers is signal, funnel
//! plots, and, by resampling the numerators and rescoring, how likely each provider is to earn
//! and how many could land on the other side of the line by chance.

use super::inputs::Inputs;
use super::observations::{Observations, PeriodValues};
use super::results::Results;
use super::standards::SortedValues;
use crate::program::Program;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Binomial, Distribution as _};
use rayon::prelude::*;
use std::sync::atomic::{AtomicBool, Ordering};

/// Two-sided 95% and 99.8% normal quantiles: the funnel plot's warning and control limits.
pub const Z95: f64 = 1.959_963_984_540_054;
pub const Z998: f64 = 3.090_232_306_167_813;

/// Reliability at which a provider's rate is usually taken to be mostly signal.
pub const RELIABLE: f64 = 0.7;

/// Mean ± z standard errors of a proportion with denominator `n`, kept within [0, 1].
pub fn control_limits(mean: f64, n: f64, z: f64) -> (f64, f64) {
    if n.is_nan() || n <= 0.0 || !mean.is_finite() {
        return (f64::NAN, f64::NAN);
    }
    let se = (mean * (1.0 - mean) / n).sqrt();
    ((mean - z * se).max(0.0), (mean + z * se).min(1.0))
}

/// Where a rate falls on a funnel plot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FunnelZone {
    /// No rate or denominator.
    NoData,
    Inside,
    /// Beyond the 95% limit but within 99.8%.
    Above95,
    Below95,
    /// Beyond the 99.8% limit.
    Above998,
    Below998,
}

impl FunnelZone {
    pub fn label(self) -> &'static str {
        match self {
            FunnelZone::NoData => "",
            FunnelZone::Inside => "inside",
            FunnelZone::Above95 => "above 95%",
            FunnelZone::Below95 => "below 95%",
            FunnelZone::Above998 => "above 99.8%",
            FunnelZone::Below998 => "below 99.8%",
        }
    }
}

/// Where `rate` with denominator `n` falls around `mean`.
pub fn funnel_zone(rate: f64, n: f64, mean: f64) -> FunnelZone {
    if !rate.is_finite() || n.is_nan() || n <= 0.0 || !mean.is_finite() {
        return FunnelZone::NoData;
    }
    let (lo95, hi95) = control_limits(mean, n, Z95);
    let (lo998, hi998) = control_limits(mean, n, Z998);
    if rate > hi998 {
        FunnelZone::Above998
    } else if rate < lo998 {
        FunnelZone::Below998
    } else if rate > hi95 {
        FunnelZone::Above95
    } else if rate < lo95 {
        FunnelZone::Below95
    } else {
        FunnelZone::Inside
    }
}

/// Funnel-plot data: a centre line and control-limit curves over a grid of denominators.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Funnel {
    pub mean: f64,
    /// Denominators of the curve points, log-spaced from the smallest to the largest.
    pub n: Vec<f64>,
    pub lower95: Vec<f64>,
    pub upper95: Vec<f64>,
    pub lower998: Vec<f64>,
    pub upper998: Vec<f64>,
}

impl Funnel {
    /// Limits around `mean` at `points` denominators from `n_min` to `n_max`.
    pub fn new(mean: f64, n_min: f64, n_max: f64, points: usize) -> Funnel {
        let mut f = Funnel {
            mean,
            ..Funnel::default()
        };
        // Also refuses NaN bounds.
        if n_min.is_nan() || n_min <= 0.0 || n_max.is_nan() || n_max < n_min || points == 0 {
            return f;
        }
        let (a, b) = (n_min.ln(), n_max.ln());
        for k in 0..points {
            let t = if points > 1 {
                k as f64 / (points - 1) as f64
            } else {
                0.0
            };
            let n = (a + t * (b - a)).exp();
            let (l95, u95) = control_limits(mean, n, Z95);
            let (l998, u998) = control_limits(mean, n, Z998);
            f.n.push(n);
            f.lower95.push(l95);
            f.upper95.push(u95);
            f.lower998.push(l998);
            f.upper998.push(u998);
        }
        f
    }
}

/// Between-provider variance of true rates by the beta-binomial method of moments, from
/// numerators and denominators (entries with a denominator of zero or less are skipped).
///
/// With N = Σn, p̄ = Σx/N, S = Σ n·(x/n − p̄)² over k providers:
/// E\[S\] = (k − 1)·(p(1 − p) − σ²) + σ²·(N − Σn²/N), so
/// σ² = (S − (k − 1)·p̄(1 − p̄)) / (N − Σn²/N − (k − 1)), floored at 0.
/// Returns (p̄, σ²); σ² is NaN with fewer than two providers.
pub fn between_variance(numerators: &[f64], denominators: &[f64]) -> (f64, f64) {
    let pairs: Vec<(f64, f64)> = numerators
        .iter()
        .zip(denominators)
        .filter(|(x, n)| x.is_finite() && **n > 0.0)
        .map(|(x, n)| (*x, *n))
        .collect();
    let k = pairs.len();
    let big_n: f64 = pairs.iter().map(|p| p.1).sum();
    if k == 0 || big_n <= 0.0 {
        return (f64::NAN, f64::NAN);
    }
    let mean = pairs.iter().map(|p| p.0).sum::<f64>() / big_n;
    if k < 2 {
        return (mean, f64::NAN);
    }
    let s: f64 = pairs.iter().map(|(x, n)| n * (x / n - mean).powi(2)).sum();
    let sum_n2: f64 = pairs.iter().map(|p| p.1 * p.1).sum();
    let denom = big_n - sum_n2 / big_n - (k - 1) as f64;
    if denom <= 0.0 {
        return (mean, f64::NAN);
    }
    let var = (s - (k - 1) as f64 * mean * (1.0 - mean)) / denom;
    (mean, var.max(0.0))
}

/// Signal-to-noise reliability of a rate with denominator `n`: σ² / (σ² + p̄(1 − p̄)/n).
pub fn signal_to_noise(between: f64, mean: f64, n: f64) -> f64 {
    if n.is_nan() || n <= 0.0 || !between.is_finite() || !mean.is_finite() {
        return f64::NAN;
    }
    let noise = mean * (1.0 - mean) / n;
    if between + noise <= 0.0 {
        return f64::NAN;
    }
    between / (between + noise)
}

/// One measure's reliability and funnel plot, per provider in the performance period.
#[derive(Debug, Clone, PartialEq)]
pub struct MeasureReliability {
    pub measure_id: String,
    pub min_denominator: Option<f64>,
    /// Pooled rate Σ numerator / Σ denominator.
    pub mean_rate: f64,
    /// Between-provider variance of true rates (beta-binomial method of moments).
    pub between_variance: f64,
    /// Per provider (NaN where counts are unknown): denominator after exclusions.
    pub numerator: Vec<f64>,
    pub denominator: Vec<f64>,
    pub rate: Vec<f64>,
    pub reliability: Vec<f64>,
    pub zone: Vec<FunnelZone>,
    /// Providers with counts whose denominator is below the measure's minimum.
    pub below_min_denominator: usize,
    /// Providers with counts.
    pub providers: usize,
    pub median_reliability: f64,
    /// Share of providers with counts whose reliability is at least [`RELIABLE`].
    pub share_reliable: f64,
    /// Denominator at which reliability reaches [`RELIABLE`] for this measure.
    pub denominator_for_reliable: f64,
    pub funnel: Funnel,
}

fn counts(v: &PeriodValues, i: usize) -> Option<(f64, f64)> {
    let (x, n) = (v.numerator[i], v.eligible_denominator(i));
    (v.rate[i].is_nan() && x.is_finite() && n > 0.0).then_some((x, n))
}

/// Reliability and funnel-plot data of every scored measure that has counts.
pub fn reliability(program: &Program, obs: &Observations) -> Vec<MeasureReliability> {
    let n = obs.provider_count();
    let period = &program.standards.performance_period;
    let mut out = Vec::new();
    for m in program.scored_measures().filter(|m| !m.supplied_score) {
        let Some(v) = obs.series(&m.id, period) else {
            continue;
        };
        let mut num = vec![f64::NAN; n];
        let mut den = vec![f64::NAN; n];
        for i in 0..n {
            if let Some((x, d)) = counts(v, i) {
                num[i] = x;
                den[i] = d;
            }
        }
        let (mean, var) = between_variance(&num, &den);
        if mean.is_nan() {
            continue;
        }
        let rate: Vec<f64> = num.iter().zip(&den).map(|(x, d)| x / d).collect();
        let rel: Vec<f64> = den.iter().map(|d| signal_to_noise(var, mean, *d)).collect();
        let zone = rate
            .iter()
            .zip(&den)
            .map(|(r, d)| funnel_zone(*r, *d, mean))
            .collect();
        let known: Vec<f64> = den.iter().copied().filter(|d| d.is_finite()).collect();
        let providers = known.len();
        let below = m
            .min_denominator
            .map_or(0, |min| known.iter().filter(|d| **d < min).count());
        let rel_dist = SortedValues::new(rel.iter().copied());
        let reliable = rel.iter().filter(|r| **r >= RELIABLE).count();
        let n_min = known.iter().copied().fold(f64::INFINITY, f64::min);
        let n_max = known.iter().copied().fold(0.0, f64::max);
        out.push(MeasureReliability {
            measure_id: m.id.clone(),
            min_denominator: m.min_denominator,
            mean_rate: mean,
            between_variance: var,
            denominator_for_reliable: if var > 0.0 {
                RELIABLE / (1.0 - RELIABLE) * mean * (1.0 - mean) / var
            } else {
                f64::INFINITY
            },
            numerator: num,
            denominator: den,
            rate,
            reliability: rel,
            zone,
            below_min_denominator: below,
            providers,
            median_reliability: rel_dist.percentile(50.0),
            share_reliable: reliable as f64 / providers.max(1) as f64,
            funnel: Funnel::new(mean, n_min.max(1.0), n_max.max(1.0), 100),
        });
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Resampling
// ---------------------------------------------------------------------------------------------

/// Settings of a resampling run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ResampleOptions {
    /// Number of resampled data sets.
    pub draws: usize,
    pub seed: u64,
    /// Resample the baseline period too (it sets standards and improvement).
    pub resample_baseline: bool,
    /// A provider "could land on the other side" when its chance of doing so is at least this.
    pub flip_threshold: f64,
}

impl Default for ResampleOptions {
    fn default() -> Self {
        ResampleOptions {
            draws: 200,
            seed: 1,
            resample_baseline: true,
            flip_threshold: 0.1,
        }
    }
}

pub use crate::engine::cancel::Cancelled;

/// What resampling says about each provider and the program.
#[derive(Debug, Clone, PartialEq)]
pub struct Uncertainty {
    pub draws: usize,
    pub seed: u64,
    /// Measures whose numerators were redrawn (those with counts; given rates stay fixed).
    pub measures_resampled: Vec<String>,
    /// Per provider: has a total score in the observed data.
    pub scored: Vec<bool>,
    /// Earns (more than zero) in the observed data.
    pub earns_observed: Vec<bool>,
    /// Share of draws in which it earns.
    pub p_earn: Vec<f64>,
    /// Chance of landing on the other side from the observed one (NaN when not scored).
    pub p_flip: Vec<f64>,
    /// Net payment in cents: observed, and 5th, 50th and 95th percentiles over the draws.
    pub net_observed: Vec<i64>,
    pub net_p05: Vec<f64>,
    pub net_p50: Vec<f64>,
    pub net_p95: Vec<f64>,
    /// Total score: 5th and 95th percentiles over the draws.
    pub total_p05: Vec<f64>,
    pub total_p95: Vec<f64>,
    /// Mean chance of landing on the other side over scored providers: the expected share of
    /// providers misclassified by chance.
    pub misclassification_rate: f64,
    /// Share of scored providers whose chance of landing on the other side is at least
    /// `flip_threshold`.
    pub share_could_flip: f64,
    pub flip_threshold: f64,
}

/// A period of one measure that resampling redraws: which inputs column it feeds and the
/// values it draws from.
struct Redraw<'a> {
    measure: usize,
    baseline: bool,
    values: &'a PeriodValues,
}

struct Draw {
    earns: Vec<bool>,
    net: Vec<i64>,
    total: Vec<f64>,
}

/// Refills the resampled columns of `inputs` from binomial draws and rebuilds their
/// distributions. Every resampled entry is overwritten, so the state left by a previous draw
/// never leaks into this one.
fn redraw(base: &Inputs, inputs: &mut Inputs, plan: &[Redraw], rng: &mut ChaCha8Rng) {
    let groups = base.group_names.len();
    for r in plan {
        let m = &mut inputs.measures[r.measure];
        let sign = m.sign;
        let col = if r.baseline {
            &mut m.baseline
        } else {
            &mut m.performance
        };
        // Canonical (id) order: the draws do not depend on the order of rows in the data.
        for &i in &base.canonical_order {
            let i = i as usize;
            let Some((x, n)) = counts(r.values, i) else {
                continue;
            };
            let trials = n.round().max(0.0) as u64;
            let p = (x / n).clamp(0.0, 1.0);
            let drawn = match Binomial::new(trials, p) {
                Ok(b) => b.sample(rng) as f64,
                Err(_) => x,
            };
            let e = r.values.expected[i];
            let rate = if e.is_finite() && e > 0.0 {
                drawn / e
            } else {
                drawn / n
            };
            col[i] = rate * sign;
        }
        let dist: Vec<SortedValues> = (0..groups as u32)
            .map(|g| {
                SortedValues::new(
                    col.iter()
                        .zip(&base.group)
                        .filter(|(_, gi)| **gi == g)
                        .map(|(v, _)| *v),
                )
            })
            .collect();
        if r.baseline {
            m.baseline_dist = dist;
        } else {
            m.performance_dist = dist;
        }
    }
}

/// Resamples every numerator (binomial with the provider's own rate and denominator), rescores
/// and repays the program on each draw, and summarises each provider's chance of earning.
/// Deterministic for a seed whatever the number of threads: draw d uses ChaCha8 stream d.
/// `progress` is called on the calling thread with the share done (0–1); setting `cancel`
/// stops the run early with [`Cancelled`].
pub fn resample(
    program: &Program,
    obs: &Observations,
    opts: &ResampleOptions,
    progress: &dyn Fn(f32),
    cancel: &AtomicBool,
) -> Result<Uncertainty, Cancelled> {
    let (base, observed) = super::run(program, obs);
    let n = base.provider_count();
    let std = &program.standards;
    let mut plan = Vec::new();
    for (k, m) in base.measures.iter().enumerate() {
        if m.supplied_score {
            continue;
        }
        if opts.resample_baseline
            && let Some(v) = obs.series(&m.id, &std.baseline_period)
        {
            plan.push(Redraw {
                measure: k,
                baseline: true,
                values: v,
            });
        }
        if let Some(v) = obs.series(&m.id, &std.performance_period) {
            plan.push(Redraw {
                measure: k,
                baseline: false,
                values: v,
            });
        }
    }
    progress(0.0);
    let draws = opts.draws;
    // Chunks let the calling thread report progress and notice a cancel between them.
    let chunk = (rayon::current_num_threads() * 2).max(draws / 50).max(1);
    let mut results: Vec<Draw> = Vec::with_capacity(draws);
    let mut start = 0;
    while start < draws {
        if cancel.load(Ordering::Relaxed) {
            return Err(Cancelled);
        }
        let end = (start + chunk).min(draws);
        let batch: Vec<Option<Draw>> = (start..end)
            .into_par_iter()
            .map_init(
                || (base.clone(), Results::default()),
                |(inputs, res), d| {
                    if cancel.load(Ordering::Relaxed) {
                        return None;
                    }
                    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
                    rng.set_stream(d as u64);
                    redraw(&base, inputs, &plan, &mut rng);
                    super::evaluate_into(program, inputs, res);
                    Some(Draw {
                        earns: res.payment.earned.iter().map(|e| *e > 0).collect(),
                        net: res.payment.net.clone(),
                        total: res.total.clone(),
                    })
                },
            )
            .collect();
        for d in batch {
            results.push(d.ok_or(Cancelled)?);
        }
        start = end;
        progress(start as f32 / draws.max(1) as f32);
    }
    progress(1.0);
    let mut u = summarise(&observed, &results, opts, n);
    u.measures_resampled = base
        .measures
        .iter()
        .enumerate()
        .filter(|(k, _)| {
            plan.iter()
                .any(|r| r.measure == *k && (0..n).any(|i| counts(r.values, i).is_some()))
        })
        .map(|(_, m)| m.id.clone())
        .collect();
    Ok(u)
}

fn summarise(observed: &Results, draws: &[Draw], opts: &ResampleOptions, n: usize) -> Uncertainty {
    let scored: Vec<bool> = observed.total.iter().map(|t| !t.is_nan()).collect();
    let earns_observed: Vec<bool> = observed.payment.earned.iter().map(|e| *e > 0).collect();
    let k = draws.len().max(1) as f64;
    let mut u = Uncertainty {
        draws: draws.len(),
        seed: opts.seed,
        measures_resampled: Vec::new(),
        p_earn: vec![f64::NAN; n],
        p_flip: vec![f64::NAN; n],
        net_observed: observed.payment.net.clone(),
        net_p05: vec![f64::NAN; n],
        net_p50: vec![f64::NAN; n],
        net_p95: vec![f64::NAN; n],
        total_p05: vec![f64::NAN; n],
        total_p95: vec![f64::NAN; n],
        misclassification_rate: f64::NAN,
        share_could_flip: f64::NAN,
        flip_threshold: opts.flip_threshold,
        scored,
        earns_observed,
    };
    if draws.is_empty() {
        return u;
    }
    let (mut flip_sum, mut could_flip, mut n_scored) = (0.0, 0usize, 0usize);
    for i in 0..n {
        let earned = draws.iter().filter(|d| d.earns[i]).count() as f64 / k;
        u.p_earn[i] = earned;
        let net = SortedValues::new(draws.iter().map(|d| d.net[i] as f64));
        u.net_p05[i] = net.percentile(5.0);
        u.net_p50[i] = net.percentile(50.0);
        u.net_p95[i] = net.percentile(95.0);
        let total = SortedValues::new(draws.iter().map(|d| d.total[i]));
        u.total_p05[i] = total.percentile(5.0);
        u.total_p95[i] = total.percentile(95.0);
        if u.scored[i] {
            let flip = if u.earns_observed[i] {
                1.0 - earned
            } else {
                earned
            };
            u.p_flip[i] = flip;
            flip_sum += flip;
            n_scored += 1;
            if flip >= opts.flip_threshold {
                could_flip += 1;
            }
        }
    }
    if n_scored > 0 {
        u.misclassification_rate = flip_sum / n_scored as f64;
        u.share_could_flip = could_flip as f64 / n_scored as f64;
    }
    u
}
