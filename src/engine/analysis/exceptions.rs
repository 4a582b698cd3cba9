//! Exception reporting: exclusions (exceptions, personalised care adjustments) per provider and
//! measure, what they do to scores and payments, and providers excluding far more patients than
//! their peers, the gaming the QOF experience warns about.

use super::observations::Observations;
use super::reliability::{Funnel, Z998, control_limits};
use super::results::Results;
use crate::program::{Direction, Program};
use rayon::prelude::*;

/// How outliers are found.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExceptionOptions {
    /// Compare providers with their own peer group (the `peer_group` attribute) rather than
    /// with all providers.
    pub by_peer_group: bool,
    /// A rate above the peers' mean + this many standard deviations is flagged.
    pub sd_multiple: f64,
}

impl Default for ExceptionOptions {
    fn default() -> Self {
        ExceptionOptions {
            by_peer_group: false,
            sd_multiple: 3.0,
        }
    }
}

/// One measure's exclusions in the performance period, per provider.
#[derive(Debug, Clone, PartialEq)]
pub struct MeasureExceptions {
    pub measure_id: String,
    /// Denominator before exclusions, exclusions, and exclusions / denominator (NaN where
    /// unknown).
    pub denominator: Vec<f64>,
    pub exclusions: Vec<f64>,
    pub exclusion_rate: Vec<f64>,
    /// The pooled exclusion rate of each provider's peers (Σ exclusions / Σ denominators).
    pub peer_rate: Vec<f64>,
    /// Upper 99.8% funnel limit around the peer rate at the provider's denominator.
    pub upper998: Vec<f64>,
    /// The peers' mean exclusion rate + `sd_multiple` standard deviations.
    pub sd_limit: Vec<f64>,
    pub flag_funnel: Vec<bool>,
    pub flag_sd: Vec<bool>,
    /// The rate scored (exclusions removed) and with exclusions added back to the denominator.
    pub rate_with: Vec<f64>,
    pub rate_without: Vec<f64>,
    /// The measure score with exclusions (as designed) and without them.
    pub score_with: Vec<f64>,
    pub score_without: Vec<f64>,
    /// Pooled exclusion rate over all providers, and its funnel for plotting.
    pub overall_rate: f64,
    pub funnel: Funnel,
}

/// A provider whose exclusion rate on a measure is far above its peers'.
#[derive(Debug, Clone, PartialEq)]
pub struct FlaggedException {
    pub provider: u32,
    pub provider_id: String,
    pub measure_id: String,
    pub exclusion_rate: f64,
    pub peer_rate: f64,
    /// Above the 99.8% funnel limit / above mean + k SD.
    pub funnel: bool,
    pub sd: bool,
    pub upper998: f64,
    pub sd_limit: f64,
    pub score_with: f64,
    pub score_without: f64,
    /// The provider's net payment with exclusions minus without anyone's, in cents.
    pub payment_effect_cents: i64,
    /// With only this provider's exclusions added back (everyone else's kept): its measure
    /// score, and its net payment with its exclusions minus without them, in cents. What its
    /// own exclusions are worth to it.
    pub own_score_without: f64,
    pub own_payment_effect_cents: i64,
}

/// Exclusions, their effect and outliers for a whole program.
#[derive(Debug, Clone, PartialEq)]
pub struct ExceptionReport {
    /// Scored measures whose data has exclusions.
    pub measures: Vec<MeasureExceptions>,
    /// Per provider: total score and net payment (cents) with exclusions, and with every
    /// provider's exclusions added back.
    pub total_with: Vec<f64>,
    pub total_without: Vec<f64>,
    pub net_with: Vec<i64>,
    pub net_without: Vec<i64>,
    /// Flagged provider × measure pairs, most excessive (rate over the funnel limit) first.
    pub flagged: Vec<FlaggedException>,
}

impl ExceptionReport {
    /// Distinct providers with at least one flag.
    pub fn flagged_providers(&self) -> Vec<u32> {
        let mut p: Vec<u32> = self.flagged.iter().map(|f| f.provider).collect();
        p.sort_unstable();
        p.dedup();
        p
    }
}

