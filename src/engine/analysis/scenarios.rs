//! Scenario comparison: the base program and its named scenarios (sets of parameter overrides)
//! scored and paid on the same data, side by side: totals, payout distributions, equity by risk
//! quintile, and per provider who wins and who loses between any two.
//!
//! Payouts are net of withholds (equal to earned when the pool is not a withhold), so that a
//! withhold design and a fixed-pool design compare on what providers actually gain or lose.

use super::results::Results;
use super::sweep::{
    InputsCache, PayoutStats, RiskQuintiles, StatsBuffers, SweepData, payout_stats,
};
use crate::program::{Headline, Parameter, Program};
use rayon::prelude::*;
use std::fmt;

/// Name of the base program's column.
pub const BASE_NAME: &str = "Base program";

/// Percentiles (0–100) reported for every payout distribution.
pub const QUANTILE_LEVELS: [f64; 7] = [0.0, 10.0, 25.0, 50.0, 75.0, 90.0, 100.0];

/// One design to compare: the base program or a scenario applied to it.
#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    pub name: String,
    pub description: String,
    pub overrides: Vec<(Parameter, f64)>,
    pub program: Program,
}

impl Variant {
    pub fn base(program: &Program) -> Variant {
        Variant {
            name: BASE_NAME.into(),
            description: String::new(),
            overrides: Vec::new(),
            program: program.clone(),
        }
    }
}

/// Which scenarios to compare and how.
#[derive(Debug, Clone, PartialEq)]
pub struct CompareOptions {
    /// Scenario names, in order; empty compares all of the program's scenarios. The base
    /// program always comes first.
    pub scenarios: Vec<String>,
    /// Numeric stratifier for the equity figures (`None`: dual-eligible share when present,
    /// else the first numeric stratifier).
    pub stratifier: Option<String>,
    /// Histogram bins (shared by every variant, so bars compare).
    pub bins: usize,
}

impl Default for CompareOptions {
    fn default() -> Self {
        CompareOptions {
            scenarios: Vec::new(),
            stratifier: None,
            bins: 16,
        }
    }
}

/// A scenario name the program does not have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownScenario {
    pub name: String,
    pub known: Vec<String>,
}

impl fmt::Display for UnknownScenario {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.known.is_empty() {
            write!(
                f,
                "no scenario named {:?}: the program has no scenarios",
                self.name
            )
        } else {
            write!(
                f,
                "no scenario named {:?}; the program has: {}",
                self.name,
                self.known.join(", ")
            )
        }
    }
}

impl std::error::Error for UnknownScenario {}

/// Program-level totals of one variant.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Totals {
    pub pool_cents: i64,
    pub paid_cents: i64,
    pub withheld_cents: i64,
    pub unallocated_cents: i64,
    pub scored: u32,
    pub earning: u32,
    pub penalised: u32,
    /// Median payout among providers earning.
    pub median_payout_cents: i64,
    pub max_payout_cents: i64,
    /// Gini of earned cents over scored providers (NaN when nothing is paid).
    pub gini: f64,
}

/// Payouts of one risk quintile.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct QuintileRow {
    /// "Q1 lowest (0.05–0.18)" … "Q5 highest (…)".
    pub label: String,
    /// Providers with known attributed lives (scored or not, as the equity lens counts them).
    pub providers: u32,
    pub lives: f64,
    pub paid_cents: i64,
    /// Payout per attributed life, in currency units (NaN without lives).
    pub per_life: f64,
}

/// Everything shown for one variant.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub name: String,
    pub description: String,
    pub overrides: Vec<(Parameter, f64)>,
    pub totals: Totals,
    /// Payout at each of [`QUANTILE_LEVELS`] over scored providers, in cents (NaN when none).
    pub quantiles: Vec<f64>,
    /// Scored providers per bin of [`Comparison::bin_edges`].
    pub histogram: Vec<u32>,
    /// Five rows, lowest to highest risk (empty without a numeric stratifier).
    pub equity: Vec<QuintileRow>,
    /// Per life: highest − lowest risk quintile (currency units), and highest ÷ lowest.
    pub equity_gap: f64,
    pub equity_ratio: f64,
    /// Per provider (index as in the data): payout in cents, net of withholds.
    pub payouts: Vec<i64>,
    /// Per provider: total score (NaN when not scored).
    pub scores: Vec<f64>,
}

