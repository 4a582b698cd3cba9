//! Gates and ladders.
//!
//! The rules, in words:
//! - **Gate.** A provider is eligible only if it reports every measure the gate lists (a
//!   result, with a denominator of at least the measure's minimum) and meets at least the
//!   gate's number of measures. A measure is met when it is scored and the result is at or
//!   beyond the benchmark or the provider's improvement target.
//! - **Ladder.** An eligible provider is paid the amount of the highest rung whose number of
//!   measures met it reaches (rungs are kept in increasing order by `validate`; the highest
//!   reached wins whatever the order), capped and raised to the floor; when the pool cannot
//!   pay every amount, all are scaled down alike.

use super::inputs::Inputs;
use crate::program::{Gate, Program, Rung};

/// Why provider `i` fails the gate, or `None` when it passes (or there is no gate).
pub fn gate_failure(
    program: &Program,
    inputs: &Inputs,
    measures_met: &[u32],
    i: usize,
) -> Option<GateFailure> {
    let gate = program.payment.gate.as_ref()?;
    if let Some(id) = unreported(gate, program, inputs, i) {
        return Some(GateFailure::NotReported(id));
    }
    let met = measures_met.get(i).copied().unwrap_or(0);
    (met < gate.min_measures_met).then_some(GateFailure::TooFewMet {
        met,
        needed: gate.min_measures_met,
    })
}

/// Why a provider failed a gate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GateFailure {
    /// This measure was not reported, or not with its minimum denominator.
    NotReported(String),
    /// Too few measures met.
    TooFewMet { met: u32, needed: u32 },
}

impl GateFailure {
    pub fn describe(&self) -> String {
        match self {
            GateFailure::NotReported(id) => format!(
                "failed the gate: measure {id} was not reported with at least its minimum denominator"
            ),
            GateFailure::TooFewMet { met, needed } => format!(
                "failed the gate: {met} measure(s) met where the gate asks for at least {needed}"
            ),
        }
    }
}

/// The first measure the gate lists that provider `i` did not report in full.
fn unreported(gate: &Gate, program: &Program, inputs: &Inputs, i: usize) -> Option<String> {
    gate.reported.iter().find_map(|id| {
        let reported = inputs
            .measures
            .iter()
            .find(|m| &m.id == id)
            .is_some_and(|m| {
                let min_den = program
                    .measure(id)
                    .and_then(|pm| pm.min_denominator)
                    .unwrap_or(f64::NEG_INFINITY);
                let p = m.performance.get(i).copied().unwrap_or(f64::NAN);
                let den = m.denominator.get(i).copied().unwrap_or(f64::NAN);
                // As in scoring: a result counts unless its denominator is below the minimum.
                let below_min = den < min_den;
                !p.is_nan() && !below_min
            });
        (!reported).then(|| id.clone())
    })
}

/// The rung an eligible provider meeting `met` measures reaches (the one with the highest
/// count at or below `met`), and its amount in cents before cap, floor and scaling.
pub fn rung_reached(rungs: &[Rung], met: u32, eligible: bool) -> (Option<usize>, i64) {
    if !eligible {
        return (None, 0);
    }
    rungs
        .iter()
        .enumerate()
        .filter(|(_, r)| met >= r.measures_met)
        .max_by_key(|(k, r)| (r.measures_met, *k))
        .map_or((None, 0), |(k, r)| {
            (Some(k), r.cents.clamp(0, crate::program::MAX_CENTS))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::program::ImprovementTarget;

    fn rungs() -> Vec<Rung> {
        [(1, 100), (3, 300), (2, 200)]
            .into_iter()
            .map(|(m, c)| Rung {
                measures_met: m,
                cents: c,
            })
            .collect()
    }

    #[test]
    fn highest_rung_reached_wins_whatever_the_order() {
        assert_eq!(rung_reached(&rungs(), 0, true), (None, 0));
        assert_eq!(rung_reached(&rungs(), 1, true), (Some(0), 100));
        assert_eq!(rung_reached(&rungs(), 2, true), (Some(2), 200));
        assert_eq!(rung_reached(&rungs(), 7, true), (Some(1), 300));
        assert_eq!(rung_reached(&rungs(), 7, false), (None, 0));
        // A negative amount in a hand-written file pays nothing.
        let bad = [Rung {
            measures_met: 0,
            cents: -5,
        }];
        assert_eq!(rung_reached(&bad, 0, true), (Some(0), 0));
    }

    #[test]
    fn target_takes_the_larger_of_gap_share_and_step() {
        let t = ImprovementTarget {
            gap_share: 0.1,
            min_step: 0.02,
        };
        // Gap share dominates: 0.1 + 0.1 × 0.8.
        assert!((t.target(0.1, 0.9) - 0.18).abs() < 1e-12);
        // Minimum step dominates: 0.85 + 0.02.
        assert!((t.target(0.85, 0.9) - 0.87).abs() < 1e-12);
        // Oriented lower-is-better (negated): −0.6 towards −0.2.
        assert!((t.target(-0.6, -0.2) + 0.56).abs() < 1e-12);
        assert!(t.target(f64::NAN, 0.9).is_nan());
        assert!(t.target(0.5, f64::NAN).is_nan());
    }
}