/// The data with every exclusion added back to the denominator as a patient not meeting the
/// measure: for lower-is-better measures (events such as readmissions) it also counts as an
/// event, so adding exclusions back never flattens a rate in the provider's favour.
pub fn without_exclusions(program: &Program, obs: &Observations) -> Observations {
    without_exclusions_of(program, obs, None)
}

/// As [`without_exclusions`], for one provider only (every provider when `only` is `None`).
pub fn without_exclusions_of(
    program: &Program,
    obs: &Observations,
    only: Option<usize>,
) -> Observations {
    let mut out = obs.clone();
    for m in program.scored_measures() {
        for ((id, _), v) in out.series.iter_mut() {
            if *id != m.id {
                continue;
            }
            let range = match only {
                Some(i) if i < v.exclusions.len() => i..i + 1,
                Some(_) => 0..0,
                None => 0..v.exclusions.len(),
            };
            for i in range {
                let e = v.exclusions[i];
                if e.is_nan() || e <= 0.0 {
                    continue;
                }
                if m.direction == Direction::LowerIsBetter && v.numerator[i].is_finite() {
                    v.numerator[i] += e;
                }
                v.exclusions[i] = 0.0;
            }
        }
    }
    out
}

fn mean_sd(v: &[f64]) -> (f64, f64) {
    if v.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    if v.len() < 2 {
        return (mean, f64::NAN);
    }
    let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, var.sqrt())
}

