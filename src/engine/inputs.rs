//! Aligns loaded observations with a program: one set of oriented columns per scored measure,
//! peer groups and payment weights. Built once per data load or change of measure set, so that
//! scoring itself only reads contiguous columns.

use super::observations::{Observations, PeriodValues};
use super::standards::SortedValues;
use crate::program::Program;

/// Exactly the parts of a program that [`Inputs::build`] reads. Building reads the program only
/// through this, so a cache of inputs that compares it cannot miss a field.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct InputsBasis {
    pub baseline_period: String,
    pub performance_period: String,
    pub by_peer_group: bool,
    pub peer_groups_from: Option<String>,
    pub default_base_payments: f64,
    /// Scoring domain ids, in order.
    pub domains: Vec<String>,
    /// The scored (vital-few) measures, in order.
    pub measures: Vec<MeasureBasis>,
}

/// What the inputs read of one scored measure.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MeasureBasis {
    pub id: String,
    /// +1 higher is better, −1 lower is better.
    pub sign: f64,
    pub weight: f64,
    pub domain: String,
    pub supplied_score: bool,
}

impl InputsBasis {
    pub fn of(program: &Program) -> InputsBasis {
        let s = &program.standards;
        InputsBasis {
            baseline_period: s.baseline_period.clone(),
            performance_period: s.performance_period.clone(),
            by_peer_group: s.by_peer_group,
            peer_groups_from: s.peer_groups_from.clone(),
            default_base_payments: program.payment.default_base_payments,
            domains: program
                .scoring
                .domains
                .iter()
                .map(|d| d.id.clone())
                .collect(),
            measures: program
                .scored_measures()
                .map(|m| MeasureBasis {
                    id: m.id.clone(),
                    sign: m.direction.sign(),
                    weight: m.weight,
                    domain: m.domain.clone(),
                    supplied_score: m.supplied_score,
                })
                .collect(),
        }
    }
}

/// A scored measure's inputs, oriented so that greater is better.
#[derive(Debug, Clone, PartialEq)]
pub struct MeasureInputs {
    pub id: String,
    /// +1 higher is better, −1 lower is better.
    pub sign: f64,
    pub weight: f64,
    /// Index of its domain in `Program::scoring.domains`, if it has one.
    pub domain: Option<usize>,
    pub supplied_score: bool,
    /// Oriented rates; NaN where not reported.
    pub baseline: Vec<f64>,
    pub performance: Vec<f64>,
    /// Eligible denominators in the performance period (NaN when unknown).
    pub denominator: Vec<f64>,
    /// Exclusions in the performance period (NaN when unknown).
    pub exclusions: Vec<f64>,
    /// Points supplied by the data, for `supplied_score` measures.
    pub supplied_points: Vec<f64>,
    /// Weight of the measure for each provider: the data's where given, else `weight`.
    pub provider_weight: Vec<f64>,
    /// Providers flagged as not submitting the measure (or failing its validation): they score
    /// the worst and their values, if any, do not count. Empty when nobody is flagged.
    pub not_submitted: Vec<bool>,
    /// Per peer group: distributions of baseline and performance rates.
    pub baseline_dist: Vec<SortedValues>,
    pub performance_dist: Vec<SortedValues>,
    /// Per peer group: oriented standards supplied by the data (NaN when none).
    pub supplied_threshold: Vec<f64>,
    pub supplied_benchmark: Vec<f64>,
    pub supplied_floor: Vec<f64>,
}

/// Everything the scoring and payment loops read, aligned by provider index.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Inputs {
    pub provider_ids: Vec<String>,
    /// Provider indices sorted by id: sums and ties follow it, so that the order of rows in
    /// the data never changes a cent.
    pub canonical_order: Vec<u32>,
    /// Peer-group index of each provider (all 0 unless standards are by peer group).
    pub group: Vec<u32>,
    pub group_names: Vec<String>,
    pub measures: Vec<MeasureInputs>,
    pub lives: Vec<f64>,
    /// Base payments in currency units (the program's default where unknown).
    pub base_payments: Vec<f64>,
    pub spend: Vec<f64>,
    pub benchmark_spend: Vec<f64>,
    /// Provider attributes read as numbers (numeric stratifiers, and yes/no columns as 1/0),
    /// by name: what the equity bonus reads, whichever stratifier it is set to.
    pub numeric_attributes: Vec<(String, Vec<f64>)>,
    /// The programme's periods these inputs were built for.
    pub baseline_period: String,
    pub performance_period: String,
}

impl Inputs {
    pub fn provider_count(&self) -> usize {
        self.provider_ids.len()
    }

    /// Aligns `obs` with `program`'s vital-few measures and periods.
    pub fn build(program: &Program, obs: &Observations) -> Inputs {
        Inputs::build_from(&InputsBasis::of(program), obs)
    }