/// The variants side by side.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub provider_ids: Vec<String>,
    pub provider_names: Vec<String>,
    /// Stratifier the equity figures use.
    pub equity_stratifier: Option<String>,
    /// Histogram bin edges in cents (bins + 1 values, ascending), shared by every variant.
    pub bin_edges: Vec<f64>,
    /// The base program first, then the scenarios in the order asked.
    pub outcomes: Vec<Outcome>,
}

/// One provider's change between two variants.
#[derive(Debug, Clone, PartialEq)]
pub struct ProviderDelta {
    pub index: usize,
    pub provider_id: String,
    pub from_cents: i64,
    pub to_cents: i64,
    /// to − from.
    pub delta_cents: i64,
    pub from_score: f64,
    pub to_score: f64,
}

/// How money moves between two variants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Shift {
    pub gained: u32,
    pub lost: u32,
    pub unchanged: u32,
    /// Σ of positive deltas, and Σ of negative deltas (≤ 0), in cents.
    pub gained_cents: i64,
    pub lost_cents: i64,
}

impl Comparison {
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.outcomes.iter().position(|o| o.name == name)
    }

    /// Every provider's change from variant `from` to variant `to`, biggest gain first and
    /// biggest loss last (ties by provider id).
    pub fn deltas(&self, from: usize, to: usize) -> Vec<ProviderDelta> {
        let (a, b) = (&self.outcomes[from], &self.outcomes[to]);
        let mut out: Vec<ProviderDelta> = (0..self.provider_ids.len())
            .map(|i| ProviderDelta {
                index: i,
                provider_id: self.provider_ids[i].clone(),
                from_cents: a.payouts[i],
                to_cents: b.payouts[i],
                delta_cents: b.payouts[i] - a.payouts[i],
                from_score: a.scores[i],
                to_score: b.scores[i],
            })
            .collect();
        out.sort_by(|x, y| {
            y.delta_cents
                .cmp(&x.delta_cents)
                .then_with(|| x.provider_id.cmp(&y.provider_id))
        });
        out
    }

    /// The `k` providers gaining most from `from` to `to`, biggest first.
    pub fn winners(&self, from: usize, to: usize, k: usize) -> Vec<ProviderDelta> {
        let mut d = self.deltas(from, to);
        d.retain(|x| x.delta_cents > 0);
        d.truncate(k);
        d
    }

    /// The `k` providers losing most from `from` to `to`, biggest loss first.
    pub fn losers(&self, from: usize, to: usize, k: usize) -> Vec<ProviderDelta> {
        let mut d = self.deltas(from, to);
        d.retain(|x| x.delta_cents < 0);
        d.sort_by(|x, y| {
            x.delta_cents
                .cmp(&y.delta_cents)
                .then_with(|| x.provider_id.cmp(&y.provider_id))
        });
        d.truncate(k);
        d
    }

    pub fn shift(&self, from: usize, to: usize) -> Shift {
        let (a, b) = (&self.outcomes[from].payouts, &self.outcomes[to].payouts);
        let mut s = Shift::default();
        for (x, y) in a.iter().zip(b) {
            let d = y - x;
            match d.cmp(&0) {
                std::cmp::Ordering::Greater => {
                    s.gained += 1;
                    s.gained_cents += d;
                }
                std::cmp::Ordering::Less => {
                    s.lost += 1;
                    s.lost_cents += d;
                }
                std::cmp::Ordering::Equal => s.unchanged += 1,
            }
        }
        s
    }
}

