//! The equity lens: who a program pays, by stratum, and how payout moves with social risk (the
//! reverse Robin Hood effect), and the counters a designer can switch on to compare.
//!
//! Everything here reads the engine's results; the equity bonus, which changes scores, is a rule
//! (engine/rules/bonus.rs).

use super::observations::{AttributeValues, Column, Observations, Providers};
use super::results::Results;
use crate::program::{EquityBonus, Parameter, Problem, Program};
use rayon::prelude::*;
use std::fmt;

/// A stratifier that cannot be used as asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StratifierError {
    /// No provider attribute has this name.
    Unknown(String),
    /// The attribute is text but numbers are needed (quintiles, slopes, multipliers).
    NotNumeric(String),
}

impl fmt::Display for StratifierError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StratifierError::Unknown(s) => write!(f, "no provider attribute is called {s:?}"),
            StratifierError::NotNumeric(s) => {
                write!(f, "provider attribute {s:?} is not numeric")
            }
        }
    }
}

impl std::error::Error for StratifierError {}

// ---------------------------------------------------------------------------------------------
// Stratifiers as numbers
// ---------------------------------------------------------------------------------------------

fn yes_no(s: &str) -> Option<f64> {
    match s.trim().to_ascii_lowercase().as_str() {
        "yes" | "y" | "true" | "t" | "1" => Some(1.0),
        "no" | "n" | "false" | "f" | "0" => Some(0.0),
        _ => None,
    }
}

/// A stratifier as numbers: numeric values as they are, a yes/no column as 1/0 (NaN where
/// empty); `None` for any other text.
pub fn numeric_values(values: &AttributeValues) -> Option<Vec<f64>> {
    match values {
        AttributeValues::Numeric(v) => Some(v.clone()),
        AttributeValues::Text(v) => v
            .iter()
            .map(|s| {
                if s.trim().is_empty() {
                    Some(f64::NAN)
                } else {
                    yes_no(s)
                }
            })
            .collect(),
    }
}

/// Every provider attribute that reads as numbers, by name.
pub(crate) fn numeric_attributes(p: &Providers) -> Vec<(String, Vec<f64>)> {
    p.stratifiers
        .iter()
        .filter_map(|s| numeric_values(&s.values).map(|v| (s.name.clone(), v)))
        .collect()
}

/// The numeric stratifier that best stands for social risk: dual-eligible share first, then
/// deprivation or social-risk indices, then medical complexity, then any numeric one.
pub fn default_risk_stratifier(p: &Providers) -> Option<String> {
    let numeric: Vec<&str> = p
        .stratifiers
        .iter()
        .filter(|s| matches!(s.values, AttributeValues::Numeric(_)))
        .map(|s| s.name.as_str())
        .collect();
    // Words of the name: long keys match as prefixes ("dual_eligible_share"), short ones only
    // whole ("adi", not "radiology"; "lis", not "list_size").
    let find = |keys: &[&str]| {
        numeric
            .iter()
            .find(|n| {
                let l = n.to_ascii_lowercase();
                l.split(|c: char| !c.is_ascii_alphanumeric()).any(|w| {
                    keys.iter().any(|k| {
                        if k.len() <= 3 {
                            w == *k
                        } else {
                            w.starts_with(k)
                        }
                    })
                })
            })
            .map(|n| (*n).to_owned())
    };
    find(&["dual", "duals"])
        .or_else(|| {
            find(&[
                "deprivation",
                "adi",
                "sdi",
                "imd",
                "poverty",
                "social",
                "income",
                "lis",
            ])
        })
        .or_else(|| find(&["complex", "complexity", "risk", "hcc"]))
        .or_else(|| numeric.first().map(|n| (*n).to_owned()))
}

fn numeric_stratifier(p: &Providers, name: &str) -> Result<Vec<f64>, StratifierError> {
    let s = p
        .stratifier(name)
        .ok_or_else(|| StratifierError::Unknown(name.to_owned()))?;
    numeric_values(&s.values).ok_or_else(|| StratifierError::NotNumeric(name.to_owned()))
}

/// Quintile of each provider's value (0 = lowest fifth … 4 = highest), by rank: providers are
/// sorted by value (ties by id, so the cut is deterministic) and split into five groups as
/// equal as possible. `None` where the value is unknown.
pub fn quintiles(values: &[f64], ids: &[String]) -> Vec<Option<u8>> {
    let mut order: Vec<usize> = (0..values.len())
        .filter(|&i| values[i].is_finite())
        .collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]).then(ids[a].cmp(&ids[b])));
    let m = order.len();
    let mut out = vec![None; values.len()];
    for (j, &i) in order.iter().enumerate() {
        out[i] = Some((j * 5 / m) as u8);
    }
    out
}

