//! Pure, deterministic computation: standards, scoring, composites and payments.
//! No egui, no polars, no file I/O.

pub mod audit;
mod checks;
mod curves;
mod inputs;
mod observations;
mod payment;
mod results;
mod scoring;
mod standards;

pub use checks::check_data;
pub use curves::{
    achievement, consistency_points, hvbp_achievement, hvbp_improvement, improvement,
    scaled_achievement, scaled_improvement,
};
pub use inputs::{Inputs, MeasureInputs};
pub use observations::*;
pub use payment::distribute;
pub use results::*;
pub use standards::Distribution;

use crate::program::Program;

/// Scores and pays a program on aligned inputs.
pub fn evaluate(program: &Program, inputs: &Inputs) -> Results {
    let mut out = Results::default();
    evaluate_into(program, inputs, &mut out);
    out
}

/// As [`evaluate`], reusing the buffers of a previous result (for live recomputation).
pub fn evaluate_into(program: &Program, inputs: &Inputs, out: &mut Results) {
    scoring::score_measures(program, inputs, out);
    scoring::score_domains(program, inputs, out);
    payment::pay(program, inputs, out);
}

/// Aligns observations with the program and scores them in one call.
pub fn run(program: &Program, obs: &Observations) -> (Inputs, Results) {
    let inputs = Inputs::build(program, obs);
    let results = evaluate(program, &inputs);
    (inputs, results)
}
