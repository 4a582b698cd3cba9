//! Deterministic synthetic performance data for a Medicaid primary-care P4P program, and a
//! complete sample program that uses it.
//!
//! Pure: no file I/O, no polars. The same [`SynthSpec`] gives the same [`Observations`] on every
//! run and machine: every random number comes from ChaCha8 streams fixed by the seed (one
//! stream for practice attributes, one per measure), and nothing iterates a hash map.
//!
//! What the data is built to show:
//! - practices of several kinds (FQHCs, rural health clinics, health-system and independent
//!   practices, paediatric practices, behavioural-health homes) in five regions, with
//!   attributed lives from 200 to 20,000 (lognormal) and payments proportional to lives;
//! - **the reverse Robin Hood effect**: practices whose patients are more often dual-eligible
//!   or medically complex score lower on average, so a naive program pays them less;
//! - modest improvement from baseline to performance period for most practices, with noise;
//!   small practices are noisier simply because their denominators are small;
//! - a later monitoring period reported by only some practices for some measures.
//!
//! Caveat on "every machine": the distributions use `f64::ln`/`exp`, which come from the
//! platform's maths library. Counts are integers and lives are rounded, so a last-bit
//! difference would only show if it moved a value across a rounding or rejection boundary.

mod patient_rows;
mod patients;
mod sample;

pub use patient_rows::{PatientRow, PatientRows};
pub use patients::{PATIENT_COLUMNS, expected_sum, for_each_patient_row, patient_mapping};
pub use sample::{
    SAMPLE_PROVIDERS, SAMPLE_SEED, medicaid_primary_care_data, medicaid_primary_care_program,
    program_for, sample_spec,
};

use crate::engine::{AttributeValues, Observations, PeriodValues};
use crate::program::Direction;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Beta, Binomial, Distribution, StandardNormal};
use rayon::prelude::*;

/// What to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct SynthSpec {
    /// Number of practices.
    pub providers: usize,
    /// Number of measures: the first ones of [`MEASURES`], repeated with a `.2`, `.3`… suffix
    /// when more are asked for than there are templates.
    pub measures: usize,
    pub seed: u64,
    pub baseline_period: String,
    pub performance_period: String,
    /// A later period for monitoring, reported for the first `monitoring_measures` measures by
    /// only some practices; `None` for none.
    pub monitoring_period: Option<String>,
    pub monitoring_measures: usize,
    /// Typical chance that a practice reports a measure in the monitoring period (larger
    /// practices report more reliably).
    pub monitoring_completeness: f64,
    /// Strength of the reverse Robin Hood effect: 1 is the built-in strength, 0 removes it
    /// (complex and dual-eligible patients then do not lower a practice's rates).
    pub risk_gradient: f64,
}

impl Default for SynthSpec {
    fn default() -> Self {
        SynthSpec {
            providers: 300,
            measures: 7,
            seed: 1,
            baseline_period: "baseline".into(),
            performance_period: "performance".into(),
            monitoring_period: Some("2026Q1".into()),
            monitoring_measures: 4,
            monitoring_completeness: 0.85,
            risk_gradient: 1.0,
        }
    }
}

/// The most practices [`generate`] is asked for from the command line: far beyond any real
/// program, and small enough that the columns fit in memory.
pub const MAX_PROVIDERS: usize = 10_000_000;

/// The most measures [`generate`] is asked for from the command line.
pub const MAX_MEASURES: usize = 10_000;

/// The most practice × measure results per period.
pub const MAX_RESULTS: usize = 1_000_000_000;

impl SynthSpec {
    /// Refuses sizes no machine could hold (a count near 2^64 would overflow an allocation),
    /// naming the setting and its limit.
    pub fn check(&self) -> Result<(), String> {
        if self.providers == 0 || self.providers > MAX_PROVIDERS {
            return Err(format!(
                "{} providers: ask for 1 to {MAX_PROVIDERS}",
                self.providers
            ));
        }
        if self.measures == 0 || self.measures > MAX_MEASURES {
            return Err(format!(
                "{} measures: ask for 1 to {MAX_MEASURES}",
                self.measures
            ));
        }
        if self.providers.saturating_mul(self.measures) > MAX_RESULTS {
            return Err(format!(
                "{} providers × {} measures is more than {MAX_RESULTS} results per period",
                self.providers, self.measures
            ));
        }
        Ok(())
    }