/// Attributed lives that count toward a payout per life: known and positive (DESIGN.md §4).
pub fn counted_lives(lives: f64) -> Option<f64> {
    (lives.is_finite() && lives > 0.0).then_some(lives)
}

/// Payout per attributed life of a group, in currency units: Σ net payment (cents) of its
/// providers with [`counted_lives`], scored or not, ÷ Σ their lives; NaN when they have none.
/// Every view that shows a payout per life takes it from here (DESIGN.md §4).
pub fn payout_per_life(net_cents: i64, lives: f64) -> f64 {
    if lives > 0.0 {
        net_cents as f64 / 100.0 / lives
    } else {
        f64::NAN
    }
}

/// Sets each provider's peer group from a stratifier, so that `Standards::by_peer_group` sets
/// standards within each group (as the readmissions program does with quintiles of
/// dual-eligible share): numeric → "Q1".."Q5", text → its category; "Unknown" where missing.
pub fn set_peer_groups_from(
    obs: &mut Observations,
    stratifier: &str,
) -> Result<(), StratifierError> {
    obs.providers.peer_group = peer_group_labels(&obs.providers, stratifier)?;
    Ok(())
}

/// Each provider's peer group cut from a stratifier: quintiles "Q1".."Q5" of a numeric one,
/// the category of a text one, "Unknown" where missing (`Standards::peer_groups_from`).
pub fn peer_group_labels(p: &Providers, stratifier: &str) -> Result<Vec<String>, StratifierError> {
    let s = p
        .stratifier(stratifier)
        .ok_or_else(|| StratifierError::Unknown(stratifier.to_owned()))?;
    let groups: Vec<String> = match &s.values {
        AttributeValues::Numeric(v) => quintiles(v, &p.ids)
            .into_iter()
            .map(|q| q.map_or_else(|| "Unknown".to_owned(), |q| format!("Q{}", q + 1)))
            .collect(),
        AttributeValues::Text(v) => v
            .iter()
            .map(|c| {
                if c.trim().is_empty() {
                    "Unknown".to_owned()
                } else {
                    c.clone()
                }
            })
            .collect(),
    };
    Ok(groups)
}

// ---------------------------------------------------------------------------------------------
// The equity bonus (a step of scoring: the rule is in engine/rules/bonus.rs)
// ---------------------------------------------------------------------------------------------

pub use crate::engine::rules::bonus::{performance_scaler, underserved_multipliers};

/// A warning when the program's equity bonus reads a stratifier the data does not have as
/// numbers: every multiplier would be 0 and the bonus silently nothing.
pub fn check_equity_bonus(program: &Program, obs: &Observations) -> Option<Problem> {
    let eb = program.scoring.equity_bonus.as_ref()?;
    let err = numeric_stratifier(&obs.providers, &eb.stratifier).err()?;
    Some(Problem::warning(format!(
        "equity bonus: {err}, so no provider gets bonus points"
    )))
}

// ---------------------------------------------------------------------------------------------
// Strata
// ---------------------------------------------------------------------------------------------

/// Payment figures of one group of providers.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Stratum {
    pub label: String,
    /// Range of the stratifier in the stratum (numeric stratifiers); NaN for categories.
    pub min: f64,
    pub max: f64,
    pub providers: usize,
    /// Providers with a total score.
    pub scored: usize,
    /// Attributed lives (of providers whose lives are known).
    pub lives: f64,
    /// Σ net payment (earned − withheld), in cents.
    pub net_cents: i64,
    /// Σ net / Σ lives over providers whose lives are known, in currency units; NaN without lives.
    pub payout_per_life: f64,
    /// Mean total score of the scored providers.
    pub mean_total: f64,
    /// Share of providers earning more than zero.
    pub share_earning: f64,
    /// Share of providers whose net payment is negative.
    pub share_penalised: f64,
}

/// How a stratification groups providers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StrataKind {
    /// Quintiles of a numeric stratifier, lowest first.
    Quintiles,
    /// One stratum per value (text, or a numeric stratifier with five values or fewer).
    Categories,
}

/// Providers grouped by one stratifier, with the payment figures of each group.
#[derive(Debug, Clone, PartialEq)]
pub struct Stratification {
    pub stratifier: String,
    pub kind: StrataKind,
    /// In order (lowest quintile first, categories sorted); a last "Unknown" stratum when some
    /// providers have no value.
    pub strata: Vec<Stratum>,
    /// Stratum index of each provider.
    pub stratum_of: Vec<u32>,
}

const UNKNOWN: &str = "Unknown";

