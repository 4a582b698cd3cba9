//! What-if sweeps: a grid over two program parameters (pool size × threshold percentile by
//! default). Every cell is the program with both parameters set, scored and paid by the engine
//! and summarised as the figures a heat map shows: providers earning, payout concentration,
//! equity gap, pool used.
//!
//! Speed comes from doing only the work a cell needs: inputs are aligned once (twice at most,
//! when peer-group standards are swept); cells that differ only in payment parameters share one
//! scoring pass; each worker reuses one results buffer.

use super::inputs::Inputs;
use super::observations::Observations;
use super::results::Results;
use crate::program::{Parameter, Pool, Program};
use rayon::prelude::*;
use std::borrow::Cow;
use std::fmt;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// One swept parameter: `steps` values evenly spaced from `from` to `to`, both included.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Axis {
    pub param: Parameter,
    pub from: f64,
    pub to: f64,
    pub steps: usize,
}

impl Axis {
    pub fn new(param: Parameter, from: f64, to: f64, steps: usize) -> Axis {
        Axis {
            param,
            from,
            to,
            steps,
        }
    }

    /// The parameter over its default range for `program` (see [`Parameter::default_range`]).
    /// On/off parameters get two steps whatever `steps` says.
    pub fn default_for(param: Parameter, program: &Program, steps: usize) -> Axis {
        let (from, to) = param.default_range(program);
        let steps = if is_switch(param) { 2 } else { steps };
        Axis::new(param, from, to, steps)
    }

    /// Number of values (at least one).
    pub fn len(&self) -> usize {
        self.steps.max(1)
    }

    pub fn is_empty(&self) -> bool {
        false
    }

    /// The `k`-th value; the last is exactly `to`.
    pub fn value(&self, k: usize) -> f64 {
        let n = self.len();
        if n == 1 || k == 0 {
            self.from
        } else if k + 1 >= n {
            self.to
        } else {
            self.from + (self.to - self.from) * (k as f64 / (n - 1) as f64)
        }
    }

    pub fn values(&self) -> Vec<f64> {
        (0..self.len()).map(|k| self.value(k)).collect()
    }

    /// The same range on round figures: at most `self.steps` values, evenly spaced by a "nice"
    /// step (1, 2, 2.5 or 5 × 10^k; whole numbers for percentiles, whole dollars for pools and
    /// caps, cents for PMPM amounts), with the ends widened to multiples of the step so the
    /// asked range stays covered (and kept within what the parameter allows). A grid a room
    /// adopts from then sets "$3,000,000", never "$3,545,455". Switches become off, on.
    pub fn nice(&self) -> Axis {
        if is_switch(self.param) {
            return Axis::new(self.param, 0.0, 1.0, 2);
        }
        let (bound_lo, bound_hi) = bounds(self.param);
        let clamp = |v: f64| v.clamp(bound_lo, bound_hi);
        let (lo, hi) = (clamp(self.from.min(self.to)), clamp(self.from.max(self.to)));
        let max = self.len();
        let smallest = smallest_step(self.param);
        if max == 1 || hi.partial_cmp(&lo) != Some(std::cmp::Ordering::Greater) {
            let v = clamp(round_to(lo, smallest));
            return Axis::new(self.param, v, v, 1);
        }
        let raw = ((hi - lo) / (max - 1) as f64).max(smallest);
        let mut k = raw.log10().floor() as i32 - 1;
        loop {
            for m in [1.0, 2.0, 2.5, 5.0] {
                let step = m * 10f64.powi(k);
                if step < raw * (1.0 - 1e-9) || step < smallest * (1.0 - 1e-9) {
                    continue;
                }
                if whole_steps(self.param) && step.fract() != 0.0 {
                    continue;
                }
                let mut from = (lo / step + 1e-9).floor() * step;
                if from < bound_lo {
                    from += step;
                }
                let mut to = (hi / step - 1e-9).ceil() * step;
                if to > bound_hi {
                    to -= step;
                }
                let count = ((to - from) / step).round() as usize + 1;
                if count <= max && to >= from {
                    return Axis::new(self.param, tidy(from), tidy(to), count);
                }
            }
            k += 1;
            if k > 18 {
                return *self;
            }
        }
    }

    /// Parses `key:from:to:steps` (keys as [`Parameter::key`]); `key` alone or `key:steps` take
    /// the default range for `program`.
    pub fn parse(text: &str, program: &Program) -> Result<Axis, String> {
        let parts: Vec<&str> = text.split(':').map(str::trim).collect();
        let param = Parameter::from_key(parts[0]).ok_or_else(|| {
            let keys: Vec<&str> = Parameter::ALL.iter().map(|p| p.key()).collect();
            format!(
                "unknown parameter {:?} in {text:?}; one of: {}",
                parts[0],
                keys.join(", ")
            )
        })?;
        let number = |s: &str, what: &str| {
            s.replace('_', "")
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| format!("{what} {s:?} in {text:?} is not a number"))
        };
        let steps = |s: &str| match s.parse::<usize>() {
            Ok(n) if (1..=10_000).contains(&n) => Ok(n),
            _ => Err(format!(
                "steps {s:?} in {text:?} must be a whole number from 1 to 10000"
            )),
        };
        match parts.len() {
            1 => Ok(Axis::default_for(param, program, DEFAULT_STEPS)),
            2 => Ok(Axis {
                steps: steps(parts[1])?,
                ..Axis::default_for(param, program, DEFAULT_STEPS)
            }),
            4 => Ok(Axis::new(
                param,
                number(parts[1], "from")?,
                number(parts[2], "to")?,
                steps(parts[3])?,
            )),
            _ => Err(format!(
                "{text:?} should be KEY:FROM:TO:STEPS (e.g. pool:1000000:8000000:50)"
            )),
        }
    }
}