    pub fn new(providers: usize, measures: usize, seed: u64) -> Self {
        SynthSpec {
            providers,
            measures,
            seed,
            ..SynthSpec::default()
        }
    }
}

/// A measure template: a real Medicaid Core Set measure with plausible Medicaid rates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SynthMeasure {
    pub id: &'static str,
    pub title: &'static str,
    /// Scoring domain id in the sample program.
    pub domain: &'static str,
    pub direction: Direction,
    /// Typical baseline rate of an average-risk practice.
    pub base_rate: f64,
    /// Denominator per attributed adult and per attributed child.
    pub per_adult: f64,
    pub per_child: f64,
    /// How much more often complex patients fall in the denominator (chronic conditions,
    /// hospital stays): the denominator is scaled by 1 + this × complex share.
    pub complexity_prevalence: f64,
    /// Share of the denominator excluded (exceptions), rising with complexity.
    pub exclusion_rate: f64,
    /// Logit points lost per unit of the practice's risk index (reverse Robin Hood).
    pub risk_effect: f64,
    /// Spread of practice quality on this measure, in logit points.
    pub spread: f64,
}

#[allow(clippy::too_many_arguments)]
const fn higher(
    id: &'static str,
    title: &'static str,
    domain: &'static str,
    base_rate: f64,
    per_adult: f64,
    per_child: f64,
    complexity_prevalence: f64,
    exclusion_rate: f64,
) -> SynthMeasure {
    SynthMeasure {
        id,
        title,
        domain,
        direction: Direction::HigherIsBetter,
        base_rate,
        per_adult,
        per_child,
        complexity_prevalence,
        exclusion_rate,
        risk_effect: 0.45,
        spread: 0.35,
    }
}

/// The measure templates, vital few first (the sample program scores the first seven).
pub const MEASURES: [SynthMeasure; 14] = [
    higher(
        "CBP-AD",
        "Controlling High Blood Pressure",
        "chronic",
        0.56,
        0.09,
        0.0,
        1.5,
        0.04,
    ),
    higher(
        "HBD-AD",
        "Hemoglobin A1c Control for Patients with Diabetes",
        "chronic",
        0.50,
        0.07,
        0.002,
        1.5,
        0.03,
    ),
    SynthMeasure {
        id: "PCR-AD",
        title: "Plan All-Cause Readmissions",
        domain: "chronic",
        direction: Direction::LowerIsBetter,
        base_rate: 0.11,
        per_adult: 0.045,
        per_child: 0.004,
        complexity_prevalence: 3.0,
        exclusion_rate: 0.02,
        risk_effect: 0.40,
        spread: 0.25,
    },
    higher(
        "BCS-AD",
        "Breast Cancer Screening",
        "prevention",
        0.50,
        0.06,
        0.0,
        0.0,
        0.02,
    ),
    higher(
        "CCS-AD",
        "Cervical Cancer Screening",
        "prevention",
        0.54,
        0.22,
        0.01,
        0.0,
        0.03,
    ),
    higher(
        "WCV-CH",
        "Child and Adolescent Well-Care Visits",
        "prevention",
        0.48,
        0.05,
        0.80,
        0.0,
        0.0,
    ),
    SynthMeasure {
        risk_effect: 0.50,
        spread: 0.45,
        ..higher(
            "FUH-AD",
            "Follow-Up After Hospitalization for Mental Illness: Age 18 and Older",
            "behavioural",
            0.38,
            0.01,
            0.0,
            6.0,
            0.0,
        )
    },
    higher(
        "CIS-CH",
        "Childhood Immunization Status",
        "prevention",
        0.33,
        0.0,
        0.06,
        0.0,
        0.01,
    ),
    higher(
        "AMM-AD",
        "Antidepressant Medication Management",
        "behavioural",
        0.56,
        0.03,
        0.0,
        2.0,
        0.0,
    ),
    higher(
        "PPC2-AD",
        "Prenatal and Postpartum Care: Age 21 and Older",
        "prevention",
        0.74,
        0.02,
        0.0,
        0.0,
        0.0,
    ),
    higher(
        "W30-CH",
        "Well-Child Visits in the First 30 Months of Life",
        "prevention",
        0.58,
        0.0,
        0.06,
        0.0,
        0.0,
    ),
    higher(
        "CHL-AD",
        "Chlamydia Screening: Ages 21 to 24",
        "prevention",
        0.55,
        0.03,
        0.0,
        0.0,
        0.01,
    ),
    higher(
        "IMA-CH",
        "Immunizations for Adolescents",
        "prevention",
        0.34,
        0.0,
        0.07,
        0.0,
        0.01,
    ),
    higher(
        "COL-AD",
        "Colorectal Cancer Screening",
        "prevention",
        0.42,
        0.12,
        0.0,
        0.0,
        0.02,
    ),
];