fn short(x: f64) -> String {
    let s = format!("{x:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}

/// Groups providers by a column of values: (labels, min, max, stratum of each provider).
fn group_numeric(
    values: &[f64],
    ids: &[String],
) -> (StrataKind, Vec<(String, f64, f64)>, Vec<u32>) {
    let mut distinct: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    distinct.sort_by(f64::total_cmp);
    distinct.dedup();
    let unknown_any = values.iter().any(|v| !v.is_finite());
    if distinct.len() <= 5 {
        let mut labels: Vec<(String, f64, f64)> =
            distinct.iter().map(|&v| (short(v), v, v)).collect();
        let unknown = labels.len() as u32;
        let of = values
            .iter()
            .map(|v| {
                distinct
                    .binary_search_by(|d| d.total_cmp(v))
                    .map_or(unknown, |k| k as u32)
            })
            .collect();
        if unknown_any {
            labels.push((UNKNOWN.into(), f64::NAN, f64::NAN));
        }
        return (StrataKind::Categories, labels, of);
    }
    let q = quintiles(values, ids);
    let mut ranges = [(f64::INFINITY, f64::NEG_INFINITY); 5];
    for (v, q) in values.iter().zip(&q) {
        if let Some(q) = q {
            let r = &mut ranges[*q as usize];
            r.0 = r.0.min(*v);
            r.1 = r.1.max(*v);
        }
    }
    let mut labels: Vec<(String, f64, f64)> = ranges
        .iter()
        .enumerate()
        .map(|(k, (lo, hi))| {
            (
                format!("Q{} ({}–{})", k + 1, short(*lo), short(*hi)),
                *lo,
                *hi,
            )
        })
        .collect();
    let of = q.iter().map(|q| q.map_or(5, u32::from)).collect();
    if unknown_any {
        labels.push((UNKNOWN.into(), f64::NAN, f64::NAN));
    }
    (StrataKind::Quintiles, labels, of)
}

fn group_text(values: &[String]) -> (Vec<(String, f64, f64)>, Vec<u32>) {
    let mut cats: Vec<&str> = values
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect();
    cats.sort_unstable();
    cats.dedup();
    let unknown = cats.len() as u32;
    let of: Vec<u32> = values
        .iter()
        .map(|s| cats.binary_search(&s.trim()).map_or(unknown, |k| k as u32))
        .collect();
    let mut labels: Vec<(String, f64, f64)> = cats
        .iter()
        .map(|c| ((*c).to_owned(), f64::NAN, f64::NAN))
        .collect();
    if of.contains(&unknown) {
        labels.push((UNKNOWN.into(), f64::NAN, f64::NAN));
    }
    (labels, of)
}

/// Sums the payment figures of the providers in each stratum.
fn fill_strata(
    labels: Vec<(String, f64, f64)>,
    stratum_of: &[u32],
    lives: &[f64],
    results: &Results,
) -> Vec<Stratum> {
    let k = labels.len();
    let mut strata: Vec<Stratum> = labels
        .into_iter()
        .map(|(label, min, max)| Stratum {
            label,
            min,
            max,
            ..Stratum::default()
        })
        .collect();
    let mut life_net = vec![0i64; k];
    let mut score_sum = vec![0.0; k];
    let mut earning = vec![0usize; k];
    let mut penalised = vec![0usize; k];
    let pay = &results.payment;
    for (i, &s) in stratum_of.iter().enumerate() {
        let s = s as usize;
        if s >= k {
            continue;
        }
        let st = &mut strata[s];
        st.providers += 1;
        let net = pay.net.get(i).copied().unwrap_or(0);
        st.net_cents += net;
        if let Some(l) = lives.get(i).copied().and_then(counted_lives) {
            st.lives += l;
            life_net[s] += net;
        }
        let t = results.total.get(i).copied().unwrap_or(f64::NAN);
        if !t.is_nan() {
            st.scored += 1;
            score_sum[s] += t;
        }
        if pay.earned.get(i).is_some_and(|e| *e > 0) {
            earning[s] += 1;
        }
        if net < 0 {
            penalised[s] += 1;
        }
    }
    for (s, st) in strata.iter_mut().enumerate() {
        st.payout_per_life = payout_per_life(life_net[s], st.lives);
        st.mean_total = if st.scored > 0 {
            score_sum[s] / st.scored as f64
        } else {
            f64::NAN
        };
        let np = st.providers.max(1) as f64;
        st.share_earning = earning[s] as f64 / np;
        st.share_penalised = penalised[s] as f64 / np;
    }
    strata
}

/// Payment figures by stratum of one stratifier: quintiles when numeric (with more than five
/// distinct values), categories otherwise.
pub fn stratify(
    providers: &Providers,
    results: &Results,
    stratifier: &str,
) -> Result<Stratification, StratifierError> {
    let s = providers
        .stratifier(stratifier)
        .ok_or_else(|| StratifierError::Unknown(stratifier.to_owned()))?;
    let (kind, labels, of) = match &s.values {
        AttributeValues::Numeric(v) => group_numeric(v, &providers.ids),
        AttributeValues::Text(v) => {
            let (l, o) = group_text(v);
            (StrataKind::Categories, l, o)
        }
    };
    Ok(Stratification {
        stratifier: stratifier.to_owned(),
        kind,
        strata: fill_strata(labels, &of, &providers.lives, results),
        stratum_of: of,
    })
}

impl Stratification {
    /// The same groups of the same providers, with the payment figures of `results`: what
    /// [`stratify`] or [`stratify_text`] would give for them, without grouping again (a pool
    /// slider moves the money, not who is in which stratum).
    pub fn refill(&self, providers: &Providers, results: &Results) -> Stratification {
        let labels = self
            .strata
            .iter()
            .map(|s| (s.label.clone(), s.min, s.max))
            .collect();
        Stratification {
            stratifier: self.stratifier.clone(),
            kind: self.kind,
            strata: fill_strata(labels, &self.stratum_of, &providers.lives, results),
            stratum_of: self.stratum_of.clone(),
        }
    }
}

/// Payment figures by stratum of a column of labels (one per provider; empty is "Unknown"),
/// counted as [`stratify`] counts them.
pub fn stratify_text(
    name: &str,
    values: &[String],
    providers: &Providers,
    results: &Results,
) -> Stratification {
    let (labels, of) = group_text(values);
    Stratification {
        stratifier: name.to_owned(),
        kind: StrataKind::Categories,
        strata: fill_strata(labels, &of, &providers.lives, results),
        stratum_of: of,
    }
}

// ---------------------------------------------------------------------------------------------
// The reverse Robin Hood indicator
// ---------------------------------------------------------------------------------------------

/// How y moves with x: least-squares line and correlations.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Association {
    /// Points used (both values finite).
    pub n: usize,
    /// Change in y per unit of x (ordinary least squares).
    pub slope: f64,
    pub intercept: f64,
    pub pearson: f64,
    /// Pearson correlation of the ranks (ties share their average rank).
    pub spearman: f64,
}

impl Default for Association {
    fn default() -> Self {
        Association {
            n: 0,
            slope: f64::NAN,
            intercept: f64::NAN,
            pearson: f64::NAN,
            spearman: f64::NAN,
        }
    }
}

fn ols(x: &[f64], y: &[f64]) -> (f64, f64, f64) {
    let n = x.len() as f64;
    if x.len() < 2 {
        return (f64::NAN, f64::NAN, f64::NAN);
    }
    let mx = x.iter().sum::<f64>() / n;
    let my = y.iter().sum::<f64>() / n;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    let slope = if sxx > 0.0 { sxy / sxx } else { f64::NAN };
    let r = if sxx > 0.0 && syy > 0.0 {
        sxy / (sxx * syy).sqrt()
    } else {
        f64::NAN
    };
    (slope, my - slope * mx, r)
}

/// Ranks from 1, ties sharing their average rank.
pub fn average_ranks(v: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..v.len()).collect();
    order.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
    let mut ranks = vec![0.0; v.len()];
    let mut j = 0;
    while j < order.len() {
        let mut k = j;
        while k + 1 < order.len() && v[order[k + 1]] == v[order[j]] {
            k += 1;
        }
        let r = (j + k) as f64 / 2.0 + 1.0;
        for &i in &order[j..=k] {
            ranks[i] = r;
        }
        j = k + 1;
    }
    ranks
}