impl fmt::Display for Axis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}:{}",
            self.param.key(),
            self.from,
            self.to,
            self.len()
        )
    }
}

/// Steps per axis when none are given: a 50 × 50 grid.
pub const DEFAULT_STEPS: usize = 50;

/// The values a parameter can take (money and percentages never below zero, percents and
/// percentiles at most 100).
fn bounds(p: Parameter) -> (f64, f64) {
    match p {
        Parameter::ThresholdPercentile
        | Parameter::BenchmarkPercentile
        | Parameter::WithholdPercent
        | Parameter::SpendPercent
        | Parameter::ImprovementCredit
        | Parameter::PeerGroupStandards
        | Parameter::ImprovementTargetPercent => (0.0, 100.0),
        Parameter::PoolDollars
        | Parameter::CapDollars
        | Parameter::PmpmDollars
        | Parameter::GateMeasuresMet
        | Parameter::LadderTopDollars => (0.0, f64::MAX),
        Parameter::MinScore => (f64::MIN, f64::MAX),
    }
}

/// The finest step worth showing a room: a dollar of pool or cap, a cent of PMPM, a whole
/// percentile, a tenth of a percent or of a score point.
fn smallest_step(p: Parameter) -> f64 {
    match p {
        Parameter::PoolDollars | Parameter::CapDollars => 1.0,
        Parameter::PmpmDollars => 0.01,
        Parameter::ThresholdPercentile | Parameter::BenchmarkPercentile => 1.0,
        Parameter::WithholdPercent | Parameter::SpendPercent | Parameter::MinScore => 0.1,
        Parameter::ImprovementCredit | Parameter::PeerGroupStandards => 1.0,
        Parameter::ImprovementTargetPercent
        | Parameter::GateMeasuresMet
        | Parameter::LadderTopDollars => 1.0,
    }
}

/// Percentiles step by whole numbers only (2.5 × 10^k is not one when k = 0).
fn whole_steps(p: Parameter) -> bool {
    matches!(
        p,
        Parameter::ThresholdPercentile
            | Parameter::BenchmarkPercentile
            | Parameter::PoolDollars
            | Parameter::CapDollars
            | Parameter::ImprovementTargetPercent
            | Parameter::GateMeasuresMet
            | Parameter::LadderTopDollars
    )
}

fn round_to(v: f64, step: f64) -> f64 {
    tidy((v / step).round() * step)
}

/// Drops binary noise such as 0.30000000000000004 from a multiple of a decimal step.
fn tidy(v: f64) -> f64 {
    if v.abs() < 1e9 {
        (v * 1e6).round() / 1e6
    } else {
        v.round()
    }
}

fn is_switch(p: Parameter) -> bool {
    matches!(
        p,
        Parameter::ImprovementCredit | Parameter::PeerGroupStandards
    )
}

/// What to sweep.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepSpec {
    /// Columns of the grid.
    pub x: Axis,
    /// Rows of the grid.
    pub y: Axis,
    /// Numeric provider stratifier whose quintiles define the equity gap; `None` picks
    /// `dual_share` (or `dual_eligible_share`) when present, else the first numeric one.
    pub stratifier: Option<String>,
}

impl Default for SweepSpec {
    /// Pool $1M–$8M × threshold 10th–90th percentile, 50 × 50.
    fn default() -> Self {
        SweepSpec {
            x: Axis::new(
                Parameter::PoolDollars,
                1_000_000.0,
                8_000_000.0,
                DEFAULT_STEPS,
            ),
            y: Axis::new(Parameter::ThresholdPercentile, 10.0, 90.0, DEFAULT_STEPS),
            stratifier: None,
        }
    }
}

impl SweepSpec {
    /// Pool size (in the program's own pool unit: dollars, withhold %, % of spend or PMPM) ×
    /// threshold percentile over their default ranges, 50 × 50.
    pub fn default_for(program: &Program) -> SweepSpec {
        let pool = match program.payment.pool {
            Pool::Fixed { .. } => Parameter::PoolDollars,
            Pool::Withhold { .. } => Parameter::WithholdPercent,
            Pool::PercentOfSpend { .. } => Parameter::SpendPercent,
            Pool::Pmpm { .. } => Parameter::PmpmDollars,
        };
        SweepSpec {
            x: Axis::default_for(pool, program, DEFAULT_STEPS),
            y: Axis::default_for(Parameter::ThresholdPercentile, program, DEFAULT_STEPS),
            stratifier: None,
        }
    }

    pub fn cell_count(&self) -> usize {
        self.x.len() * self.y.len()
    }