/// The template and id of the `k`-th generated measure.
pub fn measure_at(k: usize) -> (String, &'static SynthMeasure) {
    let t = &MEASURES[k % MEASURES.len()];
    let round = k / MEASURES.len();
    let id = if round == 0 {
        t.id.to_owned()
    } else {
        format!("{}.{}", t.id, round + 1)
    };
    (id, t)
}

/// The ids of the first `count` generated measures, in generation order.
pub fn measure_ids(count: usize) -> Vec<String> {
    (0..count).map(|k| measure_at(k).0).collect()
}

/// Names of the stratifier columns, in the order they are added.
pub const STRATIFIERS: [&str; 5] = [
    "dual_share",
    "complex_share",
    "safety_net",
    "rural",
    "region",
];

/// A kind of practice and its typical patients.
struct PracticeType {
    peer_group: &'static str,
    service_area: &'static str,
    share: f64,
    median_lives: f64,
    lives_sigma: f64,
    dual_mean: f64,
    complex_mean: f64,
    child_share: f64,
    safety_net: f64,
    rural: f64,
    /// Shift of practice quality (standard deviations): resources, not patients.
    quality: f64,
    /// Base capitation, dollars per member per month.
    capitation_pmpm: f64,
}

const TYPES: [PracticeType; 6] = [
    PracticeType {
        peer_group: "FQHC",
        service_area: "primary_care",
        share: 0.22,
        median_lives: 3200.0,
        lives_sigma: 0.7,
        dual_mean: 0.34,
        complex_mean: 0.26,
        child_share: 0.35,
        safety_net: 0.97,
        rural: 0.30,
        quality: 0.0,
        capitation_pmpm: 34.0,
    },
    PracticeType {
        peer_group: "Rural health clinic",
        service_area: "primary_care",
        share: 0.12,
        median_lives: 900.0,
        lives_sigma: 0.6,
        dual_mean: 0.30,
        complex_mean: 0.23,
        child_share: 0.30,
        safety_net: 0.80,
        rural: 1.0,
        quality: -0.1,
        capitation_pmpm: 32.0,
    },
    PracticeType {
        peer_group: "Health system",
        service_area: "primary_care",
        share: 0.26,
        median_lives: 2400.0,
        lives_sigma: 0.8,
        dual_mean: 0.20,
        complex_mean: 0.18,
        child_share: 0.30,
        safety_net: 0.15,
        rural: 0.15,
        quality: 0.2,
        capitation_pmpm: 30.0,
    },
    PracticeType {
        peer_group: "Independent",
        service_area: "primary_care",
        share: 0.22,
        median_lives: 800.0,
        lives_sigma: 0.7,
        dual_mean: 0.18,
        complex_mean: 0.15,
        child_share: 0.25,
        safety_net: 0.05,
        rural: 0.25,
        quality: 0.0,
        capitation_pmpm: 28.0,
    },
    PracticeType {
        peer_group: "Pediatric",
        service_area: "primary_care",
        share: 0.10,
        median_lives: 1800.0,
        lives_sigma: 0.7,
        dual_mean: 0.02,
        complex_mean: 0.09,
        child_share: 0.95,
        safety_net: 0.20,
        rural: 0.15,
        quality: 0.1,
        capitation_pmpm: 22.0,
    },
    PracticeType {
        peer_group: "Behavioral health home",
        service_area: "behavioural_health",
        share: 0.08,
        median_lives: 600.0,
        lives_sigma: 0.6,
        dual_mean: 0.50,
        complex_mean: 0.48,
        child_share: 0.05,
        safety_net: 0.70,
        rural: 0.20,
        quality: -0.1,
        capitation_pmpm: 45.0,
    },
];