/// Least-squares slope, Pearson and Spearman correlation of y on x over the points where both
/// are finite.
pub fn associate(x: &[f64], y: &[f64]) -> Association {
    let (xs, ys): (Vec<f64>, Vec<f64>) = x
        .iter()
        .zip(y)
        .filter(|(a, b)| a.is_finite() && b.is_finite())
        .map(|(a, b)| (*a, *b))
        .unzip();
    let (slope, intercept, pearson) = ols(&xs, &ys);
    let spearman = ols(&average_ranks(&xs), &average_ranks(&ys)).2;
    Association {
        n: xs.len(),
        slope,
        intercept,
        pearson,
        spearman,
    }
}

/// The reverse Robin Hood indicator: how payout per attributed life and total score move with
/// a numeric social-risk stratifier, with the points for a scatter plot.
#[derive(Debug, Clone, PartialEq)]
pub struct RiskGradient {
    pub stratifier: String,
    /// One point per scored provider whose stratifier value is known: its index, x, payout
    /// per attributed life (currency units; NaN when its lives are unknown) and total score.
    pub provider: Vec<u32>,
    pub x: Vec<f64>,
    pub payout_per_life: Vec<f64>,
    pub total: Vec<f64>,
    /// Payout per life on x: a negative slope is the reverse Robin Hood effect.
    pub payout: Association,
    /// Total score on x.
    pub score: Association,
    /// Payout per life (Σ net / Σ lives) of the lowest-risk and highest-risk strata (quintiles,
    /// or the lowest and highest values), over all their providers.
    pub bottom_payout_per_life: f64,
    pub top_payout_per_life: f64,
    /// top / bottom: below 1 means the highest-risk providers get less per life.
    pub top_bottom_ratio: f64,
}