    /// Both axes on round figures (see [`Axis::nice`]).
    pub fn nice(&self) -> SweepSpec {
        SweepSpec {
            x: self.x.nice(),
            y: self.y.nice(),
            stratifier: self.stratifier.clone(),
        }
    }
}

pub use crate::engine::cancel::Cancelled;

/// The figures of one cell. Payouts are net of withholds (equal to earned when the pool is not
/// a withhold); only providers with a total score count.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct CellMetrics {
    /// The x and y parameter values of this cell.
    pub x: f64,
    pub y: f64,
    /// Providers with a total score.
    pub providers_scored: u32,
    /// Providers earning more than zero.
    pub providers_earning: u32,
    /// Providers whose payout is negative (withholds not earned back, two-sided penalties).
    pub providers_penalised: u32,
    /// providers_earning / providers_scored (NaN when none is scored).
    pub share_earning: f64,
    /// Gini coefficient of earned cents over scored providers (0 = everyone earns the same,
    /// near 1 = one provider takes it all; NaN when nothing is paid).
    pub gini: f64,
    pub pool_cents: i64,
    /// Σ earned.
    pub paid_cents: i64,
    /// paid / pool (NaN when the pool is empty).
    pub pool_used: f64,
    /// Median payout among providers earning (0 when none earns).
    pub median_payout_cents: i64,
    /// Largest payout.
    pub max_payout_cents: i64,
    /// Payout per attributed life (currency units) in the lowest- and highest-risk quintiles of
    /// the equity stratifier (NaN without one, or without lives in the quintile).
    pub per_life_low: f64,
    pub per_life_high: f64,
    /// per_life_high − per_life_low: negative when providers with the riskiest patients get
    /// less per life (the reverse Robin Hood effect).
    pub equity_gap: f64,
    /// per_life_high / per_life_low (NaN when the low quintile gets nothing): below 1 means the
    /// riskiest quintile gets less per life.
    pub equity_ratio: f64,
}

/// A figure a sweep can be drawn by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Metric {
    ProvidersEarning,
    ShareEarning,
    ProvidersPenalised,
    Gini,
    EquityGap,
    EquityRatio,
    PerLifeLow,
    PerLifeHigh,
    PoolUsed,
    Paid,
    Pool,
    MedianPayout,
    MaxPayout,
}

/// How a metric's values read, for formatting and colour scales.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Count,
    /// 0–1, shown as a percentage.
    Share,
    /// 0–1 index.
    Index,
    Dollars,
    DollarsPerLife,
    Ratio,
}

impl Metric {
    pub const ALL: [Metric; 13] = [
        Metric::ProvidersEarning,
        Metric::ShareEarning,
        Metric::ProvidersPenalised,
        Metric::Gini,
        Metric::EquityGap,
        Metric::EquityRatio,
        Metric::PerLifeLow,
        Metric::PerLifeHigh,
        Metric::PoolUsed,
        Metric::Paid,
        Metric::Pool,
        Metric::MedianPayout,
        Metric::MaxPayout,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Metric::ProvidersEarning => "Providers earning",
            Metric::ShareEarning => "Share of providers earning",
            Metric::ProvidersPenalised => "Providers penalised",
            Metric::Gini => "Payout concentration (Gini)",
            Metric::EquityGap => "Equity gap ($ per life, highest − lowest risk quintile)",
            Metric::EquityRatio => "Equity ratio (per life, highest ÷ lowest risk quintile)",
            Metric::PerLifeLow => "$ per life, lowest-risk quintile",
            Metric::PerLifeHigh => "$ per life, highest-risk quintile",
            Metric::PoolUsed => "Share of pool paid",
            Metric::Paid => "Paid ($)",
            Metric::Pool => "Pool ($)",
            Metric::MedianPayout => "Median payout among earners ($)",
            Metric::MaxPayout => "Largest payout ($)",
        }
    }

    /// Column name in CSV files.
    pub fn key(self) -> &'static str {
        match self {
            Metric::ProvidersEarning => "providers_earning",
            Metric::ShareEarning => "share_earning",
            Metric::ProvidersPenalised => "providers_penalised",
            Metric::Gini => "gini",
            Metric::EquityGap => "equity_gap_per_life",
            Metric::EquityRatio => "equity_ratio",
            Metric::PerLifeLow => "per_life_low_risk",
            Metric::PerLifeHigh => "per_life_high_risk",
            Metric::PoolUsed => "pool_used",
            Metric::Paid => "paid_dollars",
            Metric::Pool => "pool_dollars",
            Metric::MedianPayout => "median_payout_dollars",
            Metric::MaxPayout => "max_payout_dollars",
        }
    }

    pub fn unit(self) -> Unit {
        match self {
            Metric::ProvidersEarning | Metric::ProvidersPenalised => Unit::Count,
            Metric::ShareEarning | Metric::PoolUsed => Unit::Share,
            Metric::Gini => Unit::Index,
            Metric::EquityGap | Metric::PerLifeLow | Metric::PerLifeHigh => Unit::DollarsPerLife,
            Metric::EquityRatio => Unit::Ratio,
            Metric::Paid | Metric::Pool | Metric::MedianPayout | Metric::MaxPayout => Unit::Dollars,
        }
    }

    /// The metric's value in a cell (money in currency units).
    pub fn value(self, c: &CellMetrics) -> f64 {
        let dollars = |cents: i64| cents as f64 / 100.0;
        match self {
            Metric::ProvidersEarning => c.providers_earning as f64,
            Metric::ShareEarning => c.share_earning,
            Metric::ProvidersPenalised => c.providers_penalised as f64,
            Metric::Gini => c.gini,
            Metric::EquityGap => c.equity_gap,
            Metric::EquityRatio => c.equity_ratio,
            Metric::PerLifeLow => c.per_life_low,
            Metric::PerLifeHigh => c.per_life_high,
            Metric::PoolUsed => c.pool_used,
            Metric::Paid => dollars(c.paid_cents),
            Metric::Pool => dollars(c.pool_cents),
            Metric::MedianPayout => dollars(c.median_payout_cents),
            Metric::MaxPayout => dollars(c.max_payout_cents),
        }
    }
}