const PLACES: [&str; 64] = [
    "Riverside",
    "Oakwood",
    "Cedar Grove",
    "Maple Hill",
    "Pine Valley",
    "Lakeview",
    "Brookfield",
    "Fairview",
    "Highland",
    "Meadowbrook",
    "Stonebridge",
    "Willow Creek",
    "Clearwater",
    "Eastgate",
    "Westfield",
    "Northbrook",
    "Southport",
    "Greenville",
    "Harbor",
    "Summit",
    "Bayside",
    "Elmwood",
    "Ashford",
    "Kingsley",
    "Millbrook",
    "Redwood",
    "Silver Lake",
    "Sunnyside",
    "Valley View",
    "Woodland",
    "Copper Hill",
    "Prairie",
    "Red River",
    "Bluff City",
    "Canyon",
    "Aspen",
    "Birchwood",
    "Hawthorne",
    "Juniper",
    "Laurel",
    "Magnolia",
    "Oak Ridge",
    "Pinecrest",
    "Rosewood",
    "Sycamore",
    "Timberline",
    "Cottonwood",
    "Sandstone",
    "Granite Falls",
    "Iron Springs",
    "Marion",
    "Franklin",
    "Jefferson",
    "Clayton",
    "Dover",
    "Easton",
    "Fulton",
    "Hudson",
    "Lincoln",
    "Madison",
    "Monroe",
    "Newton",
    "Salem",
    "Union",
];

const SYSTEMS: [&str; 4] = [
    "Northstar Health",
    "Keystone Medical Group",
    "Bayview Health Partners",
    "Summit Care Network",
];

const RURAL_REGIONS: [&str; 3] = ["North", "West", "Southeast"];
const URBAN_REGIONS: [&str; 3] = ["Metro", "Central", "Southeast"];

/// Dollars per member per month of total cost of care for an average-risk adult.
const TCOC_PMPM: f64 = 290.0;

/// Practice attributes and the latent traits that drive its rates.
struct Practices {
    lives: Vec<f64>,
    child: Vec<f64>,
    dual: Vec<f64>,
    complex: Vec<f64>,
    /// Practice quality (standard deviations).
    quality: Vec<f64>,
    /// How much the practice improves from baseline (logit points).
    improvement: Vec<f64>,
    /// Propensity to report in the monitoring period.
    reporting: Vec<f64>,
}

impl Practices {
    /// The risk index: 0 for a typical practice, about +1 for a behavioural-health home.
    fn risk(&self, i: usize) -> f64 {
        1.6 * (self.dual[i] - 0.25) + 2.0 * (self.complex[i] - 0.20)
    }
}

fn rng_for(seed: u64, stream: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    rng
}

fn normal(rng: &mut ChaCha8Rng) -> f64 {
    rng.sample(StandardNormal)
}

fn beta(rng: &mut ChaCha8Rng, mean: f64, concentration: f64) -> f64 {
    let mean = mean.clamp(0.005, 0.995);
    Beta::new(mean * concentration, (1.0 - mean) * concentration)
        .expect("positive shape parameters")
        .sample(rng)
}

fn binomial(rng: &mut ChaCha8Rng, n: f64, p: f64) -> f64 {
    let n = n.max(0.0).floor();
    let p = p.clamp(0.0, 1.0);
    let variance = n * p * (1.0 - p);
    if variance > 25.0 {
        // Normal approximation: indistinguishable at this size, and several times cheaper than
        // exact sampling, which matters for the million-practice benchmarks.
        return (n * p + variance.sqrt() * normal(rng))
            .round()
            .clamp(0.0, n);
    }
    Binomial::new(n as u64, p)
        .expect("p within [0, 1]")
        .sample(rng) as f64
}

fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

fn logit(p: f64) -> f64 {
    (p / (1.0 - p)).ln()
}