/// The reverse Robin Hood indicator on a numeric stratifier (a yes/no one counts as 0/1).
pub fn risk_gradient(
    providers: &Providers,
    results: &Results,
    stratifier: &str,
) -> Result<RiskGradient, StratifierError> {
    let xs = numeric_stratifier(providers, stratifier)?;
    let mut g = RiskGradient {
        stratifier: stratifier.to_owned(),
        provider: Vec::new(),
        x: Vec::new(),
        payout_per_life: Vec::new(),
        total: Vec::new(),
        payout: Association::default(),
        score: Association::default(),
        bottom_payout_per_life: f64::NAN,
        top_payout_per_life: f64::NAN,
        top_bottom_ratio: f64::NAN,
    };
    for (i, &x) in xs.iter().enumerate() {
        let t = results.total.get(i).copied().unwrap_or(f64::NAN);
        if !x.is_finite() || t.is_nan() {
            continue;
        }
        let lives = providers.lives.get(i).copied().unwrap_or(f64::NAN);
        let net = results.payment.net.get(i).copied().unwrap_or(0);
        g.provider.push(i as u32);
        g.x.push(x);
        g.total.push(t);
        g.payout_per_life
            .push(counted_lives(lives).map_or(f64::NAN, |l| payout_per_life(net, l)));
    }
    g.payout = associate(&g.x, &g.payout_per_life);
    g.score = associate(&g.x, &g.total);
    let (_, labels, of) = group_numeric(&xs, &providers.ids);
    let strata = fill_strata(labels, &of, &providers.lives, results);
    let known: Vec<&Stratum> = strata.iter().filter(|s| s.label != UNKNOWN).collect();
    if let (Some(b), Some(t)) = (known.first(), known.last()) {
        g.bottom_payout_per_life = b.payout_per_life;
        g.top_payout_per_life = t.payout_per_life;
        g.top_bottom_ratio = t.payout_per_life / b.payout_per_life;
    }
    Ok(g)
}

/// The equity lens of one simulation.
#[derive(Debug, Clone, PartialEq)]
pub struct EquityReport {
    /// All providers together.
    pub overall: Stratum,
    /// The reverse Robin Hood indicator on the risk stratifier (none without a numeric one).
    pub risk: Option<RiskGradient>,
    /// By service area and peer group (when they vary), then by every stratifier.
    pub strata: Vec<Stratification>,
}

/// The equity lens of a simulation: figures by stratum for every stratifier and the reverse
/// Robin Hood indicator on `risk_stratifier` (by default [`default_risk_stratifier`]).
/// Cheap (sorting and sums): meant to run on every simulation.
pub fn equity_report(
    providers: &Providers,
    results: &Results,
    risk_stratifier: Option<&str>,
) -> Result<EquityReport, StratifierError> {
    let n = providers.len();
    let all = fill_strata(
        vec![("All providers".into(), f64::NAN, f64::NAN)],
        &vec![0; n],
        &providers.lives,
        results,
    );
    let mut strata = Vec::new();
    for (name, col) in [
        ("service_area", &providers.service_area),
        ("peer_group", &providers.peer_group),
    ] {
        let mut distinct: Vec<&String> = col.iter().filter(|s| !s.trim().is_empty()).collect();
        distinct.sort_unstable();
        distinct.dedup();
        if distinct.len() > 1 {
            strata.push(stratify_text(name, col, providers, results));
        }
    }
    for s in &providers.stratifiers {
        strata.push(stratify(providers, results, &s.name)?);
    }
    let risk_name = match risk_stratifier {
        Some(r) => Some(r.to_owned()),
        None => default_risk_stratifier(providers),
    };
    let risk = match risk_name {
        Some(r) => Some(risk_gradient(providers, results, &r)?),
        None => None,
    };
    Ok(EquityReport {
        overall: all.into_iter().next().unwrap_or_default(),
        risk,
        strata,
    })
}

// ---------------------------------------------------------------------------------------------
// Stratified measure reporting
// ---------------------------------------------------------------------------------------------