/// A finished sweep: a grid of cells, row-major (`y` rows of `x` columns).
#[derive(Debug, Clone, PartialEq)]
pub struct SweepResult {
    pub spec: SweepSpec,
    pub x_values: Vec<f64>,
    pub y_values: Vec<f64>,
    /// `cells[iy * x_values.len() + ix]`.
    pub cells: Vec<CellMetrics>,
    /// The stratifier whose quintiles the equity figures use (`None`: no numeric stratifier,
    /// equity figures are NaN).
    pub equity_stratifier: Option<String>,
    pub providers: usize,
    /// The base program's own values of the two parameters, to mark where the design stands.
    pub current: (Option<f64>, Option<f64>),
}

impl SweepResult {
    pub fn nx(&self) -> usize {
        self.x_values.len()
    }

    pub fn ny(&self) -> usize {
        self.y_values.len()
    }

    pub fn cell(&self, ix: usize, iy: usize) -> &CellMetrics {
        &self.cells[iy * self.nx() + ix]
    }

    /// One metric over the grid, row-major as `cells`: ready for a heat map.
    pub fn grid(&self, metric: Metric) -> Vec<f64> {
        self.cells.iter().map(|c| metric.value(c)).collect()
    }

    /// Smallest and largest finite value of a metric (NaN, NaN when none is finite).
    pub fn range(&self, metric: Metric) -> (f64, f64) {
        let (lo, hi) = self
            .cells
            .iter()
            .map(|c| metric.value(c))
            .filter(|v| v.is_finite())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                (a.min(v), b.max(v))
            });
        if lo > hi {
            (f64::NAN, f64::NAN)
        } else {
            (lo, hi)
        }
    }

    /// The cell nearest the given parameter values (e.g. the program's current design).
    pub fn nearest_cell(&self, x: f64, y: f64) -> (usize, usize) {
        let nearest = |values: &[f64], v: f64| {
            values
                .iter()
                .enumerate()
                .min_by(|a, b| (a.1 - v).abs().total_cmp(&(b.1 - v).abs()))
                .map_or(0, |(k, _)| k)
        };
        (nearest(&self.x_values, x), nearest(&self.y_values, y))
    }
}

/// The program a cell stands for: `program` with the x then the y parameter set.
pub fn adopt(program: &Program, spec: &SweepSpec, cell: (usize, usize)) -> Program {
    let mut p = program.clone();
    spec.x.param.set(&mut p, spec.x.value(cell.0));
    spec.y.param.set(&mut p, spec.y.value(cell.1));
    p
}

/// What a sweep runs on: the loaded observations and, when the caller already has them (the
/// window caches them), inputs aligned for the base program.
#[derive(Debug, Clone, Copy)]
pub struct SweepData<'a> {
    pub observations: &'a Observations,
    pub inputs: Option<&'a Inputs>,
}

impl<'a> SweepData<'a> {
    pub fn with_inputs(observations: &'a Observations, inputs: &'a Inputs) -> Self {
        SweepData {
            observations,
            inputs: Some(inputs),
        }
    }
}

impl<'a> From<&'a Observations> for SweepData<'a> {
    fn from(observations: &'a Observations) -> Self {
        SweepData {
            observations,
            inputs: None,
        }
    }
}

/// Providers ranked into risk quintiles by a numeric stratifier: quintile 0 has the lowest
/// values, 4 the highest (higher = more social risk, as for dual-eligible share).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RiskQuintiles {
    pub stratifier: String,
    /// Per provider: 0–4, or [`RiskQuintiles::UNKNOWN`] when its value is missing.
    pub quintile: Vec<u8>,
    /// Smallest and largest stratifier value in each quintile.
    pub ranges: [(f64, f64); 5],
}

impl RiskQuintiles {
    pub const UNKNOWN: u8 = u8::MAX;

    /// The stratifier the equity figures use by default: the equity lens's choice
    /// ([`super::equity::default_risk_stratifier`]: dual-eligible share first).
    pub fn default_stratifier(obs: &Observations) -> Option<String> {
        super::equity::default_risk_stratifier(&obs.providers)
    }