/// Design A against design B: how many providers gain, lose or keep their payout, and the
/// biggest winners and losers, each with both payouts.
#[derive(Debug, Clone, PartialEq)]
pub struct Versus {
    /// Indices into [`Comparison::outcomes`].
    pub a: usize,
    pub b: usize,
    pub shift: Shift,
    /// Biggest gain first (B − A > 0).
    pub winners: Vec<ProviderDelta>,
    /// Biggest loss first (B − A < 0).
    pub losers: Vec<ProviderDelta>,
}

impl Comparison {
    /// Design `b` against design `a` (either may be the base or any scenario), with the `top`
    /// biggest winners and losers.
    pub fn versus(&self, a: usize, b: usize, top: usize) -> Versus {
        Versus {
            a,
            b,
            shift: self.shift(a, b),
            winners: self.winners(a, b, top),
            losers: self.losers(a, b, top),
        }
    }

    /// "Name (id)", or the id when the data has no name.
    pub fn provider_label(&self, i: usize) -> String {
        let id = self.provider_ids.get(i).cloned().unwrap_or_default();
        match self.provider_names.get(i) {
            Some(n) if !n.is_empty() && *n != id => format!("{n} ({id})"),
            _ => id,
        }
    }
}

impl Outcome {
    /// The figures a decision records.
    pub fn headline(&self) -> Headline {
        Headline {
            pool_cents: self.totals.pool_cents,
            paid_cents: self.totals.paid_cents,
            providers_scored: self.totals.scored,
            providers_paid: self.totals.earning,
            median_payout_cents: self.totals.median_payout_cents,
            per_life_ratio: self.equity_ratio.is_finite().then_some(self.equity_ratio),
        }
    }
}

/// The headline figures of `program` on loaded data (pool, paid, providers paid, median
/// payout, payout per life of the highest-risk quintile ÷ the lowest), as a decision records
/// them; equity by the default risk stratifier.
pub fn headline<'a>(program: &Program, data: impl Into<SweepData<'a>>) -> Headline {
    let c = compare_variants(&[Variant::base(program)], data, &CompareOptions::default());
    c.outcomes
        .first()
        .map(Outcome::headline)
        .unwrap_or_default()
}

/// The variants `opts` names: the base program, then each scenario applied to it.
pub fn variants(program: &Program, opts: &CompareOptions) -> Result<Vec<Variant>, UnknownScenario> {
    let chosen: Vec<&crate::program::Scenario> = if opts.scenarios.is_empty() {
        program.scenarios.iter().collect()
    } else {
        opts.scenarios
            .iter()
            .map(|name| {
                program
                    .scenarios
                    .iter()
                    .find(|s| &s.name == name)
                    .ok_or_else(|| UnknownScenario {
                        name: name.clone(),
                        known: program.scenarios.iter().map(|s| s.name.clone()).collect(),
                    })
            })
            .collect::<Result<_, _>>()?
    };
    let mut out = vec![Variant::base(program)];
    out.extend(chosen.into_iter().map(|s| Variant {
        name: s.name.clone(),
        description: s.description.clone(),
        overrides: s.overrides.clone(),
        program: s.apply(program),
    }));
    Ok(out)
}

/// Compares the base program with its scenarios on loaded data.
pub fn compare<'a>(
    program: &Program,
    data: impl Into<SweepData<'a>>,
    opts: &CompareOptions,
) -> Result<Comparison, UnknownScenario> {
    let v = variants(program, opts)?;
    Ok(compare_variants(&v, data, opts))
}