/// One measure's rates in one stratum.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StratumRate {
    pub label: String,
    /// Providers reporting the measure in the performance period.
    pub providers: usize,
    pub numerator: f64,
    /// Denominator after exclusions.
    pub denominator: f64,
    /// Σ numerator / Σ denominator in the performance period (NaN without counts).
    pub pooled_rate: f64,
    /// The same in the baseline period.
    pub baseline_pooled_rate: f64,
    /// Unweighted mean of the providers' scored rates (O/E where expected events are given).
    pub mean_rate: f64,
}

/// A measure's rates by stratum: does quality differ by social risk, and is the gap closing?
#[derive(Debug, Clone, PartialEq)]
pub struct StratifiedMeasure {
    pub measure_id: String,
    pub higher_is_better: bool,
    /// In the order of the stratification's strata.
    pub strata: Vec<StratumRate>,
    /// Pooled rate of the last known stratum (highest risk) minus the first (lowest risk).
    pub top_minus_bottom: f64,
    /// The same in the baseline period: a shrinking gap is a disparity closing.
    pub baseline_top_minus_bottom: f64,
}

/// Rates per stratum of `stratifier` for every scored measure (stratified measure reporting).
pub fn stratified_rates(
    program: &Program,
    obs: &Observations,
    stratifier: &str,
) -> Result<(Stratification, Vec<StratifiedMeasure>), StratifierError> {
    let strat = stratify(&obs.providers, &Results::default(), stratifier)?;
    let k = strat.strata.len();
    let std = &program.standards;
    let mut out = Vec::new();
    for m in program.scored_measures().filter(|m| !m.supplied_score) {
        let mut rows: Vec<StratumRate> = strat
            .strata
            .iter()
            .map(|s| StratumRate {
                label: s.label.clone(),
                ..StratumRate::default()
            })
            .collect();
        let mut base = vec![(0.0, 0.0); k];
        let mut rate_sum = vec![0.0; k];
        if let Some(v) = obs.series(&m.id, &std.performance_period) {
            for (i, &s) in strat.stratum_of.iter().enumerate() {
                let r = v.effective_rate(i);
                if r.is_nan() {
                    continue;
                }
                let row = &mut rows[s as usize];
                row.providers += 1;
                rate_sum[s as usize] += r;
                let (num, den) = (v.numerator[i], v.eligible_denominator(i));
                if num.is_finite() && den > 0.0 {
                    row.numerator += num;
                    row.denominator += den;
                }
            }
        }
        if let Some(v) = obs.series(&m.id, &std.baseline_period) {
            for (i, &s) in strat.stratum_of.iter().enumerate() {
                let (num, den) = (v.numerator[i], v.eligible_denominator(i));
                if num.is_finite() && den > 0.0 {
                    base[s as usize].0 += num;
                    base[s as usize].1 += den;
                }
            }
        }
        let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { f64::NAN };
        for (s, row) in rows.iter_mut().enumerate() {
            row.pooled_rate = ratio(row.numerator, row.denominator);
            row.baseline_pooled_rate = ratio(base[s].0, base[s].1);
            row.mean_rate = ratio(rate_sum[s], row.providers as f64);
        }
        let known: Vec<&StratumRate> = rows.iter().filter(|r| r.label != UNKNOWN).collect();
        let gap = |f: fn(&StratumRate) -> f64| match (known.first(), known.last()) {
            (Some(b), Some(t)) => f(t) - f(b),
            _ => f64::NAN,
        };
        out.push(StratifiedMeasure {
            measure_id: m.id.clone(),
            higher_is_better: m.direction.sign() > 0.0,
            top_minus_bottom: gap(|r| r.pooled_rate),
            baseline_top_minus_bottom: gap(|r| r.baseline_pooled_rate),
            strata: rows,
        });
    }
    Ok((strat, out))
}

// ---------------------------------------------------------------------------------------------
// Observed / expected risk adjustment
// ---------------------------------------------------------------------------------------------

/// Solves a small dense system by Gaussian elimination with partial pivoting.
fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Option<Vec<f64>> {
    let k = b.len();
    for c in 0..k {
        let p = (c..k).max_by(|&x, &y| a[x][c].abs().total_cmp(&a[y][c].abs()))?;
        if a[p][c].abs() < 1e-12 {
            return None;
        }
        a.swap(c, p);
        b.swap(c, p);
        let pivot = a[c].clone();
        for r in c + 1..k {
            let f = a[r][c] / pivot[c];
            for (x, p) in a[r][c..].iter_mut().zip(&pivot[c..]) {
                *x -= f * p;
            }
            b[r] -= f * b[c];
        }
    }
    let mut x = vec![0.0; k];
    for c in (0..k).rev() {
        let s: f64 = (c + 1..k).map(|j| a[c][j] * x[j]).sum();
        x[c] = (b[c] - s) / a[c][c];
    }
    Some(x)
}