    /// Quintiles of `name` (or of the default stratifier), cut as the equity lens cuts them
    /// (ties by provider id, so row order never moves a provider); `None` when the stratifier
    /// is missing or does not read as numbers.
    pub fn new(obs: &Observations, name: Option<&str>) -> Option<RiskQuintiles> {
        let name = match name {
            Some(n) => n.to_owned(),
            None => Self::default_stratifier(obs)?,
        };
        let values = super::equity::numeric_values(&obs.providers.stratifier(&name)?.values)?;
        let cut = super::equity::quintiles(&values, &obs.providers.ids);
        let mut quintile = vec![Self::UNKNOWN; obs.provider_count()];
        let mut ranges = [(f64::INFINITY, f64::NEG_INFINITY); 5];
        for (i, q) in cut.iter().enumerate() {
            if let (Some(q), Some(slot)) = (q, quintile.get_mut(i)) {
                *slot = *q;
                let r = &mut ranges[*q as usize];
                *r = (r.0.min(values[i]), r.1.max(values[i]));
            }
        }
        Some(RiskQuintiles {
            stratifier: name,
            quintile,
            ranges,
        })
    }

    /// "Q1 lowest (0.05–0.18)" … "Q5 highest (…)".
    pub fn label(&self, q: usize) -> String {
        let (lo, hi) = self.ranges[q];
        quintile_label(q, lo, hi)
    }
}

/// "Q1 lowest (0.05–0.18)" … "Q5 highest (…)" for quintile `q` (0–4) spanning `lo`–`hi`
/// (just "Q3" and its tag when the range is empty).
pub fn quintile_label(q: usize, lo: f64, hi: f64) -> String {
    let tag = match q {
        0 => " lowest",
        4 => " highest",
        _ => "",
    };
    if lo > hi {
        return format!("Q{}{tag}", q + 1);
    }
    let fmt = |x: f64| {
        if x.abs() < 10.0 && x.fract() != 0.0 {
            format!("{x:.2}")
        } else {
            format!("{x:.0}")
        }
    };
    format!("Q{}{tag} ({}–{})", q + 1, fmt(lo), fmt(hi))
}

/// Payout figures of one scored-and-paid result, shared by sweeps and scenario comparisons.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct PayoutStats {
    pub scored: u32,
    pub earning: u32,
    pub penalised: u32,
    pub gini: f64,
    pub median_cents: i64,
    pub max_cents: i64,
    /// Per quintile: Σ payout (cents), Σ attributed lives and count of the providers with known
    /// lives, scored or not (as the equity lens counts them).
    pub quintile_paid: [i64; 5],
    pub quintile_lives: [f64; 5],
    pub quintile_providers: [u32; 5],
}

impl PayoutStats {
    /// Payout per life in quintile q, in currency units.
    pub fn per_life(&self, q: usize) -> f64 {
        super::equity::payout_per_life(self.quintile_paid[q], self.quintile_lives[q])
    }
}

/// Scratch buffers reused from cell to cell.
#[derive(Default)]
pub(crate) struct StatsBuffers {
    /// Scored providers in ascending order of earned cents at the last call. Cells that share
    /// scores keep almost the same order (a bigger pool scales every share alike), so checking
    /// it is usually all the sorting a cell needs.
    order: Vec<u32>,
    payouts: Vec<i64>,
    /// Per provider: its risk quintile (0–4) or [`OUTSIDE_EQUITY`] (no quintile, or no
    /// attributed lives), plus [`NOT_SCORED`] while its total score is missing.
    bin: Vec<u8>,
    /// Per quintile: providers with known attributed lives, and their lives.
    providers: [u32; 5],
    lives: [f64; 5],
    scored: u32,
}

const OUTSIDE_EQUITY: u8 = 5;
const NOT_SCORED: u8 = 8;

impl StatsBuffers {
    /// What depends on the scores only: who is scored, and the equity bins and lives.
    fn set_scores(&mut self, r: &Results, lives: &[f64], quintiles: Option<&RiskQuintiles>) {
        let quintile: &[u8] = quintiles.map_or(&[], |q| &q.quintile);
        self.bin.clear();
        self.bin.extend(r.total.iter().enumerate().map(|(i, t)| {
            let l = lives.get(i).copied().unwrap_or(f64::NAN);
            let equity = match quintile.get(i) {
                Some(&q) if q < 5 && super::equity::counted_lives(l).is_some() => q,
                _ => OUTSIDE_EQUITY,
            };
            if t.is_finite() {
                equity
            } else {
                equity | NOT_SCORED
            }
        }));
        self.providers = [0; 5];
        self.lives = [0.0; 5];
        for (i, &b) in self.bin.iter().enumerate() {
            let q = (b & !NOT_SCORED) as usize;
            if q < 5 {
                self.providers[q] += 1;
                self.lives[q] += lives[i];
            }
        }
        self.order.clear();
        self.order
            .extend((0..self.bin.len() as u32).filter(|&i| self.bin[i as usize] & NOT_SCORED == 0));
        self.scored = self.order.len() as u32;
    }
}