/// Generates the data described by `spec`.
pub fn generate(spec: &SynthSpec) -> Observations {
    let n = spec.providers;
    let mut obs = Observations::new();
    let mut rng = rng_for(spec.seed, 0);
    let width = n.to_string().len().max(4);
    let mut practices = Practices {
        lives: Vec::with_capacity(n),
        child: Vec::with_capacity(n),
        dual: Vec::with_capacity(n),
        complex: Vec::with_capacity(n),
        quality: Vec::with_capacity(n),
        improvement: Vec::with_capacity(n),
        reporting: Vec::with_capacity(n),
    };
    let mut names = Vec::with_capacity(n);
    let mut service_area = Vec::with_capacity(n);
    let mut peer_group = Vec::with_capacity(n);
    let mut base_payments = Vec::with_capacity(n);
    let mut spend = Vec::with_capacity(n);
    let mut benchmark_spend = Vec::with_capacity(n);
    let mut safety_net = Vec::with_capacity(n);
    let mut rural = Vec::with_capacity(n);
    let mut region = Vec::with_capacity(n);

    for i in 0..n {
        obs.provider_index(&format!("PC{:0width$}", i + 1));

        let u: f64 = rng.random();
        let mut acc = 0.0;
        let k = TYPES
            .iter()
            .position(|t| {
                acc += t.share;
                u < acc
            })
            .unwrap_or(TYPES.len() - 1);
        let t = &TYPES[k];
        let is_rural = rng.random::<f64>() < t.rural;
        let median = if is_rural {
            t.median_lives * 0.7
        } else {
            t.median_lives
        };
        let lives = (median.ln() + t.lives_sigma * normal(&mut rng))
            .exp()
            .clamp(200.0, 20_000.0)
            .round();
        let dual_mean = t.dual_mean + if is_rural { 0.04 } else { 0.0 };
        let dual = beta(&mut rng, dual_mean, 14.0);
        let complex =
            (beta(&mut rng, t.complex_mean, 16.0) + 0.35 * (dual - dual_mean)).clamp(0.02, 0.90);
        let child = (t.child_share + 0.06 * normal(&mut rng)).clamp(0.0, 0.98);
        let net = rng.random::<f64>() < t.safety_net;
        let regions = if is_rural {
            &RURAL_REGIONS
        } else {
            &URBAN_REGIONS
        };
        let reg = regions[rng.random_range(0..regions.len())];
        let quality = t.quality + normal(&mut rng);
        let improvement = 0.12 + 0.15 * normal(&mut rng);
        let reporting = normal(&mut rng);

        // Payments in whole dollars, proportional to lives. Spend follows risk (children cost
        // less, complex and dual-eligible members more); the benchmark is the risk-expected
        // spend, so practices beat it through efficiency, loosely tied to quality.
        let member_months = lives * 12.0;
        let capitation = t.capitation_pmpm * (0.08 * normal(&mut rng)).exp();
        let risk_cost = 1.0 + 2.2 * complex + 0.8 * dual - 0.45 * child;
        let expected = member_months * TCOC_PMPM * risk_cost;
        let efficiency = (-0.03 * quality + 0.07 * normal(&mut rng)).exp();
        let bench_noise = 1.0 + 0.02 * normal(&mut rng);

        names.push(practice_name(i, k, reg));
        service_area.push(t.service_area.to_owned());
        peer_group.push(t.peer_group.to_owned());
        base_payments.push((member_months * capitation).round());
        spend.push((expected * efficiency).round());
        benchmark_spend.push((expected * bench_noise).round());
        safety_net.push(yes_no(net));
        rural.push(yes_no(is_rural));
        region.push(reg.to_owned());
        practices.lives.push(lives);
        practices.child.push(child);
        practices.dual.push(dual);
        practices.complex.push(complex);
        practices.quality.push(quality);
        practices.improvement.push(improvement);
        practices.reporting.push(reporting);
    }

    let p = &mut obs.providers;
    p.names = names;
    p.service_area = service_area;
    p.peer_group = peer_group;
    p.lives = practices.lives.clone();
    p.base_payments = base_payments;
    p.spend = spend;
    p.benchmark_spend = benchmark_spend;
    let columns = [
        AttributeValues::Numeric(practices.dual.iter().map(|x| round_to(*x, 4)).collect()),
        AttributeValues::Numeric(practices.complex.iter().map(|x| round_to(*x, 4)).collect()),
        AttributeValues::Text(safety_net),
        AttributeValues::Text(rural),
        AttributeValues::Text(region),
    ];
    for (name, values) in STRATIFIERS.into_iter().zip(columns) {
        let numeric = matches!(values, AttributeValues::Numeric(_));
        let at = obs.add_stratifier(name, numeric);
        obs.providers.stratifiers[at].values = values;
    }

    // Measures are independent given the practices, each from its own stream, so they can be
    // generated in parallel without changing the result.
    let series: Vec<Vec<((String, String), PeriodValues)>> = (0..spec.measures)
        .into_par_iter()
        .map(|k| generate_measure(spec, &practices, k))
        .collect();
    for (key, values) in series.into_iter().flatten() {
        obs.series.insert(key, values);
    }
    obs
}