/// The data with expected events filled in for every measure and period with counts, from a
/// denominator-weighted linear regression of providers' rates on `stratifiers` (indirect
/// standardisation on social risk). Expected counts are scaled so that the engine, which scores
/// numerator / expected, scores the risk-standardised rate O/E × the overall rate, in the
/// measure's own units. Expected values already in the data are kept; providers with an
/// unknown stratifier are expected to score the overall rate.
pub fn risk_adjusted(
    obs: &Observations,
    stratifiers: &[&str],
) -> Result<Observations, StratifierError> {
    let cols: Vec<Vec<f64>> = stratifiers
        .iter()
        .map(|s| numeric_stratifier(&obs.providers, s))
        .collect::<Result<_, _>>()?;
    let mut out = obs.clone();
    let n = obs.provider_count();
    let k = cols.len() + 1;
    for v in out.series.values_mut() {
        let dens: Vec<f64> = (0..n).map(|i| v.eligible_denominator(i)).collect();
        let ok: Vec<bool> = (0..n)
            .map(|i| {
                v.rate[i].is_nan()
                    && v.expected[i].is_nan()
                    && v.numerator[i].is_finite()
                    && dens[i] > 0.0
            })
            .collect();
        let (mut xtx, mut xty) = (vec![vec![0.0; k]; k], vec![0.0; k]);
        let (mut num_sum, mut den_sum) = (0.0, 0.0);
        let row = |i: usize| -> Option<Vec<f64>> {
            let mut r = vec![1.0];
            for c in &cols {
                if !c[i].is_finite() {
                    return None;
                }
                r.push(c[i]);
            }
            Some(r)
        };
        for i in (0..n).filter(|&i| ok[i]) {
            let den = dens[i];
            num_sum += v.numerator[i];
            den_sum += den;
            if let Some(r) = row(i) {
                let y = v.numerator[i] / den;
                for a in 0..k {
                    xty[a] += den * r[a] * y;
                    for b in 0..k {
                        xtx[a][b] += den * r[a] * r[b];
                    }
                }
            }
        }
        let overall = if den_sum > 0.0 {
            num_sum / den_sum
        } else {
            0.0
        };
        let Some(beta) = (overall > 0.0).then(|| solve(xtx, xty)).flatten() else {
            continue;
        };
        for i in 0..n {
            if !ok[i] {
                continue;
            }
            let predicted = match row(i) {
                Some(r) => r.iter().zip(&beta).map(|(a, b)| a * b).sum::<f64>(),
                None => overall,
            };
            // A linear model can leave [0, 1]; keep the expected rate a probability.
            let p = predicted.clamp(1e-3, 1.0 - 1e-3);
            v.expected[i] = dens[i] * p / overall;
        }
    }
    Ok(out)
}

/// The data without expected events: raw rates are scored.
pub fn without_risk_adjustment(obs: &Observations) -> Observations {
    let mut out = obs.clone();
    for v in out.series.values_mut() {
        v.expected = Column::unknown(v.expected.len());
    }
    out
}

fn has_expected(obs: &Observations) -> bool {
    obs.series
        .values()
        .any(|v| v.expected.iter().any(|e| e.is_finite() && *e > 0.0))
}

// ---------------------------------------------------------------------------------------------
// Counters
// ---------------------------------------------------------------------------------------------

/// A design choice that can counter the reverse Robin Hood effect, switched on or off.
#[derive(Debug, Clone, PartialEq)]
pub enum Counter {
    /// Standards set within peer groups: quintiles of a numeric stratifier (or its categories).
    PeerGroupStandards { stratifier: String },
    /// Observed / expected rates: the data's expected events, or a regression on these
    /// stratifiers when the data has none.
    RiskAdjustment { stratifiers: Vec<String> },
    /// Points for improving on the provider's own baseline.
    ImprovementCredit,
    /// Bonus points for high performers serving underserved patients.
    EquityBonus(EquityBonus),
}

impl Counter {
    pub fn label(&self) -> String {
        match self {
            Counter::PeerGroupStandards { stratifier } => {
                format!("Peer-group standards by {stratifier}")
            }
            Counter::RiskAdjustment { stratifiers } => {
                format!(
                    "Observed/expected risk adjustment ({})",
                    stratifiers.join(", ")
                )
            }
            Counter::ImprovementCredit => "Improvement credit".into(),
            Counter::EquityBonus(b) => format!("Equity bonus by {}", b.stratifier),
        }
    }