/// Compares any designs on the same data (e.g. the open program and a cell adopted from a
/// sweep). Inputs supplied in `data` must be aligned for the first variant.
pub fn compare_variants<'a>(
    variants: &[Variant],
    data: impl Into<SweepData<'a>>,
    opts: &CompareOptions,
) -> Comparison {
    let data = data.into();
    let obs = data.observations;
    let first = variants.first().map(|v| &v.program);
    let cache = first.map(|p| InputsCache::new(p, data));
    let quintiles = RiskQuintiles::new(obs, opts.stratifier.as_deref());
    // Each variant is one full evaluation; run them side by side.
    let evaluated: Vec<(Results, PayoutStats)> = variants
        .par_iter()
        .map(|v| {
            let cache = cache.as_ref().expect("there is a first variant");
            let inputs = cache.get(&v.program);
            let results = super::evaluate(&v.program, inputs);
            let stats = payout_stats(
                &results,
                &inputs.lives,
                quintiles.as_ref(),
                &mut StatsBuffers::default(),
                false,
            );
            (results, stats)
        })
        .collect();
    // Shared bins over every variant's scored payouts.
    let (lo, hi) = evaluated
        .iter()
        .flat_map(|(r, _)| scored_payouts(r))
        .fold((0i64, 0i64), |(a, b), v| (a.min(v), b.max(v)));
    let bins = opts.bins.max(1);
    let bin_edges: Vec<f64> = (0..=bins)
        .map(|k| lo as f64 + (hi - lo).max(1) as f64 * k as f64 / bins as f64)
        .collect();
    let outcomes = variants
        .iter()
        .zip(&evaluated)
        .map(|(v, (r, s))| {
            let mut sorted: Vec<i64> = scored_payouts(r).collect();
            sorted.sort_unstable();
            let mut histogram = vec![0u32; bins];
            let width = (hi - lo).max(1) as f64 / bins as f64;
            for x in &sorted {
                let b = (((x - lo) as f64 / width) as usize).min(bins - 1);
                histogram[b] += 1;
            }
            let equity: Vec<QuintileRow> = match &quintiles {
                Some(q) => (0..5)
                    .map(|qi| QuintileRow {
                        label: q.label(qi),
                        providers: s.quintile_providers[qi],
                        lives: s.quintile_lives[qi],
                        paid_cents: s.quintile_paid[qi],
                        per_life: s.per_life(qi),
                    })
                    .collect(),
                None => Vec::new(),
            };
            let (low, high) = match equity.as_slice() {
                [first, .., last] => (first.per_life, last.per_life),
                _ => (f64::NAN, f64::NAN),
            };
            let pay = &r.payment;
            Outcome {
                name: v.name.clone(),
                description: v.description.clone(),
                overrides: v.overrides.clone(),
                totals: Totals {
                    pool_cents: pay.pool_cents,
                    paid_cents: pay.paid_cents,
                    withheld_cents: pay.withheld.iter().sum(),
                    unallocated_cents: pay.unallocated_cents,
                    scored: s.scored,
                    earning: s.earning,
                    penalised: s.penalised,
                    median_payout_cents: s.median_cents,
                    max_payout_cents: s.max_cents,
                    gini: s.gini,
                },
                quantiles: QUANTILE_LEVELS
                    .iter()
                    .map(|p| quantile(&sorted, *p))
                    .collect(),
                histogram,
                equity,
                equity_gap: high - low,
                equity_ratio: if low > 0.0 { high / low } else { f64::NAN },
                payouts: pay.net.clone(),
                scores: r.total.clone(),
            }
        })
        .collect();
    Comparison {
        provider_ids: obs.providers.ids.clone(),
        provider_names: obs.providers.names.clone(),
        equity_stratifier: quintiles.map(|q| q.stratifier),
        bin_edges,
        outcomes,
    }
}

/// Payouts (net, cents) of the providers with a total score.
fn scored_payouts(r: &Results) -> impl Iterator<Item = i64> + '_ {
    (0..r.provider_count())
        .filter(|&i| r.total[i].is_finite())
        .map(|i| r.payment.net[i])
}

/// The p-th percentile (0–100) of sorted values, linear between closest ranks, as standards
/// use; NaN when empty.
fn quantile(sorted: &[i64], p: f64) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    let h = (n - 1) as f64 * (p.clamp(0.0, 100.0) / 100.0);
    let lo = h as usize;
    let hi = (lo + 1).min(n - 1);
    let frac = h - lo as f64;
    sorted[lo] as f64 + frac * (sorted[hi] - sorted[lo]) as f64
}