fn yes_no(b: bool) -> String {
    if b { "yes" } else { "no" }.to_owned()
}

/// Rounds to `digits` decimals so that stratifiers print short in CSV files.
fn round_to(x: f64, digits: i32) -> f64 {
    let f = 10f64.powi(digits);
    (x * f).round() / f
}

fn practice_name(i: usize, kind: usize, region: &str) -> String {
    let place = PLACES[i % PLACES.len()];
    // Distinct names: the same place and kind recur only in a later round, which is suffixed.
    let round = i / PLACES.len();
    let base = match kind {
        0 => format!("{place} Community Health Center"),
        1 => format!("{place} Rural Health Clinic"),
        2 => {
            let system = SYSTEMS[(region.len() + i) % SYSTEMS.len()];
            format!("{system} – {place} Primary Care")
        }
        3 => {
            if i.is_multiple_of(2) {
                format!("{place} Family Medicine")
            } else {
                format!("{place} Internal Medicine Associates")
            }
        }
        4 => format!("{place} Pediatrics"),
        _ => format!("{place} Behavioral Health Home"),
    };
    const SITES: [&str; 6] = ["", " North", " South", " East", " West", " Central"];
    match SITES.get(round) {
        Some(s) => format!("{base}{s}"),
        None => format!("{base} {}", round + 1),
    }
}

fn generate_measure(
    spec: &SynthSpec,
    pr: &Practices,
    k: usize,
) -> Vec<((String, String), PeriodValues)> {
    let n = pr.lives.len();
    let (id, m) = measure_at(k);
    let mut rng = rng_for(spec.seed, 1 + k as u64);
    let sign = m.direction.sign();
    let base_logit = logit(m.base_rate);
    let monitoring = spec
        .monitoring_period
        .as_ref()
        .filter(|_| k < spec.monitoring_measures);

    let mut periods: Vec<(String, f64, PeriodValues, bool)> = vec![
        (
            spec.baseline_period.clone(),
            0.0,
            PeriodValues::new(n),
            false,
        ),
        (
            spec.performance_period.clone(),
            1.0,
            PeriodValues::new(n),
            false,
        ),
    ];
    if let Some(label) = monitoring {
        // The monitoring period continues the trend a little further.
        periods.push((label.clone(), 1.3, PeriodValues::new(n), true));
    }

    for i in 0..n {
        let own = normal(&mut rng);
        let improvement = pr.improvement[i] + 0.10 * normal(&mut rng);
        // "Goodness" in logit points: practice quality and measure-specific skill, minus the
        // drag of complex and dual-eligible patients.
        let goodness = m.spread * (0.75 * pr.quality[i] + 0.66 * own)
            - spec.risk_gradient * m.risk_effect * pr.risk(i);
        let eligible_share = (m.per_adult * (1.0 - pr.child[i]) + m.per_child * pr.child[i])
            * (1.0 + m.complexity_prevalence * pr.complex[i]);
        let exclusion_rate = (m.exclusion_rate * (1.0 + 2.0 * pr.complex[i])).min(0.5);
        let report_chance = (spec.monitoring_completeness
            + 0.05 * (pr.lives[i] / 1500.0).ln()
            + 0.08 * pr.reporting[i])
            .clamp(0.2, 0.995);
        for (_, step, values, is_monitoring) in periods.iter_mut() {
            let noise = 0.06 * normal(&mut rng);
            let reports: f64 = rng.random();
            if *is_monitoring && reports >= report_chance {
                continue;
            }
            let rate = logistic(base_logit + sign * (goodness + *step * improvement + noise));
            let den = binomial(&mut rng, pr.lives[i], eligible_share.min(1.0));
            let excl = binomial(&mut rng, den, exclusion_rate);
            let num = binomial(&mut rng, den - excl, rate);
            values.denominator[i] = den;
            values.exclusions[i] = excl;
            values.numerator[i] = num;
        }
    }
    periods
        .into_iter()
        .map(|(label, _, values, _)| ((id.clone(), label), values))
        .collect()
}