    /// The program and data with this counter on or off (everything else as designed).
    pub fn apply(
        &self,
        program: &Program,
        obs: &Observations,
        on: bool,
    ) -> Result<(Program, Observations), StratifierError> {
        let mut p = program.clone();
        let data = match self {
            Counter::PeerGroupStandards { stratifier } => {
                p.standards.by_peer_group = on;
                let mut o = obs.clone();
                if on {
                    set_peer_groups_from(&mut o, stratifier)?;
                }
                o
            }
            Counter::RiskAdjustment { stratifiers } => {
                if !on {
                    without_risk_adjustment(obs)
                } else if has_expected(obs) {
                    obs.clone()
                } else {
                    let names: Vec<&str> = stratifiers.iter().map(String::as_str).collect();
                    risk_adjusted(obs, &names)?
                }
            }
            Counter::ImprovementCredit => {
                Parameter::ImprovementCredit.set(&mut p, if on { 1.0 } else { 0.0 });
                obs.clone()
            }
            Counter::EquityBonus(b) => {
                p.scoring.equity_bonus = on.then(|| b.clone());
                obs.clone()
            }
        };
        Ok((p, data))
    }
}

/// The equity figures of one run of the engine, for side-by-side comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct EquityFigures {
    pub paid_cents: i64,
    pub providers_earning: usize,
    pub providers_penalised: usize,
    /// The reverse Robin Hood indicator on the risk stratifier.
    pub gradient: RiskGradient,
    /// Payment figures by stratum of the risk stratifier.
    pub strata: Stratification,
}

/// Runs the engine and takes its equity figures on the risk stratifier.
pub fn equity_figures(
    program: &Program,
    obs: &Observations,
    risk_stratifier: &str,
) -> Result<EquityFigures, StratifierError> {
    let (_, results) = super::run(program, obs);
    Ok(EquityFigures {
        paid_cents: results.payment.paid_cents,
        providers_earning: results.earning_count(),
        providers_penalised: results.penalised_count(),
        gradient: risk_gradient(&obs.providers, &results, risk_stratifier)?,
        strata: stratify(&obs.providers, &results, risk_stratifier)?,
    })
}

/// One counter's equity figures with it off and on.
#[derive(Debug, Clone, PartialEq)]
pub struct CounterResult {
    pub counter: Counter,
    pub label: String,
    pub off: EquityFigures,
    pub on: EquityFigures,
}

/// The counters worth comparing on these data: peer groups by quintile of the risk stratifier,
/// risk adjustment on it, improvement credit, and the program's equity bonus (or a default one
/// on the risk stratifier).
pub fn default_counters(program: &Program, risk_stratifier: &str) -> Vec<Counter> {
    let bonus = program
        .scoring
        .equity_bonus
        .clone()
        .unwrap_or_else(|| EquityBonus {
            stratifier: risk_stratifier.to_owned(),
            ..EquityBonus::default()
        });
    vec![
        Counter::PeerGroupStandards {
            stratifier: risk_stratifier.to_owned(),
        },
        Counter::RiskAdjustment {
            stratifiers: vec![risk_stratifier.to_owned()],
        },
        Counter::ImprovementCredit,
        Counter::EquityBonus(bonus),
    ]
}

/// Each counter's equity figures off and on, on the given risk stratifier (runs the engine
/// twice per counter, in parallel).
pub fn compare_counters_on(
    program: &Program,
    obs: &Observations,
    risk_stratifier: &str,
    counters: &[Counter],
) -> Result<Vec<CounterResult>, StratifierError> {
    numeric_stratifier(&obs.providers, risk_stratifier)?;
    counters
        .par_iter()
        .map(|c| {
            let figures = |on: bool| -> Result<EquityFigures, StratifierError> {
                let (p, o) = c.apply(program, obs, on)?;
                equity_figures(&p, &o, risk_stratifier)
            };
            let label = match c {
                Counter::RiskAdjustment { .. } if has_expected(obs) => {
                    "Observed/expected risk adjustment (the data's expected events)".to_owned()
                }
                _ => c.label(),
            };
            Ok(CounterResult {
                counter: c.clone(),
                label,
                off: figures(false)?,
                on: figures(true)?,
            })
        })
        .collect()
}

/// Each default counter's equity figures off and on, on the default risk stratifier; empty when
/// the data has no numeric stratifier.
pub fn compare_counters(program: &Program, obs: &Observations) -> Vec<CounterResult> {
    let Some(risk) = default_risk_stratifier(&obs.providers) else {
        return Vec::new();
    };
    compare_counters_on(program, obs, &risk, &default_counters(program, &risk)).unwrap_or_default()
}
