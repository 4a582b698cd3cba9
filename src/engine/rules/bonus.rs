//! The equity bonus, a step of scoring: points added to the total score of providers who
//! perform well while serving underserved patients, applied after the total score and before
//! payment.

use super::inputs::Inputs;
use super::results::Results;
use super::standards::SortedValues;
use crate::program::{Program, UnderservedMultiplier};

/// Underserved multiplier (0–1) of each provider; 0 where the value is unknown.
pub fn underserved_multipliers(rule: &UnderservedMultiplier, values: &[f64]) -> Vec<f64> {
    match *rule {
        UnderservedMultiplier::Linear { zero_at, one_at } => values
            .iter()
            .map(|&x| {
                if !x.is_finite() || x <= zero_at {
                    0.0
                } else if x >= one_at {
                    1.0
                } else {
                    (x - zero_at) / (one_at - zero_at)
                }
            })
            .collect(),
        UnderservedMultiplier::Logistic {
            midpoint,
            slope,
            zero_below,
        } => values
            .iter()
            .map(|&x| {
                if !x.is_finite() || x < zero_below {
                    0.0
                } else {
                    1.0 / (1.0 + (-slope * (x - midpoint)).exp())
                }
            })
            .collect(),
        UnderservedMultiplier::Rank { zero_below } => {
            let dist = SortedValues::new(values.iter().copied());
            let m = dist.len();
            values
                .iter()
                .map(|&x| {
                    if !x.is_finite() {
                        return 0.0;
                    }
                    // Percentile rank 0 (lowest) to 1 (highest).
                    let below = dist.sorted().partition_point(|v| *v < x);
                    let rank = if m > 1 {
                        below as f64 / (m - 1) as f64
                    } else {
                        1.0
                    };
                    if rank < zero_below { 0.0 } else { rank }
                })
                .collect()
        }
    }
}

/// Performance scaler of each provider: for each column (domain scores, or measure scores when
/// the program has no domains), the top third of providers scored in it get `top` points and
/// the middle third `middle`.
pub fn performance_scaler(columns: &[&[f64]], n: usize, top: f64, middle: f64) -> Vec<f64> {
    let mut out = vec![0.0; n];
    for col in columns {
        let dist = SortedValues::new(col.iter().copied());
        let m = dist.len();
        for (i, &s) in col.iter().enumerate() {
            if !s.is_finite() {
                continue;
            }
            // Thirds by the share of providers strictly below, in integers to avoid 2/3 rounding.
            let below = dist.sorted().partition_point(|v| *v < s);
            if 3 * below >= 2 * m {
                out[i] += top;
            } else if 3 * below >= m {
                out[i] += middle;
            }
        }
    }
    out
}

/// Adds the program's equity bonus to the total scores (a no-op when it has none).
pub(crate) fn apply_equity_bonus(program: &Program, inputs: &Inputs, out: &mut Results) {
    out.equity_bonus.clear();
    let Some(eb) = &program.scoring.equity_bonus else {
        return;
    };
    let n = out.total.len();
    let values = inputs
        .numeric_attributes
        .iter()
        .find(|(name, _)| *name == eb.stratifier)
        .map(|(_, v)| v.clone())
        .unwrap_or_else(|| vec![f64::NAN; n]);
    let mult = underserved_multipliers(&eb.multiplier, &values);
    let columns: Vec<&[f64]> = if program.scoring.domains.is_empty() {
        out.measures.iter().map(|m| m.score.as_slice()).collect()
    } else {
        out.domains.iter().map(|d| d.score.as_slice()).collect()
    };
    let scaler = performance_scaler(&columns, n, eb.top_third_points, eb.middle_third_points);
    out.equity_bonus.resize(n, f64::NAN);
    for i in 0..n {
        let t = out.total[i];
        if t.is_nan() {
            continue;
        }
        let bonus = (scaler[i] * mult[i]).clamp(0.0, eb.max_points.max(0.0));
        out.equity_bonus[i] = bonus;
        out.total[i] = (t + bonus).min(t.max(100.0));
    }
}