/// Payout figures of `r`. `same_scores` says the previous call on `buf` had exactly these
/// scores (only payment parameters changed), so what depends on scores alone is kept.
pub(crate) fn payout_stats(
    r: &Results,
    lives: &[f64],
    quintiles: Option<&RiskQuintiles>,
    buf: &mut StatsBuffers,
    same_scores: bool,
) -> PayoutStats {
    let pay = &r.payment;
    let n = r.provider_count();
    if !same_scores || buf.bin.len() != n {
        buf.set_scores(r, lives, quintiles);
    }
    let mut s = PayoutStats {
        scored: buf.scored,
        max_cents: if buf.scored == 0 { 0 } else { i64::MIN },
        quintile_lives: buf.lives,
        quintile_providers: buf.providers,
        ..Default::default()
    };
    buf.payouts.clear();
    let withholds = pay.withheld.iter().any(|w| *w != 0);
    // Equity counts every provider with lives, scored or not (as the equity lens does); the
    // other figures count scored providers only.
    let mut paid = [0i64; 6];
    for ((&b, &e), &ne) in buf.bin.iter().zip(&pay.earned).zip(&pay.net) {
        paid[(b & !NOT_SCORED) as usize] += ne;
        if b & NOT_SCORED == 0 {
            s.earning += u32::from(e > 0);
            s.penalised += u32::from(ne < 0);
            s.max_cents = s.max_cents.max(ne);
            if withholds && e > 0 {
                buf.payouts.push(ne);
            }
        }
    }
    s.quintile_paid.copy_from_slice(&paid[..5]);
    // Gini and the median need earned cents in order; negative amounts (two-sided models)
    // count as nothing earned.
    let earned = |i: u32| pay.earned[i as usize].max(0);
    // Gini = 2·Σ rank·x / (n·Σx) − (n+1)/n over ascending x, where Σ rank·x = (n+1)·Σx − Σ of
    // the running sums. Summed exactly in integers, so the order of tied providers cannot
    // change a bit of the result. The sums are taken while checking that the order still
    // holds; only when it does not is it sorted again.
    let gini_sums = |order: &[u32]| -> Option<(i128, i128)> {
        let (mut running, mut sum_running, mut prev) = (0i128, 0i128, 0i64);
        for &i in order {
            let x = earned(i);
            if x < prev {
                return None;
            }
            prev = x;
            running += x as i128;
            sum_running += running;
        }
        let n = order.len() as i128;
        Some((running, (n + 1) * running - sum_running))
    };
    let (total, ranked) = match gini_sums(&buf.order) {
        Some(sums) => sums,
        None => {
            // Ties in cents are ordered by score × weight, the share a bigger pool scales:
            // earned cents never decrease along that order, so the next pool size finds it
            // still sorted. The sort is stable and adaptive, near linear on a nearly right order.
            let share = |i: u32| r.total[i as usize].max(0.0) * pay.weight[i as usize];
            buf.order.sort_by(|a, b| {
                earned(*a)
                    .cmp(&earned(*b))
                    .then_with(|| share(*a).total_cmp(&share(*b)))
            });
            gini_sums(&buf.order).expect("sorted just now")
        }
    };
    s.gini = if total > 0 {
        let n = s.scored as f64;
        2.0 * ranked as f64 / (n * total as f64) - (n + 1.0) / n
    } else {
        f64::NAN
    };
    // Median payout among earners: the earners are the top of the order; with withholds
    // their net amounts are in `payouts`, unordered.
    let k = s.earning as usize;
    let even = k.is_multiple_of(2);
    s.median_cents = if k == 0 {
        0
    } else if withholds {
        let (left, hi, _) = buf.payouts.select_nth_unstable(k / 2);
        let hi = *hi;
        let lo = if even {
            left.iter().copied().max().unwrap_or(hi)
        } else {
            hi
        };
        (lo + hi) / 2
    } else {
        let top = &buf.order[buf.order.len() - k..];
        let hi = pay.earned[top[k / 2] as usize];
        let lo = if even {
            pay.earned[top[k / 2 - 1] as usize]
        } else {
            hi
        };
        (lo + hi) / 2
    };
    s
}

fn cell_metrics(x: f64, y: f64, r: &Results, s: &PayoutStats, has_strata: bool) -> CellMetrics {
    let pay = &r.payment;
    let (low, high) = if has_strata {
        (s.per_life(0), s.per_life(4))
    } else {
        (f64::NAN, f64::NAN)
    };
    CellMetrics {
        x,
        y,
        providers_scored: s.scored,
        providers_earning: s.earning,
        providers_penalised: s.penalised,
        share_earning: if s.scored > 0 {
            s.earning as f64 / s.scored as f64
        } else {
            f64::NAN
        },
        gini: s.gini,
        pool_cents: pay.pool_cents,
        paid_cents: pay.paid_cents,
        pool_used: if pay.pool_cents > 0 {
            pay.paid_cents as f64 / pay.pool_cents as f64
        } else {
            f64::NAN
        },
        median_payout_cents: s.median_cents,
        max_payout_cents: s.max_cents,
        per_life_low: low,
        per_life_high: high,
        equity_gap: high - low,
        equity_ratio: if low > 0.0 { high / low } else { f64::NAN },
    }
}

/// Inputs per peer-group setting, built on first use (at most twice in a sweep).
pub(crate) struct InputsCache<'a> {
    obs: &'a Observations,
    by_peer_group: [OnceLock<Cow<'a, Inputs>>; 2],
}