/// Exclusion rates, their effect on scores and payments, and outliers.
pub fn exception_report(
    program: &Program,
    obs: &Observations,
    opts: &ExceptionOptions,
) -> ExceptionReport {
    let n = obs.provider_count();
    let (_, with) = super::run(program, obs);
    let stripped = without_exclusions(program, obs);
    let (_, without) = super::run(program, &stripped);
    let period = &program.standards.performance_period;
    // Peer group of each provider (all one group unless asked).
    let (group, groups) = if opts.by_peer_group {
        let mut names: Vec<&String> = obs.providers.peer_group.iter().collect();
        names.sort_unstable();
        names.dedup();
        let g: Vec<usize> = obs
            .providers
            .peer_group
            .iter()
            .map(|l| names.binary_search(&l).unwrap_or(0))
            .collect();
        (g, names.len().max(1))
    } else {
        (vec![0; n], 1)
    };
    let mut measures = Vec::new();
    for m in program.scored_measures().filter(|m| !m.supplied_score) {
        let Some(v) = obs.series(&m.id, period) else {
            continue;
        };
        if !v.exclusions.iter().any(|e| e.is_finite()) {
            continue;
        }
        let den: Vec<f64> = v.denominator.to_vec();
        let exc: Vec<f64> = (0..n)
            .map(|i| {
                let e = v.exclusions[i];
                if e.is_finite() {
                    e
                } else if den[i] > 0.0 {
                    0.0
                } else {
                    f64::NAN
                }
            })
            .collect();
        let rate: Vec<f64> = (0..n)
            .map(|i| {
                if den[i] > 0.0 && exc[i].is_finite() {
                    exc[i] / den[i]
                } else {
                    f64::NAN
                }
            })
            .collect();
        // Peer figures: pooled rate for the funnel, mean and SD of provider rates.
        let mut pooled = vec![(0.0, 0.0); groups];
        let mut rates: Vec<Vec<f64>> = vec![Vec::new(); groups];
        let (mut all_e, mut all_d) = (0.0, 0.0);
        // The SD rule looks only at providers scored on the measure (at its minimum
        // denominator): tiny practices' rates swing too far to be judged by a spread.
        let min_den = m.min_denominator.unwrap_or(f64::NEG_INFINITY);
        let sized = |i: usize| v.eligible_denominator(i) >= min_den;
        for i in (0..n).filter(|&i| rate[i].is_finite()) {
            pooled[group[i]].0 += exc[i];
            pooled[group[i]].1 += den[i];
            if sized(i) {
                rates[group[i]].push(rate[i]);
            }
            all_e += exc[i];
            all_d += den[i];
        }
        let stats: Vec<(f64, f64)> = rates.iter().map(|r| mean_sd(r)).collect();
        let mut me = MeasureExceptions {
            measure_id: m.id.clone(),
            peer_rate: vec![f64::NAN; n],
            upper998: vec![f64::NAN; n],
            sd_limit: vec![f64::NAN; n],
            flag_funnel: vec![false; n],
            flag_sd: vec![false; n],
            rate_with: (0..n).map(|i| v.effective_rate(i)).collect(),
            rate_without: stripped
                .series(&m.id, period)
                .map(|s| (0..n).map(|i| s.effective_rate(i)).collect())
                .unwrap_or_else(|| vec![f64::NAN; n]),
            score_with: with
                .measure(&m.id)
                .map(|r| r.score.clone())
                .unwrap_or_else(|| vec![f64::NAN; n]),
            score_without: without
                .measure(&m.id)
                .map(|r| r.score.clone())
                .unwrap_or_else(|| vec![f64::NAN; n]),
            overall_rate: if all_d > 0.0 { all_e / all_d } else { f64::NAN },
            funnel: Funnel::default(),
            denominator: den,
            exclusions: exc,
            exclusion_rate: rate,
        };
        let known = me.denominator.iter().copied().filter(|d| *d > 0.0);
        let (lo, hi) = known.fold((f64::INFINITY, 0.0f64), |(a, b), d| (a.min(d), b.max(d)));
        me.funnel = Funnel::new(me.overall_rate, lo.max(1.0), hi.max(1.0), 100);
        for (i, &g) in group.iter().enumerate() {
            let r = me.exclusion_rate[i];
            if !r.is_finite() {
                continue;
            }
            let peer = if pooled[g].1 > 0.0 {
                pooled[g].0 / pooled[g].1
            } else {
                f64::NAN
            };
            let upper = control_limits(peer, me.denominator[i], Z998).1;
            let (mean, sd) = stats[g];
            let sd_limit = mean + opts.sd_multiple * sd;
            me.peer_rate[i] = peer;
            me.upper998[i] = upper;
            me.sd_limit[i] = sd_limit;
            me.flag_funnel[i] = r > upper;
            me.flag_sd[i] = sd.is_finite() && r > sd_limit && sized(i);
        }
        measures.push(me);
    }
    let mut flagged = Vec::new();
    for me in &measures {
        for i in 0..n {
            if !(me.flag_funnel[i] || me.flag_sd[i]) {
                continue;
            }
            flagged.push(FlaggedException {
                provider: i as u32,
                provider_id: obs.providers.ids[i].clone(),
                measure_id: me.measure_id.clone(),
                exclusion_rate: me.exclusion_rate[i],
                peer_rate: me.peer_rate[i],
                funnel: me.flag_funnel[i],
                sd: me.flag_sd[i],
                upper998: me.upper998[i],
                sd_limit: me.sd_limit[i],
                score_with: me.score_with[i],
                score_without: me.score_without[i],
                payment_effect_cents: with.payment.net[i] - without.payment.net[i],
                own_score_without: f64::NAN,
                own_payment_effect_cents: 0,
            });
        }
    }
    // One rerun per flagged provider, in parallel: few providers are flagged.
    let mut providers: Vec<u32> = flagged.iter().map(|f| f.provider).collect();
    providers.sort_unstable();
    providers.dedup();
    let own: Vec<(u32, Results)> = providers
        .par_iter()
        .map(|&p| {
            let data = without_exclusions_of(program, obs, Some(p as usize));
            (p, super::run(program, &data).1)
        })
        .collect();
    for f in &mut flagged {
        let Some((_, r)) = own.iter().find(|(p, _)| *p == f.provider) else {
            continue;
        };
        let i = f.provider as usize;
        f.own_score_without = r.measure(&f.measure_id).map_or(f64::NAN, |m| m.score[i]);
        f.own_payment_effect_cents = with.payment.net[i] - r.payment.net[i];
    }
    flagged.sort_by(|a, b| {
        (b.exclusion_rate - b.upper998)
            .total_cmp(&(a.exclusion_rate - a.upper998))
            .then(a.provider_id.cmp(&b.provider_id))
            .then(a.measure_id.cmp(&b.measure_id))
    });
    ExceptionReport {
        measures,
        total_with: with.total,
        total_without: without.total,
        net_with: with.payment.net,
        net_without: without.payment.net,
        flagged,
    }
}