    /// Aligns `obs` with the measures and periods of a program's [`InputsBasis`].
    pub fn build_from(basis: &InputsBasis, obs: &Observations) -> Inputs {
        let n = obs.provider_count();
        let p = &obs.providers;
        let (group, group_names) = if basis.by_peer_group {
            // A stratifier the data lack leaves every provider in one group ("Unknown");
            // `check_data` says so.
            match &basis.peer_groups_from {
                Some(s) => peer_groups(
                    &super::equity::peer_group_labels(p, s)
                        .unwrap_or_else(|_| vec![String::new(); n]),
                ),
                None => peer_groups(&p.peer_group),
            }
        } else {
            (vec![0; n], vec!["All providers".to_owned()])
        };
        let measures = basis
            .measures
            .iter()
            .map(|m| measure_inputs(basis, m, obs, &group, group_names.len()))
            .collect();
        let or_nan = |v: &Vec<f64>| {
            if v.len() == n {
                v.clone()
            } else {
                vec![f64::NAN; n]
            }
        };
        let default_base = basis.default_base_payments;
        let base_payments = or_nan(&p.base_payments)
            .into_iter()
            .map(|b| {
                if b.is_finite() && b >= 0.0 {
                    b
                } else {
                    default_base
                }
            })
            .collect();
        let mut canonical_order: Vec<u32> = (0..n as u32).collect();
        canonical_order.sort_by(|a, b| p.ids[*a as usize].cmp(&p.ids[*b as usize]));
        Inputs {
            provider_ids: p.ids.clone(),
            canonical_order,
            group,
            group_names,
            measures,
            lives: or_nan(&p.lives),
            base_payments,
            spend: or_nan(&p.spend),
            benchmark_spend: or_nan(&p.benchmark_spend),
            numeric_attributes: super::equity::numeric_attributes(p),
            baseline_period: basis.baseline_period.clone(),
            performance_period: basis.performance_period.clone(),
        }
    }
}

/// Assigns each distinct peer-group label an index, in sorted label order.
fn peer_groups(labels: &[String]) -> (Vec<u32>, Vec<String>) {
    let mut names: Vec<String> = labels.to_vec();
    names.sort();
    names.dedup();
    let group = labels
        .iter()
        .map(|l| names.binary_search(l).unwrap_or(0) as u32)
        .collect();
    (group, names)
}

fn oriented_rates(values: Option<&PeriodValues>, n: usize, sign: f64) -> Vec<f64> {
    match values {
        Some(v) => (0..n).map(|i| v.effective_rate(i) * sign).collect(),
        None => vec![f64::NAN; n],
    }
}

fn measure_inputs(
    basis: &InputsBasis,
    m: &MeasureBasis,
    obs: &Observations,
    group: &[u32],
    groups: usize,
) -> MeasureInputs {
    let n = obs.provider_count();
    let sign = m.sign;
    let baseline = oriented_rates(obs.series(&m.id, &basis.baseline_period), n, sign);
    let perf_values = obs.series(&m.id, &basis.performance_period);
    let mut performance = oriented_rates(perf_values, n, sign);
    let supplied = obs.supplied.get(&m.id);
    let not_submitted: Vec<bool> = match supplied {
        Some(s) if s.not_submitted.contains(&1.0) => {
            s.not_submitted.iter().map(|f| *f == 1.0).collect()
        }
        _ => Vec::new(),
    };
    for (p, flagged) in performance.iter_mut().zip(&not_submitted) {
        if *flagged {
            *p = f64::NAN;
        }
    }
    let (denominator, exclusions) = match perf_values {
        Some(v) => (
            (0..n).map(|i| v.eligible_denominator(i)).collect(),
            v.exclusions.to_vec(),
        ),
        None => (vec![f64::NAN; n], vec![f64::NAN; n]),
    };
    let supplied_points = supplied
        .map(|s| s.score.to_vec())
        .unwrap_or_else(|| vec![f64::NAN; n]);
    let provider_weight = match supplied {
        Some(s) => s
            .weight
            .iter()
            .map(|w| if w.is_nan() { m.weight } else { *w })
            .collect(),
        None => vec![m.weight; n],
    };
    let by_group = |col: &[f64]| -> Vec<SortedValues> {
        (0..groups as u32)
            .map(|g| {
                SortedValues::new(
                    col.iter()
                        .zip(group)
                        .filter(|(_, gi)| **gi == g)
                        .map(|(v, _)| *v),
                )
            })
            .collect()
    };
    // A supplied standard is one value per group: the first provider in the group that has one.
    let supplied_std = |pick: fn(&super::observations::SuppliedValues) -> &[f64]| -> Vec<f64> {
        let mut out = vec![f64::NAN; groups];
        if let Some(s) = supplied {
            for (v, g) in pick(s).iter().zip(group) {
                let slot = &mut out[*g as usize];
                if slot.is_nan() && v.is_finite() {
                    *slot = v * sign;
                }
            }
        }
        out
    };
    MeasureInputs {
        id: m.id.clone(),
        sign,
        weight: m.weight,
        domain: basis.domains.iter().position(|d| *d == m.domain),
        supplied_score: m.supplied_score,
        baseline_dist: by_group(&baseline),
        performance_dist: by_group(&performance),
        baseline,
        performance,
        denominator,
        exclusions,
        supplied_points,
        provider_weight,
        not_submitted,
        supplied_threshold: supplied_std(|s| &s.threshold),
        supplied_benchmark: supplied_std(|s| &s.benchmark),
        supplied_floor: supplied_std(|s| &s.floor),
    }
}