impl<'a> InputsCache<'a> {
    pub(crate) fn new(program: &Program, data: SweepData<'a>) -> Self {
        let cache = InputsCache {
            obs: data.observations,
            by_peer_group: [OnceLock::new(), OnceLock::new()],
        };
        if let Some(inputs) = data.inputs {
            let _ = cache.by_peer_group[program.standards.by_peer_group as usize]
                .set(Cow::Borrowed(inputs));
        }
        cache
    }

    /// Inputs for `program`: only its peer-group setting can differ from the base program's
    /// among the parameters a sweep sets.
    pub(crate) fn get(&self, program: &Program) -> &Inputs {
        self.by_peer_group[program.standards.by_peer_group as usize]
            .get_or_init(|| Cow::Owned(Inputs::build(program, self.obs)))
    }
}

/// Runs every cell of the grid, in parallel over the rayon pool. `progress` is called with the
/// share of cells done (0–1) from worker threads; setting `cancel` stops the sweep soon after.
pub fn sweep<'a>(
    program: &Program,
    data: impl Into<SweepData<'a>>,
    spec: &SweepSpec,
    progress: &(dyn Fn(f32) + Sync),
    cancel: &AtomicBool,
) -> Result<SweepResult, Cancelled> {
    let data = data.into();
    let (nx, ny) = (spec.x.len(), spec.y.len());
    let total = nx * ny;
    let cache = InputsCache::new(program, data);
    let quintiles = RiskQuintiles::new(data.observations, spec.stratifier.as_deref());
    let chunks = plan_chunks(spec, rayon::current_num_threads());
    let done = AtomicUsize::new(0);
    let x_values = spec.x.values();
    let y_values = spec.y.values();

    let per_chunk: Result<Vec<Vec<(usize, CellMetrics)>>, Cancelled> = chunks
        .par_iter()
        .map_init(
            || Worker {
                program: program.clone(),
                results: Results::default(),
                buffers: StatsBuffers::default(),
            },
            |w, chunk| {
                let mut out = Vec::with_capacity(chunk.len());
                for (k, &cell) in chunk.iter().enumerate() {
                    if cancel.load(Ordering::Relaxed) {
                        return Err(Cancelled);
                    }
                    let (ix, iy) = (cell % nx, cell / nx);
                    let (xv, yv) = (x_values[ix], y_values[iy]);
                    // Parameter::set touches only standards, scoring and payment; resetting
                    // those three gives exactly `adopt`'s program without cloning the rest.
                    w.program.standards.clone_from(&program.standards);
                    w.program.scoring.clone_from(&program.scoring);
                    w.program.payment.clone_from(&program.payment);
                    spec.x.param.set(&mut w.program, xv);
                    spec.y.param.set(&mut w.program, yv);
                    let inputs = cache.get(&w.program);
                    // Cells of a chunk differ only in parameters that leave scores alone, so
                    // the chunk is scored once and each cell only paid.
                    if k == 0 {
                        super::score_into(&w.program, inputs, &mut w.results);
                    }
                    super::pay_into(&w.program, inputs, &mut w.results);
                    let stats = payout_stats(
                        &w.results,
                        &inputs.lives,
                        quintiles.as_ref(),
                        &mut w.buffers,
                        k > 0,
                    );
                    out.push((
                        cell,
                        cell_metrics(xv, yv, &w.results, &stats, quintiles.is_some()),
                    ));
                    let d = done.fetch_add(1, Ordering::Relaxed) + 1;
                    progress(d as f32 / total as f32);
                }
                Ok(out)
            },
        )
        .collect();
    let mut cells = vec![CellMetrics::default(); total];
    for (cell, m) in per_chunk?.into_iter().flatten() {
        cells[cell] = m;
    }
    Ok(SweepResult {
        spec: spec.clone(),
        x_values,
        y_values,
        cells,
        equity_stratifier: quintiles.map(|q| q.stratifier),
        providers: data.observations.provider_count(),
        current: (spec.x.param.get(program), spec.y.param.get(program)),
    })
}

struct Worker {
    program: Program,
    results: Results,
    buffers: StatsBuffers,
}

/// Splits the grid's cells into chunks whose cells share every score-affecting parameter value
/// (so one scoring pass serves the chunk), small enough to keep all threads busy.
fn plan_chunks(spec: &SweepSpec, threads: usize) -> Vec<Vec<usize>> {
    let (nx, ny) = (spec.x.len(), spec.y.len());
    let total = nx * ny;
    let (xs, ys) = (spec.x.param.affects_scores(), spec.y.param.affects_scores());
    // Groups of cells with equal score-affecting values.
    let groups: Vec<Vec<usize>> = match (xs, ys) {
        (true, true) => (0..total).map(|c| vec![c]).collect(),
        (true, false) => (0..nx)
            .map(|ix| (0..ny).map(|iy| iy * nx + ix).collect())
            .collect(),
        (false, true) => (0..ny)
            .map(|iy| (0..nx).map(|ix| iy * nx + ix).collect())
            .collect(),
        (false, false) => vec![(0..total).collect()],
    };
    // About four chunks per thread balances load without many more scoring passes.
    let target = total.div_ceil(threads.max(1) * 4).max(1);
    groups
        .into_iter()
        .flat_map(|g| {
            let pieces = g.len().div_ceil(target).max(1);
            let size = g.len().div_ceil(pieces);
            g.chunks(size).map(<[usize]>::to_vec).collect::<Vec<_>>()
        })
        .collect()
}

