//! Pure, deterministic computation: standards, scoring, composites and payments.
//! No egui, no polars, no file I/O (tests/engine/purity.rs checks it).
//!
//! `rules/` is what a program pays (the specification); `analysis/` is what is learnt by
//! running the rules (equity, reliability, exceptions, sweeps, scenarios, monitoring).

pub mod analysis;
mod cancel;
mod checks;
mod column;
mod inputs;
pub mod observations;
mod results;
pub mod rules;

// The old flat paths (`engine::equity`, `engine::payment`…) stay reachable.
pub use analysis::{equity, exceptions, lint, monitoring, reliability, totals};
use analysis::{scenarios, sweep};
use rules::{curves, standards};
pub(crate) use rules::{payment, scoring};

pub use cancel::Cancelled;
pub use checks::check_data;
pub use curves::{
    achievement, consistency_points, hvbp_achievement, hvbp_improvement, improvement,
    scaled_achievement, scaled_improvement,
};
pub use inputs::{Inputs, InputsBasis, MeasureBasis, MeasureInputs};
pub use observations::*;
pub use payment::{distribute, distribute_in};
pub use results::*;
pub use rules::ladder::{GateFailure, gate_failure, rung_reached};
pub use rules::phase::{PhaseRun, pay_phase};
pub use scenarios::{
    BASE_NAME, CompareOptions, Comparison, Outcome, ProviderDelta, QUANTILE_LEVELS, QuintileRow,
    Shift, Totals, UnknownScenario, Variant, Versus, compare, compare_variants, headline, variants,
};
pub use standards::SortedValues;
pub use sweep::{
    Axis, CellMetrics, DEFAULT_STEPS, Metric, RiskQuintiles, SweepData, SweepResult, SweepSpec,
    Unit, adopt, quintile_label, sweep,
};

use crate::program::Program;

/// Scores and pays a program on aligned inputs.
pub fn evaluate(program: &Program, inputs: &Inputs) -> Results {
    let mut out = Results::default();
    evaluate_into(program, inputs, &mut out);
    out
}

/// As [`evaluate`], reusing the buffers of a previous result (for live recomputation).
pub fn evaluate_into(program: &Program, inputs: &Inputs, out: &mut Results) {
    score_into(program, inputs, out);
    pay_into(program, inputs, out);
}

/// The first half of [`evaluate_into`]: everything up to the total score. Payment parameters
/// (pool, cap, minimum score…) must not change what it computes: sweeps score once and pay
/// many times on the strength of that.
pub fn score_into(program: &Program, inputs: &Inputs, out: &mut Results) {
    scoring::score_measures(program, inputs, out);
    scoring::score_domains(program, inputs, out);
    rules::penalty::apply_total_rule(program.scoring.total, inputs, out);
    rules::bonus::apply_equity_bonus(program, inputs, out);
}

/// The second half of [`evaluate_into`]: eligibility and payments from the scores in `out`.
pub fn pay_into(program: &Program, inputs: &Inputs, out: &mut Results) {
    payment::pay(program, inputs, out);
}

/// Aligns observations with the program and scores them in one call.
pub fn run(program: &Program, obs: &Observations) -> (Inputs, Results) {
    let inputs = Inputs::build(program, obs);
    let results = evaluate(program, &inputs);
    (inputs, results)
}
