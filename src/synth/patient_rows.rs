//! Patient-level rows drawn from synthetic provider data, for loading and speed tests: one row
//! per patient × measure × period, produced one at a time so any number can be written
//! without holding them.

use crate::engine::Observations;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// One patient row.
#[derive(Debug, Clone, PartialEq)]
pub struct PatientRow {
    /// Unique in the file.
    pub patient: u64,
    /// Index into the providers' ids.
    pub provider: usize,
    /// Index into [`PatientRows::series`].
    pub series: usize,
    pub in_denominator: bool,
    pub in_numerator: bool,
    pub excluded: bool,
    /// Probability of the numerator event.
    pub risk: f64,
}

/// Draws `count` patient rows (deterministic by seed): each row's provider and measure ×
/// period uniformly, then its numerator flag from that provider's rate for it (or the
/// series' mean rate where the provider reports none).
pub struct PatientRows<'a> {
    obs: &'a Observations,
    /// Measure × period of each series, in the observations' order.
    pub series: Vec<(String, String)>,
    rates: Vec<Vec<f64>>,
    rng: ChaCha8Rng,
    next: u64,
    count: u64,
}

impl<'a> PatientRows<'a> {
    pub fn new(obs: &'a Observations, count: u64, seed: u64) -> Self {
        let mut series = Vec::new();
        let mut rates = Vec::new();
        for ((measure, period), v) in &obs.series {
            let n = obs.providers.ids.len();
            let rate = |p: usize| {
                let (num, den) = (v.numerator.get(p), v.denominator.get(p));
                match (num, den) {
                    (Some(&a), Some(&b)) if b > 0.0 && a.is_finite() => (a / b).clamp(0.0, 1.0),
                    _ => v
                        .rate
                        .get(p)
                        .copied()
                        .filter(|r| (0.0..=1.0).contains(r))
                        .unwrap_or(0.5),
                }
            };
            series.push((measure.clone(), period.clone()));
            rates.push((0..n).map(rate).collect());
        }
        PatientRows {
            obs,
            series,
            rates,
            rng: ChaCha8Rng::seed_from_u64(seed ^ 0x7061_7469_656e_7473),
            next: 0,
            count,
        }
    }

    /// The id of provider `p`.
    pub fn provider_id(&self, p: usize) -> &str {
        &self.obs.providers.ids[p]
    }
}

impl Iterator for PatientRows<'_> {
    type Item = PatientRow;

    fn next(&mut self) -> Option<PatientRow> {
        if self.next >= self.count || self.series.is_empty() || self.obs.providers.ids.is_empty() {
            return None;
        }
        let patient = self.next;
        self.next += 1;
        let provider = self.rng.random_range(0..self.obs.providers.ids.len());
        let series = self.rng.random_range(0..self.series.len());
        let rate = self.rates[series][provider];
        let in_denominator = self.rng.random::<f64>() < 0.95;
        let excluded = in_denominator && self.rng.random::<f64>() < 0.02;
        let in_numerator = self.rng.random::<f64>() < rate;
        let risk = (rate + 0.1 * (self.rng.random::<f64>() - 0.5)).clamp(0.01, 0.99);
        Some(PatientRow {
            patient,
            provider,
            series,
            in_denominator,
            in_numerator,
            excluded,
            risk,
        })
    }
}