#[cfg(test)]
mod nice_tests {
    use super::*;

    fn values(a: Axis) -> Vec<f64> {
        a.values()
    }

    #[test]
    fn pool_steps_land_on_round_figures() {
        // The window's default: $1M–$8M in at most 12 values. 7M / 11 is $636,364 a step;
        // the nice step is $1M, so no cell sets a pool of $3,545,455.
        let a = Axis::new(Parameter::PoolDollars, 1_000_000.0, 8_000_000.0, 12).nice();
        assert_eq!((a.from, a.to, a.steps), (1_000_000.0, 8_000_000.0, 8));
        assert_eq!(values(a)[2], 3_000_000.0);
        // 50 values: $200K steps.
        let a = Axis::new(Parameter::PoolDollars, 1_000_000.0, 8_000_000.0, 50).nice();
        assert_eq!((a.from, a.to, a.steps), (1_000_000.0, 8_000_000.0, 36));
        // An awkward range widens to whole steps around it: $886,364–$7,090,910 in 10.
        let a = Axis::new(Parameter::PoolDollars, 886_364.0, 7_090_910.0, 10).nice();
        assert_eq!((a.from, a.to, a.steps), (0.0, 8_000_000.0, 9));
        // 2.5 × 10^k is a nice money step.
        let a = Axis::new(Parameter::PoolDollars, 0.0, 10_000_000.0, 5).nice();
        assert_eq!((a.from, a.to, a.steps), (0.0, 10_000_000.0, 5));
        assert_eq!(values(a), vec![0.0, 2.5e6, 5e6, 7.5e6, 1e7]);
        for v in values(Axis::new(Parameter::CapDollars, 12_345.0, 98_765.0, 7).nice()) {
            let m = v / 10f64.powi(v.abs().max(1.0).log10().floor() as i32);
            assert!(
                [0.0, 1.0, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 7.0, 7.5, 8.0, 9.0]
                    .iter()
                    .any(|n| (m - n).abs() < 1e-9),
                "{v}"
            );
        }
    }

    #[test]
    fn percentile_steps_are_whole_and_stay_within_0_to_100() {
        let a = Axis::new(Parameter::ThresholdPercentile, 10.0, 90.0, 12).nice();
        assert_eq!((a.from, a.to, a.steps), (10.0, 90.0, 9));
        // No 2.5-percentile steps: 10–20 in 6 values goes by 2s.
        let a = Axis::new(Parameter::ThresholdPercentile, 10.0, 20.0, 6).nice();
        assert_eq!(values(a), vec![10.0, 12.0, 14.0, 16.0, 18.0, 20.0]);
        let a = Axis::new(Parameter::BenchmarkPercentile, 63.0, 99.0, 5).nice();
        assert!(a.to <= 100.0 && a.from <= 63.0 && a.steps <= 5, "{a:?}");
        assert!(values(a).iter().all(|v| v.fract() == 0.0), "{a:?}");
        assert_eq!(values(a), vec![60.0, 70.0, 80.0, 90.0, 100.0]);
        // Withholds step by tenths without binary noise.
        let a = Axis::new(Parameter::WithholdPercent, 0.5, 5.0, 12).nice();
        assert_eq!((a.from, a.to, a.steps), (0.5, 5.0, 10));
        assert_eq!(values(a)[2], 1.5);
        // Switches are off and on; one value is one round value.
        let a = Axis::new(Parameter::ImprovementCredit, 0.3, 0.4, 9).nice();
        assert_eq!(values(a), vec![0.0, 1.0]);
        let a = Axis::new(Parameter::PoolDollars, 3_545_454.6, 3_545_454.6, 1).nice();
        assert_eq!(values(a), vec![3_545_455.0]);
        // Every nice axis keeps within the asked number of values.
        for steps in 2..=60 {
            for (p, from, to) in [
                (Parameter::PoolDollars, 123_456.0, 9_876_543.0),
                (Parameter::ThresholdPercentile, 7.0, 93.0),
                (Parameter::PmpmDollars, 0.37, 4.12),
            ] {
                let a = Axis::new(p, from, to, steps).nice();
                assert!(a.steps <= steps && a.steps >= 2, "{p:?} {steps}: {a:?}");
                assert!(a.from <= from && a.to >= to, "{p:?} {steps}: {a:?}");
            }
        }
    }

    #[test]
    fn the_default_grid_on_nice_steps_includes_the_current_design() {
        let mut p = Program::default();
        Parameter::PoolDollars.set(&mut p, 4_000_000.0);
        Parameter::ThresholdPercentile.set(&mut p, 50.0);
        let s = SweepSpec::default_for(&p).nice();
        assert_eq!(
            (s.x.from, s.x.to, s.x.steps),
            (1_000_000.0, 8_000_000.0, 36)
        );
        assert!(s.x.values().iter().all(|v| v % 200_000.0 == 0.0), "{s:?}");
        assert!(s.x.values().contains(&4_000_000.0));
        assert_eq!((s.y.from, s.y.to, s.y.steps), (10.0, 90.0, 41));
        assert!(s.y.values().contains(&50.0));
    }
}
